#include "scheduler/server/api_json.hpp"

namespace deckhand::scheduler {

namespace json = boost::json;

HttpResponse jsonReply(unsigned status, const json::value& body) {
  return {status, json::serialize(body) + "\n", {}};
}

HttpResponse errorReply(unsigned status, const std::string& message) {
  return jsonReply(status, json::object{{"error", message}});
}

json::object reportJson(const ReportedUnit& report) {
  json::object object{{"load_state", report.load_state},
                      {"active_state", report.active_state},
                      {"sub_state", report.sub_state},
                      {"invocation_id", report.invocation_id}};
  object["desired"] = report.desired ? json::value(targetStateName(*report.desired)) : nullptr;
  object["hash"] = report.hash ? json::value(*report.hash) : nullptr;
  return object;
}

json::object unitJson(const UnitStatus& unit) {
  json::array machines;
  for (const auto& id : unit.machines)
    machines.push_back(json::value(id));
  json::object states;
  for (const auto& [id, report] : unit.reports)
    states[id] = reportJson(report);
  json::object pending;
  for (const auto& [id, reason] : unit.pending)
    pending[id.empty() ? "*" : id] = reason;
  return json::object{{"name", unit.name},
                      {"hash", unit.hash},
                      {"target", targetStateName(unit.target)},
                      {"global", unit.global},
                      {"container", unit.container},
                      {"machines", std::move(machines)},
                      {"states", std::move(states)},
                      {"pending", std::move(pending)},
                      {"why", unit.why}};
}

json::array unitsJson(const std::vector<UnitStatus>& units) {
  json::array array;
  for (const auto& unit : units)
    array.push_back(unitJson(unit));
  return array;
}

json::object templateJson(const TemplateStatus& templ) {
  return json::object{{"name", templ.name}, {"hash", templ.hash}, {"template", true}};
}

json::array templatesJson(const std::vector<TemplateStatus>& templates) {
  json::array array;
  for (const auto& templ : templates)
    array.push_back(templateJson(templ));
  return array;
}

json::array machinesJson(const std::vector<MachineStatus>& machines) {
  json::array array;
  for (const auto& machine : machines) {
    json::object metadata;
    for (const auto& [key, value] : machine.info.metadata)
      metadata[key] = value;
    array.push_back(json::object{{"id", machine.info.id},
                                 {"hostname", machine.info.hostname},
                                 {"public_ip", machine.info.public_ip},
                                 {"metadata", std::move(metadata)},
                                 {"connected", machine.connected},
                                 {"lost", machine.lost},
                                 {"units", machine.units}});
  }
  return array;
}

void appendJournalLines(json::array& lines, std::string_view frame) {
  std::error_code error;
  const auto value = json::parse(frame, error);
  if (error || !value.is_object()) return;
  const auto* found = value.as_object().if_contains("lines");
  if (found == nullptr || !found->is_array()) return;
  for (const auto& line : found->get_array())
    lines.push_back(line);
}

}  // namespace deckhand::scheduler
