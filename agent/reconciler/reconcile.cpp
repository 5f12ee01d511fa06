#include "agent/reconciler/reconcile.hpp"

#include <algorithm>
#include <cstddef>
#include <tuple>

namespace deckhand::reconciler {
namespace {

using TargetState = DesiredUnit::TargetState;

// Enough of a hash to tell two versions apart in a log line.
constexpr std::size_t kShortHash = 12;

// Running, or on its way there: active, reloading, activating (a Restart= loop waits in
// activating).
bool isUp(const ObservedUnit* unit) {
  if (unit == nullptr) return false;
  const std::string& state = unit->state.active_state;
  return state == "active" || state == "reloading" || state == "activating";
}

// The active state for a reason string; "not running" for a unit systemd has not shown yet.
std::string shownState(const ObservedUnit* unit) {
  if (unit == nullptr || unit->state.active_state.empty()) return "not running";
  return unit->state.active_state;
}

std::string installReason(const ObservedUnit* unit, const DesiredUnit& wanted) {
  if (unit == nullptr || !unit->installed) return "not installed";
  return "hash changed from " + unit->installed_hash.substr(0, kShortHash) + " to " +
         wanted.hash.substr(0, kShortHash);
}

// The file is about to be (re)written, and whatever runs of the unit still runs the old one.
void planAfterInstall(const std::string& name, const DesiredUnit& wanted, const ObservedUnit* unit,
                      std::vector<Task>& tasks) {
  if (wanted.state == TargetState::launched) {
    if (isUp(unit)) {
      tasks.push_back({TaskKind::restart, name,
                       "desired launched, " + shownState(unit) + " with the old file"});
    } else {
      tasks.push_back({TaskKind::start, name, "desired launched but " + shownState(unit)});
    }
  } else if (isUp(unit)) {
    tasks.push_back({TaskKind::stop, name, "desired loaded but " + shownState(unit)});
  }
}

// The installed file is the desired one: only the running state may differ.
void planSameFile(const std::string& name, const DesiredUnit& wanted, const ObservedUnit& unit,
                  std::vector<Task>& tasks) {
  if (wanted.state == TargetState::loaded && isUp(&unit)) {
    tasks.push_back({TaskKind::stop, name, "desired loaded but " + shownState(&unit)});
  }
  // Only inactive: failed, deactivating and a state not read yet are left alone (reconcile.hpp).
  if (wanted.state == TargetState::launched && unit.state.active_state == "inactive" &&
      unit.state.load_state == "loaded") {
    tasks.push_back({TaskKind::start, name, "desired launched but " + shownState(&unit)});
  }
}

void planDesired(const std::string& name, const DesiredUnit& wanted, const ObservedUnit* unit,
                 std::vector<Task>& tasks) {
  const bool installed = unit != nullptr && unit->installed;
  if (wanted.state == TargetState::inactive) {
    if (installed) tasks.push_back({TaskKind::remove, name, "desired inactive"});
    return;
  }
  if (!installed || unit->installed_hash != wanted.hash) {
    tasks.push_back({TaskKind::install, name, installReason(unit, wanted)});
    planAfterInstall(name, wanted, unit, tasks);
    return;
  }
  planSameFile(name, wanted, *unit, tasks);
}

bool runsBefore(const Task& a, const Task& b) {
  return std::tie(a.kind, a.unit) < std::tie(b.kind, b.unit);
}

}  // namespace

std::vector<Task> reconcile(const std::map<std::string, DesiredUnit>& desired,
                            const std::map<std::string, ObservedUnit>& observed) {
  std::vector<Task> tasks;
  for (const auto& [name, wanted] : desired) {
    const auto found = observed.find(name);
    planDesired(name, wanted, found == observed.end() ? nullptr : &found->second, tasks);
  }
  for (const auto& [name, unit] : observed) {
    if (unit.installed && !desired.contains(name)) {
      tasks.push_back({TaskKind::remove, name, "not desired here"});
    }
  }
  std::sort(tasks.begin(), tasks.end(), runsBefore);
  return tasks;
}

}  // namespace deckhand::reconciler
