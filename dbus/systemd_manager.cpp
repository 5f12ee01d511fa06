#include "dbus/systemd_manager.hpp"

#include <sdbus-c++/sdbus-c++.h>

namespace deckhand::dbus {
namespace {

constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr const char* kProperties = "org.freedesktop.DBus.Properties";
constexpr const char* kReplace = "replace";

}  // namespace

std::optional<BusError> errorOf(const sdbus::Error* error) {
  if (error == nullptr) return std::nullopt;
  return BusError{error->getName(), error->getMessage()};
}

SystemdManager::SystemdManager(BusConnection& bus, ManagerSignals signals)
    : bus_(bus), proxy_(sdbus::createProxy(bus.connection(), kService, kPath)) {
  proxy_->uponSignal("JobRemoved")
      .onInterface(kManager)
      .call([handler = std::move(signals.job_removed)](
                std::uint32_t id, const sdbus::ObjectPath& job, const std::string& unit,
                const std::string& result) {
        if (handler) handler(id, job, unit, result);
      });
  proxy_->uponSignal("Reloading")
      .onInterface(kManager)
      .call([handler = std::move(signals.reloading)](bool starting) {
        if (handler) handler(starting);
      });
  proxy_->finishRegistration();
  bus_.kick();
}

SystemdManager::~SystemdManager() {
  proxy_->unregister();
}

void SystemdManager::version(Reply<std::string> reply) {
  bus_.call([=, this] {
    proxy_->callMethodAsync("Get")
        .onInterface(kProperties)
        .withArguments(kManager, "Version")
        .uponReplyInvoke([this, reply](const sdbus::Error* error, sdbus::Variant value) {
          bus_.replied();
          if (error != nullptr) return reply(errorOf(error), {});
          reply(std::nullopt, value.get<std::string>());
        });
  });
}

void SystemdManager::subscribe(Done done) {
  bus_.call([=, this] {
    proxy_->callMethodAsync("Subscribe")
        .onInterface(kManager)
        .uponReplyInvoke([this, done](const sdbus::Error* error) {
          bus_.replied();
          done(errorOf(error));
        });
  });
}

void SystemdManager::reload(Done done) {
  bus_.call([=, this] {
    proxy_->callMethodAsync("Reload").onInterface(kManager).uponReplyInvoke(
        [this, done](const sdbus::Error* error) {
          bus_.replied();
          done(errorOf(error));
        });
  });
}

void SystemdManager::jobCall(const char* method, const std::string& unit, Reply<std::string> job) {
  bus_.call([=, this] {
    proxy_->callMethodAsync(method)
        .onInterface(kManager)
        .withArguments(unit, kReplace)
        .uponReplyInvoke([this, job](const sdbus::Error* error, sdbus::ObjectPath path) {
          bus_.replied();
          job(errorOf(error), std::move(path));
        });
  });
}

void SystemdManager::startUnit(const std::string& unit, Reply<std::string> job) {
  jobCall("StartUnit", unit, std::move(job));
}

void SystemdManager::stopUnit(const std::string& unit, Reply<std::string> job) {
  jobCall("StopUnit", unit, std::move(job));
}

void SystemdManager::restartUnit(const std::string& unit, Reply<std::string> job) {
  jobCall("RestartUnit", unit, std::move(job));
}

void SystemdManager::reloadUnit(const std::string& unit, Reply<std::string> job) {
  jobCall("ReloadUnit", unit, std::move(job));
}

void SystemdManager::killUnit(const std::string& unit, const std::string& whom, std::int32_t signal,
                              Done done) {
  bus_.call([=, this] {
    proxy_->callMethodAsync("KillUnit")
        .onInterface(kManager)
        .withArguments(unit, whom, signal)
        .uponReplyInvoke([this, done](const sdbus::Error* error) {
          bus_.replied();
          done(errorOf(error));
        });
  });
}

void SystemdManager::resetFailedUnit(const std::string& unit, Done done) {
  bus_.call([=, this] {
    proxy_->callMethodAsync("ResetFailedUnit")
        .onInterface(kManager)
        .withArguments(unit)
        .uponReplyInvoke([this, done](const sdbus::Error* error) {
          bus_.replied();
          done(errorOf(error));
        });
  });
}

void SystemdManager::linkUnitFiles(const std::vector<std::string>& paths, Done done) {
  using Change = sdbus::Struct<std::string, std::string, std::string>;
  bus_.call([=, this] {
    proxy_->callMethodAsync("LinkUnitFiles")
        .onInterface(kManager)
        .withArguments(paths, /*runtime=*/true, /*force=*/true)
        .uponReplyInvoke([this, done](const sdbus::Error* error, const std::vector<Change>&) {
          bus_.replied();
          done(errorOf(error));
        });
  });
}

void SystemdManager::unlinkUnitFiles(const std::vector<std::string>& units, Done done) {
  using Change = sdbus::Struct<std::string, std::string, std::string>;
  bus_.call([=, this] {
    proxy_->callMethodAsync("DisableUnitFiles")
        .onInterface(kManager)
        .withArguments(units, /*runtime=*/true)
        .uponReplyInvoke([this, done](const sdbus::Error* error, const std::vector<Change>&) {
          bus_.replied();
          done(errorOf(error));
        });
  });
}

void SystemdManager::loadUnit(const std::string& unit, Reply<std::string> path) {
  bus_.call([=, this] {
    proxy_->callMethodAsync("LoadUnit")
        .onInterface(kManager)
        .withArguments(unit)
        .uponReplyInvoke([this, path](const sdbus::Error* error, sdbus::ObjectPath object) {
          bus_.replied();
          path(errorOf(error), std::move(object));
        });
  });
}

void SystemdManager::startTransientUnit(const std::string& unit,
                                        const std::vector<UnitProperty>& properties,
                                        Reply<std::string> job) {
  using Aux = sdbus::Struct<std::string, std::vector<UnitProperty>>;
  bus_.call([=, this] {
    proxy_->callMethodAsync("StartTransientUnit")
        .onInterface(kManager)
        .withArguments(unit, kReplace, properties, std::vector<Aux>{})
        .uponReplyInvoke([this, job](const sdbus::Error* error, sdbus::ObjectPath path) {
          bus_.replied();
          job(errorOf(error), std::move(path));
        });
  });
}

}  // namespace deckhand::dbus
