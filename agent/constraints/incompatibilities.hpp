#pragma once
// Pairs of [X-Fleet] entries that contradict each other: fleet's incompatibilities (MachineID
// with MachineOf, Conflicts, Global or Replaces; Global with MachineOf or Replaces; Conflicts with
// Replaces; a peer that matches a conflict) and deckhand's addition, a peer that matches
// Replaces.

#include <span>
#include <string>
#include <vector>

#include "agent/constraints/constraints.hpp"
#include "agent/constraints/xfleet_keys.hpp"

namespace deckhand::constraints {

// One value as parsed: its key, its text after quoting and specifiers, and the entry (inside the
// span given to parseConstraints) it came from.
struct ParsedItem {
  XFleetKey key;
  std::string text;
  const systemd::UnitFileEntry* entry;
};

// Each problem sits on the later of the two entries and names the earlier one, so it is reported
// where the contradiction became visible.
std::vector<ConstraintProblem> findIncompatibilities(const UnitConstraints& constraints,
                                                     std::span<const ParsedItem> items);

}  // namespace deckhand::constraints
