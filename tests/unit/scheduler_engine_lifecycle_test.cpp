// The engine over time: machines lost and back, metadata changes, templates, replaced texts,
// refusals, a restart from the stored state, and bad requests.

#include "tests/unit/scheduler_engine_test_support.hpp"

namespace deckhand::scheduler {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST_F(EngineTest, LostMachineKeepsItsUnitsDuringTheGraceThenTheyMove) {
  up('1');
  up('2');
  start("a.service", service());
  start("b.service", service("MachineOf=a.service\n"));
  start("c.service", service());
  ASSERT_EQ(where("a.service"), "1");
  ASSERT_EQ(where("b.service"), "1");
  ASSERT_EQ(where("c.service"), "2");
  down('1');
  advance(29s);
  run();
  EXPECT_EQ(where("a.service"), "1");
  EXPECT_TRUE(last_.empty());
  EXPECT_EQ(engine_.nextDeadline(), now_ + 1s);
  advance(1s);
  run();
  EXPECT_EQ(where("a.service"), "2");
  EXPECT_EQ(where("b.service"), "2");    // the follower went with its leader
  EXPECT_EQ(heldBy("b.service"), "12");  // machine 1 is gone and cannot be told yet
  EXPECT_FALSE(engine_.nextDeadline());
}

TEST_F(EngineTest, MachineBackWithinTheGraceKeepsItsUnitsUntouched) {
  up('1');
  start("a.service", service());
  down('1');
  advance(10s);
  up('1');
  run();
  EXPECT_EQ(where("a.service"), "1");
  EXPECT_TRUE(last_.empty());
}

TEST_F(EngineTest, MachineBackAfterItsUnitsMovedHasItsCopiesStopped) {
  up('1');
  up('2');
  start("a.service", service());
  down('1');
  advance(31s);
  run();
  ASSERT_EQ(where("a.service"), "2");
  up('1');  // says hello still holding a.service
  run();
  ASSERT_EQ(last_.size(), 1u);
  EXPECT_EQ(last_[0].machine, machineId('1'));
  EXPECT_EQ(last_[0].units.at(0).name, "a.service");
  EXPECT_EQ(last_[0].units.at(0).state, TargetState::inactive);
  EXPECT_EQ(heldBy("a.service"), "2");
}

TEST_F(EngineTest, MetadataChangeMovesUnitsThatNoLongerFit) {
  up('1', {{"disk", "ssd"}});
  up('2', {{"disk", "hdd"}});
  start("db.service", service("MachineMetadata=disk=ssd\n"));
  ASSERT_EQ(where("db.service"), "1");
  engine_.setMetadata(machineId('1'), {{"disk", "hdd"}});
  engine_.setMetadata(machineId('2'), {{"disk", "ssd"}});
  run();
  EXPECT_EQ(where("db.service"), "2");
  EXPECT_EQ(heldBy("db.service"), "2");
}

TEST_F(EngineTest, TemplateInstancesTakeTheirOwnSpecifiers) {
  up('1');
  up('2');
  start("cache@blue.service", service());
  engine_.submit("web@.service", service("MachineOf=cache@%i.service\n"), false);
  engine_.setTarget("web@blue.service", TargetState::launched);
  engine_.setTarget("web@green.service", TargetState::launched);
  run();
  EXPECT_EQ(where("web@blue.service"), where("cache@blue.service"));
  EXPECT_THAT(pending("web@green.service")[""], HasSubstr("cache@green.service"));
  EXPECT_EQ(engine_.templates().size(), 1u);
  EXPECT_THROW(engine_.setTarget("web@.service", TargetState::launched), EngineError);
}

TEST_F(EngineTest, ChangedTextNeedsReplaceAndIsResent) {
  up('1');
  start("a.service", service());
  const auto before = agents_[machineId('1')]["a.service"].hash;
  const std::string changed = "[Service]\nExecStart=/bin/sleep 600\n";
  try {
    engine_.submit("a.service", changed, false);
    FAIL() << "a changed text was accepted without replace";
  } catch (const EngineError& error) {
    EXPECT_THAT(error.what(), HasSubstr("replace"));
  }
  engine_.submit("a.service", changed, true);
  run();
  EXPECT_NE(agents_[machineId('1')]["a.service"].hash, before);
  EXPECT_EQ(agents_[machineId('1')]["a.service"].hash, engine_.unit("a.service")->hash);
}

TEST_F(EngineTest, StopUnloadAndDestroyTellTheMachine) {
  up('1');
  start("a.service", service());
  engine_.setTarget("a.service", TargetState::loaded);
  run();
  EXPECT_EQ(agents_[machineId('1')]["a.service"].state, TargetState::loaded);
  engine_.setTarget("a.service", TargetState::inactive);
  run();
  EXPECT_EQ(heldBy("a.service"), "");
  EXPECT_EQ(engine_.unit("a.service")->target, TargetState::inactive);
  engine_.destroy("a.service");
  EXPECT_FALSE(engine_.unit("a.service"));
  EXPECT_THROW(engine_.destroy("a.service"), EngineError);
}

// What deckhandctl destroy waits on: no machine reports the unit any more. A report that comes
// after unit_removed and says the unit is gone (not installed, not known to systemd) keeps it so.
TEST_F(EngineTest, ADestroyedUnitLeavesTheReportsOnceItsMachineRemovedIt) {
  up('1');
  start("a.service", service());
  const auto id = machineId('1');
  engine_.unitReported(id, {"a.service", TargetState::launched, engine_.unit("a.service")->hash,
                            "loaded", "active", "running", "inv"});
  engine_.destroy("a.service");
  run();
  EXPECT_EQ(engine_.reportsOf("a.service").size(), 1u) << "still there until the agent says so";
  engine_.unitRemoved(id, "a.service");
  engine_.unitReported(id, {"a.service", TargetState::inactive, std::nullopt, "not-found",
                            "inactive", "dead", "inv"});
  EXPECT_TRUE(engine_.reportsOf("a.service").empty());
  // Not installed but desired: on its way in, so it is reported.
  engine_.unitReported(
      id, {"b.service", TargetState::launched, std::nullopt, "not-found", "inactive", "dead", ""});
  EXPECT_EQ(engine_.reportsOf("b.service").size(), 1u);
  // A hello that lists a gone unit does not bring it back.
  engine_.machineUp(
      {id, "node-1", "192.0.2.1", {}},
      {{"a.service", TargetState::inactive, std::nullopt, "not-found", "inactive", "dead", ""}},
      now_);
  EXPECT_TRUE(engine_.reportsOf("a.service").empty());
}

// Units the scheduler never submitted (another client's, a container's unit) are never removed;
// a unit it destroyed is removed where it shows up, even after a restart of the scheduler.
TEST_F(EngineTest, OnlyUnitsThisSchedulerSubmittedAreEverRemoved) {
  const auto id = machineId('1');
  const ReportedUnit foreign{"deckhand-container-db.service",
                             TargetState::launched,
                             std::string(64, 'f'),
                             "loaded",
                             "active",
                             "running",
                             "inv"};
  engine_.machineUp({id, "node-1", "192.0.2.1", {}}, {foreign}, now_);
  run();
  EXPECT_TRUE(last_.empty()) << "orders for a unit it never submitted";
  EXPECT_EQ(engine_.reportsOf(foreign.name).size(), 1u);

  start("a.service", service());
  down('1');
  engine_.destroy("a.service");
  run();
  EXPECT_EQ(engine_.stored().destroyed, std::vector<std::string>{"a.service"});
  // The scheduler restarts while the machine is away.
  Engine restarted{EngineOptions{std::chrono::seconds(30)}, now_};
  restarted.restore(engine_.stored());
  const auto held = agents_[id].at("a.service");
  restarted.machineUp(
      {id, "node-1", "192.0.2.1", {}},
      {foreign, {"a.service", held.state, held.hash, "loaded", "active", "running", "i"}}, now_);
  const auto orders = restarted.takeDispatches();
  ASSERT_EQ(orders.size(), 1u);
  ASSERT_EQ(orders[0].units.size(), 1u);
  EXPECT_EQ(orders[0].units[0].name, "a.service");
  EXPECT_EQ(orders[0].units[0].state, TargetState::inactive);
  // Once removed there, nothing is pending any more.
  restarted.unitRemoved(id, "a.service");
  EXPECT_TRUE(restarted.stored().destroyed.empty());
  EXPECT_TRUE(restarted.takeDispatches().empty());
}

TEST_F(EngineTest, RefusedUnitGoesElsewhereAndTheReasonIsKept) {
  up('1');
  up('2');
  start("a.service", service());
  ASSERT_EQ(where("a.service"), "1");
  engine_.refused(machineId('1'), "a.service", "a.service cannot run on 11111111: disk full");
  run();
  EXPECT_EQ(where("a.service"), "2");
  engine_.refused(machineId('2'), "a.service", "no");
  run();
  EXPECT_EQ(where("a.service"), "");
  EXPECT_THAT(pending("a.service")[machineId('1')], HasSubstr("disk full"));
}

TEST_F(EngineTest, RestartFromTheStoredStateSendsNothingToAgentsThatKeptTheirUnits) {
  up('1', {{"disk", "ssd"}});
  up('2');
  engine_.submit("web@.service", service("Conflicts=web@*.service\n"), false);
  start("web@1.service", service());
  engine_.setTarget("web@2.service", TargetState::launched);
  start("db.service", service("MachineMetadata=disk=ssd\n"));
  start("global.service", service("Global=true\n"));
  const auto stored = engine_.stored();
  EXPECT_FALSE(engine_.changed());

  Engine restarted(EngineOptions{30s}, now_);
  restarted.restore(stored);
  const auto held = agents_;
  // The machine that says hello first must not get units that run on the other one.
  for (const char digit : {'2', '1'}) {
    const auto id = machineId(digit);
    std::vector<ReportedUnit> reports;
    for (const auto& [name, order] : held.at(id)) {
      reports.push_back({name, order.state, order.hash, "loaded", "active", "running", "x"});
    }
    restarted.machineUp({id, "", "", metadata_[id]}, reports, now_);
    EXPECT_TRUE(restarted.takeDispatches().empty()) << "after the hello of machine " << digit;
  }
  EXPECT_EQ(restarted.units().size(), engine_.units().size());
  EXPECT_EQ(restarted.unit("db.service")->machines, engine_.unit("db.service")->machines);
}

TEST_F(EngineTest, RestoredMachineThatNeverReturnsLosesItsUnitsAfterTheGrace) {
  up('1');
  start("a.service", service());
  const auto stored = engine_.stored();
  Engine restarted(EngineOptions{30s}, now_);
  restarted.restore(stored);
  restarted.machineUp({machineId('2'), "", "", {}}, {}, now_);
  EXPECT_TRUE(restarted.takeDispatches().empty());
  restarted.tick(now_ + 30s);
  const auto dispatches = restarted.takeDispatches();
  ASSERT_EQ(dispatches.size(), 1u);
  EXPECT_EQ(dispatches[0].machine, machineId('2'));
}

// A unit the scheduler never submitted is someone else's: left alone. Submitting and destroying
// it is how an operator has the scheduler remove it.
TEST_F(EngineTest, UnknownUnitsAnAgentHoldsAreLeftAloneUntilSubmittedAndDestroyed) {
  agents_[machineId('1')]["stale.service"] = {"stale.service", TargetState::launched, "", "h"};
  up('1');
  run();
  EXPECT_EQ(heldBy("stale.service"), "1");
  engine_.submit("stale.service", service(), false);
  engine_.destroy("stale.service");
  run();
  EXPECT_EQ(heldBy("stale.service"), "");
}

TEST_F(EngineTest, RestartedAgentThatForgotItsDesiredStateIsToldAgainOrCleanedUp) {
  up('1');
  start("kept.service", service());
  const auto kept = agents_[machineId('1')]["kept.service"];
  down('1');
  // The agent restarted: its units are installed and running, it holds no desired state.
  engine_.machineUp({machineId('1'), "", "", {}},
                    {{"kept.service", std::nullopt, kept.hash, "loaded", "active", "running", "i"},
                     {"gone.service", std::nullopt, "abc", "loaded", "active", "running", "j"}},
                    now_);
  run();
  // gone.service was never submitted here: not this scheduler's to remove.
  ASSERT_EQ(last_.size(), 1u);
  ASSERT_EQ(last_[0].units.size(), 1u);
  EXPECT_EQ(last_[0].units[0].name, "kept.service");
  EXPECT_EQ(last_[0].units[0].state, TargetState::launched);
  EXPECT_EQ(last_[0].units[0].hash, kept.hash);
}

TEST_F(EngineTest, BadRequestsAreRefusedWithTheReasonAndChangeNothing) {
  EXPECT_THROW(engine_.submit("../x.service", service(), false), EngineError);
  EXPECT_THROW(engine_.submit("a.service", "not a unit", false), EngineError);
  try {
    engine_.submit("a.service", service("MachineMetadata=a=1 b=2\n"), false);
    FAIL();
  } catch (const EngineError& error) {
    EXPECT_THAT(error.what(), HasSubstr("quote each one"));
  }
  try {
    engine_.setTarget("web@1.service", TargetState::launched);
    FAIL();
  } catch (const EngineError& error) {
    EXPECT_THAT(error.what(), HasSubstr("or its template web@.service"));
  }
  EXPECT_THROW(engine_.setMetadata(machineId('7'), {}), EngineError);
  EXPECT_TRUE(engine_.units().empty());
  EXPECT_FALSE(engine_.changed());
}

}  // namespace
}  // namespace deckhand::scheduler
