// A real systemd (PID 1 in private namespaces, with its own system bus) per test, via sandbox.sh.
// See the header of tests/harness/sandbox.sh for what is private to a sandbox and what is not.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/harness/process.hpp"

namespace deckhand::test {

// Every member has an initializer, so designated initializers may leave any out without
// -Wmissing-field-initializers.
struct SandboxOptions {
  std::string machine_id{};  // 32 lowercase hex digits; empty: a random one
  std::string hostname{};    // empty: the host's /etc/hostname
  bool docker = false;       // the host's /run/docker.sock is visible inside
  // A network namespace of its own with only loopback; exec() runs commands in it. A test links
  // it to the host (VethLink) and can cut that link.
  bool private_network = false;
};

class SystemdSandbox {
 public:
  // Boots one; throws std::runtime_error carrying the sandbox's log if it doesn't come up.
  explicit SystemdSandbox(const SandboxOptions& options = {});
  ~SystemdSandbox();  // kills it with everything inside, also when the test failed
  SystemdSandbox(const SystemdSandbox&) = delete;
  SystemdSandbox& operator=(const SystemdSandbox&) = delete;

  pid_t pid() const { return pid_; }
  // "unix:path=/proc/PID/root/run/dbus/system_bus_socket", for DBUS_SYSTEM_BUS_ADDRESS.
  const std::string& busAddress() const { return bus_address_; }
  std::filesystem::path root() const;  // /proc/PID/root: the sandbox's file system seen from here
  std::filesystem::path unitDir() const;                       // root()/run/systemd/system
  std::filesystem::path logFile() const { return log_file_; }  // boot script and early systemd

  // argv that runs command inside the sandbox, e.g. for BackgroundProcess.
  std::vector<std::string> execArgv(const std::vector<std::string>& command) const;
  ProcessResult exec(const std::vector<std::string>& command,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

  // Copies a host file (e.g. the built agent, which may live under the host's /tmp that is hidden
  // inside) into the sandbox's private /run, mode kept. Returns its path as seen inside.
  std::string installFile(const std::filesystem::path& host_file,
                          const std::string& inside_dir = "/run/deckhand-test") const;

  // Runs systemctl inside and returns its stdout, trimmed, whatever its exit code (is-active
  // exits 3 for "inactive").
  std::string systemctl(const std::vector<std::string>& args) const;

 private:
  pid_t pid_ = -1;
  std::string bus_address_;
  std::string log_file_;
};

}  // namespace deckhand::test

// Skips the current test unless running as root.
#define DECKHAND_REQUIRE_ROOT()                                                                 \
  do {                                                                                          \
    if (::geteuid() != 0) {                                                                     \
      GTEST_SKIP() << "needs root: boots systemd in private namespaces; run as root (CI does)"; \
    }                                                                                           \
  } while (false)
