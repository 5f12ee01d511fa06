#include "systemd/unit_state_read.hpp"

#include <algorithm>

#include "common/hex.hpp"

namespace deckhand::systemd {
namespace {

template <typename T>
void copy(const dbus::PropertyMap& properties, std::string_view name, T& field) {
  if (const T* value = dbus::findProperty<T>(properties, name)) field = *value;
}

template <typename Names>
bool contains(const Names& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

bool isTrackedUnitProperty(std::string_view name) {
  return contains(kLoadProperties, name) || contains(kSignalledUnitProperties, name) ||
         contains(kSignalledServiceProperties, name);
}

void applyUnitProperties(UnitState& state, const dbus::PropertyMap& properties) {
  copy(properties, "LoadState", state.load_state);
  copy(properties, "ActiveState", state.active_state);
  copy(properties, "SubState", state.sub_state);
  copy(properties, "Result", state.result);
  copy(properties, "MainPID", state.main_pid);
  copy(properties, "ExecMainCode", state.exec_main_code);
  copy(properties, "ExecMainStatus", state.exec_main_status);
  copy(properties, "NRestarts", state.n_restarts);
  copy(properties, "ActiveEnterTimestamp", state.active_enter_usec);
  copy(properties, "InactiveEnterTimestamp", state.inactive_enter_usec);
  using NameAndMessage = std::pair<std::string, std::string>;
  if (const auto* error = dbus::findProperty<NameAndMessage>(properties, "LoadError")) {
    state.load_error = error->second;
  }
  if (const auto* id = dbus::findProperty<std::vector<std::uint8_t>>(properties, "InvocationID")) {
    state.invocation_id = lowerHex(*id);
  }
}

}  // namespace deckhand::systemd
