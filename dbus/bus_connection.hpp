#pragma once
// A connection to the system bus whose replies and signals arrive on the agent's executor.
//
// sdbus-c++ 1.2 cannot be driven from an outside poll loop without care (no eventFd; replies can
// sit queued while the fd is quiet), so the connection runs its own event loop thread and every
// callback is posted to the agent's executor: agent code never runs on the bus thread and never
// blocks on a D-Bus call.

#include <sdbus-c++/IConnection.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <string>

namespace deckhand::dbus {

class BusConnection {
 public:
  // Connects to the system bus (DBUS_SYSTEM_BUS_ADDRESS, else the standard socket). Blocks for the
  // connect and Hello only; call before the agent's loop runs. Throws sdbus::Error.
  static std::unique_ptr<BusConnection> openSystemBus(boost::asio::any_io_executor executor);

  ~BusConnection();
  BusConnection(const BusConnection&) = delete;
  BusConnection& operator=(const BusConnection&) = delete;

  sdbus::IConnection& connection() { return *connection_; }
  const std::string& address() const { return address_; }

  // Runs handler on the agent's executor.
  template <typename Handler>
  void post(Handler&& handler) {
    boost::asio::post(executor_, std::forward<Handler>(handler));
  }

 private:
  BusConnection(boost::asio::any_io_executor executor,
                std::unique_ptr<sdbus::IConnection> connection, std::string address);

  boost::asio::any_io_executor executor_;
  std::unique_ptr<sdbus::IConnection> connection_;
  std::string address_;
};

}  // namespace deckhand::dbus
