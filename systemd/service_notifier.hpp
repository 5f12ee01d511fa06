#pragma once
// The agent's side of Type=notify (sd_notify(3)): READY=1 once, STATUS= lines when what it does
// changes, STOPPING=1, and WATCHDOG=1 pings from the event loop at half the interval systemd asks
// for (WatchdogSec=), so a hung loop stops pinging and gets restarted. Messages go out on a
// non-blocking datagram socket: the loop never waits for systemd. Outside systemd (no
// NOTIFY_SOCKET) every call does nothing.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace deckhand::systemd {

class ServiceNotifier {
 public:
  explicit ServiceNotifier(boost::asio::any_io_executor executor);
  ~ServiceNotifier();
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

  // Starts the watchdog pings when systemd watches this process.
  void start();
  // Sends READY=1 (the first time only) with the status.
  void ready(const std::string& status);
  // Sends STATUS= when it differs from the last one sent.
  void status(const std::string& status);
  void stopping();

  // systemd's watchdog interval for this process, if it has one.
  std::optional<std::chrono::microseconds> watchdogInterval() const { return watchdog_; }

 private:
  void send(const std::string& message);
  void armWatchdog();

  int socket_ = -1;
  std::string address_;  // NOTIFY_SOCKET; '@' stands for the abstract namespace
  std::optional<std::chrono::microseconds> watchdog_;
  boost::asio::steady_timer watchdog_timer_;
  std::string last_status_;
  bool ready_ = false;
};

}  // namespace deckhand::systemd
