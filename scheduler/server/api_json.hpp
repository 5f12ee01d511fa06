#pragma once
// The JSON shapes of docs/scheduler-api.md. Private to scheduler/server (brings in Boost.JSON).

#include <boost/json.hpp>
#include <stdexcept>
#include <string_view>

#include "scheduler/engine/engine.hpp"
#include "scheduler/server/http_api.hpp"

namespace deckhand::scheduler {

// An operator's request that cannot be served: its HTTP status and why.
class ApiError : public std::runtime_error {
 public:
  ApiError(unsigned status, const std::string& message)
      : std::runtime_error(message), status(status) {}
  unsigned status;
};

// An answer with this JSON body, and {"error": message}.
HttpResponse jsonReply(unsigned status, const boost::json::value& body);
HttpResponse errorReply(unsigned status, const std::string& message);

boost::json::object unitJson(const UnitStatus& unit);
// An agent's report of a unit: load, active and sub state, invocation, desired state, hash.
boost::json::object reportJson(const ReportedUnit& report);
boost::json::array unitsJson(const std::vector<UnitStatus>& units);
boost::json::object templateJson(const TemplateStatus& templ);
boost::json::array templatesJson(const std::vector<TemplateStatus>& templates);
boost::json::array machinesJson(const std::vector<MachineStatus>& machines);
// Adds the lines of an agent's journal message to lines.
void appendJournalLines(boost::json::array& lines, std::string_view frame);

}  // namespace deckhand::scheduler
