#include "agent/config/settings.hpp"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "common/token_file.hpp"
#include "systemd/timespan.hpp"

namespace deckhand::config {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kMinHeartbeat{1000};
constexpr milliseconds kMaxHeartbeat{3'600'000};

constexpr std::array kLogLevels = {
    std::pair{LogLevel::trace, std::string_view("trace")},
    std::pair{LogLevel::debug, std::string_view("debug")},
    std::pair{LogLevel::info, std::string_view("info")},
    std::pair{LogLevel::warning, std::string_view("warning")},
    std::pair{LogLevel::error, std::string_view("error")},
    std::pair{LogLevel::critical, std::string_view("critical")},
    std::pair{LogLevel::off, std::string_view("off")},
};

std::string quoted(std::string_view value) {
  return "\"" + std::string(value) + "\"";
}

[[noreturn]] void reject(std::string_view value, const std::string& why) {
  throw std::invalid_argument(quoted(value) + ": " + why);
}

std::filesystem::path absolutePath(std::string_view value) {
  const std::filesystem::path path(value);
  if (!path.is_absolute()) reject(value, "expected an absolute path");
  for (const auto& part : path) {
    if (part == "..") reject(value, "expected an absolute path without '..'");
  }
  return path.lexically_normal();
}

// Empty means "not set".
std::filesystem::path optionalPath(std::string_view value) {
  return value.empty() ? std::filesystem::path() : absolutePath(value);
}

// A file that is named must be readable at start-up, not only at the first connection attempt.
void checkReadable(const std::filesystem::path& path) {
  if (path.empty()) return;
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    reject(path.string(), "is a folder; expected a file");
  }
  std::ifstream in(path);
  if (!in) reject(path.string(), std::string("cannot read: ") + std::strerror(errno));
}

// The token is a credential: a copy readable by every user on the node would be handed to any
// of them, so such a file is refused rather than used.
void checkPrivate(const std::filesystem::path& path) {
  if (path.empty()) return;
  try {
    readTokenFile(path);
  } catch (const TokenFileError& error) {
    throw std::invalid_argument(error.what());
  }
}

std::optional<link::SchedulerUrl> schedulerUrl(std::string_view value) {
  if (value.empty()) return std::nullopt;
  try {
    return link::parseSchedulerUrl(value);
  } catch (const link::UrlError& error) {
    reject(value, std::string(error.what()) + "; expected ws://HOST[:PORT][/PATH] or wss://...");
  }
}

std::string ipAddress(std::string_view value) {
  if (value.empty()) return {};
  const std::string text(value);
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, text.c_str(), &v4) != 1 && inet_pton(AF_INET6, text.c_str(), &v6) != 1) {
    reject(value, "expected an IPv4 or IPv6 address");
  }
  return text;
}

machine::Metadata metadata(std::string_view value) {
  try {
    return machine::parseMetadata(value);
  } catch (const machine::MetadataError& error) {
    reject(value, error.what());
  }
}

LogLevel logLevel(std::string_view value) {
  for (const auto& [level, name] : kLogLevels) {
    if (value == name) return level;
  }
  reject(value, "expected one of trace, debug, info, warning, error, critical, off");
}

milliseconds heartbeat(std::string_view value) {
  const auto span = systemd::parseTimespan(value);
  const auto ms = span ? std::chrono::duration_cast<milliseconds>(*span) : milliseconds{0};
  if (!span || ms < kMinHeartbeat || ms > kMaxHeartbeat) {
    reject(value, "expected a time span from 1s to 1h, such as 10s or 1min 30s");
  }
  return ms;
}

// ADDRESS:PORT on loopback only: the metrics carry no secrets, but the agent is no web server.
std::string metricsListen(std::string_view value) {
  if (value.empty()) return {};
  const auto colon = value.rfind(':');
  const auto expected = "expected a loopback ADDRESS:PORT such as 127.0.0.1:9464 or [::1]:9464";
  if (colon == std::string_view::npos) reject(value, expected);
  std::string host(value.substr(0, colon));
  const std::string port(value.substr(colon + 1));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  in_addr v4{};
  in6_addr v6{};
  const bool loopback =
      (inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127) ||
      (inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6));
  const bool port_ok = !port.empty() && port.size() <= 5 &&
                       port.find_first_not_of("0123456789") == std::string::npos &&
                       std::stoul(port) >= 1 && std::stoul(port) <= 65535;
  if (!loopback || !port_ok) reject(value, expected);
  return std::string(value);
}

std::string showPath(const std::filesystem::path& path) {
  return path.string();
}

// clang-format off
constexpr std::array kSettings = {
  Setting{"Scheduler", "URL", "DECKHAND_SCHEDULER_URL", "scheduler-url", "URL",
          "scheduler to connect to (ws:// or wss://); empty: run standalone",
          [](Config& c, std::string_view v) { c.scheduler = schedulerUrl(v); },
          [](const Config& c) { return c.scheduler ? c.scheduler->text() : std::string(); }},
  Setting{"Scheduler", "TokenFile", "DECKHAND_TOKEN_FILE", "token-file", "FILE",
          "file holding the bearer token sent to the scheduler",
          [](Config& c, std::string_view v) { c.token_file = optionalPath(v); },
          [](const Config& c) { return showPath(c.token_file); },
          [](const Config& c) { checkPrivate(c.token_file); }},
  Setting{"Scheduler", "CAFile", "DECKHAND_CA_FILE", "ca-file", "FILE",
          "CA certificates that verify the scheduler (default: the system's)",
          [](Config& c, std::string_view v) { c.ca_file = optionalPath(v); },
          [](const Config& c) { return showPath(c.ca_file); },
          [](const Config& c) { checkReadable(c.ca_file); }},
  Setting{"Scheduler", "CertFile", "DECKHAND_CERT_FILE", "cert-file", "FILE",
          "client certificate presented to the scheduler (needs KeyFile)",
          [](Config& c, std::string_view v) { c.cert_file = optionalPath(v); },
          [](const Config& c) { return showPath(c.cert_file); },
          [](const Config& c) { checkReadable(c.cert_file); }},
  Setting{"Scheduler", "KeyFile", "DECKHAND_KEY_FILE", "key-file", "FILE",
          "private key of the client certificate",
          [](Config& c, std::string_view v) { c.key_file = optionalPath(v); },
          [](const Config& c) { return showPath(c.key_file); },
          [](const Config& c) { checkReadable(c.key_file); }},
  Setting{"Scheduler", "HeartbeatInterval", "DECKHAND_HEARTBEAT_INTERVAL", "heartbeat-interval",
          "TIMESPAN", "how often the agent sends a heartbeat (1s to 1h)",
          [](Config& c, std::string_view v) { c.heartbeat_interval = heartbeat(v); },
          [](const Config& c) {
            return systemd::formatTimespan(c.heartbeat_interval);
          }},
  Setting{"Machine", "Metadata", "DECKHAND_METADATA", "metadata", "K=V,...",
          "operator metadata matched by MachineMetadata=, e.g. region=us-east,disk=ssd",
          [](Config& c, std::string_view v) { c.metadata = metadata(v); },
          [](const Config& c) { return machine::formatMetadata(c.metadata); }},
  Setting{"Machine", "PublicIP", "DECKHAND_PUBLIC_IP", "public-ip", "ADDRESS",
          "address reported to the scheduler (default: from the default route)",
          [](Config& c, std::string_view v) { c.public_ip = ipAddress(v); },
          [](const Config& c) { return c.public_ip; }},
  Setting{"Agent", "UnitsDirectory", "DECKHAND_UNITS_DIRECTORY", "units-directory", "DIR",
          "where installed unit files are written",
          [](Config& c, std::string_view v) { c.units_dir = absolutePath(v); },
          [](const Config& c) { return showPath(c.units_dir); }},
  Setting{"Agent", "StateDirectory", "DECKHAND_STATE_DIRECTORY", "state-directory", "DIR",
          "where the agent keeps its durable state",
          [](Config& c, std::string_view v) { c.state_dir = absolutePath(v); },
          [](const Config& c) { return showPath(c.state_dir); }},
  Setting{"Agent", "LogLevel", "DECKHAND_LOG_LEVEL", "log-level", "LEVEL",
          "trace, debug, info, warning, error, critical or off",
          [](Config& c, std::string_view v) { c.log_level = logLevel(v); },
          [](const Config& c) { return std::string(logLevelName(c.log_level)); }},
  Setting{"Docker", "Socket", "DECKHAND_DOCKER_SOCKET", "docker-socket", "PATH",
          "the Docker engine's unix socket, for containers",
          [](Config& c, std::string_view v) { c.docker_socket = absolutePath(v); },
          [](const Config& c) { return showPath(c.docker_socket); }},
  Setting{"Agent", "MetricsListen", "DECKHAND_METRICS_LISTEN", "metrics-listen", "ADDRESS:PORT",
          "serve Prometheus metrics on this loopback address, e.g. 127.0.0.1:9464; empty: off",
          [](Config& c, std::string_view v) { c.metrics_listen = metricsListen(v); },
          [](const Config& c) { return c.metrics_listen; }},
};
// clang-format on

template <typename Match>
const Setting* findSetting(Match match) {
  for (const auto& setting : kSettings) {
    if (match(setting)) return &setting;
  }
  return nullptr;
}

}  // namespace

std::span<const Setting> allSettings() {
  return kSettings;
}

const Setting* findSettingByKey(std::string_view section, std::string_view key) {
  return findSetting([&](const Setting& s) { return s.section == section && s.key == key; });
}

const Setting* findSettingByEnv(std::string_view env) {
  return findSetting([&](const Setting& s) { return s.env == env; });
}

const Setting* findSettingByFlag(std::string_view flag) {
  return findSetting([&](const Setting& s) { return s.flag == flag; });
}

std::string_view logLevelName(LogLevel level) {
  for (const auto& [candidate, name] : kLogLevels) {
    if (candidate == level) return name;
  }
  return "info";
}

}  // namespace deckhand::config
