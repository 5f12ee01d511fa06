#include "agent/agent.hpp"

#include <spdlog/spdlog.h>

#include "dbus/bus_connection.hpp"
#include "dbus/systemd_manager.hpp"

namespace deckhand {

Agent::Agent(boost::asio::io_context& io, config::Config config)
    : io_(io), config_(std::move(config)) {}

Agent::~Agent() = default;

void Agent::start() {
  bus_ = dbus::BusConnection::openSystemBus(io_.get_executor());
  systemd_ = std::make_unique<dbus::SystemdManager>(*bus_);
  systemd_->fetchVersion(
      [this](std::optional<std::string> version, std::optional<dbus::BusError> error) {
        if (error) {
          spdlog::error(
              "systemd does not answer on the system bus at {}: {}: {}; is systemd "
              "running as PID 1 there?",
              bus_->address(), error->name, error->message);
          return;
        }
        spdlog::info("connected to systemd {} on the system bus at {}", *version, bus_->address());
      });
}

void Agent::stop() {
  systemd_.reset();
  bus_.reset();
  spdlog::info("stopped; the units deckhand manages keep running");
}

}  // namespace deckhand
