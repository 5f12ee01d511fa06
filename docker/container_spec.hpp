#pragma once
// A container as a scheduler asks for it (docs/protocol.md, "Containers"), and the rules it must
// meet before deckhand turns it into a systemd unit (docker/container_unit.hpp). Pure: no I/O.
//
// The rules are Docker's where Docker has one (container names, environment keys, port ranges,
// the 6 MiB memory floor), plus deckhand's own: no control characters anywhere, since every value
// ends up on an ExecStart= line, and no labels under "deckhand.", which marks deckhand's own.

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace deckhand::docker {

inline constexpr std::size_t kMaxContainerNameBytes = 128;
inline constexpr std::size_t kMaxImageBytes = 512;
inline constexpr std::size_t kMaxValueBytes = 4096;
inline constexpr std::size_t kMaxListEntries = 256;
inline constexpr int kMaxStopTimeoutSeconds = 3600;
inline constexpr std::uint64_t kMinMemoryBytes = 6ULL * 1024 * 1024;  // dockerd refuses less
inline constexpr std::uint32_t kMaxMilliCpus = 1024 * 1000;
// The label deckhand puts on every container it runs: the owning unit's name.
inline constexpr std::string_view kUnitLabel = "deckhand.unit";
inline constexpr std::string_view kOwnerLabel = "deckhand.owner";
inline constexpr std::string_view kReservedLabelPrefix = "deckhand.";

// What systemd does when the container exits: Docker's own restart policies can't apply, since
// the container runs with --rm under the unit.
enum class RestartPolicy { no, on_failure, always };
// When the image is pulled: docker run's --pull.
enum class PullPolicy { missing, always, never };

struct PortMapping {
  std::string host_ip;  // empty: every address
  std::uint16_t host_port = 0;
  std::uint16_t container_port = 0;
  std::string protocol = "tcp";  // tcp, udp or sctp
};

struct VolumeMount {
  std::string source;  // an absolute host path, or a volume name
  std::string target;  // an absolute path in the container
  bool read_only = false;
};

struct HealthCheck {
  std::string command;  // run by the container's /bin/sh (Docker's CMD-SHELL)
  int interval_seconds = 30;
  int timeout_seconds = 30;
  int retries = 3;
  int start_period_seconds = 0;
};

struct ContainerSpec {
  std::string name;   // the container's name, and so its unit's: "web" → deckhand-web.service
  std::string image;  // "local/busybox:latest", "registry:5000/team/app@sha256:…"
  std::vector<std::string> command;  // replaces the image's CMD; empty: the image's own
  std::map<std::string, std::string> env;
  std::vector<PortMapping> ports;
  std::vector<VolumeMount> volumes;
  std::map<std::string, std::string> labels;
  std::string network;  // docker run --network; empty: Docker's default
  RestartPolicy restart = RestartPolicy::no;
  PullPolicy pull = PullPolicy::missing;
  int stop_timeout_seconds = 10;
  std::optional<std::uint64_t> memory_bytes;
  std::optional<std::uint32_t> milli_cpus;  // 1500 is --cpus=1.5
  std::optional<HealthCheck> health;
  // [X-Fleet] assignments for the generated unit, "KEY=VALUE" each, checked like any unit's.
  std::vector<std::string> x_fleet;
};

// "container \"web\": env key \"1X\" is invalid; expected ..." — the field, the value, the rule.
class ContainerSpecError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws ContainerSpecError for the first rule the spec breaks.
void validateContainerSpec(const ContainerSpec& spec);

// Docker's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]+, here at most kMaxContainerNameBytes.
bool isContainerName(std::string_view name);

// The owning unit: "deckhand-NAME.service". Every container name makes a valid unit name.
std::string containerUnitName(std::string_view container_name);

std::string_view restartPolicyName(RestartPolicy policy);  // "on-failure"
std::string_view pullPolicyName(PullPolicy policy);        // "missing"
std::optional<RestartPolicy> restartPolicyFromName(std::string_view name);
std::optional<PullPolicy> pullPolicyFromName(std::string_view name);

}  // namespace deckhand::docker
