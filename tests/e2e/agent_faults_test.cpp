// Faults injected around a running agent (docs/reliability.md): each test asserts that no unit is
// lost, none is started twice (InvocationID, and a start counter the units keep themselves), and
// that the agent's report ends equal to systemd's view.

#include <filesystem>
#include <iostream>

#include "tests/e2e/agent_fixture.hpp"
#include "tests/harness/veth_link.hpp"

namespace deckhand::test {
namespace {

using ::testing::HasSubstr;

class AgentFaultsTest : public AgentTest {
 protected:
  static std::string name(int i) { return "app" + std::to_string(i) + ".service"; }

  std::vector<std::string> names(int count) const {
    std::vector<std::string> all;
    for (int i = 0; i < count; ++i)
      all.push_back(name(i));
    return all;
  }

  std::string launchAll(const std::string& id, int count) {
    json::array units;
    for (int i = 0; i < count; ++i)
      units.push_back(desiredUnit(name(i), "launched", counted()));
    return desired(id, std::move(units));
  }

  // Every unit is active, per systemd.
  bool allActive(int count) {
    return waitUntil(
        [&] {
          for (int i = 0; i < count; ++i) {
            if (show(name(i), "ActiveState") != "active") return false;
          }
          return true;
        },
        60s);
  }

  std::map<std::string, std::string> invocations(int count) const {
    std::map<std::string, std::string> ids;
    for (int i = 0; i < count; ++i)
      ids[name(i)] = show(name(i), "InvocationID");
    return ids;
  }

  void expectStartedOnce(int count) {
    for (int i = 0; i < count; ++i)
      EXPECT_EQ(starts(name(i)), 1) << name(i) << "\n" << output();
  }

  // Launches count units and waits for them; their InvocationIDs.
  std::map<std::string, std::string> launched(int count) {
    peer_.send(launchAll("setup", count));
    EXPECT_TRUE(result("setup"));
    EXPECT_TRUE(allActive(count)) << output();
    return invocations(count);
  }
};

TEST_F(AgentFaultsTest, KilledAgentReadoptsItsUnitsWithoutRestartingAny) {
  const auto before = launched(5);
  killAgent();
  startAgent();
  const auto hello = helloOf(2);
  ASSERT_TRUE(hello) << output();
  ASSERT_EQ(hello->at("units").as_array().size(), 5u);
  for (const auto& value : hello->at("units").as_array()) {
    const auto& unit = value.as_object();
    const std::string unit_name(unit.at("name").as_string());
    EXPECT_EQ(unit.at("desired").as_string(), "launched") << unit_name;
    EXPECT_EQ(unit.at("invocation_id").as_string(), before.at(unit_name));
  }
  std::this_thread::sleep_for(1s);  // the restarted agent's first passes have run by now
  EXPECT_EQ(invocations(5), before);
  expectStartedOnce(5);
  expectReportEqualsSystemd(names(5));
}

TEST_F(AgentFaultsTest, KillNineMidApplyLosesNothingAndStartsNothingTwice) {
  constexpr int kUnits = 20;
  peer_.send(launchAll("1", kUnits));
  // The answer comes once the state is saved; the installs and starts are then under way.
  ASSERT_TRUE(result("1")) << output();
  killAgent();
  startAgent();
  ASSERT_TRUE(helloOf(2)) << output();
  ASSERT_TRUE(allActive(kUnits)) << output();
  const auto converged = invocations(kUnits);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(invocations(kUnits), converged);
  expectStartedOnce(kUnits);
  expectReportEqualsSystemd(names(kUnits));
}

TEST_F(AgentFaultsTest, DbusDaemonRestartLosesNothing) {
  const auto before = launched(3);
  const auto restarted = sandbox_->exec({"systemctl", "restart", "dbus.service"});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.err;
  ASSERT_TRUE(waitUntil([&] {
    return output().find("connected to systemd", output().find("lost systemd")) !=
           std::string::npos;
  })) << output();
  EXPECT_EQ(invocations(3), before);
  expectReportEqualsSystemd(names(3));

  // And the line to systemd works: a new unit is run.
  peer_.send(launchAll("more", 4));
  ASSERT_TRUE(result("more"));
  ASSERT_TRUE(allActive(4)) << output();
  EXPECT_EQ(invocations(3), before);
  expectStartedOnce(4);
  expectReportEqualsSystemd(names(4));
}

TEST_F(AgentFaultsTest, SystemdReexecLosesNothing) {
  const auto before = launched(3);
  const auto reexec = sandbox_->exec({"systemctl", "daemon-reexec"});
  ASSERT_EQ(reexec.exit_code, 0) << reexec.err;
  // A stop behind the agent's back after the re-exec is still seen (signals were renewed).
  ASSERT_EQ(sandbox_->exec({"systemctl", "stop", name(0)}).exit_code, 0);
  EXPECT_TRUE(unitIn(name(0), "inactive")) << output();
  EXPECT_EQ(invocations(3).at(name(1)), before.at(name(1)));
  EXPECT_EQ(invocations(3).at(name(2)), before.at(name(2)));
  expectReportEqualsSystemd(names(3));
}

TEST_F(AgentFaultsTest, SchedulerKilledMidRequestThenRestarted) {
  constexpr int kUnits = 10;
  peer_.send(launchAll("1", kUnits));
  peer_.stop();  // gone before (or while) the agent answers
  peer_.start();
  ASSERT_TRUE(helloOf(2)) << output();
  // The scheduler did not get its answer, so it sends the request again (it is idempotent).
  peer_.send(launchAll("2", kUnits));
  ASSERT_TRUE(result("2")) << output();
  ASSERT_TRUE(allActive(kUnits)) << output();
  std::this_thread::sleep_for(1s);
  expectStartedOnce(kUnits);
  expectReportEqualsSystemd(names(kUnits));
}

TEST_F(AgentFaultsTest, ConnectionCutPastTheLivenessTimeoutThenRestored) {
  const auto before = launched(3);
  peer_.setSilent(true);  // like a pulled cable: no frame, no pong
  ASSERT_TRUE(waitUntil([&] {
    return output().find("heard nothing from the scheduler") != std::string::npos;
  })) << output();
  // A unit changes while the scheduler cannot hear about it.
  ASSERT_EQ(sandbox_->exec({"systemctl", "stop", name(0)}).exit_code, 0);
  std::this_thread::sleep_for(1s);
  peer_.setSilent(false);
  // A hello of a later connection shows the change made during the cut.
  const auto hello = peer_.waitForMessage(
      [&](const ReceivedFrame& frame) {
        if (frame.connection < 2 || !isType(frame, "hello")) return false;
        const json::object hello = parse(frame.text);
        for (const auto& unit : hello.at("units").as_array()) {
          if (unit.as_object().at("name").as_string() == name(0)) {
            return unit.as_object().at("active_state").as_string() == "inactive";
          }
        }
        return false;
      },
      30s);
  ASSERT_TRUE(hello) << output();
  EXPECT_EQ(invocations(3).at(name(1)), before.at(name(1)));
  EXPECT_EQ(invocations(3).at(name(2)), before.at(name(2)));
  expectReportEqualsSystemd(names(3));
}

TEST_F(AgentFaultsTest, FullStateFolderKeepsTheStateInMemoryAndRetries) {
  // A small tmpfs over the state folder, inside the sandbox's own mount namespace, filled up.
  ASSERT_EQ(sandbox_->exec({"mkdir", "-p", kStateDir}).exit_code, 0);
  const auto mounted =
      sandbox_->exec({"mount", "-t", "tmpfs", "-o", "size=16k,mode=0700", "tmpfs", kStateDir});
  ASSERT_EQ(mounted.exit_code, 0) << mounted.err;
  const std::string filler = std::string(kStateDir) + "/filler";
  sandbox_->exec({"dd", "if=/dev/zero", "of=" + filler, "bs=4096"});

  peer_.send(launchAll("1", 2));
  const auto answer = result("1");
  ASSERT_TRUE(answer) << output();
  EXPECT_TRUE(answer->at("units").as_array().at(0).as_object().at("ok").as_bool());
  ASSERT_TRUE(waitUntil([&] {
    return output().find("cannot save the desired state") != std::string::npos;
  })) << output();
  EXPECT_THAT(output(), HasSubstr("No space left on device"));
  ASSERT_TRUE(allActive(2)) << output();  // the state in memory is in force

  ASSERT_EQ(sandbox_->exec({"rm", filler}).exit_code, 0);
  ASSERT_TRUE(waitUntil([&] {
    return output().find("the desired state is saved again") != std::string::npos;
  })) << output();
  const auto before = invocations(2);

  killAgent();
  startAgent();
  const auto hello = helloOf(2);
  ASSERT_TRUE(hello) << output();
  ASSERT_EQ(hello->at("units").as_array().size(), 2u);
  EXPECT_EQ(hello->at("units").as_array().at(0).as_object().at("desired").as_string(), "launched");
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(invocations(2), before);
  expectStartedOnce(2);
  sandbox_->exec({"umount", kStateDir});
}

TEST_F(AgentFaultsTest, CorruptStateFileIsSetAsideAndTheSchedulerAskedAgain) {
  const auto before = launched(2);
  stopAgent();
  const std::string file = std::string(kStateDir) + "/desired.json";
  ASSERT_EQ(
      sandbox_->exec({"sh", "-c", "printf '{\"version\":1,\"units\":[{\"na' > " + file}).exit_code,
      0);
  startAgent();
  const auto hello = helloOf(2);
  ASSERT_TRUE(hello) << output();
  ASSERT_EQ(hello->at("lost_state").as_array().size(), 1u);
  EXPECT_EQ(hello->at("lost_state").as_array().at(0).as_string(), "desired");
  EXPECT_THAT(output(), HasSubstr("the saved desired state is unusable"));
  EXPECT_THAT(output(), HasSubstr("desired.json.corrupt-"));
  const auto listing = sandbox_->exec({"ls", kStateDir}).out;
  EXPECT_THAT(listing, HasSubstr("desired.json.corrupt-"));

  // Nothing stopped; the scheduler sends the desired state again and nothing restarts.
  EXPECT_EQ(invocations(2), before);
  peer_.send(launchAll("again", 2));
  ASSERT_TRUE(result("again"));
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(invocations(2), before);
  expectStartedOnce(2);

  // The next hello no longer asks.
  peer_.stop();
  peer_.start();
  const auto next = helloOf(3);
  ASSERT_TRUE(next) << output();
  EXPECT_TRUE(next->at("lost_state").as_array().empty());
}

// The sandbox has a network of its own, linked to the host, where the test scheduler listens, by a
// veth pair: setting the sandbox's end down is a pulled cable on the node.
class AgentNetworkCutTest : public AgentFaultsTest {
 protected:
  static constexpr auto kLivenessTimeout = 3s;  // 3 heartbeats of 1 s (startAgent)

  SandboxOptions sandboxOptions() const override {
    return {.hostname = "e2e-node", .private_network = true};
  }

  void beforeAgentStarts() override {
    link_.emplace();
    link_->plugInto(*sandbox_);
    peer_.moveTo(link_->hostAddress());
    // The shipped policy lets busctl inside read the agent's ConnectionState.
    const char* source_root = std::getenv("SOURCE_ROOT");
    std::filesystem::copy_file(std::string(source_root != nullptr ? source_root : ".") +
                                   "/packaging/org.deckhand.Agent1.conf",
                               sandbox_->root() / "run/dbus/system.d/org.deckhand.Agent1.conf");
    sandbox_->exec({"busctl", "call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                    "org.freedesktop.DBus", "ReloadConfig"});
  }

  void TearDown() override {
    AgentFaultsTest::TearDown();  // the sandbox, and its namespace with the link's end
    link_.reset();                // the pair, if the kernel had not removed it yet
  }

  std::string connectionState() const {
    const auto answer =
        sandbox_->exec({"busctl", "--json=short", "get-property", "org.deckhand.Agent1",
                        "/org/deckhand/Agent1", "org.deckhand.Agent1", "ConnectionState"});
    if (answer.exit_code != 0) return "(busctl failed: " + answer.err + ")";
    return std::string(json::parse(answer.out).at("data").as_string());
  }

  std::optional<VethLink> link_;
};

TEST_F(AgentNetworkCutTest, LinkDownPastTheLivenessTimeoutThenUpLosesNothing) {
  const auto before = launched(3);
  ASSERT_TRUE(waitUntil([&] { return connectionState() == "connected"; })) << connectionState();

  const auto cut_at = std::chrono::steady_clock::now();
  link_->setSandboxEndUp(false);
  // No error reaches the agent's socket: only its liveness timeout can tell.
  ASSERT_TRUE(waitUntil([&] { return connectionState() != "connected"; })) << output();
  const auto noticed_after = std::chrono::steady_clock::now() - cut_at;
  std::cout << "cut noticed after " << noticed_after / 1ms << " ms (liveness timeout "
            << kLivenessTimeout / 1ms << " ms)\n";
  EXPECT_LE(noticed_after, kLivenessTimeout + 2s);  // slack for a busy machine and the polling
  EXPECT_THAT(output(), HasSubstr("heard nothing from the scheduler"));

  // Something changes on the node while it is cut off: the next hello has to tell.
  const auto set =
      sandbox_->exec({"busctl", "call", "org.deckhand.Agent1", "/org/deckhand/Agent1",
                      "org.deckhand.Agent1", "SetMetadata", "a{ss}", "1", "cut", "during"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  // Down for twice the liveness timeout, and nothing got through meanwhile.
  std::this_thread::sleep_until(cut_at + 2 * kLivenessTimeout);
  EXPECT_EQ(peer_.connections(), 1);
  link_->setSandboxEndUp(true);

  // Back: a new connection and a full snapshot, every unit as it was.
  const auto hello = helloOf(2, 60s);
  ASSERT_TRUE(hello) << output();
  const auto& metadata = hello->at("machine").at("metadata").as_object();
  EXPECT_TRUE(metadata.contains("cut") && metadata.at("cut") == "during")
      << json::serialize(metadata);
  ASSERT_EQ(hello->at("units").as_array().size(), 3u);
  for (const auto& value : hello->at("units").as_array()) {
    const auto& unit = value.as_object();
    const std::string unit_name(unit.at("name").as_string());
    EXPECT_EQ(unit.at("desired").as_string(), "launched") << unit_name;
    EXPECT_EQ(unit.at("active_state").as_string(), "active") << unit_name;
    EXPECT_EQ(unit.at("invocation_id").as_string(), before.at(unit_name)) << unit_name;
  }
  EXPECT_TRUE(waitUntil([&] { return connectionState() == "connected"; })) << connectionState();
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(invocations(3), before);
  expectStartedOnce(3);
  expectReportEqualsSystemd(names(3));
}

}  // namespace
}  // namespace deckhand::test
