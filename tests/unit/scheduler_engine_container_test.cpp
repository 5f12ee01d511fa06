// Containers in the engine: a spec becomes its generated unit, placed by the spec's x_fleet with
// the same rules as any unit, ordered as a container and kept across a restart.

#include "tests/unit/scheduler_engine_test_support.hpp"

namespace deckhand::scheduler {
namespace {

using ::testing::HasSubstr;

const std::string kSpec =
    R"({"image": "local/busybox:latest", "command": ["sleep", "300"],
        "x_fleet": ["MachineMetadata=disk=hdd"]})";

TEST_F(EngineTest, ContainerIsPlacedByItsSpecsConstraintsAndOrderedAsAContainer) {
  up('1', {{"disk", "ssd"}});
  up('2', {{"disk", "hdd"}});
  up('3', {{"disk", "ssd"}});
  const auto unit = engine_.submitContainer("box", kSpec, false);
  EXPECT_EQ(unit, "deckhand-box.service");
  engine_.setTarget(unit, TargetState::launched);
  run();
  EXPECT_EQ(where(unit), "2");
  ASSERT_EQ(last_.size(), 1u);
  const auto& order = last_[0].units.at(0);
  EXPECT_EQ(order.container, "box");
  EXPECT_THAT(order.spec, HasSubstr("\"name\":\"box\""));
  EXPECT_THAT(order.text, HasSubstr("MachineMetadata=disk=hdd"));
  EXPECT_EQ(engine_.unit(unit)->container, "box");

  // Only units without a container go as plain units: destroy removes it like any unit.
  engine_.destroy(unit);
  run();
  ASSERT_EQ(last_.size(), 1u);
  EXPECT_EQ(last_[0].units.at(0).state, TargetState::inactive);
  EXPECT_TRUE(agents_[machineId('2')].empty());
}

TEST_F(EngineTest, BadContainerSpecsAreRefusedSayingWhatAndChangeNothing) {
  EXPECT_THROW(engine_.submitContainer("box", "not json", false), EngineError);
  try {
    engine_.submitContainer("box", R"({"image": "x", "memory": 1})", false);
    FAIL();
  } catch (const EngineError& error) {
    EXPECT_THAT(error.what(), HasSubstr("memory"));
  }
  EXPECT_THROW(engine_.submitContainer("box", R"({"name": "other", "image": "x"})", false),
               EngineError);
  EXPECT_TRUE(engine_.units().empty());
  engine_.submitContainer("box", kSpec, false);
  EXPECT_THROW(engine_.submitContainer("box", R"({"image": "y"})", false), EngineError);
  EXPECT_NO_THROW(engine_.submitContainer("box", R"({"image": "y"})", true));
  EXPECT_THROW(engine_.submit("deckhand-box.service", service(), true), EngineError);
}

TEST_F(EngineTest, ContainerSurvivesARestartFromTheStoredState) {
  up('2', {{"disk", "hdd"}});
  const auto unit = engine_.submitContainer("box", kSpec, false);
  engine_.setTarget(unit, TargetState::launched);
  run();
  Engine restarted(EngineOptions{std::chrono::seconds(30)}, now_);
  restarted.restore(engine_.stored());
  const auto status = restarted.unit(unit);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->container, "box");
  EXPECT_EQ(status->target, TargetState::launched);
  EXPECT_EQ(status->hash, engine_.unit(unit)->hash);
}

}  // namespace
}  // namespace deckhand::scheduler
