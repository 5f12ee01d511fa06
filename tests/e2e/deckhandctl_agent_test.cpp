// deckhandctl's verbs against a running agent, as an operator on the node runs them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>

#include "tests/e2e/agent_bus_fixture.hpp"

namespace deckhand::test {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
namespace json = boost::json;

using DeckhandctlAgentTest = AgentBusTest;

TEST_F(DeckhandctlAgentTest, StatusSaysHowTheAgentIsDoing) {
  ASSERT_TRUE(waitForProperty("ConnectionState", "connected"));
  const auto status = ctl({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("deckhand 0.1.0 on "));
  EXPECT_THAT(status.out, HasSubstr("systemd:   connected, systemd 252"));
  EXPECT_THAT(status.out, HasSubstr("scheduler: connected " + peer_.url()));
  EXPECT_THAT(status.out, HasSubstr("units:     0\n"));

  const auto as_json = ctl({"status", "--json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const auto parsed = json::parse(as_json.out);
  EXPECT_EQ(parsed.at("healthy"), true);
  EXPECT_EQ(parsed.at("scheduler").at("state"), "connected");

  // Degraded while the scheduler is away: exit 1, and the reason.
  peer_.stop();
  ASSERT_TRUE(waitForProperty("ConnectionState", "retrying"));
  const auto degraded = ctl({"status"});
  EXPECT_EQ(degraded.exit_code, 1);
  EXPECT_THAT(degraded.out, HasSubstr("scheduler: retrying " + peer_.url() + " ("));
}

TEST_F(DeckhandctlAgentTest, ListUnitsShowsTheAgentsUnits) {
  launchWeb();
  ASSERT_TRUE(waitForProperty("UnitCounts", json::parse(R"({"active":1,"total":1})")));
  const auto table = ctl({"list-units"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, MatchesRegex("UNIT +LOAD +ACTIVE +SUB +DESIRED +PID\n"
                                      "web.service +loaded +active +running +launched +[0-9]+\n"
                                      "\n1 unit.\n"));
  const auto as_json = ctl({"list-units", "--json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const auto rows = json::parse(as_json.out).as_array();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.at(0).at("name"), "web.service");
  EXPECT_EQ(rows.at(0).at("desired"), "launched");
  EXPECT_EQ(rows.at(0).at("hash").as_string().size(), 64u);

  const auto status = ctl({"status"});
  EXPECT_THAT(status.out, HasSubstr("units:     1 (1 active)"));
}

TEST_F(DeckhandctlAgentTest, MachineShowsTheReportedFacts) {
  const auto table = ctl({"machine"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("metadata    region=test\n"));
  EXPECT_THAT(table.out, HasSubstr("systemd     252"));
  const auto as_json = ctl({"machine", "--json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const auto machine = json::parse(as_json.out);
  EXPECT_EQ(machine.at("machine_id"), property("MachineID"));
  EXPECT_EQ(machine.at("metadata").at("region"), "test");
  EXPECT_GT(machine.at("cpus").as_int64(), 0);
}

TEST_F(DeckhandctlAgentTest, JournalShowsAndFollowsAUnit) {
  launchWeb();
  ASSERT_TRUE(waitForProperty("UnitCounts", json::parse(R"({"active":1,"total":1})")));
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  ProcessResult tail;
  do {
    tail = ctl({"journal", "web.service", "-n", "20"});
  } while (tail.out.find("hello from web") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_THAT(tail.out, HasSubstr("hello from web"));

  const auto one = ctl({"journal", "web.service", "-n", "1", "--json"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(std::count(one.out.begin(), one.out.end(), '\n'), 1) << one.out;
  EXPECT_TRUE(json::parse(one.out).as_object().contains("message"));

  BackgroundProcess follow(
      sandbox_->execArgv({ctl_path_, "journal", "web.service", "-n", "0", "-f"}));
  std::this_thread::sleep_for(300ms);  // let it open the journal before the new lines come
  sandbox_->systemctl({"restart", "web.service"});
  EXPECT_TRUE(follow.waitForOutput("hello from web", 10s)) << follow.output();
}

TEST_F(DeckhandctlAgentTest, ExitCodesMeanSomething) {
  // No Docker engine in the sandbox: no containers, which is an answer, not a failure.
  const auto containers = ctl({"list-containers", "--json"});
  EXPECT_EQ(containers.exit_code, 0) << containers.err;
  EXPECT_EQ(containers.out, "[]\n");

  const auto denied = ctl({"list-units"}, true);
  EXPECT_EQ(denied.exit_code, 3);
  EXPECT_THAT(denied.err, HasSubstr("the agent's methods are for root only"));

  EXPECT_EQ(ctl({"journal"}).exit_code, 2);
  const auto bad_name = ctl({"journal", "no such unit"});
  EXPECT_EQ(bad_name.exit_code, 2);
  EXPECT_THAT(bad_name.err, HasSubstr("deckhandctl journal: "));
  EXPECT_EQ(ctl({"status", "--bogus"}).exit_code, 2);
  EXPECT_EQ(ctl({"frobnicate"}).exit_code, 2);

  for (const auto* verb :
       {"status", "list-units", "list-containers", "machine", "journal", "check"}) {
    const auto help = ctl({verb, "--help"});
    EXPECT_EQ(help.exit_code, 0) << verb;
    EXPECT_THAT(help.out, HasSubstr(std::string("deckhandctl ") + verb)) << verb;
  }
}

// Without an agent on the bus: a clear message and exit 3.
TEST(DeckhandctlWithoutAgent, SaysTheAgentIsUnreachable) {
  const auto result = run({env("CTL_BINARY", "deckhandctl"), "status"},
                          {{"DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/bus"}});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_THAT(result.err,
              HasSubstr("deckhandctl status: cannot reach the deckhand agent (org.deckhand.Agent1) "
                        "on the system bus at unix:path=/nonexistent/bus"));
}

}  // namespace
}  // namespace deckhand::test
