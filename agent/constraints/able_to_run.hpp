#pragma once
// The one placement predicate: can this machine run this unit, next to the units it already has,
// and if not, why. The agent asks it before accepting a unit and the reference scheduler before
// placing one, so the two never disagree.

#include <string>
#include <vector>

#include "agent/constraints/constraints.hpp"
#include "agent/machine/metadata.hpp"

namespace deckhand::constraints {

struct MachineView {
  std::string id;              // the full machine ID
  machine::Metadata metadata;  // the operator's metadata
};

// A unit already on the machine: its name and the constraints that point at other units, since
// conflicts and replacements are checked from both sides.
struct PlacedUnit {
  std::string name;
  std::vector<std::string> conflicts;  // its Conflicts globs
  std::vector<std::string> replaces;   // its Replaces globs
};

PlacedUnit placedUnitOf(const UnitConstraints& constraints);

struct Decision {
  bool able = false;
  // When not able: every unmet constraint, joined by "; " ("metadata region=us-east-1 required,
  // machine has region=eu-west-1; peer db.service is not on this machine"). When able: empty, or
  // which units it replaces. Never names the unit or the machine; the caller knows both.
  std::string reason;
  // Units on the machine that the unit replaces. It may run here only if the scheduler moves
  // these away; the agent reports them and leaves the moving to the scheduler.
  std::vector<std::string> replaced;
};

// Checks, and reports every failure of: MachineID (the full ID or its first 8 characters),
// MachineMetadata (metadata_condition.hpp), MachineOf (every peer among units_on_machine),
// Conflicts (its patterns against their names and their patterns against its name), and
// Replaces. A unit it replaces is exempt from the conflict checks, since the scheduler moves it;
// a unit on the machine that replaces it makes it unable to run here, and two units replacing
// each other are reported, not resolved (fleet ignored that case). Global is not looked at: it
// says how many machines run the unit, not whether this one can. An entry of units_on_machine
// named like the unit itself is skipped, so re-checking a running unit gives the same answer.
Decision ableToRun(const MachineView& machine, const UnitConstraints& unit,
                   const std::vector<PlacedUnit>& units_on_machine);

}  // namespace deckhand::constraints
