#pragma once
// The agent's lifetime: connect to systemd, then (in later stages) keep units as the scheduler
// wants them. Runs on one io_context thread.

#include <boost/asio/io_context.hpp>
#include <memory>

#include "agent/config/config.hpp"

namespace deckhand {

namespace dbus {
class BusConnection;
class SystemdManager;
}  // namespace dbus

class Agent {
 public:
  Agent(boost::asio::io_context& io, config::Config config);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Connects to the system bus and asks systemd who it is. Throws sdbus::Error when the bus
  // cannot be reached.
  void start();

  // Lets go of systemd. Units keep running: stopping the agent never stops what it manages.
  void stop();

 private:
  boost::asio::io_context& io_;
  config::Config config_;
  std::unique_ptr<dbus::BusConnection> bus_;
  std::unique_ptr<dbus::SystemdManager> systemd_;
};

}  // namespace deckhand
