// Machine facts against a real systemd: the host name comes from hostname1 when systemd-hostnamed
// answers (D-Bus activation in the sandbox), else from the kernel; the reported machine ID is the
// one systemd's own tools derive for deckhand.
//
// The test process stays outside the sandbox's UTS namespace, so the kernel's name it sees is the
// host's, while the sandbox (and a hostnamed running there) has its own: which of the two
// readHostname returns shows where the answer came from.
#include <gtest/gtest.h>
#include <sdbus-c++/sdbus-c++.h>
#include <stdlib.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "agent/machine/facts_gather.hpp"
#include "agent/machine/facts_identity.hpp"
#include "dbus/bus_connection.hpp"
#include "dbus/hostname1.hpp"
#include "tests/harness/process.hpp"
#include "tests/harness/run_until.hpp"
#include "tests/harness/systemd_sandbox.hpp"

namespace deckhand::machine {
namespace {

using namespace std::chrono_literals;

constexpr char kSandboxHostname[] = "deckhand-facts-node";

// Where D-Bus activation looks: the bus's activation file for org.freedesktop.hostname1 names
// SystemdService=dbus-org.freedesktop.hostname1.service, an alias of systemd-hostnamed.service,
// as on a real node. The sandbox's systemd sees only its own unit folders, so without these files
// hostname1 can't be activated there.
constexpr char kHostnamedUnit[] =
    "[Unit]\n"
    "Description=Hostname Service\n"
    "[Service]\n"
    "Type=dbus\n"
    "BusName=org.freedesktop.hostname1\n"
    "ExecStart=/lib/systemd/systemd-hostnamed\n";

class MachineFactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DECKHAND_REQUIRE_ROOT();
    sandbox_.emplace(test::SandboxOptions{.hostname = kSandboxHostname});
    ::setenv("DBUS_SYSTEM_BUS_ADDRESS", sandbox_->busAddress().c_str(), 1);
    bus_.emplace(io_.get_executor(), sdbus::createSystemBusConnection(), [this] { lost_ = true; });
    ASSERT_FALSE(bus_->lost()) << "the sandbox's bus is unusable";
  }

  void TearDown() override {
    bus_.reset();
    sandbox_.reset();
    ::unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
  }

  template <typename Predicate>
  bool runUntil(Predicate done, std::chrono::milliseconds timeout) {
    return test::runUntil(io_, done, timeout);
  }

  std::string readHostname() {
    std::optional<std::string> name;
    dbus::readHostname(*bus_, [&](std::string answer) { name = std::move(answer); });
    EXPECT_TRUE(runUntil([&] { return name.has_value(); }, 15s)) << "readHostname never answered";
    return name.value_or("(no answer)");
  }

  // What `hostname` prints inside the sandbox: the name hostnamed there sees.
  std::string sandboxHostname() const { return test::trim(sandbox_->exec({"hostname"}).out); }

  void installHostnamed() {
    const auto dir = sandbox_->unitDir();
    std::ofstream(dir / "systemd-hostnamed.service") << kHostnamedUnit;
    std::filesystem::create_symlink("systemd-hostnamed.service",
                                    dir / "dbus-org.freedesktop.hostname1.service");
    sandbox_->systemctl({"daemon-reload"});
  }

  boost::asio::io_context io_;
  std::optional<test::SystemdSandbox> sandbox_;
  std::optional<dbus::BusConnection> bus_;
  bool lost_ = false;
};

TEST_F(MachineFactsTest, KernelsNameWhenHostname1DoesNotAnswer) {
  ASSERT_EQ(sandboxHostname(), kSandboxHostname);
  const std::string kernels = dbus::kernelHostname();
  ASSERT_NE(kernels, kSandboxHostname) << "the host must be named unlike the sandbox";

  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(readHostname(), kernels);
  // The failed activation is an error reply, not a wait for the call's timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_EQ(sandbox_->systemctl({"is-active", "systemd-hostnamed.service"}), "inactive");
  EXPECT_FALSE(lost_);
}

TEST_F(MachineFactsTest, Hostname1sNameWhenHostnamedRuns) {
  installHostnamed();
  const std::string inside = sandboxHostname();
  ASSERT_EQ(inside, kSandboxHostname);
  ASSERT_NE(dbus::kernelHostname(), inside);

  EXPECT_EQ(readHostname(), inside);
  EXPECT_EQ(sandbox_->systemctl({"is-active", "systemd-hostnamed.service"}), "active")
      << "the name should have come from an activated systemd-hostnamed";
}

TEST_F(MachineFactsTest, RefreshTakesTheHostnameFromHostname1) {
  installHostnamed();
  const FactsOptions options;
  const MachineFacts gathered = gatherFacts(options);
  ASSERT_EQ(gathered.hostname, dbus::kernelHostname());

  std::optional<MachineFacts> refreshed;
  bool changed = false;
  refreshFacts(&*bus_, options, gathered, [&](MachineFacts facts, bool differs) {
    refreshed = std::move(facts);
    changed = differs;
  });
  ASSERT_TRUE(runUntil([&] { return refreshed.has_value(); }, 15s)) << "refresh never finished";
  EXPECT_EQ(refreshed->hostname, kSandboxHostname);
  EXPECT_TRUE(changed);
  EXPECT_EQ(refreshed->machine_id, gathered.machine_id);
  EXPECT_EQ(refreshed->addresses, gathered.addresses);

  std::optional<bool> changed_again;
  refreshFacts(&*bus_, options, *refreshed,
               [&](const MachineFacts&, bool differs) { changed_again = differs; });
  ASSERT_TRUE(runUntil([&] { return changed_again.has_value(); }, 15s));
  EXPECT_FALSE(*changed_again);
}

// An operator can compute the ID deckhand reports for a node with systemd's own tool.
TEST(ReportedMachineId, IsWhatSystemdId128DerivesForDeckhand) {
  if (!std::filesystem::exists("/etc/machine-id")) GTEST_SKIP() << "no /etc/machine-id here";
  const test::ProcessResult derived =
      test::run({"systemd-id128", "machine-id", std::string("--app-specific=") + kDeckhandAppId});
  ASSERT_EQ(derived.exit_code, 0) << derived.err;
  EXPECT_EQ(test::trim(derived.out), machineId(false));
}

}  // namespace
}  // namespace deckhand::machine
