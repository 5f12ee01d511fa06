#include "agent/link/codec_write.hpp"

#include "agent/link/codec_utf8.hpp"

namespace deckhand::link::codec {
namespace {

// How the main process ended, from ExecMainCode (waitid's si_code: CLD_EXITED, CLD_KILLED,
// CLD_DUMPED); "" when it has not ended or ended otherwise.
std::string_view exitCodeName(std::int32_t code) {
  switch (code) {
    case 1:
      return "exited";
    case 2:
      return "killed";
    case 3:
      return "dumped";
    default:
      return "";
  }
}

json::value optionalText(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return jsonText(*text);
}

}  // namespace

json::string jsonText(std::string_view text) {
  return json::string(validUtf8(text));
}

json::object unitObject(const UnitReport& unit) {
  const systemd::UnitState& state = unit.state;
  json::object object;
  object["name"] = jsonText(unit.name);
  object["desired"] = optionalText(unit.desired);
  object["hash"] = optionalText(unit.hash);
  object["load_state"] = jsonText(state.load_state);
  if (!state.load_error.empty()) object["load_error"] = jsonText(state.load_error);
  object["active_state"] = jsonText(state.active_state);
  object["sub_state"] = jsonText(state.sub_state);
  object["result"] = jsonText(state.result);
  object["exit_code"] = exitCodeName(state.exec_main_code);
  object["exit_status"] = state.exec_main_status;
  object["main_pid"] = state.main_pid;
  object["n_restarts"] = state.n_restarts;
  object["invocation_id"] = jsonText(state.invocation_id);
  object["active_enter_usec"] = state.active_enter_usec;
  object["inactive_enter_usec"] = state.inactive_enter_usec;
  return object;
}

json::array unitArray(std::span<const UnitReport> units) {
  json::array array;
  array.reserve(units.size());
  for (const auto& unit : units)
    array.emplace_back(unitObject(unit));
  return array;
}

json::object machineObject(const machine::MachineFacts& facts) {
  json::array addresses;
  for (const auto& address : facts.addresses)
    addresses.emplace_back(jsonText(address));
  json::object metadata;
  for (const auto& [key, value] : facts.metadata)
    metadata[validUtf8(key)] = jsonText(value);
  json::object object;
  object["machine_id"] = jsonText(facts.machine_id);
  object["boot_id"] = jsonText(facts.boot_id);
  object["hostname"] = jsonText(facts.hostname);
  object["public_ip"] = jsonText(facts.public_ip);
  object["addresses"] = std::move(addresses);
  object["os_release"] = jsonText(facts.os_release);
  object["kernel"] = jsonText(facts.kernel);
  object["architecture"] = jsonText(facts.architecture);
  object["cpus"] = facts.cpus;
  object["memory_bytes"] = facts.memory_bytes;
  object["systemd_version"] = jsonText(facts.systemd_version);
  object["docker_version"] = jsonText(facts.docker_version);
  object["agent_version"] = jsonText(facts.agent_version);
  object["metadata"] = std::move(metadata);
  return object;
}

json::object errorObject(const ProtocolError& error) {
  json::object object;
  object["code"] = errorCodeName(error.code());
  object["message"] = jsonText(error.what());
  return object;
}

json::object resultObject(std::string_view id, bool ok) {
  json::object object;
  object["type"] = "result";
  object["id"] = jsonText(id);
  object["ok"] = ok;
  return object;
}

}  // namespace deckhand::link::codec
