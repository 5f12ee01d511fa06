#include "agent/status_line.hpp"

#include <fmt/format.h>

namespace deckhand {
namespace {

std::string unitCount(std::size_t units) {
  return fmt::format("{} unit{}", units, units == 1 ? "" : "s");
}

// Whole seconds, rounded up: "retrying in 0 s" would be wrong for 400 ms.
long long wholeSeconds(std::chrono::milliseconds delay) {
  return (delay.count() + 999) / 1000;
}

}  // namespace

std::string_view phaseName(SchedulerState::Phase phase) {
  switch (phase) {
    case SchedulerState::Phase::connecting:
      return "connecting";
    case SchedulerState::Phase::connected:
      return "connected";
    case SchedulerState::Phase::retrying:
      return "retrying";
    case SchedulerState::Phase::standalone:
      break;
  }
  return "standalone";
}

std::string statusLine(bool systemd_up, const SchedulerState& scheduler, std::size_t units) {
  if (!systemd_up) return "waiting for systemd on the system bus; units keep running";
  switch (scheduler.phase) {
    case SchedulerState::Phase::connecting:
      return fmt::format("connecting to {}, {}", scheduler.url, unitCount(units));
    case SchedulerState::Phase::connected:
      return fmt::format("connected to {}, {}", scheduler.url, unitCount(units));
    case SchedulerState::Phase::retrying:
      return fmt::format("scheduler unreachable ({}), retrying in {} s, {}", scheduler.why,
                         wholeSeconds(scheduler.retry_in), unitCount(units));
    case SchedulerState::Phase::standalone:
      break;
  }
  return fmt::format("standalone (no scheduler configured), {}", unitCount(units));
}

}  // namespace deckhand
