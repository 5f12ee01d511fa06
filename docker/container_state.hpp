#pragma once
// What deckhand knows about one of its containers, read from the Engine API (inspect, list) and
// kept up to date from its /events stream. Pure: parsing and applying, no I/O.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deckhand::docker {

struct ContainerState {
  std::string name;    // without Docker's leading '/'
  std::string unit;    // the deckhand.unit label: the unit that runs it
  std::string owner;   // the deckhand.owner label: the machine ID of the agent that runs it
  std::string id;      // Docker's 64-hex ID of the latest container of this name
  std::string image;   // as the container was created from it
  std::string status;  // Docker's: created, running, paused, restarting, exited, dead, removed
  std::optional<int> exit_code;  // of the last run, once it ended
  bool oom_killed = false;       // the last run was killed for exceeding its memory limit
  std::string health;            // starting, healthy, unhealthy; empty without a health check
  // Starts seen beyond the first, across containers of this name: under systemd each restart is a
  // new container, so Docker's own RestartCount stays 0.
  int restart_count = 0;
  std::uint64_t started_usec = 0;   // CLOCK_REALTIME; 0 never
  std::uint64_t finished_usec = 0;  // 0 while running or never
};

// One message of the /events stream, for a container.
struct ContainerEvent {
  std::string action;  // "start", "die", "oom", "health_status: unhealthy", ...
  std::string id;
  std::map<std::string, std::string> attributes;  // name, image, labels, exitCode, ...
  std::int64_t time_nano = 0;
};

// One line of /events; nullopt when it is not a container event or not JSON.
std::optional<ContainerEvent> parseContainerEvent(std::string_view line);

// GET /containers/{id}/json. Throws std::runtime_error when the text is not such an object.
ContainerState containerStateFromInspect(std::string_view json);

// The container names in GET /containers/json?all=1 (without Docker's leading '/').
std::vector<std::string> containerNamesFromList(std::string_view json);

// Applies event to the state of the container it names, creating it if needed (only when it
// carries the deckhand.unit label). An event without that label (a health check's carries none)
// applies only to the very container already known by its ID. Returns the name whose state
// changed, or nullopt.
std::optional<std::string> applyContainerEvent(std::map<std::string, ContainerState>& states,
                                               const ContainerEvent& event);

// "2026-11-28T18:02:03.123456789Z" (RFC 3339, as Docker writes times) in microseconds since the
// epoch; 0 for Docker's "0001-01-01T00:00:00Z" (never) and for anything unreadable.
std::uint64_t usecFromRfc3339(std::string_view text);

}  // namespace deckhand::docker
