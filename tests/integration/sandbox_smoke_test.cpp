// The systemd sandbox is a real systemd with a real bus: units start and stop over D-Bus, the
// node identity options show inside, the host's /tmp survives it, and a private network is
// private, linked to the host by a veth pair that goes away with the sandbox.
#include <gtest/gtest.h>
#include <sdbus-c++/sdbus-c++.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "tests/harness/systemd_sandbox.hpp"
#include "tests/harness/veth_link.hpp"

namespace deckhand::test {
namespace {

using namespace std::chrono_literals;

constexpr char kSmokeUnit[] = "deckhand-smoke.service";

// The sandbox's systemd over the sandbox's system bus, with plain blocking calls.
class SandboxManager {
 public:
  explicit SandboxManager(const SystemdSandbox& sandbox) {
    // createSystemBusConnection() takes the bus address from the environment.
    ::setenv("DBUS_SYSTEM_BUS_ADDRESS", sandbox.busAddress().c_str(), 1);
    connection_ = sdbus::createSystemBusConnection();
    manager_ = sdbus::createProxy(*connection_, kService, "/org/freedesktop/systemd1");
  }

  void reload() { manager_->callMethod("Reload").onInterface(kManager); }

  void startUnit(const std::string& name) { queueJob("StartUnit", name); }
  void stopUnit(const std::string& name) { queueJob("StopUnit", name); }

  // Polls ActiveState until it reads expected or the timeout passes; returns the last state read.
  std::string waitForActiveState(const std::string& name, const std::string& expected,
                                 std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string state = activeState(name);
    while (state != expected && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
      state = activeState(name);
    }
    return state;
  }

 private:
  static constexpr char kService[] = "org.freedesktop.systemd1";
  static constexpr char kManager[] = "org.freedesktop.systemd1.Manager";

  void queueJob(const std::string& method, const std::string& name) {
    sdbus::ObjectPath job;
    manager_->callMethod(method)
        .onInterface(kManager)
        .withArguments(name, std::string("replace"))
        .storeResultsTo(job);
  }

  // LoadUnit rather than GetUnit: systemd unloads a stopped unit nothing refers to, and GetUnit
  // then fails with NoSuchUnit.
  std::string activeState(const std::string& name) {
    sdbus::ObjectPath unit_path;
    manager_->callMethod("LoadUnit")
        .onInterface(kManager)
        .withArguments(name)
        .storeResultsTo(unit_path);
    auto unit = sdbus::createProxy(*connection_, kService, unit_path);
    return unit->getProperty("ActiveState")
        .onInterface("org.freedesktop.systemd1.Unit")
        .get<std::string>();
  }

  std::unique_ptr<sdbus::IConnection> connection_;
  std::unique_ptr<sdbus::IProxy> manager_;
};

std::string randomHex(size_t digits) {
  std::random_device random;
  std::string hex;
  while (hex.size() < digits)
    hex += "0123456789abcdef"[random() % 16];
  return hex;
}

// Output of a command inside the sandbox, polled until it contains needle.
bool eventuallyContains(const SystemdSandbox& sandbox, const std::vector<std::string>& command,
                        const std::string& needle) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (sandbox.exec(command).out.find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

// A file in the host's /tmp, which a carelessly booted systemd would delete.
class HostTmpMarker {
 public:
  HostTmpMarker() {
    const int fd = ::mkstemp(path_.data());
    if (fd < 0) throw std::runtime_error("mkstemp in /tmp failed");
    ::close(fd);
  }
  ~HostTmpMarker() { ::unlink(path_.c_str()); }
  HostTmpMarker(const HostTmpMarker&) = delete;
  HostTmpMarker& operator=(const HostTmpMarker&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_ = "/tmp/deckhand-sandbox-marker.XXXXXX";
};

TEST(SandboxSmokeTest, StartsAndStopsAUnitOverItsOwnBus) {
  DECKHAND_REQUIRE_ROOT();
  const auto boot_started = std::chrono::steady_clock::now();
  SystemdSandbox sandbox;
  const auto boot_time = std::chrono::steady_clock::now() - boot_started;
  RecordProperty("boot_ms", static_cast<int>(boot_time / 1ms));  // in the XML report
  std::ofstream(sandbox.unitDir() / kSmokeUnit) << "[Unit]\n"
                                                   "Description=deckhand sandbox smoke unit\n"
                                                   "[Service]\n"
                                                   "ExecStart=/bin/sleep 300\n";
  SandboxManager manager(sandbox);
  manager.reload();

  manager.startUnit(kSmokeUnit);
  EXPECT_EQ(manager.waitForActiveState(kSmokeUnit, "active", 10s), "active");
  EXPECT_EQ(sandbox.systemctl({"is-active", kSmokeUnit}), "active");
  // journald runs inside: systemd's own lines about the unit land in the sandbox's journal.
  EXPECT_TRUE(eventuallyContains(sandbox, {"journalctl", "--no-pager", "-u", kSmokeUnit},
                                 "deckhand sandbox smoke unit"));

  manager.stopUnit(kSmokeUnit);
  EXPECT_EQ(manager.waitForActiveState(kSmokeUnit, "inactive", 10s), "inactive");
}

TEST(SandboxSmokeTest, ShowsTheGivenMachineIdAndHostnameInside) {
  DECKHAND_REQUIRE_ROOT();
  const SandboxOptions options{.machine_id = randomHex(32), .hostname = "deckhand-smoke-node"};
  SystemdSandbox sandbox(options);

  const ProcessResult machine_id = sandbox.exec({"cat", "/etc/machine-id"});
  ASSERT_EQ(machine_id.exit_code, 0) << machine_id.err;
  EXPECT_EQ(trim(machine_id.out), options.machine_id);
  const ProcessResult hostname = sandbox.exec({"uname", "-n"});
  ASSERT_EQ(hostname.exit_code, 0) << hostname.err;
  EXPECT_EQ(trim(hostname.out), options.hostname);
}

TEST(SandboxSmokeTest, KeepsTheHostTmpApart) {
  DECKHAND_REQUIRE_ROOT();
  const HostTmpMarker marker;
  {
    SystemdSandbox sandbox;
    EXPECT_EQ(sandbox.exec({"test", "-e", marker.path()}).exit_code, 1)
        << "the sandbox should have a /tmp of its own";
    EXPECT_TRUE(std::filesystem::exists(marker.path())) << "booting emptied the host's /tmp";
  }
  EXPECT_TRUE(std::filesystem::exists(marker.path())) << "stopping emptied the host's /tmp";
}

TEST(SandboxSmokeTest, PrivateNetworkHasOnlyLoopbackAndExecRunsInIt) {
  DECKHAND_REQUIRE_ROOT();
  SystemdSandbox sandbox({.private_network = true});
  const ProcessResult links = sandbox.exec({"ip", "-o", "link", "show"});
  ASSERT_EQ(links.exit_code, 0) << links.err;
  EXPECT_EQ(std::count(links.out.begin(), links.out.end(), '\n'), 1) << links.out;
  EXPECT_NE(links.out.find("lo: <LOOPBACK,UP"), std::string::npos) << links.out;
  EXPECT_NE(trim(sandbox.exec({"readlink", "/proc/self/ns/net"}).out),
            std::filesystem::read_symlink("/proc/self/ns/net").string());
}

TEST(SandboxSmokeTest, VethLinkCanBeCutAndGoesWithTheSandbox) {
  DECKHAND_REQUIRE_ROOT();
  VethLink link;
  const auto route_to_host = [&](const SystemdSandbox& sandbox) {
    return sandbox.exec({"ip", "route", "get", link.hostAddress()}).exit_code == 0;
  };
  {
    SystemdSandbox sandbox({.private_network = true});
    link.plugInto(sandbox);
    const ProcessResult address = sandbox.exec({"ip", "-o", "-4", "address", "show"});
    EXPECT_NE(address.out.find(link.sandboxAddress() + "/30"), std::string::npos) << address.out;
    EXPECT_TRUE(route_to_host(sandbox));
    link.setSandboxEndUp(false);
    EXPECT_FALSE(route_to_host(sandbox)) << "the link is down";
    link.setSandboxEndUp(true);
    EXPECT_TRUE(route_to_host(sandbox));
  }
  // The sandbox's namespace took its end, and the kernel the pair with it.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (run({"ip", "link", "show", "dev", link.hostEnd()}).exit_code == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_NE(run({"ip", "link", "show", "dev", link.hostEnd()}).exit_code, 0);
}

}  // namespace
}  // namespace deckhand::test
