#include "dbus/systemd_manager.hpp"

#include <sdbus-c++/sdbus-c++.h>

namespace deckhand::dbus {
namespace {

constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManagerInterface = "org.freedesktop.systemd1.Manager";
constexpr const char* kPropertiesInterface = "org.freedesktop.DBus.Properties";

}  // namespace

SystemdManager::SystemdManager(BusConnection& bus)
    : bus_(bus), proxy_(sdbus::createProxy(bus.connection(), kService, kPath)) {}

void SystemdManager::fetchVersion(
    std::function<void(std::optional<std::string>, std::optional<BusError>)> done) {
  proxy_->callMethodAsync("Get")
      .onInterface(kPropertiesInterface)
      .withArguments(kManagerInterface, "Version")
      .uponReplyInvoke(
          [this, done = std::move(done)](const sdbus::Error* error, sdbus::Variant value) {
            // Runs on the bus thread: only copy the result out and hand it to the agent's executor.
            if (error != nullptr) {
              BusError failure{error->getName(), error->getMessage()};
              bus_.post([done, failure] { done(std::nullopt, failure); });
              return;
            }
            bus_.post([done, version = value.get<std::string>()] { done(version, std::nullopt); });
          });
}

}  // namespace deckhand::dbus
