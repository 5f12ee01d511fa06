// The desired request: each unit's name, target state, text and hash.

#include <set>
#include <string>

#include "agent/link/codec_read.hpp"

namespace deckhand::link::codec {
namespace {

// Everything about one unit that, when wrong, refuses this unit and not the others.
void readUnit(const json::object& object, const std::string& path, DesiredUnit& unit) {
  requireUnitName(unit.name);
  unit.state = static_cast<DesiredState>(
      readChoice(object, "state", kDesiredStateNames, std::nullopt, path));
  if (unit.state == DesiredState::inactive) return;
  unit.text = requireString(object, "text", path);
  unit.hash = requireString(object, "hash", path);
  try {
    unit.file = systemd::parseUnitFile(unit.text, unit.name);
  } catch (const systemd::UnitFileError& error) {
    throw ProtocolError(ErrorCode::bad_unit_text, error.what());
  }
  const std::string computed = systemd::unitHash(*unit.file);
  if (unit.hash == computed) return;
  const std::string message =
      unit.name + ": hash " + quoted(unit.hash) + " is not the hash of its text";
  throw ProtocolError(ErrorCode::hash_mismatch, message + "; the agent computed " + computed);
}

DesiredUnit decodeUnit(const json::value& element, std::size_t index) {
  const std::string path = "units[" + std::to_string(index) + "]";
  const json::object* object = element.if_object();
  if (object == nullptr) {
    throw ProtocolError(ErrorCode::bad_message, "field \"" + path + "\" must be an object, not " +
                                                    std::string(jsonKindName(element)));
  }
  DesiredUnit unit;
  unit.name = requireString(*object, "name", path);
  try {
    readUnit(*object, path, unit);
  } catch (const ProtocolError& error) {
    // A refused unit keeps only its name: nothing half-checked reaches the reconciler.
    DesiredUnit refused;
    refused.name = std::move(unit.name);
    refused.error = error;
    return refused;
  }
  return unit;
}

}  // namespace

DesiredRequest decodeDesired(const json::object& object, std::string id) {
  const json::array& units = requireArray(object, "units");
  if (units.size() > kMaxDesiredUnits) {
    throw ProtocolError(ErrorCode::bad_message,
                        "field \"units\" has " + std::to_string(units.size()) +
                            " entries; at most " + std::to_string(kMaxDesiredUnits) +
                            " per request (send several)");
  }
  DesiredRequest request;
  request.id = std::move(id);
  request.units.reserve(units.size());
  std::set<std::string> names;
  for (std::size_t i = 0; i < units.size(); ++i) {
    DesiredUnit unit = decodeUnit(units[i], i);
    // Two verdicts for one name would leave the scheduler guessing which one holds.
    if (!names.insert(unit.name).second) {
      throw ProtocolError(ErrorCode::bad_message, "field \"units\" names " + quoted(unit.name) +
                                                      " more than once; each unit may appear once");
    }
    request.units.push_back(std::move(unit));
  }
  return request;
}

}  // namespace deckhand::link::codec
