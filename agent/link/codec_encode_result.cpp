// Results of requests, and errors.

#include "agent/link/codec_write.hpp"

namespace deckhand::link {

using namespace codec;

std::string encodeResult(std::string_view id) {
  return json::serialize(resultObject(id, true));
}

std::string encodeDesiredResult(std::string_view id, std::span<const UnitOutcome> units) {
  json::array array;
  array.reserve(units.size());
  for (const auto& unit : units) {
    json::object object;
    object["name"] = jsonText(unit.name);
    object["ok"] = !unit.error;
    if (unit.error) object["error"] = errorObject(*unit.error);
    array.emplace_back(std::move(object));
  }
  json::object message = resultObject(id, true);
  message["units"] = std::move(array);
  return json::serialize(message);
}

std::string encodeActionResult(std::string_view id, std::string_view job_result,
                               const UnitReport& unit,
                               const std::optional<ProtocolError>& failure) {
  json::object message = resultObject(id, !failure);
  if (failure) message["error"] = errorObject(*failure);
  message["job_result"] = jsonText(job_result);
  message["unit"] = unitObject(unit);
  return json::serialize(message);
}

std::string encodeUnitsResult(std::string_view id, std::span<const UnitReport> units) {
  json::object message = resultObject(id, true);
  message["units"] = unitArray(units);
  return json::serialize(message);
}

std::string encodeUnitResult(std::string_view id, const UnitReport& unit) {
  json::object message = resultObject(id, true);
  message["unit"] = unitObject(unit);
  return json::serialize(message);
}

std::string encodeMachineResult(std::string_view id, const machine::MachineFacts& facts) {
  json::object message = resultObject(id, true);
  message["machine"] = machineObject(facts);
  return json::serialize(message);
}

std::string encodeError(const ProtocolError& error) {
  if (error.id()) {
    json::object message = resultObject(*error.id(), false);
    message["error"] = errorObject(error);
    return json::serialize(message);
  }
  json::object message;
  message["type"] = "error";
  message["error"] = errorObject(error);
  return json::serialize(message);
}

}  // namespace deckhand::link
