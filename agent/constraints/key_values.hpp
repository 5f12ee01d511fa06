#pragma once
// What the single-purpose keys accept: MachineID, MachineOf and Global values, each checked so
// that a value which could never take effect is an error instead of a unit that never runs.
// MachineMetadata lives in metadata_condition.hpp, Conflicts and Replaces globs in glob.hpp.

#include <string_view>

#include "systemd/unit_name.hpp"

namespace deckhand::constraints {

// 32 lowercase hex digits (deckhand's machine IDs, app-specific or raw, as machine-id(5) writes
// them) or the first 8 of them. Throws InvalidValue.
void checkMachineId(std::string_view id);

// An exact, non-template unit name other than unit itself: a peer that can never run, or a unit
// waiting for itself, would leave the unit unplaceable. Throws InvalidValue.
void checkPeer(std::string_view peer, const systemd::UnitName& unit);

// A Conflicts or Replaces pattern that is exactly unit's own name: fleet ignored it, since a unit
// never meets itself on a machine. Throws InvalidValue.
void checkNotOwnName(std::string_view pattern, const systemd::UnitName& unit);

// systemd's booleans, any case: 1 yes y true t on, 0 no n false f off. Throws InvalidValue;
// fleet read anything it did not know as false.
bool parseBoolean(std::string_view text);

}  // namespace deckhand::constraints
