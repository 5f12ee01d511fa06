#include "agent/link/session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agent/link/backoff.hpp"
#include "agent/link/session_core.hpp"

namespace deckhand::link {
namespace detail {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// Callers key their frames by unit name or the like, which never holds a NUL.
const std::string kHeartbeatKey("\0heartbeat", 10);

// A stopping daemon waits this long at most for the scheduler to answer its close frame.
constexpr std::chrono::seconds kCloseTimeout{2};

std::string inSeconds(std::chrono::milliseconds delay) {
  return fmt::format("{:.1f} s", static_cast<double>(delay.count()) / 1000.0);
}

}  // namespace

SessionCore::SessionCore(asio::any_io_executor executor, SessionOptions options,
                         Session::Handlers handlers)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      handlers_(std::move(handlers)),
      queue_(options_.max_queued),
      wake_writer_(executor_),
      close_deadline_(executor_) {}

void SessionCore::start() {
  if (started_ || stopped_) return;
  started_ = true;
  asio::co_spawn(executor_, run(shared_from_this()),
                 asio::bind_cancellation_slot(stop_signal_.slot(), asio::detached));
}

void SessionCore::stop() {
  if (stopped_) return;
  stopped_ = true;
  connected_ = false;
  queue_.clear();
  stop_signal_.emit(asio::cancellation_type::terminal);
  // Belt and braces for operations that ignore cancellation: a closed socket ends them all.
  if (close_socket_) close_socket_();
}

void SessionCore::close(std::function<void()> closed) {
  if (stopped_ || closing()) return;
  on_closed_ = std::move(closed);
  if (!connected_) return finishClose();
  wake_writer_.cancel();
  close_deadline_.expires_after(kCloseTimeout);
  close_deadline_.async_wait([this, self = shared_from_this()](const boost::system::error_code&) {
    if (closing()) finishClose();
  });
}

void SessionCore::finishClose() {
  auto closed = std::move(on_closed_);
  on_closed_ = nullptr;
  close_deadline_.cancel();
  stop();
  asio::post(executor_, std::move(closed));
}

// The backoff loop around one connection at a time. self keeps the core alive until the loop
// has wound down, however early the Session goes away.
asio::awaitable<void> SessionCore::run([[maybe_unused]] std::shared_ptr<SessionCore> self) {
  Backoff backoff;
  asio::steady_timer delay_timer(executor_);
  while (!stopped_) {
    std::string why;
    try {
      co_await connectOnce(*this);
    } catch (const std::exception& e) {
      why = e.what();
    }
    if (abandoned_) why = *abandoned_;
    backoff.connectionEnded(connectionDown());
    if (closing()) {
      spdlog::info("scheduler {}: said goodbye", options_.url.text());
      finishClose();
    }
    if (stopped_) break;
    const auto delay = backoff.next();
    spdlog::warn("scheduler {}: {}; retrying in {}", options_.url.text(), why, inSeconds(delay));
    if (handlers_.on_state) handlers_.on_state(false, why);
    if (stopped_) break;  // by on_state
    if (handlers_.on_retry) handlers_.on_retry(delay);
    if (stopped_) break;
    delay_timer.expires_after(delay);
    co_await delay_timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void SessionCore::connectionUp(std::function<void()> close_socket) {
  // An operation that completed just before stop() resumes the connection once more; no handler
  // may run after stop().
  if (stopped_) throw LinkError("stopped");
  close_socket_ = std::move(close_socket);
  queue_.startWith(handlers_.hello());
  connected_ = true;
  up_since_ = Clock::now();
  spdlog::info("scheduler {}: connected ({})", options_.url.text(), kSubprotocol);
  if (handlers_.on_state) handlers_.on_state(true, {});
}

Clock::duration SessionCore::connectionDown() {
  const bool was_up = connected_;
  connected_ = false;
  close_socket_ = nullptr;
  abandoned_.reset();
  queue_.clear();
  return was_up ? Clock::now() - up_since_ : Clock::duration::zero();
}

void SessionCore::deliver(std::string frame) {
  ++frames_received_;
  if (!stopped_ && handlers_.on_message) handlers_.on_message(std::move(frame));
}

void SessionCore::queueHeartbeat(std::uint64_t seq) {
  if (connected_ && handlers_.heartbeat) queue(kHeartbeatKey, handlers_.heartbeat(seq));
}

void SessionCore::send(std::string frame) {
  queue({}, std::move(frame));
}

void SessionCore::sendLatest(const std::string& key, std::string frame) {
  queue(key, std::move(frame));
}

void SessionCore::queue(const std::string& key, std::string frame) {
  if (!connected_ || abandoned_ || closing()) return;
  if (!queue_.pushLatest(key, std::move(frame))) {
    // Dropping one frame would leave the scheduler believing something false; a new connection
    // starts over from hello, the whole truth.
    abandon(fmt::format("send queue full ({} frames waiting); reconnecting to resend the state",
                        queue_.limit()));
    return;
  }
  wake_writer_.cancel();
}

void SessionCore::abandon(std::string why) {
  abandoned_ = std::move(why);
  queue_.clear();
  close_socket_();
}

asio::awaitable<void> SessionCore::waitForFrames() {
  wake_writer_.expires_at(asio::steady_timer::time_point::max());
  co_await wake_writer_.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace detail

Session::Session(boost::asio::any_io_executor executor, SessionOptions options, Handlers handlers)
    : core_(std::make_shared<detail::SessionCore>(std::move(executor), std::move(options),
                                                  std::move(handlers))) {}

Session::~Session() {
  core_->stop();
}

void Session::start() {
  core_->start();
}
void Session::stop() {
  core_->stop();
}
void Session::close(std::function<void()> closed) {
  core_->close(std::move(closed));
}
void Session::send(std::string frame) {
  core_->send(std::move(frame));
}
void Session::sendLatest(const std::string& key, std::string frame) {
  core_->sendLatest(key, std::move(frame));
}
bool Session::connected() const {
  return core_->connected();
}
std::size_t Session::queued() const {
  return core_->queued();
}
std::uint64_t Session::framesReceived() const {
  return core_->framesReceived();
}
std::uint64_t Session::framesSent() const {
  return core_->framesSent();
}

}  // namespace deckhand::link
