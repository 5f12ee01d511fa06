// fleet's scheduling cases, reproduced against the engine with simulated agents.

#include "tests/unit/scheduler_engine_test_support.hpp"

namespace deckhand::scheduler {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST_F(EngineTest, LeastLoadedMachineWinsAndTiesGoToTheLowestId) {
  up('3');
  up('1');
  up('2');
  for (const auto* name : {"a.service", "b.service", "c.service", "d.service"}) {
    start(name, service());
  }
  EXPECT_EQ(where("a.service"), "1");
  EXPECT_EQ(where("b.service"), "2");
  EXPECT_EQ(where("c.service"), "3");
  EXPECT_EQ(where("d.service"), "1");
  EXPECT_EQ(heldBy("d.service"), "1");
  EXPECT_THAT(engine_.unit("d.service")->why, HasSubstr("least loaded"));
}

TEST_F(EngineTest, LoadedUnitsArePlacedAndSentAsLoaded) {
  up('1');
  engine_.submit("a.service", service(), false);
  run();
  EXPECT_EQ(where("a.service"), "");  // inactive: in the registry only
  EXPECT_TRUE(last_.empty());
  engine_.setTarget("a.service", TargetState::loaded);
  run();
  ASSERT_EQ(last_.size(), 1u);
  EXPECT_EQ(last_[0].units.at(0).state, TargetState::loaded);
  engine_.setTarget("a.service", TargetState::launched);
  run();
  EXPECT_EQ(agents_[machineId('1')]["a.service"].state, TargetState::launched);
}

TEST_F(EngineTest, MachineOfFollowerRunsWithItsLeaderAndIsSentAfterIt) {
  up('1');
  up('2');
  start("filler.service", service());  // machine 1 is busier, so the leader goes to 2
  engine_.submit("follower.service", service("MachineOf=leader.service\n"), false);
  engine_.setTarget("follower.service", TargetState::launched);
  engine_.submit("leader.service", service(), false);
  engine_.setTarget("leader.service", TargetState::launched);
  run();
  EXPECT_EQ(where("leader.service"), "2");
  EXPECT_EQ(where("follower.service"), "2");
  ASSERT_EQ(last_.size(), 1u);
  ASSERT_EQ(last_[0].units.size(), 2u);
  EXPECT_EQ(last_[0].units[0].name, "leader.service");
  EXPECT_EQ(last_[0].units[1].name, "follower.service");
  EXPECT_THAT(engine_.unit("follower.service")->why, HasSubstr("with its peer leader.service"));
}

TEST_F(EngineTest, MachineOfWithoutItsLeaderWaits) {
  up('1');
  start("follower.service", service("MachineOf=leader.service\n"));
  EXPECT_EQ(where("follower.service"), "");
  EXPECT_THAT(pending("follower.service"),
              ElementsAre(Pair("", HasSubstr("peer leader.service (MachineOf) is not placed"))));
}

TEST_F(EngineTest, OneWayConflictKeepsUnitsApartWhicheverStartsFirst) {
  up('1');
  start("b.service", service());
  start("a.service", service("Conflicts=b.service\n"));
  EXPECT_EQ(where("a.service"), "");
  EXPECT_THAT(pending("a.service")[machineId('1')], HasSubstr("conflicts with b.service"));

  engine_.destroy("a.service");
  engine_.destroy("b.service");
  run();
  start("a.service", service("Conflicts=b.service\n"));
  start("b.service", service());
  EXPECT_EQ(where("a.service"), "1");
  EXPECT_EQ(where("b.service"), "");
  EXPECT_THAT(pending("b.service")[machineId('1')],
              HasSubstr("a.service on this machine conflicts with it"));
}

TEST_F(EngineTest, SymmetricConflictSpreadsInstancesAndLeavesTheExtraPending) {
  up('1');
  up('2');
  up('3');
  engine_.submit("web@.service", service("Conflicts=web@*.service\n"), false);
  for (int i = 1; i <= 4; ++i)
    engine_.setTarget("web@" + std::to_string(i) + ".service", TargetState::launched);
  run();
  std::string machines = where("web@1.service") + where("web@2.service") + where("web@3.service");
  std::sort(machines.begin(), machines.end());
  EXPECT_EQ(machines, "123");
  EXPECT_EQ(where("web@4.service"), "");
  const auto reasons = pending("web@4.service");
  ASSERT_EQ(reasons.size(), 3u);
  for (const auto& [id, reason] : reasons)
    EXPECT_THAT(reason, HasSubstr("conflicts with web@"));
}

TEST_F(EngineTest, MultipleConflictsAllCount) {
  up('1');
  up('2');
  start("b.service", service());
  start("c.service", service());
  start("a.service", service("Conflicts=\"b.service\" \"c.service\"\n"));
  EXPECT_EQ(where("a.service"), "");
  EXPECT_THAT(pending("a.service")[machineId('1')], HasSubstr("b.service"));
  EXPECT_THAT(pending("a.service")[machineId('2')], HasSubstr("c.service"));
  up('3');
  run();
  EXPECT_EQ(where("a.service"), "3");
}

TEST_F(EngineTest, ReplacesMovesTheReplacedUnitAwayRemovalFirst) {
  up('1', {{"disk", "ssd"}});
  up('2');
  start("old.service", service("MachineMetadata=disk=ssd\n"));
  engine_.submit("old.service", service(), true);  // old may now run anywhere
  run();
  EXPECT_EQ(where("old.service"), "1");
  start("new.service", service("Replaces=old.service\nMachineMetadata=disk=ssd\n"));
  EXPECT_EQ(where("new.service"), "1");
  EXPECT_EQ(where("old.service"), "2");
  EXPECT_EQ(heldBy("old.service"), "2");
  for (const auto& dispatch : last_) {
    if (dispatch.machine != machineId('1')) continue;
    ASSERT_EQ(dispatch.units.size(), 2u);
    EXPECT_EQ(dispatch.units[0].name, "old.service");
    EXPECT_EQ(dispatch.units[0].state, TargetState::inactive);
    EXPECT_EQ(dispatch.units[1].name, "new.service");
  }
}

TEST_F(EngineTest, ReplacedUnitWithNowhereToGoWaits) {
  up('1');
  start("old.service", service());
  start("new.service", service("Replaces=old.service\n"));
  EXPECT_EQ(where("new.service"), "1");
  EXPECT_EQ(where("old.service"), "");
  EXPECT_THAT(pending("old.service")[machineId('1')], HasSubstr("replaced by new.service"));
}

TEST_F(EngineTest, CircularReplaceNeverDisplacesEitherUnit) {
  up('1');
  start("a.service", service("Replaces=b.service\n"));
  start("b.service", service("Replaces=a.service\n"));
  EXPECT_EQ(where("a.service"), "1");
  EXPECT_EQ(where("b.service"), "");
  EXPECT_THAT(pending("b.service")[machineId('1')], HasSubstr("replace each other"));
  up('2');
  run();
  EXPECT_EQ(where("a.service"), "1");
  EXPECT_EQ(where("b.service"), "2");
}

TEST_F(EngineTest, MachineIdFullAndShort) {
  up('1');
  up('2');
  start("full.service", service("MachineID=" + machineId('2') + "\n"));
  start("short.service", service("MachineID=22222222\n"));
  start("nowhere.service", service("MachineID=99999999\n"));
  EXPECT_EQ(where("full.service"), "2");
  EXPECT_EQ(where("short.service"), "2");
  EXPECT_EQ(where("nowhere.service"), "");
  EXPECT_THAT(pending("nowhere.service")[machineId('1')],
              HasSubstr("machine 99999999 required (MachineID)"));
}

TEST_F(EngineTest, GlobalUnitRunsOnEveryMatchingMachineIncludingNewOnes) {
  up('1', {{"role", "edge"}});
  up('2', {{"role", "core"}});
  start("agent.service", service("Global=true\nMachineMetadata=role=edge\n"));
  EXPECT_EQ(where("agent.service"), "1");
  EXPECT_THAT(pending("agent.service")[machineId('2')], HasSubstr("role=edge required"));
  up('3', {{"role", "edge"}});
  run();
  EXPECT_EQ(where("agent.service"), "13");
  EXPECT_EQ(heldBy("agent.service"), "13");
}

TEST_F(EngineTest, GlobalUnitKeepsAwayFromConflicts) {
  up('1');
  up('2');
  up('3');
  start("noisy.service", service());
  start("probe.service", service("Global=true\nConflicts=noisy.service\n"));
  EXPECT_EQ(where("noisy.service"), "1");
  EXPECT_EQ(where("probe.service"), "23");
  EXPECT_THAT(pending("probe.service")[machineId('1')], HasSubstr("conflicts with noisy.service"));
}

TEST_F(EngineTest, MetadataIsAndAcrossKeysOrWithinOne) {
  up('1', {{"region", "us-east"}, {"disk", "hdd"}});
  up('2', {{"region", "us-west"}, {"disk", "ssd"}});
  up('3', {{"region", "eu"}, {"disk", "ssd"}});
  start(
      "db.service",
      service("MachineMetadata=\"region=us-east\" \"disk=ssd\"\nMachineMetadata=region=us-west\n"));
  EXPECT_EQ(where("db.service"), "2");
  start("cache.service", service("MachineMetadata=region=us-east\nMachineMetadata=region=eu\n"));
  EXPECT_EQ(where("cache.service"), "1");  // 1 and 3 qualify; 1 is first of the least loaded
}

TEST_F(EngineTest, UnplaceableUnitShowsEveryMachinesReason) {
  up('1', {{"region", "us-east"}});
  up('2', {{"region", "eu"}});
  start("picky.service", service("MachineMetadata=region=mars\n"));
  EXPECT_EQ(where("picky.service"), "");
  EXPECT_THAT(pending("picky.service"),
              ElementsAre(Pair(machineId('1'), HasSubstr("machine has region=us-east")),
                          Pair(machineId('2'), HasSubstr("machine has region=eu"))));
  EXPECT_TRUE(agents_[machineId('1')].empty());
}

TEST_F(EngineTest, NoMachineMeansPendingWithThatReason) {
  start("a.service", service());
  EXPECT_THAT(pending("a.service"), ElementsAre(Pair("", "no machine is connected")));
  up('1');
  run();
  EXPECT_EQ(heldBy("a.service"), "1");
}

}  // namespace
}  // namespace deckhand::scheduler
