// The reconciler's decision: desired and observed units in, the ordered tasks out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "agent/reconciler/reconcile.hpp"

namespace deckhand::reconciler {

// Here, not in the unnamed namespace, so that gtest finds it by argument-dependent lookup.
void PrintTo(const Task& task, std::ostream* out) {
  *out << describeTask(task);
}

namespace {

using ::testing::IsEmpty;
using TargetState = DesiredUnit::TargetState;

const std::string kOldHash = "1b7ec0ffee00" + std::string(52, '0');
const std::string kNewHash = "77aa5eedbeef" + std::string(52, '0');

DesiredUnit want(const std::string& name, TargetState state, const std::string& hash = kNewHash) {
  return {name, state, "[Service]\nExecStart=/usr/bin/true\n", hash};
}

// A unit the agent installed, as UnitWatcher reports it.
ObservedUnit have(const std::string& name, const std::string& hash, const std::string& active_state,
                  const std::string& sub_state, const std::string& load_state = "loaded") {
  ObservedUnit unit{name, true, hash, {}};
  unit.state.load_state = load_state;
  unit.state.active_state = active_state;
  unit.state.sub_state = sub_state;
  return unit;
}

// A unit whose file is not in the agent's folder (or no longer is).
ObservedUnit notInstalled(const std::string& name, const std::string& active_state,
                          const std::string& sub_state, const std::string& load_state) {
  ObservedUnit unit = have(name, "", active_state, sub_state, load_state);
  unit.installed = false;
  return unit;
}

ObservedUnit failed(const std::string& name, const std::string& result) {
  ObservedUnit unit = have(name, kNewHash, "failed", "failed");
  unit.state.result = result;
  return unit;
}

template <typename Unit>
std::map<std::string, Unit> byName(const std::vector<Unit>& units) {
  std::map<std::string, Unit> map;
  for (const auto& unit : units)
    map.emplace(unit.name, unit);
  return map;
}

// What the agent would observe once the tasks have run and every job has finished well.
std::map<std::string, ObservedUnit> carryOut(const std::vector<Task>& tasks,
                                             const std::map<std::string, DesiredUnit>& desired,
                                             std::map<std::string, ObservedUnit> observed) {
  for (const Task& task : tasks) {
    if (task.kind == TaskKind::remove) {
      observed.erase(task.unit);
      continue;
    }
    ObservedUnit& unit = observed[task.unit];
    unit.name = task.unit;
    if (task.kind == TaskKind::install) {
      unit.installed = true;
      unit.installed_hash = desired.at(task.unit).hash;
      unit.state.load_state = "loaded";
    } else if (task.kind == TaskKind::stop) {
      unit.state.active_state = "inactive";
      unit.state.sub_state = "dead";
    } else {
      unit.state.active_state = "active";
      unit.state.sub_state = "running";
    }
  }
  return observed;
}

struct PlanCase {
  std::string name;
  std::vector<DesiredUnit> desired;
  std::vector<ObservedUnit> observed;
  std::vector<Task> tasks;
};

void PrintTo(const PlanCase& param, std::ostream* out) {
  *out << param.name;
}

std::string caseName(const auto& info) {
  return info.param.name;
}

class Reconcile : public ::testing::TestWithParam<PlanCase> {};

TEST_P(Reconcile, Plans) {
  const auto& param = GetParam();
  EXPECT_EQ(reconcile(byName(param.desired), byName(param.observed)), param.tasks);
}

// Whatever a plan leaves alone (a failed unit, a transition) it leaves alone the next time too, so
// a carried-out plan always converges.
TEST_P(Reconcile, CarriedOutLeavesNothingToDo) {
  const auto& param = GetParam();
  const auto desired = byName(param.desired);
  const auto observed = carryOut(param.tasks, desired, byName(param.observed));
  EXPECT_THAT(reconcile(desired, observed), IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(
    New, Reconcile,
    ::testing::Values(PlanCase{"LaunchedNeverSeen",
                               {want("web.service", TargetState::launched)},
                               {},
                               {{TaskKind::install, "web.service", "not installed"},
                                {TaskKind::start, "web.service",
                                 "desired launched but not running"}}},
                      PlanCase{"LaunchedUnknownToSystemd",
                               {want("web.service", TargetState::launched)},
                               {notInstalled("web.service", "inactive", "dead", "not-found")},
                               {{TaskKind::install, "web.service", "not installed"},
                                {TaskKind::start, "web.service", "desired launched but inactive"}}},
                      PlanCase{"Loaded",
                               {want("web.service", TargetState::loaded)},
                               {},
                               {{TaskKind::install, "web.service", "not installed"}}},
                      PlanCase{"Inactive", {want("web.service", TargetState::inactive)}, {}, {}}),
    [](const auto& info) { return caseName(info); });

INSTANTIATE_TEST_SUITE_P(
    ChangedHash, Reconcile,
    ::testing::Values(
        PlanCase{
            "LoadedInactive",
            {want("web.service", TargetState::loaded)},
            {have("web.service", kOldHash, "inactive", "dead")},
            {{TaskKind::install, "web.service", "hash changed from 1b7ec0ffee00 to 77aa5eedbeef"}}},
        PlanCase{
            "LoadedActive",
            {want("web.service", TargetState::loaded)},
            {have("web.service", kOldHash, "active", "running")},
            {{TaskKind::install, "web.service", "hash changed from 1b7ec0ffee00 to 77aa5eedbeef"},
             {TaskKind::stop, "web.service", "desired loaded but active"}}},
        PlanCase{
            "LaunchedActive",
            {want("web.service", TargetState::launched)},
            {have("web.service", kOldHash, "active", "running")},
            {{TaskKind::install, "web.service", "hash changed from 1b7ec0ffee00 to 77aa5eedbeef"},
             {TaskKind::restart, "web.service", "desired launched, active with the old file"}}},
        PlanCase{
            "LaunchedActivating",
            {want("web.service", TargetState::launched)},
            {have("web.service", kOldHash, "activating", "auto-restart")},
            {{TaskKind::install, "web.service", "hash changed from 1b7ec0ffee00 to 77aa5eedbeef"},
             {TaskKind::restart, "web.service", "desired launched, activating with the old file"}}},
        PlanCase{
            "LaunchedInactive",
            {want("web.service", TargetState::launched)},
            {have("web.service", kOldHash, "inactive", "dead")},
            {{TaskKind::install, "web.service", "hash changed from 1b7ec0ffee00 to 77aa5eedbeef"},
             {TaskKind::start, "web.service", "desired launched but inactive"}}},
        // A new file is a new attempt, so a failed unit is started again.
        PlanCase{
            "LaunchedFailed",
            {want("web.service", TargetState::launched)},
            {have("web.service", kOldHash, "failed", "failed")},
            {{TaskKind::install, "web.service", "hash changed from 1b7ec0ffee00 to 77aa5eedbeef"},
             {TaskKind::start, "web.service", "desired launched but failed"}}},
        // The file was deleted behind the agent's back while the unit ran.
        PlanCase{
            "LaunchedFileLostWhileActive",
            {want("web.service", TargetState::launched)},
            {notInstalled("web.service", "active", "running", "not-found")},
            {{TaskKind::install, "web.service", "not installed"},
             {TaskKind::restart, "web.service", "desired launched, active with the old file"}}}),
    [](const auto& info) { return caseName(info); });

INSTANTIATE_TEST_SUITE_P(
    Removed, Reconcile,
    ::testing::Values(
        PlanCase{"Active",
                 {},
                 {have("web.service", kNewHash, "active", "running")},
                 {{TaskKind::remove, "web.service", "not desired here"}}},
        PlanCase{"Failed",
                 {},
                 {have("web.service", kNewHash, "failed", "failed")},
                 {{TaskKind::remove, "web.service", "not desired here"}}},
        // Not the agent's file: the agent has nothing to remove, and may not touch it.
        PlanCase{"NotInstalledByTheAgent",
                 {},
                 {notInstalled("web.service", "active", "running", "loaded")},
                 {}}),
    [](const auto& info) { return caseName(info); });

INSTANTIATE_TEST_SUITE_P(
    DesiredInactive, Reconcile,
    ::testing::Values(PlanCase{"Active",
                               {want("web.service", TargetState::inactive)},
                               {have("web.service", kNewHash, "active", "running")},
                               {{TaskKind::remove, "web.service", "desired inactive"}}},
                      PlanCase{"FailedWithAnotherHash",
                               {want("web.service", TargetState::inactive)},
                               {have("web.service", kOldHash, "failed", "failed")},
                               {{TaskKind::remove, "web.service", "desired inactive"}}},
                      PlanCase{"NotInstalled",
                               {want("web.service", TargetState::inactive)},
                               {notInstalled("web.service", "inactive", "dead", "not-found")},
                               {}}),
    [](const auto& info) { return caseName(info); });

INSTANTIATE_TEST_SUITE_P(
    Stop, Reconcile,
    ::testing::Values(PlanCase{"Active",
                               {want("web.service", TargetState::loaded)},
                               {have("web.service", kNewHash, "active", "running")},
                               {{TaskKind::stop, "web.service", "desired loaded but active"}}},
                      PlanCase{"Reloading",
                               {want("web.service", TargetState::loaded)},
                               {have("web.service", kNewHash, "reloading", "reload")},
                               {{TaskKind::stop, "web.service", "desired loaded but reloading"}}},
                      // A stop cancels the pending start, and ends a Restart= loop.
                      PlanCase{"Activating",
                               {want("web.service", TargetState::loaded)},
                               {have("web.service", kNewHash, "activating", "auto-restart")},
                               {{TaskKind::stop, "web.service", "desired loaded but activating"}}},
                      PlanCase{"Deactivating",
                               {want("web.service", TargetState::loaded)},
                               {have("web.service", kNewHash, "deactivating", "stop-sigterm")},
                               {}},
                      PlanCase{"Failed",
                               {want("web.service", TargetState::loaded)},
                               {have("web.service", kNewHash, "failed", "failed")},
                               {}}),
    [](const auto& info) { return caseName(info); });

INSTANTIATE_TEST_SUITE_P(
    Start, Reconcile,
    ::testing::Values(PlanCase{"Inactive",
                               {want("web.service", TargetState::launched)},
                               {have("web.service", kNewHash, "inactive", "dead")},
                               {{TaskKind::start, "web.service", "desired launched but inactive"}}},
                      PlanCase{"BadSetting",
                               {want("web.service", TargetState::launched)},
                               {have("web.service", kNewHash, "inactive", "dead", "bad-setting")},
                               {}},
                      PlanCase{"Masked",
                               {want("web.service", TargetState::launched)},
                               {have("web.service", kNewHash, "inactive", "dead", "masked")},
                               {}},
                      // Installed, and the reload that makes systemd see it has not finished yet.
                      PlanCase{"NotFoundYet",
                               {want("web.service", TargetState::launched)},
                               {have("web.service", kNewHash, "inactive", "dead", "not-found")},
                               {}},
                      PlanCase{"StateNotReadYet",
                               {want("web.service", TargetState::launched)},
                               {have("web.service", kNewHash, "", "", "")},
                               {}}),
    [](const auto& info) { return caseName(info); });

INSTANTIATE_TEST_SUITE_P(
    InTransition, Reconcile,
    ::testing::Values(PlanCase{"Activating",
                               {want("web.service", TargetState::launched)},
                               {have("web.service", kNewHash, "activating", "start")},
                               {}},
                      PlanCase{"AutoRestart",
                               {want("web.service", TargetState::launched)},
                               {have("web.service", kNewHash, "activating", "auto-restart")},
                               {}},
                      PlanCase{"Reloading",
                               {want("web.service", TargetState::launched)},
                               {have("web.service", kNewHash, "reloading", "reload")},
                               {}},
                      PlanCase{"Deactivating",
                               {want("web.service", TargetState::launched)},
                               {have("web.service", kNewHash, "deactivating", "stop-sigterm")},
                               {}}),
    [](const auto& info) { return caseName(info); });

// systemd's Restart= and StartLimit decide about a failed unit; the agent reports it.
INSTANTIATE_TEST_SUITE_P(Failed, Reconcile,
                         ::testing::Values(PlanCase{"ExitCode",
                                                    {want("web.service", TargetState::launched)},
                                                    {failed("web.service", "exit-code")},
                                                    {}},
                                           PlanCase{"StartLimitHit",
                                                    {want("web.service", TargetState::launched)},
                                                    {failed("web.service", "start-limit-hit")},
                                                    {}}),
                         [](const auto& info) { return caseName(info); });

INSTANTIATE_TEST_SUITE_P(
    Converged, Reconcile,
    ::testing::Values(PlanCase{"Nothing", {}, {}, {}},
                      PlanCase{"Launched",
                               {want("web.service", TargetState::launched)},
                               {have("web.service", kNewHash, "active", "running")},
                               {}},
                      PlanCase{"OneshotRemainAfterExit",
                               {want("setup.service", TargetState::launched)},
                               {have("setup.service", kNewHash, "active", "exited")},
                               {}},
                      PlanCase{"Loaded",
                               {want("web.service", TargetState::loaded)},
                               {have("web.service", kNewHash, "inactive", "dead")},
                               {}},
                      PlanCase{"Mixed",
                               {want("a.service", TargetState::launched),
                                want("b.service", TargetState::loaded),
                                want("c.service", TargetState::inactive)},
                               {have("a.service", kNewHash, "active", "running"),
                                have("b.service", kNewHash, "inactive", "dead"),
                                notInstalled("other.service", "active", "running", "loaded")},
                               {}}),
    [](const auto& info) { return caseName(info); });

INSTANTIATE_TEST_SUITE_P(
    Order, Reconcile,
    ::testing::Values(PlanCase{
        "EveryKindFleetsOrderThenByName",
        {want("zz.service", TargetState::launched), want("new.service", TargetState::launched),
         want("busy.service", TargetState::loaded), want("changed.service", TargetState::launched),
         want("gone.service", TargetState::inactive), want("idle.service", TargetState::launched)},
        {have("zz.service", kNewHash, "inactive", "dead"),
         have("busy.service", kNewHash, "active", "running"),
         have("changed.service", kOldHash, "active", "running"),
         have("gone.service", kNewHash, "active", "running"),
         have("idle.service", kNewHash, "inactive", "dead"),
         have("old.service", kNewHash, "active", "running")},
        {{TaskKind::remove, "gone.service", "desired inactive"},
         {TaskKind::remove, "old.service", "not desired here"},
         {TaskKind::install, "changed.service", "hash changed from 1b7ec0ffee00 to 77aa5eedbeef"},
         {TaskKind::install, "new.service", "not installed"},
         {TaskKind::stop, "busy.service", "desired loaded but active"},
         {TaskKind::restart, "changed.service", "desired launched, active with the old file"},
         {TaskKind::start, "idle.service", "desired launched but inactive"},
         {TaskKind::start, "new.service", "desired launched but not running"},
         {TaskKind::start, "zz.service", "desired launched but inactive"}}}),
    [](const auto& info) { return caseName(info); });

std::string numbered(int index) {
  char name[32];
  std::snprintf(name, sizeof name, "web-%04d.service", index);
  return name;
}

TEST(ReconcileManyUnits, InstallsThemAllBeforeStartingAny) {
  constexpr int kUnits = 1000;
  std::map<std::string, DesiredUnit> desired;
  for (int i = 0; i < kUnits; ++i) {
    desired.emplace(numbered(i), want(numbered(i), TargetState::launched));
  }
  std::vector<Task> expected;
  for (const auto& [name, unit] : desired) {
    expected.push_back({TaskKind::install, name, "not installed"});
  }
  for (const auto& [name, unit] : desired) {
    expected.push_back({TaskKind::start, name, "desired launched but not running"});
  }

  const auto tasks = reconcile(desired, {});
  EXPECT_EQ(tasks, expected);

  const auto converged = carryOut(tasks, desired, {});
  EXPECT_THAT(reconcile(desired, converged), IsEmpty());
}

TEST(ReconcileManyUnits, OneChangeAmongManyTouchesOnlyThatUnit) {
  constexpr int kUnits = 1000;
  std::map<std::string, DesiredUnit> desired;
  std::map<std::string, ObservedUnit> observed;
  for (int i = 0; i < kUnits; ++i) {
    desired.emplace(numbered(i), want(numbered(i), TargetState::launched, kOldHash));
    observed.emplace(numbered(i), have(numbered(i), kOldHash, "active", "running"));
  }
  desired.at(numbered(500)).hash = kNewHash;

  const std::vector<Task> expected = {
      {TaskKind::install, numbered(500), "hash changed from 1b7ec0ffee00 to 77aa5eedbeef"},
      {TaskKind::restart, numbered(500), "desired launched, active with the old file"}};
  EXPECT_EQ(reconcile(desired, observed), expected);
}

TEST(ReconcileTask, DescribesItselfForTheLog) {
  EXPECT_EQ(describeTask({TaskKind::start, "web.service", "desired launched but inactive"}),
            "start web.service: desired launched but inactive");
  EXPECT_EQ(describeTask({TaskKind::remove, "web.service", "not desired here"}),
            "remove web.service: not desired here");
}

}  // namespace
}  // namespace deckhand::reconciler
