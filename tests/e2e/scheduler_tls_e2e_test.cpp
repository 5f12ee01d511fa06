// The scheduler's agent listener with TLS and a bearer token: a real agent in a sandboxed systemd
// connects over wss:// with the CA and the token and gets its unit; one with a wrong token is
// refused and never counted as a machine.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
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
  BackgroundProcess scheduler({binary("SCHEDULER_BINARY", "deckhand-scheduler"), "--listen-agents",
                               "127.0.0.1:0", "--listen-api", "127.0.0.1:0", "--state-file",
                               (folder / "state.json").string(), "--cert-file",
                               tls.serverCert().string(), "--key-file", tls.serverKey().string(),
                               "--token-file", (folder / "token").string()});
  ASSERT_TRUE(scheduler.waitForOutput("API on http://", 10s)) << scheduler.output();
  const auto ports = schedulerPorts(scheduler.output());
  ASSERT_TRUE(ports) << scheduler.output();
  EXPECT_THAT(scheduler.output(), HasSubstr("agents on wss://"));
  const auto api = [&](const std::string& method, const std::string& path,
                       const std::string& body = "") {
    std::vector<std::string> argv = {"curl", "-sS", "-X", method,
                                     "http://127.0.0.1:" + std::to_string(ports->second) + path};
    if (!body.empty()) argv.insert(argv.end(), {"--data-binary", body});
    return json::parse(run(argv).out).as_object();
  };

  SystemdSandbox sandbox(SandboxOptions{.hostname = "tls-node"});
  const auto agent_path = sandbox.installFile(binary("AGENT_BINARY", "deckhand"));
  const auto ca = sandbox.installFile(tls.ca());
  const auto token = sandbox.installFile(folder / "token");
  const auto wrong = sandbox.installFile(folder / "wrong-token");
  const auto agent = [&](const std::string& token_file, const std::string& state) {
    return sandbox.execArgv({agent_path, "--config", "/dev/null", "--scheduler-url",
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
}

}  // namespace
}  // namespace deckhand::test
