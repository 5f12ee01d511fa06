// The desired state: units and templates as submitted, their targets, and what a restart keeps.

#include <algorithm>
#include <boost/json.hpp>

#include "docker/container_spec_json.hpp"
#include "docker/container_unit.hpp"
#include "scheduler/engine/engine_state.hpp"
#include "systemd/unit_file.hpp"
#include "systemd/unit_name.hpp"

namespace deckhand::scheduler {
namespace {

constexpr std::string_view kTargetNames[] = {"inactive", "loaded", "launched"};

systemd::UnitName parseName(const std::string& name) {
  try {
    return systemd::parseManagedUnitName(name);
  } catch (const systemd::UnitNameError& error) {
    throw EngineError(error.what());
  }
}

}  // namespace

std::string_view targetStateName(TargetState state) {
  return kTargetNames[static_cast<int>(state)];
}

std::optional<TargetState> targetStateFromName(std::string_view name) {
  for (int i = 0; i < 3; ++i) {
    if (kTargetNames[i] == name) return static_cast<TargetState>(i);
  }
  return std::nullopt;
}

DesiredUnit Engine::State::parseUnit(const std::string& name, const std::string& text) const {
  const auto unit_name = parseName(name);
  DesiredUnit unit;
  unit.name = name;
  try {
    const auto file = systemd::parseUnitFile(text, name);
    unit.text = systemd::writeUnitFile(file);
    unit.hash = systemd::unitHash(file);
    // A template's specifiers have no instance yet: its constraints are read per instance.
    if (!unit_name.is_template) unit.constraints = constraints::parseConstraints(unit_name, file);
  } catch (const systemd::UnitFileError& error) {
    throw EngineError(error.what());
  } catch (const constraints::ConstraintError& error) {
    throw EngineError(error.what());
  }
  return unit;
}

DesiredUnit Engine::State::parseContainer(const std::string& container,
                                          const std::string& spec) const {
  std::error_code error;
  auto value = boost::json::parse(spec, error);
  if (error || !value.is_object()) {
    throw EngineError("container " + container + ": the spec must be a JSON object");
  }
  auto& object = value.as_object();
  if (const auto* name = object.if_contains("name"); name == nullptr || name->is_null()) {
    object["name"] = container;
  }
  docker::ContainerUnit generated;
  try {
    const auto parsed = docker::containerSpecFromJson(object);
    if (parsed.name != container) {
      throw EngineError("container " + container + ": the spec names another container (" +
                        parsed.name + "); leave spec.name out or make them equal");
    }
    // The agent adds its own owner label and Docker socket, so its hash differs from this one;
    // the [X-Fleet] section, all that placement reads, is the same.
    generated = docker::containerUnit(parsed);
  } catch (const docker::ContainerSpecError& spec_error) {
    throw EngineError("container " + container + ": " + spec_error.what());
  }
  auto unit = parseUnit(generated.name, generated.text);
  unit.container = container;
  unit.spec = boost::json::serialize(object);
  return unit;
}

void Engine::State::forget(const std::string& name) {
  unplaceEverywhere(name);
  unplaced.erase(name);
  pending.erase(name);
  why.erase(name);
}

void Engine::submit(const std::string& name, const std::string& text, bool replace) {
  state_->submitParsed(state_->parseUnit(name, text), replace);
}

std::string Engine::submitContainer(const std::string& container, const std::string& spec,
                                    bool replace) {
  auto unit = state_->parseContainer(container, spec);
  auto name = unit.name;
  state_->submitParsed(std::move(unit), replace);
  return name;
}

void Engine::State::submitParsed(DesiredUnit unit, bool replace) {
  auto& s = *this;
  const std::string name = unit.name;
  const bool is_template = systemd::parseManagedUnitName(name).is_template;
  auto& table = is_template ? s.templates : s.units;
  const auto found = table.find(name);
  if (found != table.end()) {
    if (found->second.container != unit.container) {
      throw EngineError(name + " is already submitted as " +
                        (unit.container.empty() ? "a container's unit" : "a unit") +
                        "; destroy it first");
    }
    if (found->second.hash == unit.hash && found->second.spec == unit.spec) return;
    if (!replace) {
      throw EngineError(name + " is already submitted with another text (hash " +
                        found->second.hash.substr(0, 12) + ", this one " + unit.hash.substr(0, 12) +
                        "); submit it with replace to change it, or destroy it first");
    }
    unit.target = found->second.target;
    const bool was_global = found->second.constraints.global;
    found->second = std::move(unit);
    s.stored_changed = true;
    if (is_template) return;
    // New constraints: its machines check it again, or it moves everywhere anew if Global changed.
    if (was_global != found->second.constraints.global) s.unplaceEverywhere(name);
    const auto placed = s.placements.find(name);
    if (placed != s.placements.end()) {
      for (const auto& id : placed->second) {
        auto& machine = s.machines.at(id);
        machine.placed[name] = constraints::placedUnitOf(found->second.constraints);
        machine.list_stale = true;
        machine.recheck = true;
        s.to_dispatch.insert(id);
      }
    }
    if (found->second.target != TargetState::inactive &&
        (found->second.constraints.global || s.placements.count(name) == 0)) {
      s.unplaced.insert(name);
    }
    return;
  }
  table.emplace(name, std::move(unit));
  s.destroyed.erase(name);
  s.stored_changed = true;
}

void Engine::setTarget(const std::string& name, TargetState target) {
  auto& s = *state_;
  const auto unit_name = parseName(name);
  if (unit_name.is_template) {
    throw EngineError(name + " is a template: start or load an instance of it, e.g. " +
                      unit_name.prefix + "@1." +
                      std::string(systemd::unitTypeSuffix(unit_name.type)));
  }
  auto found = s.units.find(name);
  if (found == s.units.end()) {
    const auto templ =
        unit_name.isInstance() ? s.templates.find(unit_name.templateName()) : s.templates.end();
    if (templ == s.templates.end()) {
      throw EngineError(name + " is not submitted; submit it first" +
                        (unit_name.isInstance()
                             ? " (or its template " + unit_name.templateName() + ")"
                             : std::string()));
    }
    found = s.units.emplace(name, s.parseUnit(name, templ->second.text)).first;
  }
  if (found->second.target == target) return;
  found->second.target = target;
  s.stored_changed = true;
  s.touchPlacements(name);
  if (target == TargetState::inactive) {
    s.forget(name);
  } else {
    s.unplaced.insert(name);
  }
}

void Engine::destroy(const std::string& name) {
  auto& s = *state_;
  if (s.templates.erase(name) > 0) {
    s.stored_changed = true;
    return;
  }
  if (s.units.find(name) == s.units.end()) {
    throw EngineError(name + " is not submitted; nothing to destroy");
  }
  s.forget(name);
  s.units.erase(name);
  s.destroyed.insert(name);
  // A connected machine's copy from before the unit was submitted is this scheduler's now too.
  if (const auto found = s.reported_on.find(name); found != s.reported_on.end()) {
    for (const auto& id : found->second) {
      auto& machine = s.machines.at(id);
      const auto& report = machine.reports.at(name);
      if (!machine.connected || (!report.hash && report.desired.value_or(TargetState::inactive) ==
                                                     TargetState::inactive)) {
        continue;
      }
      machine.held.emplace(
          name, Held{report.desired.value_or(TargetState::inactive), report.hash.value_or("")});
      s.to_dispatch.insert(id);
    }
  }
  s.forgetDestroyedIfGone(name);
  s.stored_changed = true;
}

StoredState Engine::stored() const {
  auto& s = *state_;
  s.stored_changed = false;
  StoredState stored;
  for (const auto& [name, unit] : s.templates)
    stored.templates.push_back({name, unit.text, unit.target});
  stored.destroyed.assign(s.destroyed.begin(), s.destroyed.end());
  for (const auto& [name, unit] : s.units) {
    stored.units.push_back({name, unit.text, unit.target, unit.container, unit.spec});
    const auto placed = s.placements.find(name);
    if (!unit.constraints.global && placed != s.placements.end() && !placed->second.empty()) {
      stored.placements[name] = placed->second.front();
    }
  }
  return stored;
}

void Engine::restore(const StoredState& stored) {
  auto& s = *state_;
  for (const auto& templ : stored.templates)
    s.templates.emplace(templ.name, s.parseUnit(templ.name, templ.text));
  s.destroyed.insert(stored.destroyed.begin(), stored.destroyed.end());
  for (const auto& stored_unit : stored.units) {
    auto unit = stored_unit.container.empty()
                    ? s.parseUnit(stored_unit.name, stored_unit.text)
                    : s.parseContainer(stored_unit.container, stored_unit.spec);
    unit.target = stored_unit.target;
    s.units.insert_or_assign(stored_unit.name, std::move(unit));
    if (stored_unit.target != TargetState::inactive) s.unplaced.insert(stored_unit.name);
  }
  // Units stay where they were: their machines are disconnected until their hello, and lose
  // their units only when the grace period ends without one.
  for (const auto& [name, id] : stored.placements) {
    const auto unit = s.units.find(name);
    if (unit == s.units.end() || unit->second.target == TargetState::inactive) continue;
    s.place(name, s.machineRecord(id), "placed here before the scheduler restarted");
  }
}

}  // namespace deckhand::scheduler
