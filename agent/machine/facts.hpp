#pragma once
// What the agent knows about its machine, reported to the scheduler in hello and matched by
// [X-Fleet] constraints.

#include <cstdint>
#include <string>
#include <vector>

#include "agent/machine/metadata.hpp"

namespace deckhand::machine {

struct MachineFacts {
  // 32 hex digits: app-specific by default (machine-id(5)), raw if configured.
  std::string machine_id;
  std::string boot_id;   // 32 hex digits, app-specific like machine_id
  std::string hostname;  // from hostname1 when it answers, else the kernel's
  // Configured, else the first global address on the default-route interface.
  std::string public_ip;
  std::vector<std::string> addresses;  // every global address of the machine, IPv4 and IPv6
  std::string os_release;              // PRETTY_NAME from /etc/os-release
  std::string kernel;                  // uname -r
  std::string architecture;            // uname -m
  unsigned cpus = 0;
  std::uint64_t memory_bytes = 0;  // MemTotal
  std::string systemd_version;     // filled in once systemd answers
  std::string docker_version;      // empty when no Docker engine answers
  std::string agent_version;
  Metadata metadata;
};

}  // namespace deckhand::machine
