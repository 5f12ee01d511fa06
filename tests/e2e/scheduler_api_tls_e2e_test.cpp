// The operators' API with TLS and a bearer token, through deckhandctl cluster: the right CA and
// token get an answer; a wrong CA, a certificate for another address, plain HTTP to TLS and TLS
// to plain HTTP, a missing or wrong token and a token file every user may read each fail with an
// error that says what to do.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "tests/e2e/scheduler_e2e_support.hpp"
#include "tests/harness/process.hpp"
#include "tests/harness/tls_files.hpp"

namespace deckhand::test {
namespace {

using namespace std::chrono_literals;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

class SchedulerApiTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(folder_);
    writeSecret("token", "operator-s3cret\n");
    writeSecret("wrong-token", "guess\n");
  }

  void TearDown() override { fs::remove_all(folder_); }

  void writeSecret(const std::string& name, const std::string& text) {
    std::ofstream(folder_ / name) << text;
    fs::permissions(folder_ / name, fs::perms::owner_read | fs::perms::owner_write);
  }

  // A scheduler whose API serves https on address:0 with the test CA's server certificate.
  std::unique_ptr<BackgroundProcess> startScheduler(const std::string& address,
                                                    const fs::path& api_token) {
    return std::make_unique<BackgroundProcess>(std::vector<std::string>{
        binary("SCHEDULER_BINARY", "deckhand-scheduler"), "--listen-agents", "127.0.0.1:0",
        "--listen-api", address + ":0", "--state-file",
        (folder_ / ("state-" + address + ".json")).string(), "--api-cert-file",
        tls_.serverCert().string(), "--api-key-file", tls_.serverKey().string(), "--api-token-file",
        api_token.string()});
  }

  ProcessResult ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {binary("CTL_BINARY", "deckhandctl"), "cluster"});
    return run(args);
  }

  TlsFiles tls_;
  const fs::path folder_ =
      fs::path("/var/tmp") / ("deckhand-api-tls-" + std::to_string(::getpid()));
};

TEST_F(SchedulerApiTlsTest, DeckhandctlNeedsTheRightCaAndTokenAndSaysWhatIsWrong) {
  auto scheduler = startScheduler("127.0.0.1", folder_ / "token");
  ASSERT_TRUE(scheduler->waitForOutput("API on https://", 10s)) << scheduler->output();
  const auto ports = schedulerPorts(scheduler->output());
  ASSERT_TRUE(ports) << scheduler->output();
  const auto port = std::to_string(ports->second);
  const std::string https = "https://127.0.0.1:" + port;
  const std::string ca = tls_.ca().string();
  const std::string token = (folder_ / "token").string();

  const auto served =
      ctl({"list-machines", "--endpoint", https, "--ca-file", ca, "--token-file", token, "--json"});
  EXPECT_EQ(served.exit_code, 0) << served.err << scheduler->output();
  EXPECT_THAT(served.out, HasSubstr(R"("machines":[])"));
  // The certificate names localhost too; the name is checked, not only the address.
  const auto by_name = ctl({"list-machines", "--endpoint", "https://localhost:" + port, "--ca-file",
                            ca, "--token-file", token});
  EXPECT_EQ(by_name.exit_code, 0) << by_name.err;
  EXPECT_THAT(by_name.out, HasSubstr("MACHINE"));

  const auto wrong_ca = ctl({"list-machines", "--endpoint", https, "--ca-file",
                             tls_.otherCa().string(), "--token-file", token});
  EXPECT_EQ(wrong_ca.exit_code, 1);
  EXPECT_THAT(wrong_ca.err, AllOf(HasSubstr("TLS handshake with the scheduler at " + https),
                                  HasSubstr("certificate verify failed"), HasSubstr("--ca-file")));
  // Without --ca-file the system's trust store is used, which does not know the test CA.
  const auto no_ca = ctl({"list-machines", "--endpoint", https, "--token-file", token});
  EXPECT_EQ(no_ca.exit_code, 1);
  EXPECT_THAT(no_ca.err, HasSubstr("certificate verify failed"));
  EXPECT_THAT(no_ca.out, Not(HasSubstr("MACHINE")));

  const auto plain =
      ctl({"list-machines", "--endpoint", "http://127.0.0.1:" + port, "--token-file", token});
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_THAT(plain.err, HasSubstr("use --endpoint https://127.0.0.1:" + port));

  const auto no_token = ctl({"list-machines", "--endpoint", https, "--ca-file", ca});
  EXPECT_EQ(no_token.exit_code, 1);
  EXPECT_THAT(no_token.err, AllOf(HasSubstr("missing or wrong bearer token"), HasSubstr("401"),
                                  HasSubstr("--token-file")));
  const auto wrong_token = ctl({"list-machines", "--endpoint", https, "--ca-file", ca,
                                "--token-file", (folder_ / "wrong-token").string()});
  EXPECT_EQ(wrong_token.exit_code, 1);
  EXPECT_THAT(wrong_token.err, HasSubstr("missing or wrong bearer token"));
  // A change asked for with a wrong token is not made.
  std::ofstream(folder_ / "web.service") << "[Service]\nExecStart=/bin/sleep 600\n";
  const auto refused_submit =
      ctl({"submit", "--endpoint", https, "--ca-file", ca, "--token-file",
           (folder_ / "wrong-token").string(), (folder_ / "web.service").string()});
  EXPECT_EQ(refused_submit.exit_code, 1);
  const auto files = ctl(
      {"list-unit-files", "--endpoint", https, "--ca-file", ca, "--token-file", token, "--json"});
  EXPECT_EQ(files.exit_code, 0) << files.err;
  EXPECT_THAT(files.out, AllOf(HasSubstr(R"("units":[])"), Not(HasSubstr("web.service"))));

  fs::permissions(folder_ / "wrong-token", fs::perms::others_read, fs::perm_options::add);
  const auto readable = ctl({"list-machines", "--endpoint", https, "--ca-file", ca, "--token-file",
                             (folder_ / "wrong-token").string()});
  EXPECT_EQ(readable.exit_code, 2);
  EXPECT_THAT(readable.err, HasSubstr("readable by every user"));
  const auto ca_for_http =
      ctl({"list-machines", "--endpoint", "http://127.0.0.1:" + port, "--ca-file", ca});
  EXPECT_EQ(ca_for_http.exit_code, 2);
  EXPECT_THAT(ca_for_http.err, HasSubstr("--ca-file is for an https:// --endpoint"));
}

TEST_F(SchedulerApiTlsTest, ACertificateForAnotherAddressIsRefused) {
  // The server certificate names 127.0.0.1 and localhost, not 127.0.0.2.
  auto scheduler = startScheduler("127.0.0.2", folder_ / "token");
  ASSERT_TRUE(scheduler->waitForOutput("API on https://", 10s)) << scheduler->output();
  const auto ports = schedulerPorts(scheduler->output());
  ASSERT_TRUE(ports) << scheduler->output();
  const auto result =
      ctl({"list-machines", "--endpoint", "https://127.0.0.2:" + std::to_string(ports->second),
           "--ca-file", tls_.ca().string(), "--token-file", (folder_ / "token").string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, AllOf(HasSubstr("TLS handshake"), HasSubstr("IP address mismatch")));
}

TEST_F(SchedulerApiTlsTest, BadTlsOrTokenFilesStopTheSchedulerAndHttpsToPlainHttpIsExplained) {
  fs::permissions(folder_ / "wrong-token", fs::perms::others_read, fs::perm_options::add);
  auto readable = startScheduler("127.0.0.1", folder_ / "wrong-token");
  EXPECT_EQ(readable->wait(10s), 1);
  EXPECT_THAT(readable->output(), AllOf(HasSubstr("cannot start"),
                                        HasSubstr("readable by every user"), HasSubstr("chmod")));

  BackgroundProcess wrong_key(
      {binary("SCHEDULER_BINARY", "deckhand-scheduler"), "--listen-agents", "127.0.0.1:0",
       "--listen-api", "127.0.0.1:0", "--state-file", (folder_ / "state.json").string(),
       "--api-cert-file", tls_.serverCert().string(), "--api-key-file", tls_.clientKey().string()});
  EXPECT_EQ(wrong_key.wait(10s), 1);
  EXPECT_THAT(wrong_key.output(), HasSubstr("--api-key-file " + tls_.clientKey().string()));

  // https:// to an API that serves plain HTTP.
  BackgroundProcess plain({binary("SCHEDULER_BINARY", "deckhand-scheduler"), "--listen-agents",
                           "127.0.0.1:0", "--listen-api", "127.0.0.1:0", "--state-file",
                           (folder_ / "plain.json").string()});
  ASSERT_TRUE(plain.waitForOutput("API on http://", 10s)) << plain.output();
  const auto port = std::to_string(schedulerPorts(plain.output()).value().second);
  const auto tls_to_plain = ctl({"list-machines", "--endpoint", "https://127.0.0.1:" + port,
                                 "--ca-file", tls_.ca().string()});
  EXPECT_EQ(tls_to_plain.exit_code, 1);
  EXPECT_THAT(tls_to_plain.err, AllOf(HasSubstr("TLS handshake"),
                                      HasSubstr("use --endpoint http://127.0.0.1:" + port)));

  BackgroundProcess half({binary("SCHEDULER_BINARY", "deckhand-scheduler"), "--api-cert-file",
                          tls_.serverCert().string()});
  EXPECT_EQ(half.wait(10s), 2);
  EXPECT_THAT(half.output(), HasSubstr("--api-cert-file and --api-key-file go together"));
}

}  // namespace
}  // namespace deckhand::test
