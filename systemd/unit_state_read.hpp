#pragma once
// Reading UnitState from what systemd sends on the bus (GetAll replies, PropertiesChanged).

#include <string_view>

#include "dbus/unit_properties.hpp"
#include "systemd/unit_state.hpp"

namespace deckhand::systemd {

// Copies the properties deckhand tracks from a GetAll or PropertiesChanged map; ignores the rest
// and values of an unexpected type.
void applyUnitProperties(UnitState& state, const dbus::PropertyMap& properties);

// Whether name is one of the properties applyUnitProperties reads.
bool isTrackedUnitProperty(std::string_view name);

}  // namespace deckhand::systemd
