#pragma once
// The agent's effective configuration, after the file, its drop-ins, the environment and the
// command line have been merged (agent/config/loader.hpp).

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "agent/link/scheduler_url.hpp"
#include "agent/machine/metadata.hpp"

namespace deckhand::config {

inline constexpr const char* kDefaultConfigFile = "/etc/deckhand/agent.conf";

enum class LogLevel { trace, debug, info, warning, error, critical, off };

struct Config {
  std::optional<link::SchedulerUrl> scheduler;  // none: run standalone, keep units as they are
  std::filesystem::path token_file;             // bearer token for the scheduler; empty: none
  std::filesystem::path ca_file;                // empty: the system's trust store
  std::filesystem::path cert_file;              // client certificate (with key_file)
  std::filesystem::path key_file;
  machine::Metadata metadata;
  std::string public_ip;  // empty: detect from the default route
  std::filesystem::path units_dir = "/run/deckhand/units";
  std::filesystem::path state_dir = "/var/lib/deckhand";
  std::filesystem::path docker_socket = "/run/docker.sock";
  LogLevel log_level = LogLevel::info;
  std::chrono::milliseconds heartbeat_interval = std::chrono::seconds(10);
  // "127.0.0.1:9464" or "[::1]:9464": serve Prometheus metrics there; empty: no listener.
  std::string metrics_listen;
};

}  // namespace deckhand::config
