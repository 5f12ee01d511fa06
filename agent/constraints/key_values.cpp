#include "agent/constraints/key_values.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "agent/constraints/glob.hpp"
#include "agent/constraints/invalid_value.hpp"

namespace deckhand::constraints {
namespace {

constexpr std::size_t kMachineIdLength = 32;
constexpr std::size_t kShortMachineIdLength = 8;

bool isLowerHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

std::string lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

}  // namespace

void checkMachineId(std::string_view id) {
  const bool right_length = id.size() == kMachineIdLength || id.size() == kShortMachineIdLength;
  if (right_length && std::all_of(id.begin(), id.end(), isLowerHex)) return;
  throw InvalidValue("\"" + std::string(id) +
                     "\" is not a machine ID; expected the machine's ID (32 lowercase hex "
                     "digits, as deckhand reports it) or its first 8 digits");
}

void checkPeer(std::string_view peer, const systemd::UnitName& unit) {
  if (isGlob(peer)) {
    throw InvalidValue("\"" + std::string(peer) +
                       "\" is a pattern; MachineOf names one unit exactly (patterns are for "
                       "Conflicts and Replaces)");
  }
  systemd::UnitName name;
  try {
    name = systemd::parseUnitName(peer);
  } catch (const systemd::UnitNameError& error) {
    throw InvalidValue(error.what());
  }
  if (name.is_template) {
    throw InvalidValue(std::string(peer) +
                       " is a template, which never runs itself; name an instance, such as " +
                       name.prefix + "@1." + std::string(systemd::unitTypeSuffix(name.type)));
  }
  if (name.full == unit.full) {
    throw InvalidValue("a unit cannot be its own peer; MachineOf names another unit");
  }
}

void checkNotOwnName(std::string_view pattern, const systemd::UnitName& unit) {
  if (pattern != unit.full) return;
  throw InvalidValue(std::string(pattern) +
                     " is this unit itself; a unit never conflicts with or replaces itself");
}

bool parseBoolean(std::string_view text) {
  static constexpr std::array<std::string_view, 6> kTrue{"1", "yes", "y", "true", "t", "on"};
  static constexpr std::array<std::string_view, 6> kFalse{"0", "no", "n", "false", "f", "off"};
  const std::string lower = lowercase(text);
  if (std::find(kTrue.begin(), kTrue.end(), lower) != kTrue.end()) return true;
  if (std::find(kFalse.begin(), kFalse.end(), lower) != kFalse.end()) return false;
  throw InvalidValue("\"" + std::string(text) +
                     "\" is not a boolean; expected true or false (or yes/no, on/off, 1/0)");
}

}  // namespace deckhand::constraints
