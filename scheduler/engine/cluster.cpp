// The machines: who is connected, what each runs, which take new units and in which order.

#include <algorithm>

#include "scheduler/engine/engine_state.hpp"

namespace deckhand::scheduler {

const std::vector<constraints::PlacedUnit>& Machine::placedList() {
  if (list_stale) {
    placed_list.clear();
    placed_list.reserve(placed.size());
    for (const auto& [name, unit] : placed)
      placed_list.push_back(unit);
    list_stale = false;
  }
  return placed_list;
}

Engine::Engine(EngineOptions options, TimePoint now) : state_(std::make_unique<State>()) {
  state_->options = options;
  state_->now = now;
}

Engine::~Engine() = default;

Machine& Engine::State::machineRecord(const std::string& id) {
  auto [found, inserted] = machines.try_emplace(id);
  if (inserted) {
    found->second.info.id = id;
    found->second.view.id = id;
    found->second.down_since = now;
  }
  return found->second;
}

void Engine::State::indexLoad(const Machine& machine, bool present) {
  const std::pair<std::size_t, std::string> key{machine.placed.size(), machine.info.id};
  if (present && takesUnits(machine)) {
    by_load.emplace(key, const_cast<Machine*>(&machine));
  } else {
    by_load.erase(key);
  }
}

void Engine::State::place(const std::string& unit, Machine& machine, std::string reason) {
  indexLoad(machine, false);
  machine.placed[unit] = constraints::placedUnitOf(units.at(unit).constraints);
  machine.list_stale = true;
  to_dispatch.insert(machine.info.id);
  indexLoad(machine, true);
  auto& where = placements[unit];
  if (std::find(where.begin(), where.end(), machine.info.id) == where.end()) {
    where.push_back(machine.info.id);
  }
  if (!units.at(unit).constraints.global) {
    unplaced.erase(unit);
    pending.erase(unit);
    why[unit] = std::move(reason);
  }
  stored_changed = true;
}

void Engine::State::unplace(const std::string& unit, Machine& machine) {
  if (machine.placed.find(unit) == machine.placed.end()) return;
  indexLoad(machine, false);
  machine.placed.erase(unit);
  machine.list_stale = true;
  to_dispatch.insert(machine.info.id);
  // Its followers and the units it kept away are looked at again.
  machine.recheck = true;
  indexLoad(machine, true);
  auto& where = placements[unit];
  where.erase(std::remove(where.begin(), where.end(), machine.info.id), where.end());
  if (where.empty()) placements.erase(unit);
  const auto desired = units.find(unit);
  if (desired != units.end() && desired->second.target != TargetState::inactive) {
    unplaced.insert(unit);
  }
  stored_changed = true;
}

void Engine::State::unplaceEverywhere(const std::string& unit) {
  const auto found = placements.find(unit);
  if (found == placements.end()) return;
  const auto where = found->second;
  for (const auto& id : where)
    unplace(unit, machines.at(id));
}

void Engine::State::touchPlacements(const std::string& unit) {
  const auto found = placements.find(unit);
  if (found == placements.end()) return;
  to_dispatch.insert(found->second.begin(), found->second.end());
}

void Engine::State::setInfo(Machine& machine, const MachineInfo& info) {
  if (info.metadata != machine.info.metadata || !machine.known) eligible.clear();
  machine.info = info;
  machine.view = {info.id, info.metadata};
}

void Engine::State::report(Machine& machine, const ReportedUnit& unit) {
  // Nothing installed, nothing desired but inactive, unknown to systemd: the unit is gone from
  // the machine. An agent can report a unit once more after its unit_removed (a state change that
  // raced the removal); that report must not hold it there for ever.
  const bool gone = unit.load_state == "not-found" && !unit.hash &&
                    (!unit.desired || *unit.desired == TargetState::inactive);
  if (gone) {
    unreport(machine, unit.name);
    forgetDestroyedIfGone(unit.name);
    return;
  }
  machine.reports[unit.name] = unit;
  reported_on[unit.name].insert(machine.info.id);
}

void Engine::State::unreport(Machine& machine, const std::string& name) {
  // name may be the key of the report erased last.
  const auto found = reported_on.find(name);
  if (found != reported_on.end()) {
    found->second.erase(machine.info.id);
    if (found->second.empty()) reported_on.erase(found);
  }
  machine.reports.erase(name);
}

bool Engine::State::submittedHere(const std::string& unit) const {
  return units.count(unit) > 0 || destroyed.count(unit) > 0;
}

void Engine::State::forgetDestroyedIfGone(const std::string& unit) {
  if (destroyed.count(unit) == 0 || reported_on.count(unit) > 0) return;
  for (const auto& [id, machine] : machines) {
    if (machine.held.count(unit) > 0) return;
  }
  destroyed.erase(unit);
  stored_changed = true;
}

void Engine::State::loseMachine(Machine& machine) {
  machine.lost = true;
  const auto placed = machine.placed;
  for (const auto& [name, unit] : placed)
    unplace(name, machine);
}

void Engine::machineUp(const MachineInfo& info, const std::vector<ReportedUnit>& units,
                       TimePoint now) {
  auto& s = *state_;
  s.now = now;
  auto& machine = s.machineRecord(info.id);
  s.indexLoad(machine, false);
  if (machine.info.metadata != info.metadata) machine.recheck = true;
  s.setInfo(machine, info);
  machine.known = true;
  machine.connected = true;
  machine.lost = false;
  machine.refusals.clear();
  // hello is the complete truth: what the agent holds is what it says it holds.
  machine.held.clear();
  while (!machine.reports.empty())
    s.unreport(machine, machine.reports.begin()->first);
  // A unit installed without a desired state (its agent restarted and forgot it) is held too:
  // the orders give it one, or remove it. A unit this scheduler never submitted (another
  // client's, or a container's unit) is reported but never touched.
  for (const auto& unit : units) {
    s.report(machine, unit);
    const bool desired = unit.desired && *unit.desired != TargetState::inactive;
    if ((desired || unit.hash) && s.submittedHere(unit.name)) {
      machine.held[unit.name] = {unit.desired.value_or(TargetState::inactive),
                                 unit.hash.value_or("")};
    }
  }
  s.indexLoad(machine, true);
  s.to_dispatch.insert(info.id);
}

void Engine::machineDown(const std::string& id, TimePoint now) {
  auto& s = *state_;
  s.now = now;
  const auto found = s.machines.find(id);
  if (found == s.machines.end() || !found->second.connected) return;
  s.indexLoad(found->second, false);
  found->second.connected = false;
  found->second.down_since = now;
}

void Engine::setMetadata(const std::string& id, const machine::Metadata& metadata) {
  auto& s = *state_;
  const auto found = s.machines.find(id);
  if (found == s.machines.end() || !found->second.known) {
    throw EngineError("machine " + id + " is not known; list-machines shows the known ones");
  }
  if (found->second.info.metadata == metadata) return;
  auto info = found->second.info;
  info.metadata = metadata;
  s.setInfo(found->second, info);
  found->second.recheck = true;
  found->second.refusals.clear();
}

void Engine::unitReported(const std::string& id, const ReportedUnit& unit) {
  const auto found = state_->machines.find(id);
  if (found != state_->machines.end()) state_->report(found->second, unit);
}

void Engine::unitRemoved(const std::string& id, const std::string& name) {
  const auto found = state_->machines.find(id);
  if (found == state_->machines.end()) return;
  state_->unreport(found->second, name);
  found->second.held.erase(name);
  state_->forgetDestroyedIfGone(name);
  state_->to_dispatch.insert(id);
}

void Engine::refused(const std::string& id, const std::string& name, const std::string& reason) {
  auto& s = *state_;
  const auto found = s.machines.find(id);
  if (found == s.machines.end()) return;
  found->second.held.erase(name);
  found->second.refusals[name] = reason;
  s.unplace(name, found->second);
}

void Engine::tick(TimePoint now) {
  auto& s = *state_;
  s.now = now;
  for (auto& [id, machine] : s.machines) {
    if (!machine.connected && !machine.lost &&
        now - machine.down_since >= s.options.machine_grace) {
      s.loseMachine(machine);
    }
  }
}

std::optional<TimePoint> Engine::nextDeadline() const {
  std::optional<TimePoint> next;
  for (const auto& [id, machine] : state_->machines) {
    if (machine.connected || machine.lost) continue;
    const auto at = machine.down_since + state_->options.machine_grace;
    if (!next || at < *next) next = at;
  }
  return next;
}

}  // namespace deckhand::scheduler
