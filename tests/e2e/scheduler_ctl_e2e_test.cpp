// deckhandctl cluster against the real scheduler and three sandboxed agents: fleetctl's verbs,
// blocking until the state is reached, and a journal followed as it is written.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "tests/e2e/scheduler_e2e_fixture.hpp"

namespace deckhand::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
namespace json = boost::json;
namespace fs = std::filesystem;

constexpr const char* kSleep = "[Service]\nExecStart=/bin/sleep 600\n";

std::string withFleet(const std::string& fleet) {
  return std::string(kSleep) + "[X-Fleet]\n" + fleet;
}

class SchedulerCtlE2eTest : public SchedulerE2eTest {
 protected:
  std::vector<std::string> ctlArgv(std::vector<std::string> args) const {
    args.insert(args.begin(), {binary("CTL_BINARY", "deckhandctl"), "cluster"});
    args.insert(args.end(), {"--endpoint", "127.0.0.1:" + std::to_string(api_port_)});
    return args;
  }

  ProcessResult ctl(const std::vector<std::string>& args) const {
    return run(ctlArgv(args), {}, 60s);
  }
};

// fleetctl's verbs through deckhandctl: blocking start, the tables, status, journal, stop, destroy.
TEST_F(SchedulerCtlE2eTest, DeckhandctlDrivesTheCluster) {
  const auto unit_file = state_dir_ / "hello@.service";
  std::ofstream(unit_file) << "[Service]\nExecStart=/bin/sh -c 'echo hello %i; exec sleep 600'\n"
                              "[X-Fleet]\nMachineMetadata=region=west\nConflicts=hello@*.service\n";
  const auto submitted = ctl({"submit", unit_file.string()});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const auto started = ctl({"start", "hello@1.service", "hello@2.service"});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err << scheduler_->output();
  // Blocking: when start returns, both run, one per west machine.
  EXPECT_EQ(runningOn("hello@1.service").size() + runningOn("hello@2.service").size(), 12u);
  EXPECT_NE(runningOn("hello@1.service"), runningOn("hello@2.service"));

  const auto units = ctl({"list-units"});
  EXPECT_THAT(units.out, HasSubstr("UNIT"));
  EXPECT_THAT(units.out,
              ::testing::ContainsRegex("hello@1.service +[0-9a-f]{8}/[^ ]+ +active +running"));
  const auto files = ctl({"list-unit-files"});
  EXPECT_THAT(files.out, ::testing::ContainsRegex("hello@.service +[0-9a-f]{7} +template"));
  EXPECT_THAT(files.out,
              ::testing::ContainsRegex("hello@2.service +[0-9a-f]{7} +launched +launched"));
  const auto machines = ctl({"list-machines", "--json"});
  EXPECT_EQ(json::parse(machines.out).at("machines").as_array().size(), 3u);

  const auto third = ctl({"start", "hello@3.service", "--block-timeout", "2"});
  EXPECT_EQ(third.exit_code, 1);
  EXPECT_THAT(third.err, HasSubstr("conflicts with hello@"));
  const auto status = ctl({"status", "hello@3.service"});
  EXPECT_THAT(status.out, HasSubstr("region=west required, machine has region=east"));

  ProcessResult journal;
  EXPECT_TRUE(eventually([&] {
    journal = ctl({"journal", "hello@1.service"});
    return journal.out.find("hello 1") != std::string::npos;
  })) << journal.out
      << journal.err;
  const auto first_host = runningOn("hello@1.service");
  ASSERT_EQ(ctl({"stop", "hello@1.service"}).exit_code, 0);
  EXPECT_EQ(runningOn("hello@1.service"), "");
  // unload blocks until its machine has removed it.
  const auto unloaded = ctl({"unload", "hello@1.service"});
  ASSERT_EQ(unloaded.exit_code, 0) << unloaded.err;
  EXPECT_EQ(
      nodes_.at(first_host).sandbox->systemctl({"show", "-P", "LoadState", "hello@1.service"}),
      "not-found");
  // destroy blocks until the unit is gone from its machine: stopped, and its file removed.
  const auto host = runningOn("hello@2.service");
  ASSERT_FALSE(host.empty());
  const auto destroyed = ctl({"destroy", "hello@2.service"});
  ASSERT_EQ(destroyed.exit_code, 0) << destroyed.err;
  EXPECT_EQ(destroyed.out, "destroyed hello@2.service\n");
  EXPECT_EQ(runningOn("hello@2.service"), "");
  EXPECT_EQ(nodes_.at(host).sandbox->systemctl({"show", "-P", "LoadState", "hello@2.service"}),
            "not-found");
  EXPECT_EQ(ctl({"status", "hello@2.service"}).exit_code, 1);
}

// A machine that is away when a unit is unloaded or destroyed keeps its copy until it says hello
// again; unload and destroy do not wait for it, and say so.
TEST_F(SchedulerCtlE2eTest, UnloadAndDestroyLeaveADisconnectedMachineToRemoveItOnReturn) {
  start("east.service", withFleet("MachineMetadata=region=east\n"));
  ASSERT_TRUE(eventually([&] { return runningOn("east.service") == "node-a"; }))
      << scheduler_->output();
  stopAgent(nodes_.at("node-a"));  // the unit keeps running there, as agents do
  // unload does not wait for the disconnected machine either (the timeout would fail it).
  const auto unloaded = ctl({"unload", "east.service", "--block-timeout", "10"});
  EXPECT_EQ(unloaded.exit_code, 0) << unloaded.err;
  EXPECT_THAT(unloaded.err,
              HasSubstr("left on disconnected machine(s) " + ids_.at("node-a").substr(0, 8)));
  const auto destroyed = ctl({"destroy", "east.service", "--json"});
  ASSERT_EQ(destroyed.exit_code, 0) << destroyed.err;
  const auto answer = json::parse(destroyed.out);
  EXPECT_EQ(json::serialize(answer.at("still_on").at("east.service")),
            "[\"" + ids_.at("node-a") + "\"]");
  EXPECT_EQ(runningOn("east.service"), "node-a");
  const auto told = ctl({"destroy", "east.service"});
  EXPECT_EQ(told.exit_code, 1) << "destroyed twice";
  EXPECT_THAT(told.err, HasSubstr("not submitted"));

  startAgent(nodes_.at("node-a"));
  EXPECT_TRUE(eventually([&] { return runningOn("east.service").empty(); }))
      << scheduler_->output();
  const auto states = api("GET", "/v1/units/east.service/states");
  EXPECT_TRUE(eventually([&] {
    return api("GET", "/v1/units/east.service/states").at("states").as_object().empty();
  })) << json::serialize(states);
}

// journal -f: a line written after the follow began shows up; an interrupted follow is cancelled
// on the agent (else the agent's 16 follows per connection would run out); a machine that goes
// away ends the stream with the reason.
TEST_F(SchedulerCtlE2eTest, JournalFollowShowsNewLinesUntilInterrupted) {
  start("talk.service",
        "[Service]\nExecStart=/bin/sh -c 'echo before-follow; "
        "while [ ! -e /run/talk-go ]; do sleep 0.1; done; echo after-follow; exec sleep 600'\n"
        "[X-Fleet]\nMachineMetadata=region=east\n");
  ASSERT_TRUE(eventually([&] { return runningOn("talk.service") == "node-a"; }))
      << scheduler_->output();

  {
    BackgroundProcess follow(ctlArgv({"journal", "talk.service", "-f", "--json"}));
    ASSERT_TRUE(follow.waitForOutput("before-follow", 20s)) << follow.output();
    EXPECT_THAT(follow.output(), Not(HasSubstr("after-follow")));
    std::ofstream(nodes_.at("node-a").sandbox->root() / "run/talk-go") << "go\n";
    ASSERT_TRUE(follow.waitForOutput("after-follow", 20s)) << follow.output();
    // --json: one JSON object per line, as the API streams them.
    std::istringstream lines(follow.output());
    for (std::string line; std::getline(lines, line);) {
      EXPECT_TRUE(json::parse(line).as_object().contains("message")) << line;
    }
    follow.signal(SIGINT);
    EXPECT_EQ(follow.wait(10s), 128 + SIGINT);
  }

  for (int round = 0; round < 17; ++round) {
    BackgroundProcess follow(ctlArgv({"journal", "talk.service", "-f", "-n", "5"}));
    ASSERT_TRUE(follow.waitForOutput("after-follow", 20s))
        << "round " << round << ": " << follow.output() << scheduler_->output();
    follow.signal(SIGINT);
    EXPECT_EQ(follow.wait(10s), 128 + SIGINT);
  }

  BackgroundProcess orphaned(ctlArgv({"journal", "talk.service", "-f"}));
  ASSERT_TRUE(orphaned.waitForOutput("after-follow", 20s)) << orphaned.output();
  stopAgent(nodes_.at("node-a"));
  EXPECT_EQ(orphaned.wait(20s), 1) << orphaned.output();
  EXPECT_THAT(orphaned.output(), HasSubstr("disconnected"));
}

}  // namespace
}  // namespace deckhand::test
