#include "ctl/list_units_command.hpp"

#include <boost/json.hpp>
#include <iostream>

#include "ctl/exit_codes.hpp"
#include "ctl/verb_line.hpp"

namespace deckhand::ctl {
namespace {

std::string orDash(const std::string& text) {
  return text.empty() ? "-" : text;
}

boost::json::value orNull(const std::string& text) {
  if (text.empty()) return nullptr;
  return boost::json::value(text);
}

boost::json::object toJson(const dbus::AgentUnit& unit) {
  return {{"name", unit.name},
          {"load_state", unit.load_state},
          {"active_state", unit.active_state},
          {"sub_state", unit.sub_state},
          {"result", unit.result},
          {"desired", orNull(unit.desired)},
          {"hash", orNull(unit.hash)},
          {"main_pid", unit.main_pid}};
}

}  // namespace

int runListUnits(int argc, const char* const* argv) {
  const VerbSpec spec{"list-units", "deckhandctl list-units [--json]",
                      "The agent's units (desired here or installed by it) with their state.\n"
                      "Exit 0, or 3 when the agent is unreachable."};
  int exit_code = kExitOk;
  const auto line = parseVerb(spec, argc, argv, exit_code);
  if (!line) return exit_code;
  return withAgent(spec.name, [&](AgentClient& agent) {
    const auto units = agent.units();
    if (line->json) {
      boost::json::array rows;
      for (const auto& unit : units)
        rows.push_back(toJson(unit));
      std::cout << boost::json::serialize(rows) << "\n";
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& unit : units) {
      rows.push_back({unit.name, orDash(unit.load_state), orDash(unit.active_state),
                      orDash(unit.sub_state), orDash(unit.desired),
                      unit.main_pid == 0 ? "-" : std::to_string(unit.main_pid)});
    }
    printTable({"UNIT", "LOAD", "ACTIVE", "SUB", "DESIRED", "PID"}, rows);
    std::cout << "\n" << units.size() << (units.size() == 1 ? " unit.\n" : " units.\n");
    return kExitOk;
  });
}

}  // namespace deckhand::ctl
