#include "systemd/unit_state_read.hpp"

#include <algorithm>
#include <array>

#include "common/hex.hpp"

namespace deckhand::systemd {
namespace {

template <typename T>
void copy(const dbus::PropertyMap& properties, std::string_view name, T& field) {
  if (const T* value = dbus::findProperty<T>(properties, name)) field = *value;
}

using namespace std::string_view_literals;

// string_views, not C strings: every name of every PropertiesChanged is looked up here, and
// comparing with a C string would count its length first.
constexpr std::array kTracked = {
    "LoadState"sv, "LoadError"sv,    "ActiveState"sv,          "SubState"sv,
    "Result"sv,    "MainPID"sv,      "ExecMainCode"sv,         "ExecMainStatus"sv,
    "NRestarts"sv, "InvocationID"sv, "ActiveEnterTimestamp"sv, "InactiveEnterTimestamp"sv,
};

}  // namespace

bool isTrackedUnitProperty(std::string_view name) {
  return std::find(kTracked.begin(), kTracked.end(), name) != kTracked.end();
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
