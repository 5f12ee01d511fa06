#pragma once
// What the agent tells systemd it is doing (STATUS=, shown by `systemctl status deckhand`), and
// the state of its scheduler link as deckhandctl and the D-Bus API report it.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace deckhand {

struct SchedulerState {
  enum class Phase { standalone, connecting, connected, retrying };
  Phase phase = Phase::standalone;
  std::string url;                       // empty when standalone
  std::string why;                       // retrying: what failed
  std::chrono::milliseconds retry_in{};  // retrying: the delay before the next attempt
};

std::string_view phaseName(SchedulerState::Phase phase);

// "connected to ws://sched:7070/, 12 units", "scheduler unreachable (connection refused),
// retrying in 8 s", "waiting for systemd on the system bus".
std::string statusLine(bool systemd_up, const SchedulerState& scheduler, std::size_t units);

}  // namespace deckhand
