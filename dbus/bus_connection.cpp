#include "dbus/bus_connection.hpp"

#include <poll.h>
#include <sdbus-c++/Error.h>
#include <spdlog/spdlog.h>
#include <time.h>

#include <boost/asio/post.hpp>
#include <cstdlib>
#include <limits>

namespace deckhand::dbus {
namespace {

constexpr std::uint64_t kNoTimeout = std::numeric_limits<std::uint64_t>::max();

std::uint64_t monotonicNowUsec() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000 +
         static_cast<std::uint64_t>(now.tv_nsec) / 1000;
}

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

void BusConnection::arm() {
  sdbus::IConnection::PollData poll{};
  try {
    poll = connection_->getEventLoopPollData();
  } catch (const sdbus::Error&) {
    markLost();
    return;
  }
  descriptor_.cancel();
  timer_.cancel();
  const auto on_ready = [this, alive = alive_](const boost::system::error_code& error) {
    if (error || !*alive) return;
    process();
  };
  if (poll.events & POLLIN) {
    descriptor_.async_wait(boost::asio::posix::descriptor_base::wait_read, on_ready);
  }
  if (poll.events & POLLOUT) {
    descriptor_.async_wait(boost::asio::posix::descriptor_base::wait_write, on_ready);
  }
  if (poll.timeout_usec == kNoTimeout) return;
  const std::uint64_t now = monotonicNowUsec();
  const auto delay =
      std::chrono::microseconds(poll.timeout_usec > now ? poll.timeout_usec - now : 0);
  timer_.expires_after(delay);
  timer_.async_wait(on_ready);
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
