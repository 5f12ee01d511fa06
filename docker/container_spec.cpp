#include "docker/container_spec.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace deckhand::docker {
namespace {

constexpr std::array kRestartNames = {
    std::pair{RestartPolicy::no, std::string_view("no")},
    std::pair{RestartPolicy::on_failure, std::string_view("on-failure")},
    std::pair{RestartPolicy::always, std::string_view("always")},
};
constexpr std::array kPullNames = {
    std::pair{PullPolicy::missing, std::string_view("missing")},
    std::pair{PullPolicy::always, std::string_view("always")},
    std::pair{PullPolicy::never, std::string_view("never")},
};

bool isAlnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// Short and printable, so that a message quoting a hostile value stays readable.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text.substr(0, 80)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      constexpr std::string_view kHex = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  if (text.size() > 80) out += "…";
  return out + "\"";
}

class Checker {
 public:
  explicit Checker(const ContainerSpec& spec) : spec_(spec) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw ContainerSpecError("container " + quoted(spec_.name) + ": " + what);
  }

  // Every value lands on a unit's ExecStart= line, where a line break would end it.
  void text(std::string_view field, std::string_view value, bool may_be_empty = true) const {
    if (!may_be_empty && value.empty()) fail(std::string(field) + " is empty");
    if (value.size() > kMaxValueBytes) {
      fail(std::string(field) + " is " + std::to_string(value.size()) + " bytes; at most " +
           std::to_string(kMaxValueBytes));
    }
    const auto control = std::find_if(value.begin(), value.end(), [](char c) {
      const auto byte = static_cast<unsigned char>(c);
      return byte < 0x20 || byte == 0x7f;
    });
    if (control != value.end()) {
      fail(std::string(field) + " " + quoted(value) +
           " contains a control character; none are allowed");
    }
  }

  void count(std::string_view field, std::size_t size) const {
    if (size > kMaxListEntries) {
      fail(std::string(field) + " has " + std::to_string(size) + " entries; at most " +
           std::to_string(kMaxListEntries));
    }
  }

  void image() const {
    const std::string& image = spec_.image;
    if (image.empty()) fail("image is empty; expected a reference such as busybox:1.36");
    const bool allowed = std::all_of(image.begin(), image.end(), [](char c) {
      return isAlnum(c) || std::string_view("._-/:@").find(c) != std::string_view::npos;
    });
    if (!allowed || image.size() > kMaxImageBytes || !isAlnum(image.front())) {
      fail("image " + quoted(image) +
           " is not an image reference; expected [REGISTRY/]NAME[:TAG][@DIGEST] of letters, "
           "digits and ._-/:@, starting with a letter or digit");
    }
  }

  void env() const {
    count("env", spec_.env.size());
    for (const auto& [key, value] : spec_.env) {
      const bool valid =
          !key.empty() && !std::isdigit(static_cast<unsigned char>(key.front())) &&
          std::all_of(key.begin(), key.end(), [](char c) { return isAlnum(c) || c == '_'; });
      if (!valid) {
        fail("env key " + quoted(key) +
             " is invalid; expected letters, digits and '_', not starting with a digit");
      }
      text("env " + key, value);
    }
  }

  void ports() const {
    count("ports", spec_.ports.size());
    for (const auto& port : spec_.ports) {
      const std::string field = "port " + std::to_string(port.container_port);
      if (port.container_port == 0) fail("a port's container_port is 0; expected 1-65535");
      if (port.protocol != "tcp" && port.protocol != "udp" && port.protocol != "sctp") {
        fail(field + " protocol " + quoted(port.protocol) + " is not tcp, udp or sctp");
      }
      const bool address_chars = std::all_of(port.host_ip.begin(), port.host_ip.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == '.' || c == ':';
      });
      if (!address_chars || port.host_ip.size() > 45) {
        fail(field + " host_ip " + quoted(port.host_ip) + " is not an IP address");
      }
    }
  }

  void volumes() const {
    count("volumes", spec_.volumes.size());
    for (const auto& volume : spec_.volumes) {
      text("volume source", volume.source, false);
      text("volume target", volume.target, false);
      // ':' separates docker run's -v fields, ',' those of --mount.
      const auto separator = [](const std::string& s) {
        return s.find_first_of(":,") != std::string::npos;
      };
      if (separator(volume.source) || separator(volume.target)) {
        fail("volume " + quoted(volume.source) + " -> " + quoted(volume.target) +
             " contains ':' or ','; neither can be passed to Docker in a path");
      }
      if (volume.target.front() != '/') {
        fail("volume target " + quoted(volume.target) + " is not an absolute path");
      }
      if (volume.source.front() != '/' && !isContainerName(volume.source)) {
        fail("volume source " + quoted(volume.source) +
             " is neither an absolute host path nor a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)");
      }
    }
  }

  void labels() const {
    count("labels", spec_.labels.size());
    for (const auto& [key, value] : spec_.labels) {
      text("label key", key, false);
      if (key.find('=') != std::string::npos) fail("label key " + quoted(key) + " contains '='");
      if (key.starts_with(kReservedLabelPrefix)) {
        fail("label " + quoted(key) + " is reserved: deckhand sets the labels under \"deckhand.\"");
      }
      text("label " + key, value);
    }
  }

  void limits() const {
    if (spec_.stop_timeout_seconds < 0 || spec_.stop_timeout_seconds > kMaxStopTimeoutSeconds) {
      fail("stop_timeout " + std::to_string(spec_.stop_timeout_seconds) +
           " is out of range; expected 0-3600 seconds");
    }
    if (spec_.memory_bytes && *spec_.memory_bytes < kMinMemoryBytes) {
      fail("memory " + std::to_string(*spec_.memory_bytes) +
           " bytes is below Docker's minimum of 6 MiB (6291456 bytes)");
    }
    if (spec_.milli_cpus && (*spec_.milli_cpus == 0 || *spec_.milli_cpus > kMaxMilliCpus)) {
      fail("cpus must be more than 0 and at most 1024");
    }
  }

  void health() const {
    if (!spec_.health) return;
    const HealthCheck& check = *spec_.health;
    text("health command", check.command, false);
    const auto range = [this](std::string_view field, int value, int min) {
      if (value < min || value > 86400) {
        fail("health " + std::string(field) + " " + std::to_string(value) + " is out of range; " +
             "expected " + std::to_string(min) + "-86400");
      }
    };
    range("interval", check.interval_seconds, 1);
    range("timeout", check.timeout_seconds, 1);
    range("retries", check.retries, 1);
    range("start_period", check.start_period_seconds, 0);
  }

  void xFleet() const {
    count("x_fleet", spec_.x_fleet.size());
    for (const auto& assignment : spec_.x_fleet) {
      text("x_fleet entry", assignment, false);
      const auto equals = assignment.find('=');
      std::string_view key = std::string_view(assignment).substr(0, equals);
      key.remove_prefix(std::min(key.find_first_not_of(" \t"), key.size()));
      key = key.substr(0, key.find_last_not_of(" \t") + 1);
      const bool key_valid = equals != std::string::npos && !key.empty() &&
                             std::all_of(key.begin(), key.end(), isAlnum);
      if (!key_valid) {
        fail("x_fleet entry " + quoted(assignment) +
             " is not KEY=VALUE, such as MachineMetadata=region=us-east");
      }
    }
  }

  void all() const {
    if (!isContainerName(spec_.name)) {
      throw ContainerSpecError("container name " + quoted(spec_.name) +
                               " is invalid; expected 2-128 of [a-zA-Z0-9_.-], starting with a "
                               "letter or digit");
    }
    image();
    count("command", spec_.command.size());
    for (const auto& arg : spec_.command)
      text("command argument", arg);
    env();
    ports();
    volumes();
    labels();
    if (!spec_.network.empty() && !isContainerName(spec_.network)) {
      fail("network " + quoted(spec_.network) + " is not a network name");
    }
    limits();
    health();
    xFleet();
  }

 private:
  const ContainerSpec& spec_;
};

template <typename Enum, std::size_t N>
std::optional<Enum> fromName(const std::array<std::pair<Enum, std::string_view>, N>& names,
                             std::string_view name) {
  for (const auto& [value, text] : names) {
    if (text == name) return value;
  }
  return std::nullopt;
}

template <typename Enum, std::size_t N>
std::string_view nameOf(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
  for (const auto& [candidate, text] : names) {
    if (candidate == value) return text;
  }
  return {};
}

}  // namespace

void validateContainerSpec(const ContainerSpec& spec) {
  Checker(spec).all();
}

bool isContainerName(std::string_view name) {
  return name.size() >= 2 && name.size() <= kMaxContainerNameBytes && isAlnum(name.front()) &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return isAlnum(c) || c == '_' || c == '.' || c == '-'; });
}

std::string containerUnitName(std::string_view container_name) {
  return "deckhand-" + std::string(container_name) + ".service";
}

std::string_view restartPolicyName(RestartPolicy policy) {
  return nameOf(kRestartNames, policy);
}

std::string_view pullPolicyName(PullPolicy policy) {
  return nameOf(kPullNames, policy);
}

std::optional<RestartPolicy> restartPolicyFromName(std::string_view name) {
  return fromName(kRestartNames, name);
}

std::optional<PullPolicy> pullPolicyFromName(std::string_view name) {
  return fromName(kPullNames, name);
}

}  // namespace deckhand::docker
