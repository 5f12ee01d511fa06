#include "dbus/bus_connection.hpp"

#include <poll.h>
#include <sdbus-c++/Error.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <cstdlib>
#include <limits>

namespace deckhand::dbus {
namespace {

constexpr std::uint64_t kNoTimeout = std::numeric_limits<std::uint64_t>::max();

}  // namespace

std::string systemBusAddress() {
  const char* address = std::getenv("DBUS_SYSTEM_BUS_ADDRESS");
  return address != nullptr && *address != '\0' ? address : "unix:path=/run/dbus/system_bus_socket";
}

BusConnection::BusConnection(boost::asio::any_io_executor executor,
                             std::unique_ptr<sdbus::IConnection> connection,
                             std::function<void()> on_lost)
    : executor_(std::move(executor)),
      connection_(std::move(connection)),
      on_lost_(std::move(on_lost)),
      descriptor_(executor_),
      timer_(executor_) {
  try {
    descriptor_.assign(connection_->getEventLoopPollData().fd);
  } catch (const sdbus::Error& error) {
    spdlog::warn("system bus: connection unusable: {}", error.getMessage());
    markLost();
    return;
  }
  kick();
}

BusConnection::~BusConnection() {
  *alive_ = false;
  // The descriptor belongs to sd-bus: stop watching it without closing it.
  descriptor_.cancel();
  descriptor_.release();
  timer_.cancel();
}

void BusConnection::kick() {
  if (kick_pending_ || processing_ || lost_) return;
  kick_pending_ = true;
  boost::asio::post(executor_, [this, alive = alive_] {
    if (!*alive) return;
    kick_pending_ = false;
    process();
  });
}

void BusConnection::call(std::function<void()> send) {
  if (pending_calls_ >= kMaxPendingCalls) {
    waiting_calls_.push_back(std::move(send));
    return;
  }
  ++pending_calls_;
  send();
  kick();
}

void BusConnection::replied() {
  if (pending_calls_ > 0) --pending_calls_;
  if (waiting_calls_.empty() || pending_calls_ >= kMaxPendingCalls) return;
  auto send = std::move(waiting_calls_.front());
  waiting_calls_.pop_front();
  call(std::move(send));
}

void BusConnection::process() {
  if (lost_) return;
  processing_ = true;
  try {
    while (connection_->processPendingRequest()) {
    }
  } catch (const sdbus::Error& error) {
    processing_ = false;
    spdlog::debug("system bus: processing failed: {}", error.getMessage());
    markLost();
    return;
  }
  processing_ = false;
  arm();
}

// Waits already armed stay: cancelling and re-arming them after every wakeup cost a timerfd
// update and an aborted handler each time. A wait that is no longer needed, or a timer that fires
// before sd-bus's deadline, only makes process() find nothing to do.
void BusConnection::arm() {
  sdbus::IConnection::PollData poll{};
  try {
    poll = connection_->getEventLoopPollData();
  } catch (const sdbus::Error&) {
    markLost();
    return;
  }
  if ((poll.events & POLLIN) && !waiting_to_read_) {
    waitFor(boost::asio::posix::descriptor_base::wait_read, waiting_to_read_);
  }
  if ((poll.events & POLLOUT) && !waiting_to_write_) {
    waitFor(boost::asio::posix::descriptor_base::wait_write, waiting_to_write_);
  }
  if (poll.timeout_usec == kNoTimeout) return;
  const Deadline deadline{std::chrono::microseconds(poll.timeout_usec)};
  if (timer_armed_ && timer_.expiry() <= deadline) return;
  timer_armed_ = true;
  // Replacing the expiry aborts the wait armed for the old one, whose handler then does nothing.
  timer_.expires_at(deadline);
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& error) {
    if (error || !*alive) return;
    timer_armed_ = false;
    process();
  });
}

void BusConnection::waitFor(boost::asio::posix::descriptor_base::wait_type type, bool& waiting) {
  waiting = true;
  descriptor_.async_wait(type,
                         [this, &waiting, alive = alive_](const boost::system::error_code& error) {
                           if (!*alive) return;
                           waiting = false;
                           if (!error) process();
                         });
}

void BusConnection::markLost() {
  if (lost_) return;
  lost_ = true;
  descriptor_.cancel();
  timer_.cancel();
  boost::asio::post(executor_, [this, alive = alive_] {
    if (*alive && on_lost_) on_lost_();
  });
}

}  // namespace deckhand::dbus
