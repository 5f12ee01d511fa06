#pragma once
// Properties of systemd's unit objects: read them (Get, GetAll, or the states of many units in one
// ListUnitsByNames), and hear every change (one match rule for all units, not one per unit, since
// dbus-daemon tries each rule on every message), reading only those of the units watched.

#include <sdbus-c++/IProxy.h>
#include <sdbus-c++/Types.h>

#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbus/bus_connection.hpp"
#include "dbus/property_values.hpp"
#include "dbus/systemd_manager.hpp"

namespace deckhand::dbus {

inline constexpr const char* kUnitInterface = "org.freedesktop.systemd1.Unit";
inline constexpr const char* kServiceInterface = "org.freedesktop.systemd1.Service";
// The match rule that brings every unit's PropertiesChanged.
inline constexpr const char* kUnitsChangedRule =
    "type='signal',sender='org.freedesktop.systemd1',interface='org.freedesktop.DBus.Properties',"
    "member='PropertiesChanged',path_namespace='/org/freedesktop/systemd1/unit'";

// systemd's object path for a unit: /org/freedesktop/systemd1/unit/ + the name with every byte
// that is not a letter (or a digit after the first byte) written as _XX.
std::string unitObjectPath(std::string_view unit);
// The inverse; nullopt when path is not a unit object's path.
std::optional<std::string> unitNameFromObjectPath(std::string_view path);

// One unit as ListUnitsByNames describes it.
struct ListedUnit {
  std::string name;
  std::string load_state;
  std::string active_state;
  std::string sub_state;
};

class UnitProperties {
 public:
  using ChangeHandler =
      std::function<void(const std::string& unit, const PropertiesChanged& signal)>;
  using UnitFilter = std::function<bool(const std::string& unit)>;

  // Signals and GetAll replies hand over only the properties wanted. A signal about a unit that
  // is not watched is dropped unread: each unit systemd loads also changes the units it depends on
  // (sysinit.target, system.slice, ...), and their signals are 6 of the 14 a start brings.
  UnitProperties(BusConnection& bus, PropertyFilter wanted, UnitFilter watched,
                 ChangeHandler on_change);
  ~UnitProperties();
  UnitProperties(const UnitProperties&) = delete;
  UnitProperties& operator=(const UnitProperties&) = delete;

  void getAll(const std::string& unit, const std::string& interface, Reply<PropertyMap> reply);
  // One property, handed over as a map of one entry. Cheaper than getAll on the Unit interface:
  // its UnitFileState makes systemd scan every unit folder on the first read after a reload.
  void get(const std::string& unit, const std::string& interface, const std::string& property,
           Reply<PropertyMap> reply);
  // LoadState, ActiveState and SubState of every unit named, in one call.
  void list(const std::vector<std::string>& units, Reply<std::vector<ListedUnit>> reply);

 private:
  void call(const std::string& unit, const char* method, std::vector<std::string> arguments,
            Reply<PropertyMap> reply);

  BusConnection& bus_;
  PropertyFilter wanted_;
  sdbus::Slot match_;
  std::unique_ptr<sdbus::IProxy> manager_;
  // One short-lived proxy per call in flight: a proxy per watched unit would cost memory for
  // nothing between reads.
  std::list<std::unique_ptr<sdbus::IProxy>> in_flight_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace deckhand::dbus
