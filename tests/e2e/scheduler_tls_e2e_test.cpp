// The scheduler's agent listener with TLS and a bearer token: a real agent in a sandboxed systemd
// connects over wss:// with the CA and the token and gets its unit; one with a wrong token is
// refused and never counted as a machine. The operators' API is on https with a token as well,
// and a followed journal streams through it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "tests/e2e/scheduler_e2e_support.hpp"
#include "tests/harness/process.hpp"
#include "tests/harness/systemd_sandbox.hpp"
#include "tests/harness/tls_files.hpp"

namespace deckhand::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
namespace json = boost::json;
namespace fs = std::filesystem;

TEST(SchedulerTlsE2eTest, AgentWithTheCaAndTokenIsServedOneWithAWrongTokenIsRefused) {
  DECKHAND_REQUIRE_ROOT();
  TlsFiles tls;
  const auto folder = fs::path("/var/tmp") / ("deckhand-sched-tls-" + std::to_string(::getpid()));
  fs::create_directories(folder);
  struct RemoveFolder {
    fs::path path;
    ~RemoveFolder() { fs::remove_all(path); }
  } remove_folder{folder};
  std::ofstream(folder / "token") << "s3cret\n";
  std::ofstream(folder / "wrong-token") << "guess\n";
  // The agent refuses a token file every user may read.
  for (const auto* name : {"token", "wrong-token"})
    fs::permissions(folder / name, fs::perms::owner_read | fs::perms::owner_write);
  // The operators' API is on TLS with a token too (the same token file, for brevity).
  BackgroundProcess scheduler(
      {binary("SCHEDULER_BINARY", "deckhand-scheduler"), "--listen-agents", "127.0.0.1:0",
       "--listen-api", "127.0.0.1:0", "--state-file", (folder / "state.json").string(),
       "--cert-file", tls.serverCert().string(), "--key-file", tls.serverKey().string(),
       "--token-file", (folder / "token").string(), "--api-cert-file", tls.serverCert().string(),
       "--api-key-file", tls.serverKey().string(), "--api-token-file",
       (folder / "token").string()});
  ASSERT_TRUE(scheduler.waitForOutput("API on https://", 10s)) << scheduler.output();
  const auto ports = schedulerPorts(scheduler.output());
  ASSERT_TRUE(ports) << scheduler.output();
  EXPECT_THAT(scheduler.output(), HasSubstr("agents on wss://"));
  const std::string endpoint = "https://127.0.0.1:" + std::to_string(ports->second);
  const auto api = [&](const std::string& method, const std::string& path,
                       const std::string& body = "") {
    std::vector<std::string> argv = {
        "curl", "-sS",  "--cacert",     tls.ca().string(), "-H", "Authorization: Bearer s3cret",
        "-X",   method, endpoint + path};
    if (!body.empty()) argv.insert(argv.end(), {"--data-binary", body});
    return json::parse(run(argv).out).as_object();
  };

  SystemdSandbox sandbox(SandboxOptions{.hostname = "tls-node"});
  const auto agent_path = sandbox.installFile(binary("AGENT_BINARY", "deckhand"));
  // Beside the agent inside the sandbox: the build folder may be under /tmp or /var/tmp, which the
  // sandbox has its own of.
  const auto module = sandbox.installFile(binary("AGENT_TLS_MODULE", "deckhand-tls.so"),
                                          std::filesystem::path(agent_path).parent_path().string());
  const auto ca = sandbox.installFile(tls.ca());
  const auto token = sandbox.installFile(folder / "token");
  const auto wrong = sandbox.installFile(folder / "wrong-token");
  const auto agent = [&](const std::string& token_file, const std::string& state) {
    return sandbox.execArgv({"env", "AGENT_TLS_MODULE=" + module, agent_path, "--config",
                             "/dev/null", "--scheduler-url",
                             "wss://127.0.0.1:" + std::to_string(ports->first) + "/v1/agent",
                             "--ca-file", ca, "--token-file", token_file, "--heartbeat-interval",
                             "1s", "--state-directory", state});
  };
  BackgroundProcess refused(agent(wrong, "/run/deckhand/refused"));
  ASSERT_TRUE(eventually([&] {
    return scheduler.output().find("missing or wrong bearer token") != std::string::npos;
  })) << scheduler.output()
      << refused.output();
  EXPECT_TRUE(api("GET", "/v1/machines").at("machines").as_array().empty());

  BackgroundProcess served(agent(token, "/run/deckhand/state"));
  ASSERT_TRUE(eventually([&] {
    const auto machines = api("GET", "/v1/machines");
    return machines.at("machines").as_array().size() == 1;
  })) << scheduler.output()
      << served.output();
  api("PUT", "/v1/units/secure.service",
      R"({"text":"[Service]\nExecStart=/bin/sleep 600\n","target":"launched"})");
  EXPECT_TRUE(eventually([&] {
    return sandbox.systemctl({"is-active", "secure.service"}) == "active";
  })) << scheduler.output();

  // A followed journal streams over TLS as well: systemd's own line about the unit comes through,
  // and one written after the follow began.
  BackgroundProcess follow({binary("CTL_BINARY", "deckhandctl"), "cluster", "journal",
                            "secure.service", "-f", "--endpoint", endpoint, "--ca-file",
                            tls.ca().string(), "--token-file", (folder / "token").string()});
  ASSERT_TRUE(follow.waitForOutput("secure.service", 20s)) << follow.output();
  const auto logged = run(
      sandbox.execArgv({"systemd-cat", "--identifier=probe", "sh", "-c", "echo unrelated-line"}));
  EXPECT_EQ(sandbox.systemctl({"restart", "secure.service"}), "");
  EXPECT_TRUE(follow.waitForOutput("Stopping secure.service", 20s)) << follow.output();
  follow.signal(SIGINT);
  EXPECT_EQ(follow.wait(10s), 128 + SIGINT);
  EXPECT_THAT(follow.output(), Not(HasSubstr("unrelated-line"))) << logged.err;
}

}  // namespace
}  // namespace deckhand::test
