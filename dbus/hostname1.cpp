#include "dbus/hostname1.hpp"

#include <limits.h>
#include <sdbus-c++/sdbus-c++.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <chrono>

namespace deckhand::dbus {
namespace {

constexpr const char* kService = "org.freedesktop.hostname1";
constexpr const char* kPath = "/org/freedesktop/hostname1";
constexpr const char* kInterface = "org.freedesktop.hostname1";
constexpr const char* kProperties = "org.freedesktop.DBus.Properties";

// Activating hostnamed takes milliseconds; a bus that holds the call longer (sd-bus waits 25 s by
// default) should not hold up reporting facts when the kernel's name is a fine answer.
constexpr std::chrono::seconds kCallTimeout{5};

}  // namespace

Hostname1::Hostname1(BusConnection& bus)
    : bus_(bus), proxy_(sdbus::createProxy(bus.connection(), kService, kPath)) {}

Hostname1::~Hostname1() {
  proxy_->unregister();
}

void Hostname1::hostname(Reply<std::string> reply) {
  bus_.call([this, reply = std::move(reply)] {
    proxy_->callMethodAsync("Get")
        .onInterface(kProperties)
        .withArguments(kInterface, "Hostname")
        .withTimeout(kCallTimeout)
        .uponReplyInvoke([this, reply](const sdbus::Error* error, const sdbus::Variant& value) {
          bus_.replied();
          if (error != nullptr) return reply(errorOf(error), {});
          if (!value.containsValueOfType<std::string>()) {
            return reply(BusError{"org.freedesktop.DBus.Error.InvalidSignature",
                                  "hostname1's Hostname is not a string"},
                         {});
          }
          reply(std::nullopt, value.get<std::string>());
        });
  });
}

std::string kernelHostname() {
  char name[HOST_NAME_MAX + 1] = {};
  // gethostname fails only for a bad pointer or a buffer shorter than HOST_NAME_MAX + 1.
  ::gethostname(name, sizeof name);
  return name;
}

void readHostname(BusConnection& bus, std::function<void(std::string)> done) {
  // The proxy must outlive the call: the reply handler holds it, and hands it to the executor to
  // be destroyed once the handler has returned (a proxy can't be destroyed from its own callback).
  auto proxy = std::make_shared<Hostname1>(bus);
  proxy->hostname([proxy, executor = bus.executor(), done = std::move(done)](
                      std::optional<BusError> error, std::string name) {
    boost::asio::post(executor, [proxy] {});
    if (error) {
      spdlog::debug("reading the host name from hostname1 failed: {}; using the kernel's",
                    error->text());
      return done(kernelHostname());
    }
    done(name.empty() ? kernelHostname() : std::move(name));
  });
}

}  // namespace deckhand::dbus
