#include "ctl/status_command.hpp"

#include <boost/json.hpp>
#include <iostream>

#include "ctl/exit_codes.hpp"
#include "ctl/verb_line.hpp"

namespace deckhand::ctl {
namespace {

// Healthy: synchronised with systemd, and connected to the scheduler unless there is none.
bool healthy(const dbus::AgentSummary& summary) {
  return summary.systemd_connected &&
         (summary.connection_state == "connected" || summary.connection_state == "standalone");
}

std::string schedulerLine(const dbus::AgentSummary& summary) {
  if (summary.connection_state == "standalone") return "none configured (standalone)";
  std::string line = summary.connection_state + " " + summary.scheduler_url;
  if (!summary.connection_detail.empty()) line += " (" + summary.connection_detail + ")";
  return line;
}

std::string countsLine(const std::map<std::string, std::uint32_t>& counts) {
  const auto total = counts.contains("total") ? counts.at("total") : 0;
  std::string line = std::to_string(total);
  std::string states;
  for (const auto& [state, count] : counts) {
    if (state == "total") continue;
    states += (states.empty() ? "" : ", ") + std::to_string(count) + " " + state;
  }
  return states.empty() ? line : line + " (" + states + ")";
}

}  // namespace

int runStatus(int argc, const char* const* argv) {
  const VerbSpec spec{"status", "deckhandctl status [--json]",
                      "The agent's health: systemd, scheduler link, unit counts.\n"
                      "Exit 0 healthy, 1 degraded (systemd or the scheduler not connected), "
                      "3 agent unreachable."};
  int exit_code = kExitOk;
  const auto line = parseVerb(spec, argc, argv, exit_code);
  if (!line) return exit_code;
  return withAgent(spec.name, [&](AgentClient& agent) {
    const auto summary = agent.summary();
    const auto counts = agent.unitCounts();
    if (line->json) {
      boost::json::object units;
      for (const auto& [state, count] : counts)
        units[state] = count;
      std::cout << boost::json::serialize(
                       boost::json::object{{"healthy", healthy(summary)},
                                           {"version", summary.version},
                                           {"machine_id", summary.machine_id},
                                           {"hostname", summary.hostname},
                                           {"systemd",
                                            {{"connected", summary.systemd_connected},
                                             {"version", summary.systemd_version}}},
                                           {"scheduler",
                                            {{"url", summary.scheduler_url},
                                             {"state", summary.connection_state},
                                             {"detail", summary.connection_detail}}},
                                           {"units", units}})
                << "\n";
    } else {
      std::cout << "deckhand " << summary.version << " on " << summary.hostname << " (machine "
                << summary.machine_id << ")\n"
                << "  systemd:   "
                << (summary.systemd_connected ? "connected, systemd " + summary.systemd_version
                                              : std::string("not connected"))
                << "\n"
                << "  scheduler: " << schedulerLine(summary) << "\n"
                << "  units:     " << countsLine(counts) << "\n";
    }
    return healthy(summary) ? kExitOk : kExitNo;
  });
}

}  // namespace deckhand::ctl
