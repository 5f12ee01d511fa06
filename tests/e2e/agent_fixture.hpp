// The whole agent through its link: deckhand runs inside a sandboxed systemd and talks to a test
// scheduler over a real WebSocket, as on a node. Shared by the e2e tests.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "systemd/unit_file.hpp"
#include "tests/harness/process.hpp"
#include "tests/harness/scheduler_peer.hpp"
#include "tests/harness/systemd_sandbox.hpp"

namespace deckhand::test {

using namespace std::chrono_literals;
namespace json = boost::json;

inline constexpr const char* kWeb = "[Service]\nExecStart=/bin/sleep 300\n";
// The agent keeps its state in the sandbox's private /run, not in the host's /var/lib.
inline constexpr const char* kStateDir = "/run/deckhand/state";
// Units made by counted() append a line here at each start, so a second start shows.
inline constexpr const char* kStartsDir = "/run/deckhand-starts";

inline std::string agentBinary() {
  const char* path = std::getenv("AGENT_BINARY");
  return path != nullptr ? path : "deckhand";
}

inline std::string hashOf(const std::string& text) {
  return systemd::unitHash(systemd::parseUnitFile(text, "test"));
}

inline json::object parse(const std::string& frame) {
  return json::parse(frame).as_object();
}

inline bool isType(const ReceivedFrame& frame, std::string_view type) {
  if (frame.binary) return false;
  try {
    return parse(frame.text).at("type").as_string() == type;
  } catch (const std::exception&) {
    return false;
  }
}

inline json::object desiredUnit(const std::string& name, const std::string& state,
                                const std::string& text) {
  json::object unit{{"name", name}, {"state", state}};
  if (state != "inactive") {
    unit["text"] = text;
    unit["hash"] = hashOf(text);
  }
  return unit;
}

inline std::string desired(const std::string& id, json::array units) {
  return json::serialize(
      json::object{{"type", "desired"}, {"id", id}, {"units", std::move(units)}});
}

inline std::string desired(const std::string& id, const std::string& name, const std::string& state,
                           const std::string& text) {
  return desired(id, json::array{desiredUnit(name, state, text)});
}

// A long-running service that counts its starts in kStartsDir.
inline std::string counted() {
  return std::string("[Service]\nExecStartPre=/bin/sh -c 'mkdir -p ") + kStartsDir +
         " && echo start >> " + kStartsDir + "/%n'\nExecStart=/bin/sleep 300\n";
}

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DECKHAND_REQUIRE_ROOT();
    sandbox_.emplace(sandboxOptions());
    agent_path_ = sandbox_->installFile(agentBinary());
    beforeAgentStarts();
    startAgent();
    hello_ = waitFor("hello");
    ASSERT_TRUE(hello_) << agent_->output();
  }

  virtual SandboxOptions sandboxOptions() const { return {.hostname = "e2e-node"}; }
  virtual void beforeAgentStarts() {}  // the sandbox is up, the peer listening

  void TearDown() override {
    agent_.reset();
    sandbox_.reset();
  }

  // The agent's own PID (nsenter, the launcher, does not pass signals on).
  pid_t agentPid() const {
    std::ifstream children("/proc/" + std::to_string(agent_->pid()) + "/task/" +
                           std::to_string(agent_->pid()) + "/children");
    pid_t agent = 0;
    children >> agent;
    return agent;
  }

  void stopAgent() {
    const pid_t agent = agentPid();
    ASSERT_GT(agent, 0) << "no agent under launcher " << agent_->pid();
    ::kill(agent, SIGTERM);
    EXPECT_EQ(agent_->wait(10s), 0) << agent_->output();
    agent_.reset();
  }

  // kill -9: no chance to save, flush or say goodbye.
  void killAgent() {
    const pid_t agent = agentPid();
    ASSERT_GT(agent, 0) << "no agent under launcher " << agent_->pid();
    ::kill(agent, SIGKILL);
    EXPECT_TRUE(agent_->wait(10s).has_value());
    previous_output_ += agent_->output();
    agent_.reset();
  }

  void startAgent(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {agent_path_,
                                     "--config",
                                     "/dev/null",
                                     "--scheduler-url",
                                     peer_.url(),
                                     "--heartbeat-interval",
                                     "1s",
                                     "--metadata",
                                     "region=test,disk=ssd",
                                     "--state-directory",
                                     kStateDir,
                                     "--log-level",
                                     "debug"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    agent_.emplace(sandbox_->execArgv(argv));
  }

  // Everything the agents of this test wrote, for failure messages.
  std::string output() const { return previous_output_ + (agent_ ? agent_->output() : ""); }

  std::optional<json::object> waitFor(std::string_view type,
                                      const std::function<bool(const json::object&)>& match = {},
                                      std::chrono::milliseconds timeout = 15s) {
    const auto frame = peer_.waitForMessage(
        [&](const ReceivedFrame& frame) {
          return isType(frame, type) && (!match || match(parse(frame.text)));
        },
        timeout);
    if (!frame) return std::nullopt;
    return parse(frame->text);
  }

  // The hello of connection number `connection` or later.
  std::optional<json::object> helloOf(int connection, std::chrono::milliseconds timeout = 20s) {
    const auto frame = peer_.waitForMessage(
        [&](const ReceivedFrame& frame) {
          return frame.connection >= connection && isType(frame, "hello");
        },
        timeout);
    if (!frame) return std::nullopt;
    return parse(frame->text);
  }

  std::optional<json::object> result(const std::string& id,
                                     std::chrono::milliseconds timeout = 15s) {
    return waitFor(
        "result", [&](const json::object& m) { return m.at("id").as_string() == id; }, timeout);
  }

  std::optional<json::object> unitIn(const std::string& name, const std::string& active_state) {
    return waitFor("unit", [&](const json::object& m) {
      const auto& unit = m.at("unit").as_object();
      return unit.at("name").as_string() == name &&
             unit.at("active_state").as_string() == active_state;
    });
  }

  std::string show(const std::string& unit, const std::string& property) const {
    return sandbox_->systemctl({"show", "-P", property, unit});
  }

  // How many times a counted() unit has started.
  int starts(const std::string& unit) const {
    const auto lines = sandbox_->exec({"cat", std::string(kStartsDir) + "/" + unit}).out;
    return static_cast<int>(std::count(lines.begin(), lines.end(), '\n'));
  }

  bool waitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(100ms);
    }
    return true;
  }

  // The agent's current report of every unit, through a query on the current connection.
  std::optional<json::array> queryUnits() {
    const std::string id = "q" + std::to_string(++queries_);
    if (!peer_.send(R"({"type":"query","id":")" + id + R"(","what":"units"})")) return std::nullopt;
    const auto answer = result(id);
    if (!answer) return std::nullopt;
    return answer->at("units").as_array();
  }

  // The agent reports exactly `names`, and each as systemd sees it right now (states, PID,
  // InvocationID). Retried for a while: a transition may be on its way to the agent.
  void expectReportEqualsSystemd(const std::vector<std::string>& names) {
    std::string mismatch;
    const bool equal = waitUntil(
        [&] {
          const auto units = queryUnits();
          if (!units) {
            mismatch = "no answer to a query";
            return false;
          }
          if (units->size() != names.size()) {
            mismatch = "reports " + std::to_string(units->size()) + " units, expected " +
                       std::to_string(names.size()) + ": " + json::serialize(*units);
            return false;
          }
          for (const auto& value : *units) {
            const auto& unit = value.as_object();
            const std::string name(unit.at("name").as_string());
            if (std::find(names.begin(), names.end(), name) == names.end()) {
              mismatch = "reports " + name + ", not one of the expected units";
              return false;
            }
            std::vector<std::pair<const char*, const char*>> fields = {
                {"active_state", "ActiveState"},
                {"sub_state", "SubState"},
                {"load_state", "LoadState"}};
            // systemd forgets a stopped unit's last invocation once it unloads it; the agent
            // still tells which run it was.
            if (show(name, "ActiveState") != "inactive") {
              fields.emplace_back("invocation_id", "InvocationID");
            }
            for (const auto& [field, property] : fields) {
              if (unit.at(field).as_string() != show(name, property)) {
                mismatch = name + ": reports " + field + " " +
                           std::string(unit.at(field).as_string()) + ", systemd says " +
                           show(name, property);
                return false;
              }
            }
            if (std::to_string(unit.at("main_pid").as_int64()) != show(name, "MainPID")) {
              mismatch = name + ": reports another MainPID than systemd";
              return false;
            }
          }
          return true;
        },
        15s);
    EXPECT_TRUE(equal) << mismatch << "\n" << output();
  }

  SchedulerPeer peer_;
  std::optional<SystemdSandbox> sandbox_;
  std::string agent_path_;
  std::optional<BackgroundProcess> agent_;
  std::optional<json::object> hello_;
  std::string previous_output_;
  int queries_ = 0;
};

}  // namespace deckhand::test
