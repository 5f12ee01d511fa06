#pragma once
// Typed calls to org.freedesktop.systemd1.Manager; every reply is delivered on the agent's
// executor.

#include <sdbus-c++/IProxy.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "dbus/bus_connection.hpp"

namespace deckhand::dbus {

// A failed D-Bus call: the error name (org.freedesktop.DBus.Error.ServiceUnknown, ...) and text.
struct BusError {
  std::string name;
  std::string message;
};

class SystemdManager {
 public:
  explicit SystemdManager(BusConnection& bus);

  // systemd's version string (Manager.Version), e.g. "252.38-1~deb12u1".
  void fetchVersion(
      std::function<void(std::optional<std::string> version, std::optional<BusError> error)> done);

 private:
  BusConnection& bus_;
  std::unique_ptr<sdbus::IProxy> proxy_;
};

}  // namespace deckhand::dbus
