#pragma once
// Typed, asynchronous calls to org.freedesktop.systemd1.Manager and its signals. Replies and
// signals arrive on the agent's thread (the bus is driven by BusConnection); nothing here blocks.

#include <sdbus-c++/Error.h>
#include <sdbus-c++/IProxy.h>
#include <sdbus-c++/Types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "dbus/bus_connection.hpp"

namespace deckhand::dbus {

// A failed D-Bus call: the error name (org.freedesktop.systemd1.NoSuchUnit, ...) and its text.
struct BusError {
  std::string name;
  std::string message;
  std::string text() const { return message.empty() ? name : message + " (" + name + ")"; }
};

// The error of a failed call; nullopt for a reply.
std::optional<BusError> errorOf(const sdbus::Error* error);

// Called with the error, or with nullopt and the value.
template <typename T>
using Reply = std::function<void(std::optional<BusError> error, T value)>;
using Done = std::function<void(std::optional<BusError> error)>;

// Only the signals deckhand acts on are subscribed to: dbus-daemon delivers every one, and
// UnitNew, for one, comes for each unit systemd loads.
struct ManagerSignals {
  // A job finished: its id, object path, unit and result (done, canceled, timeout, failed,
  // dependency, skipped).
  std::function<void(std::uint32_t id, const std::string& job, const std::string& unit,
                     const std::string& result)>
      job_removed;
  std::function<void(bool starting)> reloading;  // false: a daemon-reload has finished
};

// One property assignment for StartTransientUnit.
using UnitProperty = sdbus::Struct<std::string, sdbus::Variant>;
using ExecCommand = sdbus::Struct<std::string, std::vector<std::string>, bool>;

class SystemdManager {
 public:
  SystemdManager(BusConnection& bus, ManagerSignals signals);
  ~SystemdManager();

  void version(Reply<std::string> reply);
  void subscribe(Done done);
  void reload(Done done);
  // StartUnit, StopUnit, RestartUnit, ReloadUnit; the reply is the job's object path.
  void startUnit(const std::string& unit, Reply<std::string> job);
  void stopUnit(const std::string& unit, Reply<std::string> job);
  void restartUnit(const std::string& unit, Reply<std::string> job);
  void reloadUnit(const std::string& unit, Reply<std::string> job);
  void killUnit(const std::string& unit, const std::string& whom, std::int32_t signal, Done done);
  void resetFailedUnit(const std::string& unit, Done done);
  // Runtime links (/run/systemd/system), replacing what is there.
  void linkUnitFiles(const std::vector<std::string>& paths, Done done);
  void unlinkUnitFiles(const std::vector<std::string>& units, Done done);
  void loadUnit(const std::string& unit, Reply<std::string> path);
  void startTransientUnit(const std::string& unit, const std::vector<UnitProperty>& properties,
                          Reply<std::string> job);

 private:
  void jobCall(const char* method, const std::string& unit, Reply<std::string> job);

  BusConnection& bus_;
  std::unique_ptr<sdbus::IProxy> proxy_;
};

}  // namespace deckhand::dbus
