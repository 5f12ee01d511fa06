#include "ctl/cluster_tables.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>
#include <iomanip>
#include <string>
#include <vector>

namespace deckhand::ctl {
namespace {

namespace json = boost::json;
using Row = std::vector<std::string>;

std::string text(const json::value& value) {
  return value.is_string() ? std::string(value.get_string()) : "-";
}

std::string field(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr ? text(*value) : "-";
}

// fleetctl's MACHINE column: the short ID and the address, "4d7a0c1e.../192.0.2.13".
std::string machineLabel(const std::string& id, const json::value& machines) {
  for (const auto& machine : machines.at("machines").as_array()) {
    const auto& object = machine.as_object();
    if (object.at("id").as_string() != id) continue;
    const auto ip = field(object, "public_ip");
    return id.substr(0, 8) + "/" + (ip.empty() ? field(object, "hostname") : ip);
  }
  return id.substr(0, 8);
}

void printTable(std::ostream& out, const Row& header, const std::vector<Row>& rows) {
  std::vector<std::size_t> widths(header.size());
  for (std::size_t i = 0; i < header.size(); ++i)
    widths[i] = header[i].size();
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  }
  const auto line = [&](const Row& row) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      out << (i + 1 == row.size() ? row[i]
                                  : row[i] + std::string(widths[i] - row[i].size() + 2, ' '));
    }
    out << "\n";
  };
  line(header);
  for (const auto& row : rows)
    line(row);
}

}  // namespace

void printUnits(std::ostream& out, const json::value& units, const json::value& machines) {
  std::vector<Row> rows;
  for (const auto& value : units.at("units").as_array()) {
    const auto& unit = value.as_object();
    if (field(unit, "target") == "inactive") continue;
    const auto& placed = unit.at("machines").as_array();
    if (placed.empty()) rows.push_back({field(unit, "name"), "-", "-", "-"});
    for (const auto& id : placed) {
      const auto* state = unit.at("states").as_object().if_contains(id.as_string());
      const auto active = state != nullptr ? field(state->as_object(), "active_state") : "-";
      const auto sub = state != nullptr ? field(state->as_object(), "sub_state") : "-";
      rows.push_back({field(unit, "name"), machineLabel(text(id), machines), active, sub});
    }
  }
  printTable(out, {"UNIT", "MACHINE", "ACTIVE", "SUB"}, rows);
}

void printUnitFiles(std::ostream& out, const json::value& units, const json::value& templates,
                    const json::value& machines) {
  std::vector<Row> rows;
  for (const auto& value : units.at("units").as_array()) {
    const auto& unit = value.as_object();
    // STATE is what the machines report: launched if it runs on one, loaded if it is loaded.
    std::string state = "inactive";
    for (const auto& [id, report] : unit.at("states").as_object()) {
      const auto& object = report.as_object();
      if (field(object, "active_state") == "active") {
        state = "launched";
      } else if (state == "inactive" && field(object, "load_state") == "loaded") {
        state = "loaded";
      }
    }
    const auto& placed = unit.at("machines").as_array();
    std::string target = "-";
    if (placed.size() == 1) target = machineLabel(text(placed.front()), machines);
    if (placed.size() > 1) target = "global (" + std::to_string(placed.size()) + " machines)";
    rows.push_back({field(unit, "name"), field(unit, "hash").substr(0, 7), field(unit, "target"),
                    state, target});
  }
  for (const auto& value : templates.at("templates").as_array()) {
    const auto& templ = value.as_object();
    rows.push_back({field(templ, "name"), field(templ, "hash").substr(0, 7), "template", "-", "-"});
  }
  std::sort(rows.begin(), rows.end());
  printTable(out, {"UNIT", "HASH", "DSTATE", "STATE", "TARGET"}, rows);
}

void printMachines(std::ostream& out, const json::value& machines) {
  std::vector<Row> rows;
  for (const auto& value : machines.at("machines").as_array()) {
    const auto& machine = value.as_object();
    std::string metadata;
    for (const auto& [key, item] : machine.at("metadata").as_object()) {
      metadata += (metadata.empty() ? "" : ",") + std::string(key) + "=" + text(item);
    }
    std::string id = field(machine, "id").substr(0, 8) + "...";
    if (!machine.at("connected").as_bool()) {
      id += machine.at("lost").as_bool() ? " (lost)" : " (disconnected)";
    }
    rows.push_back({id, field(machine, "public_ip"), metadata.empty() ? "-" : metadata});
  }
  printTable(out, {"MACHINE", "IP", "METADATA"}, rows);
}

void printStatus(std::ostream& out, const json::value& value, const json::value& machines) {
  const auto& unit = value.as_object();
  out << "● " << field(unit, "name") << "  target: " << field(unit, "target")
      << (unit.contains("global") && unit.at("global").as_bool() ? " (global)" : "") << "\n";
  out << "  hash: " << field(unit, "hash") << "\n";
  if (unit.contains("template")) return;
  for (const auto& id : unit.at("machines").as_array()) {
    out << "  on " << machineLabel(text(id), machines);
    if (const auto* state = unit.at("states").as_object().if_contains(id.as_string())) {
      out << ": " << field(state->as_object(), "active_state") << " ("
          << field(state->as_object(), "sub_state") << ")";
    } else {
      out << ": not reported yet";
    }
    out << "\n";
  }
  if (!field(unit, "why").empty()) out << "  why: " << field(unit, "why") << "\n";
  for (const auto& [id, reason] : unit.at("pending").as_object()) {
    out << "  cannot run on "
        << (id == "*" ? "any machine" : machineLabel(std::string(id), machines)) << ": "
        << text(reason) << "\n";
  }
}

void printJournal(std::ostream& out, const json::value& journal) {
  for (const auto& value : journal.at("lines").as_array())
    printJournalLine(out, value.as_object());
}

void printJournalLine(std::ostream& out, const json::object& line) {
  const auto* usec = line.if_contains("usec");
  if (usec != nullptr && usec->is_number()) {
    const std::time_t seconds = static_cast<std::time_t>(usec->to_number<double>() / 1e6);
    std::tm local{};
    localtime_r(&seconds, &local);
    out << std::put_time(&local, "%b %d %H:%M:%S") << " ";
  }
  out << field(line, "message") << "\n";
}

}  // namespace deckhand::ctl
