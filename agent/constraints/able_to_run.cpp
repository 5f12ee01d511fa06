#include "agent/constraints/able_to_run.hpp"

#include <algorithm>

#include "agent/constraints/glob.hpp"
#include "agent/constraints/metadata_condition.hpp"

namespace deckhand::constraints {
namespace {

constexpr std::size_t kShortMachineIdLength = 8;

bool matchesMachineId(const std::string& wanted, const std::string& id) {
  return wanted == id || (wanted.size() == kShortMachineIdLength && id.starts_with(wanted));
}

const std::string* firstMatch(const std::vector<std::string>& patterns, const std::string& name) {
  const auto found = std::find_if(patterns.begin(), patterns.end(), [&name](const auto& pattern) {
    return globMatches(pattern, name);
  });
  return found == patterns.end() ? nullptr : &*found;
}

bool isOnMachine(const std::vector<PlacedUnit>& units, const std::string& name) {
  return std::any_of(units.begin(), units.end(),
                     [&name](const PlacedUnit& placed) { return placed.name == name; });
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string text;
  for (const auto& part : parts) {
    if (!text.empty()) text += separator;
    text += part;
  }
  return text;
}

// Conflicts and Replaces against one unit on the machine, from both sides.
void checkNeighbour(const UnitConstraints& unit, const PlacedUnit& placed,
                    std::vector<std::string>& reasons, std::vector<std::string>& replaced) {
  const std::string* mine = firstMatch(unit.replaces, placed.name);
  const std::string* theirs = firstMatch(placed.replaces, unit.unit);
  if (mine != nullptr && theirs != nullptr) {
    reasons.push_back(placed.name +
                      " is on this machine and the two replace each other (Replaces=" + *mine +
                      ", its Replaces=" + *theirs + "); remove one of the two");
  } else if (theirs != nullptr) {
    reasons.push_back("replaced by " + placed.name + " (its Replaces=" + *theirs +
                      "), which is on this machine");
  } else if (mine != nullptr) {
    replaced.push_back(placed.name);
  } else if (const std::string* pattern = firstMatch(unit.conflicts, placed.name)) {
    reasons.push_back("conflicts with " + placed.name + " on this machine (Conflicts=" + *pattern +
                      ")");
  } else if (const std::string* pattern = firstMatch(placed.conflicts, unit.unit)) {
    reasons.push_back(placed.name +
                      " on this machine conflicts with it (its Conflicts=" + *pattern + ")");
  }
}

}  // namespace

PlacedUnit placedUnitOf(const UnitConstraints& constraints) {
  return {constraints.unit, constraints.conflicts, constraints.replaces};
}

Decision ableToRun(const MachineView& machine, const UnitConstraints& unit,
                   const std::vector<PlacedUnit>& units_on_machine) {
  std::vector<std::string> reasons;
  std::vector<std::string> replaced;
  if (unit.machine_id && !matchesMachineId(*unit.machine_id, machine.id)) {
    reasons.push_back("machine " + *unit.machine_id + " required (MachineID), this is " +
                      machine.id);
  }
  for (auto& reason : unmetMetadata(unit.metadata, machine.metadata)) {
    reasons.push_back(std::move(reason));
  }
  for (const auto& peer : unit.peers) {
    if (!isOnMachine(units_on_machine, peer)) {
      reasons.push_back("peer " + peer + " (MachineOf) is not on this machine");
    }
  }
  for (const auto& placed : units_on_machine) {
    if (placed.name != unit.unit) checkNeighbour(unit, placed, reasons, replaced);
  }
  if (!reasons.empty()) return {false, join(reasons, "; "), {}};
  if (replaced.empty()) return {true, "", {}};
  return {true, "replaces " + join(replaced, ", ") + ", which the scheduler moves away", replaced};
}

}  // namespace deckhand::constraints
