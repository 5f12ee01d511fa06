// Placement: fleet's least-loaded choice among the machines ableToRun accepts, followers with
// their leader, global units everywhere they can run, and a check of placed units whenever their
// machine or their neighbours change.

#include <vector>

#include "scheduler/engine/engine_state.hpp"

namespace deckhand::scheduler {
namespace {

// Each pass places what it can; a unit displaced by a Replaces, or a follower whose leader just
// found a machine, is placed in the next one. Real chains are a few passes long; the bound only
// guards against a cycle nobody foresaw.
constexpr int kMaxPasses = 64;

constraints::Decision decide(Machine& machine, const DesiredUnit& unit) {
  return constraints::ableToRun(machine.view, unit.constraints, machine.placedList());
}

std::string refusalReason(const std::string& reason) {
  return "its agent refused it: " + reason;
}

std::string placedWhy(const Machine& machine, const constraints::Decision& decision) {
  std::string why = "least loaded machine that can run it (" +
                    std::to_string(machine.placed.size()) + " units here before it; ties go to " +
                    "the lowest machine ID)";
  if (!decision.reason.empty()) why += "; " + decision.reason;
  return why;
}

}  // namespace

void Engine::State::recheckMachine(Machine& machine) {
  machine.recheck = false;
  if (!machine.known) return;
  std::vector<std::string> names;
  for (const auto& [name, placed] : machine.placed)
    names.push_back(name);
  for (const auto& name : names) {
    const auto& unit = units.at(name);
    const auto decision = decide(machine, unit);
    if (decision.able) continue;
    unplace(name, machine);
    pending[name][machine.info.id] = decision.reason;
  }
}

// MachineID names one machine (or, by its first 8 characters, a few): try those first, and scan
// every machine only to say why when none of them takes it.
bool Engine::State::placePinned(const DesiredUnit& unit) {
  const auto& wanted = *unit.constraints.machine_id;
  for (auto it = machines.lower_bound(wanted);
       it != machines.end() && it->first.starts_with(wanted); ++it) {
    auto& machine = it->second;
    if (!takesUnits(machine) || machine.refusals.count(unit.name) > 0) continue;
    const auto decision = decide(machine, unit);
    if (!decision.able) continue;
    place(unit.name, machine, "the machine its MachineID names");
    return true;
  }
  return false;
}

bool Engine::State::placeOne(const DesiredUnit& unit) {
  if (unit.constraints.machine_id && placePinned(unit)) {
    return true;
  }
  auto& reasons = pending[unit.name];
  reasons.clear();
  if (!unit.constraints.peers.empty()) {
    // ableToRun needs every peer on the machine, so only the first peer's machine can qualify.
    const auto& leader = unit.constraints.peers.front();
    const auto where = placements.find(leader);
    if (where == placements.end() || where->second.empty()) {
      reasons[""] = "its peer " + leader + " (MachineOf) is not placed";
      return false;
    }
    for (const auto& id : where->second) {
      auto& machine = machines.at(id);
      if (!takesUnits(machine)) {
        reasons[id] = "its peer " + leader + " is here, and this machine is disconnected";
        continue;
      }
      if (const auto refusal = machine.refusals.find(unit.name);
          refusal != machine.refusals.end()) {
        reasons[id] = refusalReason(refusal->second);
        continue;
      }
      const auto decision = decide(machine, unit);
      if (!decision.able) {
        reasons[id] = decision.reason;
        continue;
      }
      place(unit.name, machine, "with its peer " + leader + " (MachineOf)");
      return true;
    }
    return false;
  }
  const auto* eligible_machines = eligibleFor(unit);
  for (const auto& [key, machine] : by_load) {
    if (eligible_machines != nullptr && eligible_machines->count(machine) == 0) continue;
    if (machine->refusals.count(unit.name) > 0) continue;
    const auto decision = decide(*machine, unit);
    if (!decision.able) continue;
    // place() re-files the machine under its new load, ending this loop's hold on by_load.
    Machine& chosen = *machine;
    place(unit.name, chosen, placedWhy(chosen, decision));
    for (const auto& replaced : decision.replaced)
      unplace(replaced, chosen);
    return true;
  }
  // Nowhere: every machine's reason, for the operator.
  for (const auto& [key, machine] : by_load) {
    const auto& id = key.second;
    if (const auto refusal = machine->refusals.find(unit.name);
        refusal != machine->refusals.end()) {
      reasons[id] = refusalReason(refusal->second);
    } else {
      reasons[id] = decide(*machine, unit).reason;
    }
  }
  if (by_load.empty()) reasons[""] = "no machine is connected";
  return false;
}

const std::unordered_set<const Machine*>* Engine::State::eligibleFor(const DesiredUnit& unit) {
  const auto& all = unit.constraints;
  if (!all.machine_id && all.metadata.empty()) return nullptr;
  std::string signature = all.machine_id.value_or("");
  for (const auto& condition : all.metadata)
    signature += "\n" + constraints::formatCondition(condition);
  auto [found, inserted] = eligible.try_emplace(signature);
  if (inserted) {
    // The same predicate on the unit's machine-only constraints, with no neighbours.
    constraints::UnitConstraints machine_only;
    machine_only.unit = all.unit;
    machine_only.machine_id = all.machine_id;
    machine_only.metadata = all.metadata;
    for (const auto& [id, machine] : machines) {
      if (constraints::ableToRun(machine.view, machine_only, {}).able)
        found->second.insert(&machine);
    }
  }
  return &found->second;
}

void Engine::State::placeGlobal(const DesiredUnit& unit) {
  auto& reasons = pending[unit.name];
  reasons.clear();
  for (auto& [id, machine] : machines) {
    if (!takesUnits(machine) || machine.placed.count(unit.name) > 0) continue;
    if (const auto refusal = machine.refusals.find(unit.name); refusal != machine.refusals.end()) {
      reasons[id] = refusalReason(refusal->second);
      continue;
    }
    const auto decision = decide(machine, unit);
    if (decision.able) {
      place(unit.name, machine, "");
    } else {
      reasons[id] = decision.reason;
    }
  }
  why[unit.name] = "global: on every connected machine that can run it";
  if (reasons.empty()) pending.erase(unit.name);
}

void Engine::State::reconcile() {
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    for (auto& [id, machine] : machines) {
      if (machine.recheck) recheckMachine(machine);
    }
    bool placed_any = false;
    const std::vector<std::string> waiting(unplaced.begin(), unplaced.end());
    for (const auto& name : waiting) {
      const auto& unit = units.at(name);
      if (unit.constraints.global) {
        const auto before = placements.count(name) > 0 ? placements.at(name).size() : 0;
        placeGlobal(unit);
        const auto after = placements.count(name) > 0 ? placements.at(name).size() : 0;
        placed_any = placed_any || after != before;
      } else if (unplaced.count(name) > 0 && placeOne(unit)) {
        placed_any = true;
      }
    }
    bool recheck = false;
    for (const auto& [id, machine] : machines)
      recheck = recheck || machine.recheck;
    if (!placed_any && !recheck) return;
  }
}

}  // namespace deckhand::scheduler
