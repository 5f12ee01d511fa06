#pragma once
// One connection to the system bus, driven by the agent's io_context: every reply, signal and
// timeout is handled on the agent's thread, inside process().
//
// Why not sdbus-c++'s own loop thread: in sdbus-c++ 1.2 that thread throws out of
// processPendingRequest() when the bus goes away, which terminates the process. Here a lost bus
// is an event (onLost), and the owner reconnects. The rules for an external loop (1.2 has no
// event fd): drain with processPendingRequest() until it returns false, then re-arm from fresh
// poll data; a timeout of 0 means "process again now"; after sending anything, re-arm (kick()),
// since sd-bus may have queued the write and now wants POLLOUT.

#include <sdbus-c++/IConnection.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace deckhand::dbus {

// The bus address deckhand uses: DBUS_SYSTEM_BUS_ADDRESS, else the standard system socket.
std::string systemBusAddress();

class BusConnection {
 public:
  // Takes a connected sdbus connection whose event loop nobody else runs. onLost is called once,
  // from the executor, when the bus is gone; the connection is dead afterwards.
  BusConnection(boost::asio::any_io_executor executor,
                std::unique_ptr<sdbus::IConnection> connection, std::function<void()> on_lost);
  ~BusConnection();
  BusConnection(const BusConnection&) = delete;
  BusConnection& operator=(const BusConnection&) = delete;

  sdbus::IConnection& connection() { return *connection_; }
  boost::asio::any_io_executor executor() const { return executor_; }
  bool lost() const { return lost_; }

  // Call after sending a message outside of a bus callback, so a queued write gets flushed.
  void kick();

  // Runs send() now, or once fewer than kMaxPendingCalls replies are awaited: dbus-daemon refuses
  // a connection's 129th pending call (max_replies_per_connection). send() makes exactly one call
  // whose reply handler calls replied().
  void call(std::function<void()> send);
  void replied();
  std::size_t pendingCalls() const { return pending_calls_; }
  static constexpr std::size_t kMaxPendingCalls = 96;

 private:
  void process();
  void arm();
  void waitFor(boost::asio::posix::descriptor_base::wait_type type, bool& waiting);
  void markLost();

  // sd-bus's deadlines are CLOCK_MONOTONIC microseconds, which is steady_clock's clock on Linux.
  using Deadline = std::chrono::steady_clock::time_point;

  boost::asio::any_io_executor executor_;
  std::unique_ptr<sdbus::IConnection> connection_;
  std::function<void()> on_lost_;
  boost::asio::posix::stream_descriptor descriptor_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::deque<std::function<void()>> waiting_calls_;
  std::size_t pending_calls_ = 0;
  bool waiting_to_read_ = false;
  bool waiting_to_write_ = false;
  bool timer_armed_ = false;
  bool kick_pending_ = false;
  bool processing_ = false;
  bool lost_ = false;
};

}  // namespace deckhand::dbus
