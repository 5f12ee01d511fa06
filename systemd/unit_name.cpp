#include "systemd/unit_name.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "systemd/printable.hpp"

namespace deckhand::systemd {
namespace {

constexpr std::array<std::pair<UnitType, std::string_view>, 11> kTypes = {{
    {UnitType::service, "service"},
    {UnitType::socket, "socket"},
    {UnitType::target, "target"},
    {UnitType::device, "device"},
    {UnitType::mount, "mount"},
    {UnitType::automount, "automount"},
    {UnitType::swap, "swap"},
    {UnitType::timer, "timer"},
    {UnitType::path, "path"},
    {UnitType::slice, "slice"},
    {UnitType::scope, "scope"},
}};

constexpr std::string_view kShape = "expected NAME.TYPE with letters, digits and :-_.\\@";

bool validNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view(":-_.\\@").find(c) != std::string_view::npos;
}

std::string typeList(bool managed_only) {
  std::string list;
  for (const auto& [type, suffix] : kTypes) {
    if (managed_only && (type == UnitType::device || type == UnitType::scope)) continue;
    if (!list.empty()) list += ", ";
    list += suffix;
  }
  return list;
}

[[noreturn]] void fail(std::string_view name, const std::string& reason, std::string_view hint) {
  throw UnitNameError("unit name \"" + printable(name) + "\": " + reason + "; " +
                      std::string(hint));
}

std::string describeChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte >= 0x7f) return "byte " + printable(std::string_view(&c, 1));
  return std::string("'") + c + "'";
}

}  // namespace

std::string_view unitTypeSuffix(UnitType type) {
  const auto found = std::find_if(kTypes.begin(), kTypes.end(),
                                  [type](const auto& entry) { return entry.first == type; });
  return found->second;
}

std::optional<UnitType> unitTypeFromSuffix(std::string_view suffix) {
  for (const auto& [type, name] : kTypes) {
    if (name == suffix) return type;
  }
  return std::nullopt;
}

std::string UnitName::templateName() const {
  if (!is_template && !isInstance()) {
    fail(full, "is neither a template nor an instance, so it has no template",
         "expected NAME@INSTANCE.TYPE or NAME@.TYPE");
  }
  return prefix + "@." + std::string(unitTypeSuffix(type));
}

UnitName parseUnitName(std::string_view name) {
  if (name.empty()) fail(name, "is empty", kShape);
  if (name.size() > kUnitNameMaxBytes) {
    fail(name,
         "is " + std::to_string(name.size()) + " bytes, longer than " +
             std::to_string(kUnitNameMaxBytes),
         kShape);
  }
  const auto bad = std::find_if_not(name.begin(), name.end(), validNameChar);
  if (bad != name.end()) fail(name, "contains " + describeChar(*bad), kShape);

  const std::string type_hint = "expected NAME.TYPE, TYPE one of " + typeList(false);
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) fail(name, "has no .TYPE suffix", type_hint);
  const std::string_view suffix = name.substr(dot + 1);
  const auto type = unitTypeFromSuffix(suffix);
  if (!type) fail(name, "has unknown type \"." + std::string(suffix) + "\"", type_hint);
  if (dot == 0) fail(name, "has nothing before \"." + std::string(suffix) + "\"", kShape);

  const std::string_view stem = name.substr(0, dot);
  const auto at = stem.find('@');
  if (at == 0) fail(name, "has nothing before '@'", "expected NAME@INSTANCE.TYPE or NAME@.TYPE");

  UnitName parsed;
  parsed.full = name;
  parsed.type = *type;
  parsed.prefix = stem.substr(0, at);
  if (at != std::string_view::npos) {
    parsed.instance = stem.substr(at + 1);
    parsed.is_template = parsed.instance.empty();
  }
  return parsed;
}

UnitName parseManagedUnitName(std::string_view name) {
  UnitName parsed = parseUnitName(name);
  if (parsed.type == UnitType::device || parsed.type == UnitType::scope) {
    fail(name,
         "deckhand cannot install ." + std::string(unitTypeSuffix(parsed.type)) +
             " units from files",
         "expected a unit of type " + typeList(true));
  }
  return parsed;
}

}  // namespace deckhand::systemd
