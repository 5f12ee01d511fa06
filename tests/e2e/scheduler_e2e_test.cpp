// The real scheduler with real agents: deckhand-scheduler on loopback, three agents, each in its
// own sandboxed systemd with its own metadata, and the operator's API driven with curl.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/e2e/scheduler_e2e_fixture.hpp"

namespace deckhand::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace json = boost::json;
namespace fs = std::filesystem;

constexpr const char* kSleep = "[Service]\nExecStart=/bin/sleep 600\n";

std::string withFleet(const std::string& fleet) {
  return std::string(kSleep) + "[X-Fleet]\n" + fleet;
}

TEST_F(SchedulerE2eTest, UnitsLandWhereTheirConstraintsAllow) {
  start("db.service", withFleet("MachineMetadata=region=west\nMachineMetadata=disk=ssd\n"));
  start("db-backup.service", withFleet("MachineOf=db.service\n"));
  start("web.service", withFleet("Conflicts=db.service\nMachineMetadata=region=west\n"));
  start("probe.service", withFleet("Global=true\nMachineMetadata=disk=ssd\n"));
  start("nowhere.service", withFleet("MachineMetadata=region=mars\n"));
  ASSERT_TRUE(eventually([&] { return runningOn("db.service") == "node-b"; }))
      << scheduler_->output();
  EXPECT_TRUE(eventually([&] { return runningOn("db-backup.service") == "node-b"; }));
  EXPECT_TRUE(eventually([&] { return runningOn("web.service") == "node-c"; }));
  EXPECT_TRUE(eventually([&] { return runningOn("probe.service") == "node-a,node-b"; }));
  EXPECT_EQ(placedOn("db.service"), "node-b");
  const auto nowhere = api("GET", "/v1/units/nowhere.service");
  EXPECT_TRUE(nowhere.at("machines").as_array().empty());
  const auto& pending = nowhere.at("pending").as_object();
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_THAT(std::string(pending.at(ids_.at("node-a")).as_string()),
              HasSubstr("metadata region=mars required, machine has region=east"));
  EXPECT_EQ(runningOn("nowhere.service"), "");

  // node-c leaves the west: web.service fits nowhere now and stops there, with the reason.
  const auto changed = api("PUT", "/v1/machines/" + ids_.at("node-c") + "/metadata",
                           R"({"metadata":{"region":"east","disk":"hdd"}})");
  ASSERT_FALSE(changed.contains("error")) << json::serialize(changed);
  EXPECT_TRUE(eventually([&] { return runningOn("web.service").empty(); })) << scheduler_->output();
  const auto web = api("GET", "/v1/units/web.service");
  EXPECT_THAT(std::string(web.at("pending").at(ids_.at("node-c")).as_string()),
              HasSubstr("region=west required, machine has region=east"));
  const auto bad = api("PUT", "/v1/machines/" + ids_.at("node-c") + "/metadata",
                       R"({"metadata":{"bad key":"x"}})");
  EXPECT_THAT(std::string(bad.at("error").as_string()), HasSubstr("keys are"));
}

TEST_F(SchedulerE2eTest, SchedulerRestartRestartsNothing) {
  start("db.service", withFleet("MachineMetadata=region=east\n"));
  ASSERT_TRUE(eventually([&] { return runningOn("db.service") == "node-a"; }))
      << scheduler_->output();
  const auto& node = nodes_.at("node-a");
  const auto invocation = node.sandbox->systemctl({"show", "-P", "InvocationID", "db.service"});
  ASSERT_EQ(invocation.size(), 32u);

  stopScheduler();
  ASSERT_TRUE(fs::exists(state_dir_ / "state.json"));
  startScheduler();
  ASSERT_TRUE(eventually([&] { return connectedMachines() == 3; })) << scheduler_->output();
  std::this_thread::sleep_for(2s);  // room for any wrong order to arrive and be carried out
  EXPECT_EQ(node.sandbox->systemctl({"show", "-P", "InvocationID", "db.service"}), invocation);
  EXPECT_EQ(placedOn("db.service"), "node-a");
  EXPECT_THAT(scheduler_->output(), ::testing::Not(HasSubstr("sending orders")));
}

// A scheduler that lost its state file (or any other scheduler) finds units it never submitted
// on the agents: it leaves them running, until an operator submits and destroys one.
TEST_F(SchedulerE2eTest, UnitsAnotherSchedulerSubmittedAreLeftAlone) {
  start("theirs.service", withFleet("MachineMetadata=region=east\n"));
  ASSERT_TRUE(eventually([&] { return runningOn("theirs.service") == "node-a"; }))
      << scheduler_->output();
  const auto& node = nodes_.at("node-a");
  const auto invocation = node.sandbox->systemctl({"show", "-P", "InvocationID", "theirs.service"});

  stopScheduler();
  fs::remove(state_dir_ / "state.json");
  startScheduler();
  ASSERT_TRUE(eventually([&] { return connectedMachines() == 3; })) << scheduler_->output();
  std::this_thread::sleep_for(2s);  // room for any wrong order to arrive and be carried out
  EXPECT_EQ(node.sandbox->systemctl({"show", "-P", "InvocationID", "theirs.service"}), invocation);
  EXPECT_THAT(scheduler_->output(), ::testing::Not(HasSubstr("sending orders")));
  const auto states = api("GET", "/v1/units/theirs.service/states");
  EXPECT_FALSE(states.at("submitted").as_bool());
  EXPECT_TRUE(states.at("states").as_object().contains(ids_.at("node-a")))
      << json::serialize(states);

  ASSERT_FALSE(
      api("PUT", "/v1/units/theirs.service", json::serialize(json::object{{"text", kSleep}}))
          .contains("error"));
  ASSERT_FALSE(api("DELETE", "/v1/units/theirs.service").contains("error"));
  EXPECT_TRUE(eventually([&] { return runningOn("theirs.service").empty(); }))
      << scheduler_->output();
}

TEST_F(SchedulerE2eTest, LostMachinesUnitsMoveAndItsCopyStopsWhenItReturns) {
  start("web.service", withFleet("MachineMetadata=disk=ssd\n"));
  // node-a and node-b qualify; the tie goes to the lower machine ID, which the test cannot choose.
  ASSERT_TRUE(eventually([&] { return !runningOn("web.service").empty(); }))
      << scheduler_->output();
  const auto first = runningOn("web.service");
  ASSERT_TRUE(first == "node-a" || first == "node-b") << first;
  const std::string second = first == "node-a" ? "node-b" : "node-a";
  stopAgent(nodes_.at(first));  // the unit keeps running there, as agents do
  ASSERT_TRUE(eventually([&] { return placedOn("web.service") == second; }))
      << scheduler_->output();
  EXPECT_TRUE(eventually([&] { return runningOn("web.service") == "node-a,node-b"; }));

  startAgent(nodes_.at(first));
  EXPECT_TRUE(eventually([&] { return runningOn("web.service") == second; }))
      << scheduler_->output();
  EXPECT_EQ(placedOn("web.service"), second);
}

TEST_F(SchedulerE2eTest, BadRequestsGetClearErrors) {
  const auto bad =
      api("PUT", "/v1/units/web.service", R"({"text":"[X-Fleet]\nMachineMetadata=a=1 b=2\n"})");
  EXPECT_THAT(std::string(bad.at("error").as_string()), HasSubstr("quote each one"));
  const auto unknown = api("POST", "/v1/units/nope.service/target", R"({"target":"launched"})");
  EXPECT_THAT(std::string(unknown.at("error").as_string()), HasSubstr("not submitted"));
  const auto garbage = api("PUT", "/v1/units/x.service", "{nope");
  EXPECT_THAT(std::string(garbage.at("error").as_string()), HasSubstr("JSON object"));
  EXPECT_EQ(connectedMachines(), 3);
}

}  // namespace
}  // namespace deckhand::test
