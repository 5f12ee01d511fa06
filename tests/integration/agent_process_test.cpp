// The deckhand binary as an operator meets it: its command line, its configuration errors, and a
// run against a real systemd in a sandbox.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "tests/harness/process.hpp"
#include "tests/harness/systemd_sandbox.hpp"

namespace deckhand::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

std::string agentBinary() {
  const char* path = std::getenv("AGENT_BINARY");
  return path != nullptr ? path : "deckhand";
}

std::string tlsModule() {
  const char* path = std::getenv("AGENT_TLS_MODULE");
  return path != nullptr ? path : "deckhand-tls.so";
}

// A private folder of config files, removed afterwards. Under /var/tmp, not /tmp, so a sandbox
// booted by the same test could see it too.
class ConfigFolder {
 public:
  ConfigFolder() {
    std::string pattern = "/var/tmp/deckhand-agent-test-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~ConfigFolder() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::string& text) const {
    const auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

TEST(AgentCommandLine, VersionAndHelp) {
  const auto version = run({agentBinary(), "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out, "deckhand 0.1.0\n");

  const auto help = run({agentBinary(), "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--check-config"));
  EXPECT_THAT(help.out, HasSubstr("$DECKHAND_METADATA"));
}

TEST(AgentCommandLine, CheckConfigPrintsTheMergedConfiguration) {
  ConfigFolder folder;
  const auto file =
      folder.write("agent.conf", "[Scheduler]\nURL=ws://file:1/\n[Agent]\nLogLevel=debug\n");
  folder.write("agent.conf.d/50-site.conf", "[Machine]\nMetadata=region=eu\n");
  const auto result =
      run({agentBinary(), "--config", file, "--check-config", "--log-level", "error"},
          {{"DECKHAND_SCHEDULER_URL", "wss://env:2/agent"}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("# from environment DECKHAND_SCHEDULER_URL\n"
                                    "URL=wss://env:2/agent\n"));
  EXPECT_THAT(result.out, HasSubstr("agent.conf.d/50-site.conf:2\nMetadata=region=eu\n"));
  EXPECT_THAT(result.out, HasSubstr("# from flag --log-level\nLogLevel=error\n"));
  EXPECT_EQ(result.err, "");
}

TEST(AgentCommandLine, EachBadConfigurationIsOneLineAndExitCodeTwo) {
  ConfigFolder folder;
  const auto unknown_key = folder.write("unknown.conf", "[Agent]\nLogLevel=info\nColour=blue\n");
  const auto bad_url = folder.write("url.conf", "[Scheduler]\nURL=http://sched/\n");
  const auto unreadable = folder.write("token.conf", "[Scheduler]\nTokenFile=/nonexistent/t\n");
  const auto duplicate = folder.write("dup.conf", "[Machine]\nMetadata=disk=ssd,disk=hdd\n");
  const struct {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string expected;
  } cases[] = {
      {{"--config", unknown_key}, {}, unknown_key + ":3: unknown setting Colour= in [Agent]"},
      {{"--config", bad_url}, {}, bad_url + ":2: [Scheduler] URL: \"http://sched/\""},
      {{"--config", unreadable},
       {},
       unreadable + ":2: [Scheduler] TokenFile: cannot read a token from /nonexistent/t"},
      {{"--config", duplicate}, {}, duplicate + ":2: [Machine] Metadata"},
      {{"--config", folder.write("ok.conf", "")},
       {{"DECKHAND_METADATA", "a=1 b=2"}},
       "environment DECKHAND_METADATA: \"a=1 b=2\""},
      {{"--config", "/nonexistent/agent.conf"}, {}, "/nonexistent/agent.conf: config file does"},
      {{"--heartbeat-interval", "soon"}, {}, "flag --heartbeat-interval: \"soon\""},
      {{"--no-such-flag"}, {}, "command line: unrecognised option '--no-such-flag'"},
  };
  for (const auto& bad : cases) {
    std::vector<std::string> argv{agentBinary(), "--check-config"};
    argv.insert(argv.end(), bad.args.begin(), bad.args.end());
    const auto result = run(argv, bad.env);
    EXPECT_EQ(result.exit_code, 2) << bad.expected;
    EXPECT_THAT(result.err, HasSubstr("deckhand: " + bad.expected));
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_EQ(result.out, "");
  }
}

TEST(AgentCommandLine, CheckConfigLoadsTheTlsModuleForWss) {
  const std::vector<std::string> argv = {agentBinary(),     "--config",
                                         "/dev/null",       "--check-config",
                                         "--scheduler-url", "wss://scheduler.example/agent"};
  const auto found = run(argv);
  ASSERT_EQ(found.exit_code, 0) << found.err;
  EXPECT_THAT(found.out, HasSubstr("# TLS module for wss://: " + tlsModule() + "\n"));

  const auto missing = run(argv, {{"AGENT_TLS_MODULE", "/nonexistent/deckhand-tls.so"}});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err,
              HasSubstr("deckhand: cannot load the TLS module /nonexistent/deckhand-tls.so"));

  // ws:// needs no module: none is looked for.
  const auto plain = run({agentBinary(), "--config", "/dev/null", "--check-config",
                          "--scheduler-url", "ws://scheduler.example/agent"},
                         {{"AGENT_TLS_MODULE", "/nonexistent/deckhand-tls.so"}});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.out, Not(HasSubstr("TLS module")));
}

TEST(AgentCommandLine, ShippedExampleConfigIsValid) {
  const char* source_root = std::getenv("SOURCE_ROOT");
  ASSERT_NE(source_root, nullptr) << "run through meson test, which sets SOURCE_ROOT";
  const std::string example = std::string(source_root) + "/packaging/agent.conf.example";
  // The example names a token file that exists only on a configured node.
  const auto result =
      run({agentBinary(), "--check-config", "--config", example, "--token-file", ""});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("URL=wss://scheduler.example.net:7443/v1/agent"));
  EXPECT_THAT(result.out, HasSubstr("Metadata=disk=ssd,region=us-east"));
}

// At boot the bus may come up after the agent: it says what is wrong and keeps trying.
TEST(AgentCommandLine, UnreachableBusIsRetried) {
  BackgroundProcess agent({agentBinary(), "--config", "/dev/null"},
                          {{"DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/bus"}});
  ASSERT_TRUE(agent.waitForOutput("retrying in 200 ms", 10s)) << agent.output();
  EXPECT_THAT(agent.output(),
              HasSubstr("cannot connect to the system bus at unix:path=/nonexistent/bus"));
  agent.signal(SIGTERM);
  EXPECT_EQ(agent.wait(10s), 0) << agent.output();
}

// The PID, in the host's namespace, of the agent that `sandbox.sh exec` (nsenter) forked inside.
pid_t childOf(pid_t parent) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::ifstream children("/proc/" + std::to_string(parent) + "/task/" + std::to_string(parent) +
                           "/children");
    pid_t child = 0;
    if (children >> child) return child;
    std::this_thread::sleep_for(20ms);
  }
  return -1;
}

TEST(AgentInSandbox, ConnectsToSystemdAndStopsOnSigterm) {
  DECKHAND_REQUIRE_ROOT();
  SandboxOptions options;
  options.hostname = "agent-test";
  SystemdSandbox sandbox(options);
  const std::string agent = sandbox.installFile(agentBinary());
  // The sandbox shares the host's /var/lib: the agent keeps its state in the private /run.
  BackgroundProcess process(sandbox.execArgv(
      {agent, "--config", "/dev/null", "--state-directory", "/run/deckhand/state"}));
  ASSERT_TRUE(process.waitForOutput("connected to systemd 252", 10s)) << process.output();
  EXPECT_THAT(process.output(), HasSubstr("deckhand 0.1.0 starting"));

  const pid_t agent_pid = childOf(process.pid());
  ASSERT_GT(agent_pid, 0);
  ASSERT_EQ(kill(agent_pid, SIGTERM), 0);
  EXPECT_EQ(process.wait(10s), 0) << process.output();
  EXPECT_THAT(process.output(), HasSubstr("received SIGTERM, stopping"));
  EXPECT_THAT(process.output(), Not(HasSubstr("error")));
}

// Libraries and modules mapped into the agent, from /proc/PID/maps.
std::string mappedFiles(pid_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  return std::string(std::istreambuf_iterator<char>(maps), {});
}

// ws:// runs without OpenSSL: the TLS module, libssl and libcrypto stay out of the process.
TEST(AgentInSandbox, PlainLinkLoadsNoTls) {
  DECKHAND_REQUIRE_ROOT();
  SystemdSandbox sandbox;
  const std::string agent = sandbox.installFile(agentBinary());
  sandbox.installFile(tlsModule(), std::filesystem::path(agent).parent_path().string());
  // Port 9 (discard) refuses: the attempt runs the whole plain path up to the connect.
  BackgroundProcess process(
      sandbox.execArgv({agent, "--config", "/dev/null", "--state-directory", "/run/deckhand/state",
                        "--scheduler-url", "ws://127.0.0.1:9/agent"}));
  ASSERT_TRUE(process.waitForOutput("retrying in", 10s)) << process.output();
  const pid_t agent_pid = childOf(process.pid());
  ASSERT_GT(agent_pid, 0);
  const std::string maps = mappedFiles(agent_pid);
  EXPECT_THAT(maps, Not(HasSubstr("deckhand-tls.so")));
  EXPECT_THAT(maps, Not(HasSubstr("libssl")));
  EXPECT_THAT(maps, Not(HasSubstr("libcrypto")));
  EXPECT_THAT(maps, HasSubstr("libsystemd"));  // the maps are the agent's
}

// wss:// loads the module found beside the binary, and with it OpenSSL.
TEST(AgentInSandbox, SecureLinkLoadsTheTlsModuleBesideTheBinary) {
  DECKHAND_REQUIRE_ROOT();
  SystemdSandbox sandbox;
  const std::string agent = sandbox.installFile(agentBinary());
  const std::string module =
      sandbox.installFile(tlsModule(), std::filesystem::path(agent).parent_path().string());
  // Without the test's AGENT_TLS_MODULE, which `sandbox exec` would pass on.
  BackgroundProcess process(sandbox.execArgv(
      {"env", "-u", "AGENT_TLS_MODULE", agent, "--config", "/dev/null", "--state-directory",
       "/run/deckhand/state", "--scheduler-url", "wss://127.0.0.1:9/agent"}));
  ASSERT_TRUE(process.waitForOutput("retrying in", 10s)) << process.output();
  EXPECT_THAT(process.output(), HasSubstr("cannot connect to 127.0.0.1 port 9"));
  const pid_t agent_pid = childOf(process.pid());
  ASSERT_GT(agent_pid, 0);
  const std::string maps = mappedFiles(agent_pid);
  EXPECT_THAT(maps, HasSubstr(module));
  EXPECT_THAT(maps, HasSubstr("libssl"));
}

// A missing module is a connection failure like any other: named, with what to do, and retried.
TEST(AgentInSandbox, SecureLinkWithoutTheTlsModuleSaysWhatToDoAndRetries) {
  DECKHAND_REQUIRE_ROOT();
  SystemdSandbox sandbox;
  const std::string agent = sandbox.installFile(agentBinary());
  BackgroundProcess process(sandbox.execArgv(
      {"env", "AGENT_TLS_MODULE=/nonexistent/deckhand-tls.so", agent, "--config", "/dev/null",
       "--state-directory", "/run/deckhand/state", "--scheduler-url", "wss://127.0.0.1:9/agent"}));
  const std::string error = "cannot load the TLS module /nonexistent/deckhand-tls.so";
  ASSERT_TRUE(process.waitForOutput(error, 10s)) << process.output();
  EXPECT_THAT(process.output(), HasSubstr("install deckhand's TLS module there, or set "
                                          "AGENT_TLS_MODULE to where it is"));
  // The second attempt fails the same way: the agent kept running and tried again.
  const auto failedTwice = [&] {
    const std::string output = process.output();
    return output.find(error, output.find(error) + error.size()) != std::string::npos;
  };
  for (int attempt = 0; attempt < 100 && !failedTwice(); ++attempt)
    std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(failedTwice()) << process.output();
  const pid_t agent_pid = childOf(process.pid());
  ASSERT_GT(agent_pid, 0);
  ASSERT_EQ(kill(agent_pid, SIGTERM), 0);
  EXPECT_EQ(process.wait(10s), 0) << process.output();
}

TEST(AgentInSandbox, LogsToTheJournalWhenRunAsAService) {
  DECKHAND_REQUIRE_ROOT();
  SystemdSandbox sandbox;
  const std::string agent = sandbox.installFile(agentBinary());
  const auto started =
      sandbox.exec({"systemd-run", "--unit=deckhand-under-test", "--quiet", agent, "--config",
                    "/dev/null", "--state-directory", "/run/deckhand/state"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  std::string journal;
  for (int attempt = 0; attempt < 100; ++attempt) {
    journal =
        sandbox.exec({"journalctl", "--no-pager", "-o", "cat", "-u", "deckhand-under-test.service"})
            .out;
    if (journal.find("connected to systemd") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_THAT(journal, HasSubstr("connected to systemd 252"));
  // The journal gets the bare message: no second timestamp and level from the stderr format.
  EXPECT_THAT("\n" + journal, HasSubstr("\ndeckhand 0.1.0 starting\n"));
  EXPECT_THAT(
      sandbox
          .exec({"journalctl", "--no-pager", "-o", "verbose", "-u", "deckhand-under-test.service"})
          .out,
      HasSubstr("SYSLOG_IDENTIFIER=deckhand"));
  sandbox.systemctl({"stop", "deckhand-under-test.service"});
}

}  // namespace
}  // namespace deckhand::test
