#include "agent/state/state_format.hpp"

#include <boost/json.hpp>

#include "systemd/unit_file.hpp"
#include "systemd/unit_name.hpp"

namespace deckhand::state {
namespace {

namespace json = boost::json;
using TargetState = reconciler::DesiredUnit::TargetState;

constexpr std::size_t kMaxDepth = 8;

TargetState targetOf(std::string_view name) {
  if (name == "inactive") return TargetState::inactive;
  if (name == "loaded") return TargetState::loaded;
  if (name == "launched") return TargetState::launched;
  throw FormatError("state \"" + std::string(name) + "\" is not inactive, loaded or launched");
}

json::object parseVersioned(std::string_view contents) {
  json::parse_options options;
  options.max_depth = kMaxDepth;
  boost::system::error_code error;
  json::value value = json::parse(contents, error, {}, options);
  if (error) throw FormatError("not valid JSON: " + error.message());
  if (!value.is_object()) throw FormatError("not a JSON object");
  auto& object = value.as_object();
  const auto* version = object.if_contains("version");
  if (version == nullptr || !version->is_int64()) throw FormatError("no \"version\" number");
  if (version->as_int64() != kFormatVersion) {
    throw FormatError("format version " + std::to_string(version->as_int64()) +
                      ", this agent reads version " + std::to_string(kFormatVersion) +
                      " (written by another deckhand version?)");
  }
  return std::move(object);
}

std::string stringField(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) {
    throw FormatError("no \"" + std::string(key) + "\" string");
  }
  return std::string(value->as_string());
}

reconciler::DesiredUnit decodeUnit(const json::value& value) {
  if (!value.is_object()) throw FormatError("not a JSON object");
  const auto& object = value.as_object();
  reconciler::DesiredUnit unit;
  unit.name = stringField(object, "name");
  try {
    systemd::parseManagedUnitName(unit.name);
  } catch (const systemd::UnitNameError& error) {
    throw FormatError(error.what());
  }
  unit.state = targetOf(stringField(object, "state"));
  if (unit.state == TargetState::inactive) return unit;
  unit.text = stringField(object, "text");
  unit.hash = stringField(object, "hash");
  try {
    if (systemd::unitHash(systemd::parseUnitFile(unit.text, unit.name)) != unit.hash) {
      throw FormatError("hash does not match its text");
    }
  } catch (const systemd::UnitFileError& error) {
    throw FormatError(std::string("text is not a unit file: ") + error.what());
  }
  return unit;
}

}  // namespace

std::string encodeDesired(const DesiredUnits& units) {
  json::array array;
  array.reserve(units.size());
  for (const auto& [name, unit] : units) {
    json::object object{{"name", unit.name}, {"state", reconciler::targetStateName(unit.state)}};
    if (unit.state != TargetState::inactive) {
      object["text"] = unit.text;
      object["hash"] = unit.hash;
    }
    array.emplace_back(std::move(object));
  }
  return json::serialize(json::object{{"version", kFormatVersion}, {"units", std::move(array)}});
}

DesiredUnits decodeDesired(std::string_view contents) {
  const json::object object = parseVersioned(contents);
  const auto* units = object.if_contains("units");
  if (units == nullptr || !units->is_array()) throw FormatError("no \"units\" array");
  DesiredUnits decoded;
  std::size_t index = 0;
  for (const auto& value : units->as_array()) {
    ++index;
    try {
      auto unit = decodeUnit(value);
      const std::string name = unit.name;
      if (!decoded.emplace(name, std::move(unit)).second) throw FormatError("listed twice");
    } catch (const FormatError& error) {
      std::string which = "unit " + std::to_string(index);
      if (value.is_object()) {
        if (const auto* name = value.as_object().if_contains("name"); name && name->is_string()) {
          which += " (" + std::string(name->as_string()) + ")";
        }
      }
      throw FormatError(which + ": " + error.what());
    }
  }
  return decoded;
}

std::string encodeMetadata(const machine::Metadata& metadata) {
  json::object pairs;
  for (const auto& [key, value] : metadata)
    pairs[key] = value;
  return json::serialize(json::object{{"version", kFormatVersion}, {"metadata", std::move(pairs)}});
}

machine::Metadata decodeMetadata(std::string_view contents) {
  const json::object object = parseVersioned(contents);
  const auto* pairs = object.if_contains("metadata");
  if (pairs == nullptr || !pairs->is_object()) throw FormatError("no \"metadata\" object");
  machine::Metadata metadata;
  for (const auto& [key, value] : pairs->as_object()) {
    if (!machine::isMetadataKey(key) || !value.is_string() ||
        !machine::isMetadataValue(value.as_string())) {
      throw FormatError("metadata \"" + std::string(key) + "\" is not a valid KEY=VALUE pair");
    }
    metadata[std::string(key)] = std::string(value.as_string());
  }
  return metadata;
}

}  // namespace deckhand::state
