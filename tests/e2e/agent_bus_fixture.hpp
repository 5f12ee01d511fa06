// The agent binary inside a sandboxed systemd with the shipped D-Bus policy installed, connected
// to a test scheduler: the fixture for the tests of its D-Bus API and of deckhandctl.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "systemd/unit_file.hpp"
#include "tests/harness/process.hpp"
#include "tests/harness/scheduler_peer.hpp"
#include "tests/harness/systemd_sandbox.hpp"

namespace deckhand::test {

using namespace std::chrono_literals;

inline constexpr const char* kWeb =
    "[Service]\nExecStart=/bin/sh -c 'echo hello from web; exec sleep 300'\n";
inline const std::vector<std::string> kAgentObject{"org.deckhand.Agent1", "/org/deckhand/Agent1",
                                                   "org.deckhand.Agent1"};

inline std::string env(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

class AgentBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DECKHAND_REQUIRE_ROOT();
    sandbox_.emplace();
    std::filesystem::copy_file(
        env("SOURCE_ROOT", ".") + std::string("/packaging/org.deckhand.Agent1.conf"),
        sandbox_->root() / "run/dbus/system.d/org.deckhand.Agent1.conf");
    // dbus-daemon notices new policy files by itself; this makes sure it has before the agent asks.
    sandbox_->exec({"busctl", "call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                    "org.freedesktop.DBus", "ReloadConfig"});
    const auto agent = sandbox_->installFile(env("AGENT_BINARY", "deckhand"));
    std::vector<std::string> argv{
        agent,        "--config",    "/dev/null",         "--scheduler-url",    peer_.url(),
        "--metadata", "region=test", "--state-directory", "/run/deckhand/state"};
    argv.insert(argv.end(), extra_agent_args_.begin(), extra_agent_args_.end());
    agent_.emplace(sandbox_->execArgv(argv));
    ASSERT_TRUE(agent_->waitForOutput("serving org.deckhand.Agent1", 20s)) << agent_->output();
    ASSERT_TRUE(peer_.waitForConnections(1, 20s)) << agent_->output();
    ctl_path_ = sandbox_->installFile(env("CTL_BINARY", "deckhandctl"));
  }

  // deckhandctl inside the sandbox, as root (or as nobody).
  ProcessResult ctl(const std::vector<std::string>& args, bool as_nobody = false) const {
    std::vector<std::string> argv;
    if (as_nobody) argv = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    argv.push_back(ctl_path_);
    argv.insert(argv.end(), args.begin(), args.end());
    return sandbox_->exec(argv);
  }

  // busctl ... --json=short, as root (or as nobody), inside the sandbox.
  ProcessResult busctl(const std::vector<std::string>& args, bool as_nobody = false) const {
    std::vector<std::string> argv;
    if (as_nobody) argv = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    argv.insert(argv.end(), {"busctl", "--json=short"});
    argv.insert(argv.end(), args.begin(), args.end());
    return sandbox_->exec(argv);
  }

  ProcessResult call(const std::string& method, const std::vector<std::string>& args = {},
                     bool as_nobody = false) const {
    std::vector<std::string> argv{"call"};
    argv.insert(argv.end(), kAgentObject.begin(), kAgentObject.end());
    argv.push_back(method);
    argv.insert(argv.end(), args.begin(), args.end());
    return busctl(argv, as_nobody);
  }

  boost::json::value property(const std::string& name, bool as_nobody = false) const {
    std::vector<std::string> argv{"get-property"};
    argv.insert(argv.end(), kAgentObject.begin(), kAgentObject.end());
    argv.push_back(name);
    const auto result = busctl(argv, as_nobody);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return boost::json::parse(result.out).at("data");
  }

  bool waitForProperty(const std::string& name, const boost::json::value& value) const {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (property(name) != value) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(50ms);
    }
    return true;
  }

  void launchWeb() {
    const boost::json::object unit{
        {"name", "web.service"},
        {"state", "launched"},
        {"text", kWeb},
        {"hash", systemd::unitHash(systemd::parseUnitFile(kWeb, "test"))}};
    ASSERT_TRUE(peer_.send(boost::json::serialize(boost::json::object{
        {"type", "desired"}, {"id", "1"}, {"units", boost::json::array{unit}}})));
  }

  SchedulerPeer peer_;
  std::optional<SystemdSandbox> sandbox_;
  std::optional<BackgroundProcess> agent_;
  std::string ctl_path_;
  std::vector<std::string> extra_agent_args_;  // set by a derived fixture's constructor
};

}  // namespace deckhand::test
