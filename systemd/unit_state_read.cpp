#include "systemd/unit_state_read.hpp"

#include <sdbus-c++/Types.h>

#include <algorithm>
#include <array>

namespace deckhand::systemd {
namespace {

template <typename T>
void copy(const dbus::PropertyMap& properties, const char* name, T& field) {
  const auto found = properties.find(name);
  if (found != properties.end() && found->second.containsValueOfType<T>()) {
    field = found->second.get<T>();
  }
}

std::string hex(const std::vector<std::uint8_t>& bytes) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (const auto byte : bytes) {
    text.push_back(kHex[byte >> 4]);
    text.push_back(kHex[byte & 0xf]);
  }
  return text;
}

constexpr std::array kTracked = {
    "LoadState", "LoadError",    "ActiveState",          "SubState",
    "Result",    "MainPID",      "ExecMainCode",         "ExecMainStatus",
    "NRestarts", "InvocationID", "ActiveEnterTimestamp", "InactiveEnterTimestamp",
};

}  // namespace

bool isTrackedUnitProperty(const std::string& name) {
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
  const auto load_error = properties.find("LoadError");
  if (load_error != properties.end() &&
      load_error->second.containsValueOfType<sdbus::Struct<std::string, std::string>>()) {
    const auto error = load_error->second.get<sdbus::Struct<std::string, std::string>>();
    state.load_error = std::get<1>(error);
  }
  const auto invocation = properties.find("InvocationID");
  if (invocation != properties.end() &&
      invocation->second.containsValueOfType<std::vector<std::uint8_t>>()) {
    state.invocation_id = hex(invocation->second.get<std::vector<std::uint8_t>>());
  }
}

}  // namespace deckhand::systemd
