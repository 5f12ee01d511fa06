// packaging/deckhand.service.in as systemd runs it: the shipped unit file, installed in a sandboxed
// systemd with a drop-in that only points it at the test's binary, config and bus (and, under
// tools/sanitize, passes the sanitizers' options on).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
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
using ::testing::Not;
using ::testing::StartsWith;
namespace json = boost::json;
namespace fs = std::filesystem;

constexpr const char* kWeb = "[Service]\nExecStart=/bin/sleep 300\n";

std::string env(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

// systemd starts the agent with its own environment: a sanitized agent gets the test's sanitizer
// options through the unit, so a report ends it and fails the test. Leaks are not looked for:
// LeakSanitizer needs ptrace, which the unit's SystemCallFilter forbids; the other tests, which run
// the same code outside the unit, look for them.
std::string sanitizerEnvironment() {
  std::string lines;
  if (const char* asan = std::getenv("ASAN_OPTIONS")) {
    lines += "Environment=\"ASAN_OPTIONS=" + std::string(asan) + ":detect_leaks=0\"\n";
  }
  if (const char* ubsan = std::getenv("UBSAN_OPTIONS")) {
    lines += "Environment=\"UBSAN_OPTIONS=" + std::string(ubsan) + "\"\n";
  }
  return lines;
}

void writeFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

class ServiceUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DECKHAND_REQUIRE_ROOT();
    sandbox_.emplace();
    const auto agent = sandbox_->installFile(env("AGENT_BINARY", "deckhand"));
    // The unit as meson install writes it (packaging/deckhand.service.in, configured).
    fs::copy_file(env("SERVICE_UNIT", "build/packaging/deckhand.service"),
                  sandbox_->unitDir() / "deckhand.service");
    writeFile(sandbox_->root() / "run/deckhand-test/agent.conf",
              "[Scheduler]\nURL=" + peer_.url() +
                  "\nHeartbeatInterval=1s\n[Agent]\nStateDirectory=/run/deckhand/state\n");
    // StateDirectory= is reset because the sandbox shares the host's /var/lib. The bus address
    // goes through a link the test creates when it wants the agent to find the bus.
    dropIn("10-test.conf",
           "[Service]\nExecStart=\nExecStart=" + agent +
               " --config /run/deckhand-test/agent.conf --log-level debug\n"
               "StateDirectory=\n"
               "Environment=DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/deckhand-test/bus\n" +
               sanitizerEnvironment());
  }

  // A sanitized agent's report goes to the journal, and Restart=always would hide the crash.
  void TearDown() override {
    if (!sandbox_ || sanitizerEnvironment().empty()) return;
    const std::string log = journal();
    EXPECT_THAT(log, Not(HasSubstr("Sanitizer"))) << log;
    EXPECT_THAT(log, Not(HasSubstr("runtime error:"))) << log;
  }

  void dropIn(const std::string& name, const std::string& text) {
    writeFile(sandbox_->unitDir() / "deckhand.service.d" / name, text);
    sandbox_->systemctl({"daemon-reload"});
  }

  void connectBus() {
    fs::create_symlink("/run/dbus/system_bus_socket", sandbox_->root() / "run/deckhand-test/bus");
  }

  std::string property(const std::string& name, const std::string& unit = "deckhand.service") {
    return sandbox_->systemctl({"show", "-P", name, unit});
  }

  // Polls systemd until property reads value (or starts with it); false after the timeout.
  bool waitForProperty(const std::string& name, const std::string& prefix,
                       std::chrono::milliseconds timeout = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (property(name).rfind(prefix, 0) != 0) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(50ms);
    }
    return true;
  }

  std::string journal() const {
    return sandbox_->exec({"journalctl", "--no-pager", "-o", "cat", "-u", "deckhand.service"}).out;
  }

  SchedulerPeer peer_;
  std::optional<SystemdSandbox> sandbox_;
};

TEST_F(ServiceUnitTest, ActiveOnlyOnceSynchronisedWithSystemd) {
  sandbox_->systemctl({"start", "--no-block", "deckhand.service"});
  ASSERT_TRUE(waitForProperty("StatusText", "waiting for systemd")) << journal();
  // Running (it sent a status), but without the bus it has not read its units: systemd must not
  // call it started.
  EXPECT_EQ(property("ActiveState"), "activating") << journal();
  EXPECT_EQ(property("SubState"), "start");

  connectBus();
  ASSERT_TRUE(waitForProperty("ActiveState", "active")) << journal();
  EXPECT_THAT(journal(), HasSubstr("connected to systemd 252"));
  ASSERT_TRUE(waitForProperty("StatusText", "connected to " + peer_.url() + ", 0 units"))
      << property("StatusText");
  EXPECT_EQ(property("Type"), "notify");
  EXPECT_EQ(property("WatchdogUSec"), "30s");
  EXPECT_EQ(property("Restart"), "always");
}

TEST_F(ServiceUnitTest, StatusSaysWhenTheSchedulerIsUnreachable) {
  connectBus();
  peer_.stop();
  sandbox_->systemctl({"start", "deckhand.service"});
  ASSERT_TRUE(waitForProperty("StatusText", "scheduler unreachable (")) << journal();
  EXPECT_THAT(property("StatusText"), ::testing::MatchesRegex(".*retrying in [0-9]+ s, 0 units"));
  peer_.start();
  EXPECT_TRUE(waitForProperty("StatusText", "connected to " + peer_.url(), 60s)) << journal();
}

// A loop that stops pinging is killed by the watchdog and restarted.
TEST_F(ServiceUnitTest, HungAgentIsRestartedByTheWatchdog) {
  connectBus();
  dropIn("20-watchdog.conf", "[Service]\nWatchdogSec=1s\nTimeoutAbortSec=1s\n");
  sandbox_->systemctl({"start", "deckhand.service"});
  ASSERT_EQ(property("ActiveState"), "active") << journal();
  // Pings keep a healthy agent alive well past the interval.
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(property("NRestarts"), "0") << journal();
  const auto pid = property("MainPID");

  // SIGSTOP: the process lives but its loop is hung.
  const auto hung = sandbox_->exec({"kill", "-STOP", pid});
  ASSERT_EQ(hung.exit_code, 0) << hung.err;
  ASSERT_TRUE(waitForProperty("NRestarts", "1")) << journal();
  ASSERT_TRUE(waitForProperty("ActiveState", "active")) << journal();
  EXPECT_NE(property("MainPID"), pid);
  EXPECT_THAT(journal(), HasSubstr("Watchdog timeout"));
}

TEST_F(ServiceUnitTest, StoppingTheAgentLeavesItsUnitsRunning) {
  connectBus();
  sandbox_->systemctl({"start", "deckhand.service"});
  ASSERT_TRUE(peer_.waitForConnections(1, 20s)) << journal();
  ASSERT_TRUE(peer_.waitForMessage([](const ReceivedFrame& f) { return !f.text.empty(); }, 20s));
  const json::object unit{{"name", "web.service"},
                          {"state", "launched"},
                          {"text", kWeb},
                          {"hash", systemd::unitHash(systemd::parseUnitFile(kWeb, "test"))}};
  peer_.send(json::serialize(
      json::object{{"type", "desired"}, {"id", "1"}, {"units", json::array{unit}}}));
  ASSERT_TRUE(waitForProperty("StatusText", "connected to " + peer_.url() + ", 1 unit"))
      << journal();
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (property("ActiveState", "web.service") != "active" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(property("ActiveState", "web.service"), "active") << journal();
  const auto web_pid = property("MainPID", "web.service");

  sandbox_->systemctl({"stop", "deckhand.service"});
  EXPECT_EQ(property("ActiveState"), "inactive") << journal();
  EXPECT_EQ(property("ActiveState", "web.service"), "active");
  EXPECT_EQ(property("MainPID", "web.service"), web_pid);
  EXPECT_THAT(journal(), HasSubstr("the units deckhand manages keep running"));
  // Its unit files outlive the agent's stop (RuntimeDirectoryPreserve=yes).
  EXPECT_TRUE(fs::exists(sandbox_->root() / "run/deckhand/units/web.service"));
}

}  // namespace
}  // namespace deckhand::test
