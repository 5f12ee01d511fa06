#include "tests/harness/systemd_sandbox.hpp"

#include <iostream>
#include <stdexcept>

namespace deckhand::test {
namespace {

// Run through bash so that a checkout that lost the executable bit still works.
std::vector<std::string> sandboxScript(std::vector<std::string> args) {
  args.insert(args.begin(), {"bash", DECKHAND_HARNESS_DIR "/sandbox.sh"});
  return args;
}

void stopSandbox(pid_t pid) {
  const ProcessResult stopped = run(sandboxScript({"stop", std::to_string(pid)}));
  if (stopped.exit_code != 0) {
    std::cerr << "[harness] sandbox.sh stop " << pid << " failed: " << stopped.err << "\n";
  }
}

}  // namespace

SystemdSandbox::SystemdSandbox(const SandboxOptions& options) {
  std::vector<std::string> args = {"start"};
  if (options.docker) args.push_back("--docker");
  if (options.private_network) args.push_back("--private-network");
  if (!options.machine_id.empty()) args.insert(args.end(), {"--machine-id", options.machine_id});
  if (!options.hostname.empty()) args.insert(args.end(), {"--hostname", options.hostname});

  const ProcessResult started = run(sandboxScript(args), {}, std::chrono::seconds(60));
  auto values = parseKeyValueLines(started.out);
  if (started.exit_code != 0 || !values.contains("SANDBOX_PID") ||
      !values.contains("DBUS_SYSTEM_BUS_ADDRESS")) {
    // The destructor won't run: a sandbox that did boot is stopped here.
    if (started.exit_code == 0 && values.contains("SANDBOX_PID")) {
      stopSandbox(std::stoi(values["SANDBOX_PID"]));
    }
    throw std::runtime_error("sandbox.sh start failed (exit " + std::to_string(started.exit_code) +
                             "):\n" + started.err + started.out);
  }
  pid_ = std::stoi(values["SANDBOX_PID"]);
  bus_address_ = values["DBUS_SYSTEM_BUS_ADDRESS"];
  log_file_ = values["SANDBOX_LOG"];
}

SystemdSandbox::~SystemdSandbox() {
  stopSandbox(pid_);
}

std::filesystem::path SystemdSandbox::root() const {
  return std::filesystem::path("/proc") / std::to_string(pid_) / "root";
}

std::filesystem::path SystemdSandbox::unitDir() const {
  return root() / "run/systemd/system";
}

std::vector<std::string> SystemdSandbox::execArgv(const std::vector<std::string>& command) const {
  std::vector<std::string> args = {"exec", std::to_string(pid_)};
  args.insert(args.end(), command.begin(), command.end());
  return sandboxScript(args);
}

ProcessResult SystemdSandbox::exec(const std::vector<std::string>& command,
                                   std::chrono::milliseconds timeout) const {
  return run(execArgv(command), {}, timeout);
}

std::string SystemdSandbox::installFile(const std::filesystem::path& host_file,
                                        const std::string& inside_dir) const {
  const std::filesystem::path inside = std::filesystem::path(inside_dir) / host_file.filename();
  if (!inside.is_absolute()) {
    throw std::invalid_argument("installFile: inside_dir must be absolute: " + inside_dir);
  }
  const std::filesystem::path seen_from_host = root() / inside.relative_path();
  std::filesystem::create_directories(seen_from_host.parent_path());
  std::filesystem::copy_file(host_file, seen_from_host,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::permissions(seen_from_host, std::filesystem::status(host_file).permissions());
  return inside.string();
}

std::string SystemdSandbox::systemctl(const std::vector<std::string>& args) const {
  std::vector<std::string> command = {"systemctl"};
  command.insert(command.end(), args.begin(), args.end());
  return trim(exec(command).out);
}

}  // namespace deckhand::test
