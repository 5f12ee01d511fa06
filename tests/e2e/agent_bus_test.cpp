// The agent's D-Bus API (dbus/org.deckhand.Agent1.xml) with its shipped policy, on a sandboxed
// systemd's own system bus: the agent binary runs inside, connected to a test scheduler, and the
// test talks to it with busctl as root and as an unprivileged user.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/e2e/agent_bus_fixture.hpp"

namespace deckhand::test {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

TEST_F(AgentBusTest, PropertiesDescribeTheAgent) {
  const auto machine_id = property("MachineID").as_string();
  EXPECT_EQ(machine_id.size(), 32u);
  EXPECT_EQ(property("Metadata"), json::parse(R"({"region":"test"})"));
  EXPECT_EQ(property("SchedulerURL"), json::value(peer_.url()));
  EXPECT_EQ(property("Version"), json::value("0.1.0"));
  EXPECT_TRUE(waitForProperty("ConnectionState", "connected"));
  EXPECT_TRUE(waitForProperty("SystemdConnected", true));
  EXPECT_EQ(property("UnitCounts"), json::parse(R"({"total":0})"));
  // Reading is open to everyone.
  EXPECT_EQ(property("MachineID", true).as_string(), machine_id);
}

TEST_F(AgentBusTest, UnitsAreListedFetchedAndSignalled) {
  BackgroundProcess monitor(sandbox_->execArgv(
      {"busctl", "monitor", "--match", "type='signal',interface='org.deckhand.Agent1'"}));
  ASSERT_TRUE(monitor.waitForOutput("Monitoring bus message stream.", 10s)) << monitor.output();
  launchWeb();
  ASSERT_TRUE(waitForProperty("UnitCounts", json::parse(R"({"active":1,"total":1})")));
  EXPECT_TRUE(monitor.waitForOutput("STRING \"running\"", 10s)) << monitor.output();
  EXPECT_THAT(monitor.output(), HasSubstr("Member=UnitStateChanged"));
  EXPECT_THAT(monitor.output(), HasSubstr("STRING \"web.service\""));

  const auto listed = call("ListUnits");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto rows = json::parse(listed.out).at("data").at(0).as_array();
  ASSERT_EQ(rows.size(), 1u);
  const auto& row = rows.at(0).as_array();
  EXPECT_EQ(row.at(0), "web.service");
  EXPECT_EQ(row.at(1), "loaded");
  EXPECT_EQ(row.at(2), "active");
  EXPECT_EQ(row.at(3), "running");
  EXPECT_EQ(row.at(5), "launched");
  EXPECT_EQ(row.at(6).as_string().size(), 64u);
  EXPECT_GT(row.at(7).as_int64(), 0);

  const auto got = call("GetUnit", {"s", "web.service"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(json::parse(got.out).at("data").at(0), row);

  const auto missing = call("GetUnit", {"s", "dbus.service"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, HasSubstr("dbus.service is not one of deckhand's units"));

  EXPECT_EQ(call("Reconcile").exit_code, 0);
  EXPECT_TRUE(agent_->waitForOutput("reconciler pass requested over D-Bus", 10s));
}

TEST_F(AgentBusTest, OnlyRootMayCallMethods) {
  const auto denied = call("Reconcile", {}, true);
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_THAT(denied.err, HasSubstr("Access denied"));
  const auto list = call("ListUnits", {}, true);
  EXPECT_NE(list.exit_code, 0);
  EXPECT_THAT(agent_->output(), ::testing::Not(HasSubstr("reconciler pass requested")));
  EXPECT_EQ(call("ListUnits").exit_code, 0);
}

TEST_F(AgentBusTest, MetadataIsSetCheckedAndKept) {
  const auto set = call("SetMetadata", {"a{ss}", "2", "region", "eu", "disk", "ssd"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(property("Metadata"), json::parse(R"({"disk":"ssd","region":"eu"})"));
  std::ifstream saved(sandbox_->root() / "run/deckhand/state/metadata.json");
  std::string text((std::istreambuf_iterator<char>(saved)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr(R"("region":"eu")"));

  const auto bad = call("SetMetadata", {"a{ss}", "1", "bad key", "x"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("metadata key \"bad key\""));
  EXPECT_EQ(property("Metadata"), json::parse(R"({"disk":"ssd","region":"eu"})"));
}

TEST_F(AgentBusTest, ConnectionChangesAreSignalled) {
  BackgroundProcess monitor(sandbox_->execArgv(
      {"busctl", "monitor", "--match", "type='signal',interface='org.deckhand.Agent1'"}));
  ASSERT_TRUE(monitor.waitForOutput("Monitoring bus message stream.", 10s)) << monitor.output();
  peer_.stop();
  EXPECT_TRUE(monitor.waitForOutput("STRING \"retrying\"", 20s)) << monitor.output();
  EXPECT_THAT(monitor.output(), HasSubstr("Member=ConnectionChanged"));
  EXPECT_EQ(property("ConnectionState"), json::value("retrying"));
  EXPECT_NE(property("ConnectionDetail").as_string(), "");
  peer_.start();
  EXPECT_TRUE(monitor.waitForOutput("STRING \"connected\"", 60s)) << monitor.output();
}

}  // namespace
}  // namespace deckhand::test
