// The scheduler's end-to-end fixture: deckhand-scheduler on loopback and three agents, each in
// its own sandboxed systemd with its own metadata (node-a region=east,disk=ssd; node-b
// region=west,disk=ssd; node-c region=west,disk=hdd); the operator's API driven with curl.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <algorithm>
#include <boost/json.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/scheduler_e2e_support.hpp"
#include "tests/harness/process.hpp"
#include "tests/harness/systemd_sandbox.hpp"

namespace deckhand::test {

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
    state_dir_ =
        std::filesystem::path("/var/tmp") / ("deckhand-sched-e2e-" + std::to_string(::getpid()));
    std::filesystem::create_directories(state_dir_);
    startScheduler();
    const std::vector<std::pair<std::string, std::string>> nodes = {
        {"node-a", "region=east,disk=ssd"},
        {"node-b", "region=west,disk=ssd"},
        {"node-c", "region=west,disk=hdd"}};
    for (const auto& [hostname, metadata] : nodes) {
      auto& node = nodes_[hostname];
      node.hostname = hostname;
      node.sandbox.emplace(SandboxOptions{.hostname = hostname, .docker = docker_});
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
    std::filesystem::remove_all(state_dir_, ignored);
  }

  // The agent port stays the same across scheduler restarts, so agents find it again.
  void startScheduler() {
    scheduler_.emplace(std::vector<std::string>{
        binary("SCHEDULER_BINARY", "deckhand-scheduler"), "--listen-agents",
        "127.0.0.1:" + std::to_string(agent_port_), "--listen-api", "127.0.0.1:0", "--state-file",
        (state_dir_ / "state.json").string(), "--machine-grace", "3s", "--agent-timeout", "3s",
        "--log-level", "debug"});
    ASSERT_TRUE(scheduler_->waitForOutput("API on http://", std::chrono::seconds(10)))
        << scheduler_->output();
    const auto ports = schedulerPorts(scheduler_->output());
    ASSERT_TRUE(ports) << scheduler_->output();
    agent_port_ = ports->first;
    api_port_ = ports->second;
  }

  void stopScheduler() {
    scheduler_->signal(SIGTERM);
    EXPECT_EQ(scheduler_->wait(std::chrono::seconds(10)), 0) << scheduler_->output();
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
    EXPECT_EQ(node.agent->wait(std::chrono::seconds(10)), 0) << node.agent->output();
    node.agent.reset();
  }

  boost::json::object api(const std::string& method, const std::string& path,
                          const std::string& body = "") {
    std::vector<std::string> argv = {"curl", "-sS", "-X", method,
                                     "http://127.0.0.1:" + std::to_string(api_port_) + path};
    if (!body.empty()) argv.insert(argv.end(), {"--data-binary", body});
    const auto result = run(argv);
    try {
      return boost::json::parse(result.out).as_object();
    } catch (const std::exception&) {
      ADD_FAILURE() << method << " " << path << ": " << result.out << result.err;
      return {};
    }
  }

  void start(const std::string& name, const std::string& text) {
    const auto answer =
        api("PUT", "/v1/units/" + name,
            boost::json::serialize(boost::json::object{{"text", text}, {"target", "launched"}}));
    ASSERT_FALSE(answer.contains("error")) << boost::json::serialize(answer);
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

  bool docker_ = false;  // whether the agents see the host's /run/docker.sock
  std::filesystem::path state_dir_;
  std::uint16_t agent_port_ = 0;
  std::uint16_t api_port_ = 0;
  std::optional<BackgroundProcess> scheduler_;
  std::map<std::string, Node> nodes_;
  std::map<std::string, std::string> metadata_;
  std::map<std::string, std::string> ids_;  // hostname -> machine ID
};

}  // namespace deckhand::test
