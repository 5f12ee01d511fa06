// What the engine shows an operator: units with where they are and why, templates, machines.

#include "scheduler/engine/engine_state.hpp"

namespace deckhand::scheduler {
namespace {

UnitStatus statusOf(const Engine::State& s, const DesiredUnit& unit) {
  UnitStatus status;
  status.name = unit.name;
  status.hash = unit.hash;
  status.target = unit.target;
  status.global = unit.constraints.global;
  status.container = unit.container;
  if (const auto found = s.placements.find(unit.name); found != s.placements.end()) {
    status.machines = found->second;
  }
  if (const auto found = s.reported_on.find(unit.name); found != s.reported_on.end()) {
    for (const auto& id : found->second)
      status.reports[id] = s.machines.at(id).reports.at(unit.name);
  }
  if (const auto found = s.pending.find(unit.name); found != s.pending.end()) {
    status.pending = found->second;
  }
  if (const auto found = s.why.find(unit.name); found != s.why.end()) status.why = found->second;
  return status;
}

}  // namespace

std::vector<UnitStatus> Engine::units() const {
  std::vector<UnitStatus> all;
  all.reserve(state_->units.size());
  for (const auto& [name, unit] : state_->units)
    all.push_back(statusOf(*state_, unit));
  return all;
}

std::optional<UnitStatus> Engine::unit(const std::string& name) const {
  const auto found = state_->units.find(name);
  if (found == state_->units.end()) return std::nullopt;
  return statusOf(*state_, found->second);
}

std::map<std::string, ReportedUnit> Engine::reportsOf(const std::string& name) const {
  std::map<std::string, ReportedUnit> reports;
  if (const auto found = state_->reported_on.find(name); found != state_->reported_on.end()) {
    for (const auto& id : found->second)
      reports[id] = state_->machines.at(id).reports.at(name);
  }
  return reports;
}

std::vector<TemplateStatus> Engine::templates() const {
  std::vector<TemplateStatus> all;
  for (const auto& [name, templ] : state_->templates)
    all.push_back({name, templ.hash});
  return all;
}

std::vector<MachineStatus> Engine::machines() const {
  std::vector<MachineStatus> all;
  for (const auto& [id, machine] : state_->machines) {
    all.push_back({machine.info, machine.connected, machine.lost, machine.placed.size()});
  }
  return all;
}

}  // namespace deckhand::scheduler
