// Agent -> scheduler messages of docs/protocol.md, read strictly where the scheduler depends on a
// field and leniently elsewhere (unknown fields are ignored, optional ones may be missing).

#include <boost/json.hpp>

#include "scheduler/agent_link/agent_codec.hpp"

namespace deckhand::scheduler {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxDepth = 32;

[[noreturn]] void fail(std::string_view field, std::string_view expected) {
  throw AgentMessageError("field \"" + std::string(field) + "\": expected " +
                          std::string(expected));
}

const json::value& require(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr) fail(key, "present");
  return *value;
}

std::string requireString(const json::object& object, std::string_view key) {
  const auto& value = require(object, key);
  if (!value.is_string()) fail(key, "a string");
  return std::string(value.get_string());
}

std::string optionalString(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

const json::object& requireObject(const json::object& object, std::string_view key) {
  const auto& value = require(object, key);
  if (!value.is_object()) fail(key, "an object");
  return value.get_object();
}

const json::array& requireArray(const json::object& object, std::string_view key) {
  const auto& value = require(object, key);
  if (!value.is_array()) fail(key, "an array");
  return value.get_array();
}

ReportedUnit readUnit(const json::value& value) {
  if (!value.is_object()) fail("unit", "an object");
  const auto& object = value.get_object();
  ReportedUnit unit;
  unit.name = requireString(object, "name");
  if (const auto* desired = object.if_contains("desired"); desired && desired->is_string()) {
    unit.desired = targetStateFromName(desired->get_string());
    if (!unit.desired) fail("desired", "inactive, loaded, launched or null");
  }
  if (const auto* hash = object.if_contains("hash"); hash && hash->is_string()) {
    unit.hash = std::string(hash->get_string());
  }
  unit.load_state = optionalString(object, "load_state");
  unit.active_state = optionalString(object, "active_state");
  unit.sub_state = optionalString(object, "sub_state");
  unit.invocation_id = optionalString(object, "invocation_id");
  return unit;
}

Hello readHello(const json::object& object) {
  Hello hello;
  const auto& protocol = require(object, "protocol");
  if (!protocol.is_int64()) fail("protocol", "a number");
  hello.protocol = static_cast<int>(protocol.get_int64());
  const auto& machine = requireObject(object, "machine");
  hello.machine.id = requireString(machine, "machine_id");
  hello.machine.hostname = optionalString(machine, "hostname");
  hello.machine.public_ip = optionalString(machine, "public_ip");
  hello.os_release = optionalString(machine, "os_release");
  hello.agent_version = optionalString(machine, "agent_version");
  if (const auto* metadata = machine.if_contains("metadata"); metadata && metadata->is_object()) {
    for (const auto& [key, value] : metadata->get_object()) {
      if (!value.is_string()) fail("machine.metadata", "string values");
      hello.machine.metadata[std::string(key)] = std::string(value.get_string());
    }
  }
  for (const auto& unit : requireArray(object, "units"))
    hello.units.push_back(readUnit(unit));
  return hello;
}

std::optional<WireError> readError(const json::object& object) {
  const auto* error = object.if_contains("error");
  if (error == nullptr || !error->is_object()) return std::nullopt;
  return WireError{optionalString(error->get_object(), "code"),
                   optionalString(error->get_object(), "message")};
}

Result readResult(const json::object& object, std::string_view frame) {
  Result result;
  result.id = requireString(object, "id");
  const auto& ok = require(object, "ok");
  if (!ok.is_bool()) fail("ok", "true or false");
  result.ok = ok.get_bool();
  result.error = readError(object);
  if (const auto* units = object.if_contains("units"); units && units->is_array()) {
    for (const auto& unit : units->get_array()) {
      if (!unit.is_object()) continue;
      const auto& verdict = unit.get_object();
      // A query's units are reports, not verdicts: only verdicts carry "ok".
      if (!verdict.contains("ok")) continue;
      result.units.push_back({optionalString(verdict, "name"), readError(verdict)});
    }
  }
  result.frame = std::string(frame);
  return result;
}

}  // namespace

AgentMessage decodeAgentMessage(std::string_view frame) {
  json::parse_options options;
  options.max_depth = kMaxDepth;
  std::error_code error;
  const auto value = json::parse(frame, error, {}, options);
  if (error) throw AgentMessageError("not JSON: " + error.message());
  if (!value.is_object()) throw AgentMessageError("not a JSON object");
  const auto& object = value.get_object();
  const auto type = requireString(object, "type");
  if (type == "hello") return readHello(object);
  if (type == "unit") {
    const auto* unit = object.if_contains("unit");
    if (unit == nullptr) fail("unit", "present");
    return UnitMessage{readUnit(*unit)};
  }
  if (type == "unit_removed") return UnitRemoved{requireString(object, "name")};
  if (type == "heartbeat") {
    const auto* seq = object.if_contains("seq");
    return AgentHeartbeat{seq && seq->is_int64() ? static_cast<std::uint64_t>(seq->get_int64())
                                                 : 0};
  }
  if (type == "result") return readResult(object, frame);
  if (type == "error") return AgentError{readError(object).value_or(WireError{})};
  if (type == "journal") {
    const auto* done = object.if_contains("done");
    return JournalLines{requireString(object, "id"), std::string(frame),
                        done && done->is_bool() && done->get_bool()};
  }
  return OtherMessage{type};
}

}  // namespace deckhand::scheduler
