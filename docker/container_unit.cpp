#include "docker/container_unit.hpp"

#include <vector>

namespace deckhand::docker {
namespace {

// The exit status of a container process that ended on docker stop's SIGTERM, by convention.
constexpr std::string_view kTerminatedStatus = "143";
// systemd waits for docker stop's own timeout, and this much for the CLI around it.
constexpr int kStopMarginSeconds = 30;

std::string execLine(const std::vector<std::string>& words) {
  std::string line;
  for (const auto& word : words) {
    if (!line.empty()) line.push_back(' ');
    line += execWord(word);
  }
  return line;
}

// As systemd reads a unit, so that the text parses back to the same entries and hash.
std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
}

std::string seconds(int value) {
  return std::to_string(value) + "s";
}

std::string cpus(std::uint32_t milli) {
  std::string text = std::to_string(milli / 1000);
  if (const std::uint32_t fraction = milli % 1000; fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, 3 - digits.size(), '0');
    while (digits.back() == '0')
      digits.pop_back();
    text += "." + digits;
  }
  return text;
}

// "--env=KEY=VALUE"
std::string option(std::string_view flag, const std::string& key, const std::string& value) {
  std::string word(flag);
  word += key;
  word += '=';
  word += value;
  return word;
}

std::string publish(const PortMapping& port) {
  std::string host;
  if (!port.host_ip.empty()) {
    const bool v6 = port.host_ip.find(':') != std::string::npos;
    host = (v6 ? "[" + port.host_ip + "]" : port.host_ip) + ":";
  }
  if (port.host_port != 0) {
    host += std::to_string(port.host_port) + ":";
  } else if (!host.empty()) {
    host += ":";
  }
  return host + std::to_string(port.container_port) + "/" + port.protocol;
}

std::vector<std::string> runCommand(const ContainerSpec& spec, const std::string& unit,
                                    const UnitOptions& options) {
  std::vector<std::string> words = {options.docker_cli, "run", "--rm", "--name", spec.name};
  words.push_back("--label=" + std::string(kUnitLabel) + "=" + unit);
  if (!options.owner.empty()) {
    words.push_back("--label=" + std::string(kOwnerLabel) + "=" + options.owner);
  }
  for (const auto& [key, value] : spec.labels)
    words.push_back(option("--label=", key, value));
  words.push_back("--pull=" + std::string(pullPolicyName(spec.pull)));
  if (!spec.network.empty()) words.push_back("--network=" + spec.network);
  for (const auto& [key, value] : spec.env)
    words.push_back(option("--env=", key, value));
  for (const auto& port : spec.ports)
    words.push_back("--publish=" + publish(port));
  for (const auto& volume : spec.volumes) {
    words.push_back("--volume=" + volume.source + ":" + volume.target +
                    (volume.read_only ? ":ro" : ""));
  }
  if (spec.memory_bytes) {
    // The same figure for memory and swap: the limit is a limit, not a trigger to swap.
    words.push_back("--memory=" + std::to_string(*spec.memory_bytes));
    words.push_back("--memory-swap=" + std::to_string(*spec.memory_bytes));
  }
  if (spec.milli_cpus) words.push_back("--cpus=" + cpus(*spec.milli_cpus));
  if (spec.health) {
    const HealthCheck& health = *spec.health;
    words.push_back("--health-cmd=" + health.command);
    words.push_back("--health-interval=" + seconds(health.interval_seconds));
    words.push_back("--health-timeout=" + seconds(health.timeout_seconds));
    words.push_back("--health-retries=" + std::to_string(health.retries));
    words.push_back("--health-start-period=" + seconds(health.start_period_seconds));
  }
  words.push_back(spec.image);
  words.insert(words.end(), spec.command.begin(), spec.command.end());
  return words;
}

std::string_view systemdRestart(RestartPolicy policy) {
  switch (policy) {
    case RestartPolicy::on_failure:
      return "on-failure";
    case RestartPolicy::always:
      return "always";
    case RestartPolicy::no:
      break;
  }
  return "no";
}

}  // namespace

std::string execWord(std::string_view word) {
  std::string quoted = "\"";
  for (const char c : word) {
    if (c == '\\' || c == '"') {
      quoted.push_back('\\');
    } else if (c == '%' || c == '$') {
      quoted.push_back(c);
    }
    quoted.push_back(c);
  }
  return quoted + "\"";
}

ContainerUnit containerUnit(const ContainerSpec& spec, const UnitOptions& options) {
  validateContainerSpec(spec);
  const std::string unit = containerUnitName(spec.name);
  const std::string remove = execLine({options.docker_cli, "rm", "--force", spec.name});
  const std::string stop_timeout = std::to_string(spec.stop_timeout_seconds);

  systemd::UnitFile file;
  file.origin = unit;
  file.sections.push_back(
      {"Unit",
       {{"Description", "deckhand container " + spec.name + " (" + spec.image + ")", 0},
        {"After", "docker.service docker.socket", 0}}});
  file.sections.push_back(
      {"Service",
       {{"Type", "simple", 0},
        {"Environment", execWord("DOCKER_HOST=unix://" + options.docker_socket), 0},
        {"ExecStartPre", "-" + remove, 0},
        {"ExecStart", execLine(runCommand(spec, unit, options)), 0},
        {"ExecStop", execLine({options.docker_cli, "stop", "--time", stop_timeout, spec.name}), 0},
        {"ExecStopPost", "-" + remove, 0},
        {"SuccessExitStatus", std::string(kTerminatedStatus), 0},
        {"TimeoutStopSec", seconds(spec.stop_timeout_seconds + kStopMarginSeconds), 0},
        {"Restart", std::string(systemdRestart(spec.restart)), 0},
        {"RestartSec", "1s", 0}}});
  if (spec.restart != RestartPolicy::no) {
    // Docker's "always" is forever: a dockerd restart (every start fails until it is back) must
    // not leave the container down for good under systemd's default start limit.
    file.sections.front().entries.push_back({"StartLimitIntervalSec", "0", 0});
  }
  if (!spec.x_fleet.empty()) {
    systemd::UnitFileSection fleet{std::string(systemd::kFleetSection), {}};
    for (const auto& assignment : spec.x_fleet) {
      const auto equals = assignment.find('=');
      fleet.entries.push_back(
          {trimmed(assignment.substr(0, equals)), trimmed(assignment.substr(equals + 1)), 0});
    }
    file.sections.push_back(std::move(fleet));
  }
  std::string text = systemd::writeUnitFile(file);
  std::string hash = systemd::unitHash(file);
  return {unit, std::move(file), std::move(text), std::move(hash)};
}

}  // namespace deckhand::docker
