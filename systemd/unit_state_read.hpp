#pragma once
// Reading UnitState from what systemd sends on the bus (GetAll replies, PropertiesChanged).

#include <array>
#include <string_view>

#include "dbus/unit_properties.hpp"
#include "systemd/unit_state.hpp"

namespace deckhand::systemd {

// The properties UnitState is made of, by where they come from. string_views, not C strings:
// every name of every PropertiesChanged is looked up in them, and comparing with a C string would
// count its length first.
// What a daemon-reload can change, and systemd never signals.
inline constexpr std::array<std::string_view, 2> kLoadProperties = {"LoadState", "LoadError"};
// What every PropertiesChanged of the Unit interface carries.
inline constexpr std::array<std::string_view, 5> kSignalledUnitProperties = {
    "ActiveState", "SubState", "InvocationID", "ActiveEnterTimestamp", "InactiveEnterTimestamp",
};
// What every PropertiesChanged of the Service interface carries.
inline constexpr std::array<std::string_view, 5> kSignalledServiceProperties = {
    "Result", "MainPID", "ExecMainCode", "ExecMainStatus", "NRestarts",
};

// Copies the properties deckhand tracks from a GetAll or PropertiesChanged map; ignores the rest
// and values of an unexpected type.
void applyUnitProperties(UnitState& state, const dbus::PropertyMap& properties);

// Whether name is one of the properties above, which applyUnitProperties reads.
bool isTrackedUnitProperty(std::string_view name);

}  // namespace deckhand::systemd
