// The whole agent through its link: deckhand runs inside a sandboxed systemd and talks to a test
// scheduler over a real WebSocket, as on a node.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "systemd/unit_file.hpp"
#include "tests/harness/process.hpp"
#include "tests/harness/scheduler_peer.hpp"
#include "tests/harness/systemd_sandbox.hpp"

namespace deckhand::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace json = boost::json;

constexpr const char* kWeb = "[Service]\nExecStart=/bin/sleep 300\n";

std::string agentBinary() {
  const char* path = std::getenv("AGENT_BINARY");
  return path != nullptr ? path : "deckhand";
}

std::string hashOf(const std::string& text) {
  return systemd::unitHash(systemd::parseUnitFile(text, "test"));
}

json::object parse(const std::string& frame) {
  return json::parse(frame).as_object();
}

bool isType(const ReceivedFrame& frame, std::string_view type) {
  if (frame.binary) return false;
  try {
    return parse(frame.text).at("type").as_string() == type;
  } catch (const std::exception&) {
    return false;
  }
}

std::string desired(const std::string& id, const std::string& name, const std::string& state,
                    const std::string& text) {
  json::object unit{{"name", name}, {"state", state}};
  if (state != "inactive") {
    unit["text"] = text;
    unit["hash"] = hashOf(text);
  }
  return json::serialize(
      json::object{{"type", "desired"}, {"id", id}, {"units", json::array{unit}}});
}

class AgentLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DECKHAND_REQUIRE_ROOT();
    SandboxOptions options;
    options.hostname = "e2e-node";
    sandbox_.emplace(options);
    agent_path_ = sandbox_->installFile(agentBinary());
    startAgent();
    hello_ = waitFor("hello");
    ASSERT_TRUE(hello_) << agent_->output();
  }

  // SIGTERM to the agent itself (nsenter, the launcher, does not pass signals on), by its PID.
  void stopAgent() {
    std::ifstream children("/proc/" + std::to_string(agent_->pid()) + "/task/" +
                           std::to_string(agent_->pid()) + "/children");
    pid_t agent = 0;
    ASSERT_TRUE(children >> agent) << "no agent under launcher " << agent_->pid();
    ::kill(agent, SIGTERM);
    EXPECT_EQ(agent_->wait(10s), 0) << agent_->output();
    agent_.reset();
  }

  // The agent keeps its state in the sandbox's private /run, not in the host's /var/lib.
  void startAgent() {
    agent_.emplace(
        sandbox_->execArgv({agent_path_, "--config", "/dev/null", "--scheduler-url", peer_.url(),
                            "--heartbeat-interval", "1s", "--metadata", "region=test,disk=ssd",
                            "--state-directory", "/run/deckhand/state", "--log-level", "debug"}));
  }

  void TearDown() override {
    agent_.reset();
    sandbox_.reset();
  }

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

  std::optional<json::object> result(const std::string& id) {
    return waitFor("result", [&](const json::object& m) { return m.at("id").as_string() == id; });
  }

  std::optional<json::object> unitIn(const std::string& name, const std::string& active_state) {
    return waitFor("unit", [&](const json::object& m) {
      const auto& unit = m.at("unit").as_object();
      return unit.at("name").as_string() == name &&
             unit.at("active_state").as_string() == active_state;
    });
  }

  SchedulerPeer peer_;
  std::optional<SystemdSandbox> sandbox_;
  std::string agent_path_;
  std::optional<BackgroundProcess> agent_;
  std::optional<json::object> hello_;
};

TEST_F(AgentLinkTest, HelloDescribesTheMachine) {
  const auto& machine = hello_->at("machine").as_object();
  EXPECT_EQ(hello_->at("protocol").as_int64(), 1);
  EXPECT_EQ(machine.at("machine_id").as_string().size(), 32u);
  EXPECT_EQ(machine.at("metadata").as_object().at("region").as_string(), "test");
  EXPECT_EQ(machine.at("hostname").as_string(), "e2e-node");
  EXPECT_THAT(std::string(machine.at("systemd_version").as_string()), HasSubstr("252"));
  EXPECT_EQ(peer_.upgrades().front().subprotocols, "deckhand.v1");
}

TEST_F(AgentLinkTest, DesiredUnitIsRunReportedAndRemoved) {
  peer_.send(desired("1", "web.service", "launched", kWeb));
  const auto accepted = result("1");
  ASSERT_TRUE(accepted) << agent_->output();
  EXPECT_TRUE(accepted->at("ok").as_bool());
  EXPECT_TRUE(accepted->at("units").as_array().at(0).as_object().at("ok").as_bool());

  const auto running = unitIn("web.service", "active");
  ASSERT_TRUE(running) << agent_->output();
  EXPECT_EQ(running->at("unit").as_object().at("desired").as_string(), "launched");
  EXPECT_EQ(running->at("unit").as_object().at("hash").as_string(), hashOf(kWeb));
  EXPECT_EQ(sandbox_->systemctl({"is-active", "web.service"}), "active");

  // The same desired state again changes nothing.
  peer_.send(desired("2", "web.service", "launched", kWeb));
  ASSERT_TRUE(result("2"));
  const auto pid = sandbox_->systemctl({"show", "-P", "MainPID", "web.service"});
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "MainPID", "web.service"}), pid);

  peer_.send(desired("3", "web.service", "inactive", ""));
  ASSERT_TRUE(result("3"));
  EXPECT_TRUE(waitFor("unit_removed", [](const json::object& m) {
    return m.at("name").as_string() == "web.service";
  })) << agent_->output();
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "LoadState", "web.service"}), "not-found");
}

TEST_F(AgentLinkTest, UnitThatCannotRunHereIsRefusedWithTheReason) {
  const std::string text = std::string(kWeb) + "[X-Fleet]\nMachineMetadata=region=elsewhere\n";
  peer_.send(desired("7", "picky.service", "launched", text));
  const auto refused = result("7");
  ASSERT_TRUE(refused);
  const auto& unit = refused->at("units").as_array().at(0).as_object();
  EXPECT_FALSE(unit.at("ok").as_bool());
  EXPECT_EQ(unit.at("error").as_object().at("code").as_string(), "constraint_unmet");
  EXPECT_THAT(std::string(unit.at("error").as_object().at("message").as_string()),
              HasSubstr("region=elsewhere"));
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "LoadState", "picky.service"}), "not-found");
}

TEST_F(AgentLinkTest, BadInputGetsAnErrorAndNothingRunningIsLost) {
  peer_.send(desired("1", "web.service", "launched", kWeb));
  ASSERT_TRUE(unitIn("web.service", "active"));

  peer_.send("{not json");
  const auto bad_json = waitFor("error");
  ASSERT_TRUE(bad_json);
  EXPECT_EQ(bad_json->at("error").as_object().at("code").as_string(), "bad_json");

  peer_.send(R"({"type":"frobnicate","id":"x1"})");
  const auto unknown = result("x1");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->at("error").as_object().at("code").as_string(), "unknown_type");

  peer_.send(R"({"type":"action","id":"x2","name":"../etc.service","action":"start"})");
  ASSERT_TRUE(result("x2"));
  peer_.send(R"({"type":"action","id":"x3","name":"dbus.service","action":"stop"})");
  const auto foreign = result("x3");
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->at("error").as_object().at("code").as_string(), "not_owned");
  peer_.send("binary!", true);
  EXPECT_TRUE(waitFor("error", [](const json::object& m) {
    return m.at("error").as_object().at("code").as_string() == "bad_frame";
  }));

  EXPECT_EQ(sandbox_->systemctl({"is-active", "web.service"}), "active");
  EXPECT_EQ(sandbox_->systemctl({"is-active", "dbus.service"}), "active");
  peer_.send(R"({"type":"query","id":"q","what":"units"})");
  const auto units = result("q");
  ASSERT_TRUE(units);
  EXPECT_EQ(units->at("units").as_array().size(), 1u);
}

TEST_F(AgentLinkTest, ActionsReportTheirJobs) {
  peer_.send(desired("1", "web.service", "launched", kWeb));
  ASSERT_TRUE(unitIn("web.service", "active"));
  peer_.send(R"({"type":"action","id":"a1","name":"web.service","action":"restart"})");
  const auto restarted = result("a1");
  ASSERT_TRUE(restarted);
  EXPECT_TRUE(restarted->at("ok").as_bool());
  EXPECT_EQ(restarted->at("job_result").as_string(), "done");

  peer_.send(
      R"({"type":"action","id":"a2","name":"web.service","action":"kill","whom":"main","signal":9})");
  ASSERT_TRUE(result("a2"));
  const auto killed = unitIn("web.service", "failed");
  ASSERT_TRUE(killed);
  EXPECT_EQ(killed->at("unit").as_object().at("result").as_string(), "signal");
  EXPECT_EQ(killed->at("unit").as_object().at("exit_status").as_int64(), 9);

  peer_.send(R"({"type":"query","id":"m","what":"machine"})");
  const auto machine = result("m");
  ASSERT_TRUE(machine);
  EXPECT_THAT(json::serialize(*machine), HasSubstr("systemd_version"));
}

TEST_F(AgentLinkTest, JournalOfAUnitIsReadBackAndFollowed) {
  const std::string ticker =
      "[Service]\nExecStart=/bin/sh -c 'echo hello-journal; i=0; while true; do echo tick $i; "
      "i=$((i+1)); sleep 0.2; done'\n";
  peer_.send(desired("1", "ticker.service", "launched", ticker));
  ASSERT_TRUE(unitIn("ticker.service", "active"));
  std::this_thread::sleep_for(500ms);

  peer_.send(R"({"type":"journal","id":"j1","name":"ticker.service","lines":1000})");
  ASSERT_TRUE(result("j1"));
  const auto lines =
      waitFor("journal", [](const json::object& m) { return m.at("id").as_string() == "j1"; });
  ASSERT_TRUE(lines);
  EXPECT_TRUE(lines->at("done").as_bool());
  EXPECT_THAT(json::serialize(lines->at("lines")), HasSubstr("hello-journal"));

  peer_.send(R"({"type":"journal","id":"j2","name":"ticker.service","lines":1,"follow":true})");
  ASSERT_TRUE(result("j2"));
  const auto followed = waitFor("journal", [](const json::object& m) {
    return m.at("id").as_string() == "j2" && !m.at("done").as_bool() &&
           json::serialize(m.at("lines")).find("tick") != std::string::npos &&
           m.at("lines").as_array().size() == 1 &&
           m.at("lines").as_array()[0].as_object().at("usec").as_int64() > 0;
  });
  ASSERT_TRUE(followed) << agent_->output();
  // New lines keep coming until cancelled.
  const auto count = [&] {
    int n = 0;
    for (const auto& frame : peer_.messages())
      n += frame.text.find("\"j2\"") != std::string::npos;
    return n;
  };
  const int before = count();
  std::this_thread::sleep_for(700ms);
  EXPECT_GT(count(), before);
  peer_.send(R"({"type":"cancel","id":"c1","target":"j2"})");
  ASSERT_TRUE(result("c1"));
  EXPECT_TRUE(waitFor("journal", [](const json::object& m) {
    return m.at("id").as_string() == "j2" && m.at("done").as_bool();
  }));

  peer_.send(R"({"type":"journal","id":"j3","name":"dbus.service"})");
  const auto foreign = result("j3");
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->at("error").as_object().at("code").as_string(), "not_owned");
}

TEST_F(AgentLinkTest, MetadataSetByTheSchedulerIsAppliedKeptAndReported) {
  peer_.send(R"({"type":"set_metadata","id":"s1","metadata":{"region":"moved","rack":"r7"}})");
  const auto set = result("s1");
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->at("ok").as_bool());
  peer_.send(R"({"type":"query","id":"q1","what":"machine"})");
  const auto machine = result("q1");
  ASSERT_TRUE(machine);
  EXPECT_THAT(json::serialize(*machine), HasSubstr(R"("rack":"r7")"));

  // Constraints see it at once.
  const std::string text = std::string(kWeb) + "[X-Fleet]\nMachineMetadata=rack=r7\n";
  peer_.send(desired("d1", "racked.service", "launched", text));
  const auto accepted = result("d1");
  ASSERT_TRUE(accepted);
  EXPECT_TRUE(accepted->at("units").as_array().at(0).as_object().at("ok").as_bool());

  // And it survives a restart of the agent, over the configured region=test.
  stopAgent();
  startAgent();
  const auto hello = waitFor("hello", [](const json::object& m) {
    return m.at("machine").as_object().at("metadata").as_object().contains("rack");
  });
  ASSERT_TRUE(hello) << agent_->output();
  EXPECT_EQ(hello->at("machine").as_object().at("metadata").as_object().at("region").as_string(),
            "moved");
}

// The desired state lives in memory (for now): a restarted agent holds none, and must leave what
// runs alone rather than remove "undesired" units.
TEST_F(AgentLinkTest, AgentRestartLeavesItsUnitsRunning) {
  peer_.send(desired("1", "web.service", "launched", kWeb));
  ASSERT_TRUE(unitIn("web.service", "active"));
  const auto pid = sandbox_->systemctl({"show", "-P", "MainPID", "web.service"});
  stopAgent();
  const auto goodbye = peer_.waitForClose(1s);
  ASSERT_TRUE(goodbye) << "the stopping agent sent no close frame";
  EXPECT_EQ(goodbye->code, 1001u);
  EXPECT_EQ(sandbox_->systemctl({"is-active", "web.service"}), "active");
  startAgent();
  const auto hello =
      waitFor("hello", [](const json::object& m) { return !m.at("units").as_array().empty(); });
  ASSERT_TRUE(hello) << agent_->output();
  const auto& unit = hello->at("units").as_array().at(0).as_object();
  EXPECT_EQ(unit.at("name").as_string(), "web.service");
  EXPECT_TRUE(unit.at("desired").is_null());
  EXPECT_EQ(unit.at("active_state").as_string(), "active");
  std::this_thread::sleep_for(500ms);  // a wrong reconciler pass would have stopped it by now
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "MainPID", "web.service"}), pid);
}

TEST_F(AgentLinkTest, SchedulerRestartIsFollowedByAFreshHello) {
  peer_.send(desired("1", "web.service", "launched", kWeb));
  ASSERT_TRUE(unitIn("web.service", "active"));
  peer_.stop();
  peer_.start();
  ASSERT_TRUE(peer_.waitForConnections(2, 15s)) << agent_->output();
  const auto again =
      waitFor("hello", [](const json::object& m) { return !m.at("units").as_array().empty(); });
  ASSERT_TRUE(again);
  const auto& unit = again->at("units").as_array().at(0).as_object();
  EXPECT_EQ(unit.at("name").as_string(), "web.service");
  EXPECT_EQ(unit.at("desired").as_string(), "launched");
  EXPECT_EQ(unit.at("active_state").as_string(), "active");
  EXPECT_EQ(sandbox_->systemctl({"is-active", "web.service"}), "active");
}

}  // namespace
}  // namespace deckhand::test
