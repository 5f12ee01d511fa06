#pragma once
// Session's insides, private to agent/link: session.cpp keeps the lifetime, the reconnect loop
// and the send queue; session_connection.cpp runs one connection from resolve to its last read.
// Beast stays out of here, so only the connection's own file compiles it.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "agent/link/session.hpp"
#include "agent/link/session_queue.hpp"

namespace deckhand::link::detail {

inline constexpr const char* kSubprotocol = "deckhand.v1";

// Why an attempt failed or a connection ended, worded for the log after "scheduler URL: ".
class LinkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An error's text; for OpenSSL's errors the bare reason, without "(SSL routines)".
std::string errorText(const boost::system::error_code& error);

class SessionCore : public std::enable_shared_from_this<SessionCore> {
 public:
  SessionCore(boost::asio::any_io_executor executor, SessionOptions options,
              Session::Handlers handlers);

  void start();
  void stop();
  void close(std::function<void()> closed);
  void send(std::string frame);
  void sendLatest(const std::string& key, std::string frame);
  bool connected() const { return connected_; }
  std::size_t queued() const { return queue_.size(); }
  std::uint64_t framesReceived() const { return frames_received_; }
  std::uint64_t framesSent() const { return frames_sent_; }
  void frameSent() { ++frames_sent_; }

  // The connection's side (session_connection.cpp).
  const SessionOptions& options() const { return options_; }
  bool stopped() const { return stopped_; }
  // The writer closes the connection once the queue is empty.
  bool closing() const { return on_closed_ != nullptr; }
  // The handshake succeeded: hello goes first, the link is reported up. close_socket ends every
  // operation on the connection; the core calls it to give up on the connection.
  void connectionUp(std::function<void()> close_socket);
  void deliver(std::string frame);
  void queueHeartbeat(std::uint64_t seq);
  std::optional<std::string> nextFrame() { return queue_.pop(); }
  boost::asio::awaitable<void> waitForFrames();
  // Why the core gave up on the current connection, if it did.
  const std::optional<std::string>& abandoned() const { return abandoned_; }

 private:
  boost::asio::awaitable<void> run(std::shared_ptr<SessionCore> self);
  // The connection (or the attempt) ended; returns how long the link had been up.
  std::chrono::steady_clock::duration connectionDown();
  void queue(const std::string& key, std::string frame);
  void abandon(std::string why);
  void finishClose();

  boost::asio::any_io_executor executor_;
  SessionOptions options_;
  Session::Handlers handlers_;
  SessionQueue queue_;
  boost::asio::steady_timer wake_writer_;     // cancelled when a frame is queued
  boost::asio::steady_timer close_deadline_;  // a scheduler that never answers the close
  boost::asio::cancellation_signal stop_signal_;
  std::function<void()> close_socket_;  // while connected
  std::function<void()> on_closed_;     // while closing
  std::optional<std::string> abandoned_;
  std::chrono::steady_clock::time_point up_since_;
  bool started_ = false;
  bool stopped_ = false;
  bool connected_ = false;
  std::uint64_t frames_received_ = 0;
  std::uint64_t frames_sent_ = 0;
};

// One connection attempt and, if it comes up, the whole connection. Returns or throws LinkError
// when it is over.
boost::asio::awaitable<void> connectOnce(SessionCore& core);

}  // namespace deckhand::link::detail
