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

#include "tests/e2e/scheduler_e2e_support.hpp"
#include "tests/harness/process.hpp"
#include "tests/harness/systemd_sandbox.hpp"

namespace deckhand::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace json = boost::json;
namespace fs = std::filesystem;

struct Node {
  std::string hostname;
  std::optional<SystemdSandbox> sandbox;
  std::string agent_path;
  std::optional<BackgroundProcess> agent;
};

class SchedulerE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DECKHAND_REQUIRE_ROOT();
    state_dir_ = fs::path("/var/tmp") / ("deckhand-sched-e2e-" + std::to_string(::getpid()));
    fs::create_directories(state_dir_);
    startScheduler();
    const std::vector<std::pair<std::string, std::string>> nodes = {
        {"node-a", "region=east,disk=ssd"},
        {"node-b", "region=west,disk=ssd"},
        {"node-c", "region=west,disk=hdd"}};
    for (const auto& [hostname, metadata] : nodes) {
      auto& node = nodes_[hostname];
      node.hostname = hostname;
      node.sandbox.emplace(SandboxOptions{.hostname = hostname});
      node.agent_path = node.sandbox->installFile(binary("AGENT_BINARY", "deckhand"));
      metadata_[hostname] = metadata;
      startAgent(node);
    }
    ASSERT_TRUE(eventually([&] { return connectedMachines() == 3; })) << scheduler_->output();
    const auto machines = api("GET", "/v1/machines");
    for (const auto& machine : machines.at("machines").as_array()) {
      ids_[std::string(machine.at("hostname").as_string())] =
          std::string(machine.at("id").as_string());
    }
  }

  void TearDown() override {
    for (auto& [name, node] : nodes_) {
      node.agent.reset();
      node.sandbox.reset();
    }
    scheduler_.reset();
    std::error_code ignored;
    fs::remove_all(state_dir_, ignored);
  }

  // The agent port stays the same across scheduler restarts, so agents find it again.
  void startScheduler() {
    scheduler_.emplace(std::vector<std::string>{
        binary("SCHEDULER_BINARY", "deckhand-scheduler"), "--listen-agents",
        "127.0.0.1:" + std::to_string(agent_port_), "--listen-api", "127.0.0.1:0", "--state-file",
        (state_dir_ / "state.json").string(), "--machine-grace", "3s", "--agent-timeout", "3s",
        "--log-level", "debug"});
    ASSERT_TRUE(scheduler_->waitForOutput("API on http://", 10s)) << scheduler_->output();
    const auto ports = schedulerPorts(scheduler_->output());
    ASSERT_TRUE(ports) << scheduler_->output();
    agent_port_ = ports->first;
    api_port_ = ports->second;
  }

  void stopScheduler() {
    scheduler_->signal(SIGTERM);
    EXPECT_EQ(scheduler_->wait(10s), 0) << scheduler_->output();
    scheduler_.reset();
  }

  void startAgent(Node& node) {
    node.agent.emplace(node.sandbox->execArgv(
        {node.agent_path, "--config", "/dev/null", "--scheduler-url",
         "ws://127.0.0.1:" + std::to_string(agent_port_) + "/v1/agent", "--heartbeat-interval",
         "1s", "--metadata", metadata_[node.hostname], "--state-directory",
         "/run/deckhand/state"}));
  }

  // SIGTERM to the agent itself (the launcher does not pass signals on), by its PID.
  void stopAgent(Node& node) {
    std::ifstream children("/proc/" + std::to_string(node.agent->pid()) + "/task/" +
                           std::to_string(node.agent->pid()) + "/children");
    pid_t agent = 0;
    ASSERT_TRUE(children >> agent) << "no agent under launcher " << node.agent->pid();
    ::kill(agent, SIGTERM);
    EXPECT_EQ(node.agent->wait(10s), 0) << node.agent->output();
    node.agent.reset();
  }

  json::object api(const std::string& method, const std::string& path,
                   const std::string& body = "") {
    std::vector<std::string> argv = {"curl", "-sS", "-X", method,
                                     "http://127.0.0.1:" + std::to_string(api_port_) + path};
    if (!body.empty()) argv.insert(argv.end(), {"--data-binary", body});
    const auto result = run(argv);
    try {
      return json::parse(result.out).as_object();
    } catch (const std::exception&) {
      ADD_FAILURE() << method << " " << path << ": " << result.out << result.err;
      return {};
    }
  }

  void start(const std::string& name, const std::string& text) {
    const auto answer = api("PUT", "/v1/units/" + name,
                            json::serialize(json::object{{"text", text}, {"target", "launched"}}));
    ASSERT_FALSE(answer.contains("error")) << json::serialize(answer);
  }

  int connectedMachines() {
    int connected = 0;
    const auto machines = api("GET", "/v1/machines");
    if (!machines.contains("machines")) return -1;
    for (const auto& machine : machines.at("machines").as_array()) {
      connected += machine.at("connected").as_bool() ? 1 : 0;
    }
    return connected;
  }

  // The hostnames the scheduler placed the unit on, sorted.
  std::string placedOn(const std::string& name) {
    std::vector<std::string> hosts;
    const auto unit = api("GET", "/v1/units/" + name);
    if (!unit.contains("machines")) return "?";
    for (const auto& id : unit.at("machines").as_array()) {
      for (const auto& [host, known] : ids_) {
        if (known == id.as_string()) hosts.push_back(host);
      }
    }
    std::sort(hosts.begin(), hosts.end());
    std::string text;
    for (const auto& host : hosts)
      text += (text.empty() ? "" : ",") + host;
    return text;
  }

  std::string activeOn(const std::string& host, const std::string& unit) {
    return nodes_.at(host).sandbox->systemctl({"is-active", unit});
  }

  // Where systemd runs the unit, by hostname.
  std::string runningOn(const std::string& unit) {
    std::string hosts;
    for (const auto& [host, node] : nodes_) {
      if (activeOn(host, unit) == "active") hosts += (hosts.empty() ? "" : ",") + host;
    }
    return hosts;
  }

  fs::path state_dir_;
  std::uint16_t agent_port_ = 0;
  std::uint16_t api_port_ = 0;
  std::optional<BackgroundProcess> scheduler_;
  std::map<std::string, Node> nodes_;
  std::map<std::string, std::string> metadata_;
  std::map<std::string, std::string> ids_;  // hostname -> machine ID
};

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

// fleetctl's verbs through deckhandctl: blocking start, the tables, status, journal, stop, destroy.
TEST_F(SchedulerE2eTest, DeckhandctlDrivesTheCluster) {
  const auto unit_file = state_dir_ / "hello@.service";
  std::ofstream(unit_file) << "[Service]\nExecStart=/bin/sh -c 'echo hello %i; exec sleep 600'\n"
                              "[X-Fleet]\nMachineMetadata=region=west\nConflicts=hello@*.service\n";
  const auto ctl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {binary("CTL_BINARY", "deckhandctl"), "cluster"});
    args.insert(args.end(), {"--endpoint", "127.0.0.1:" + std::to_string(api_port_)});
    return run(args, {}, 60s);
  };
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
  ASSERT_EQ(ctl({"stop", "hello@1.service"}).exit_code, 0);
  EXPECT_EQ(runningOn("hello@1.service"), "");
  ASSERT_EQ(ctl({"destroy", "hello@2.service"}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return runningOn("hello@2.service").empty(); }));
  EXPECT_EQ(ctl({"status", "hello@2.service"}).exit_code, 1);
}

}  // namespace
}  // namespace deckhand::test
