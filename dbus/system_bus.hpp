#pragma once
// The system bus, kept connected: connects off the agent's thread (connect and Hello block), and
// when the bus goes away (dbus-daemon restarted) reconnects with capped exponential backoff.
// Whoever uses the bus builds its proxies in onUp and drops them in onDown.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "dbus/bus_connection.hpp"

namespace deckhand::dbus {

class SystemBus {
 public:
  struct Handlers {
    std::function<void(BusConnection&)> on_up;  // connected (again)
    std::function<void()> on_down;              // lost; proxies on the old connection are dead
  };

  SystemBus(boost::asio::any_io_executor executor, Handlers handlers);
  ~SystemBus();
  SystemBus(const SystemBus&) = delete;
  SystemBus& operator=(const SystemBus&) = delete;

  void start();
  BusConnection* connection() { return connection_.get(); }  // null while down
  const std::string& address() const { return address_; }

 private:
  void connect();
  void connected(std::unique_ptr<sdbus::IConnection> connection, const std::string& error);
  void lost();
  void retryLater();

  boost::asio::any_io_executor executor_;
  Handlers handlers_;
  std::string address_;
  std::unique_ptr<BusConnection> connection_;
  boost::asio::steady_timer retry_timer_;
  std::chrono::milliseconds backoff_;
  std::jthread connector_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool ever_connected_ = false;
};

}  // namespace deckhand::dbus
