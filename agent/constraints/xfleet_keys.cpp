#include "agent/constraints/xfleet_keys.hpp"

#include <array>
#include <cctype>

namespace deckhand::constraints {
namespace {

struct KeySpelling {
  std::string_view name;
  XFleetKey key;
  bool deprecated;
};

constexpr std::array<KeySpelling, 10> kSpellings{{
    {"MachineID", XFleetKey::machine_id, false},
    {"MachineOf", XFleetKey::machine_of, false},
    {"MachineMetadata", XFleetKey::machine_metadata, false},
    {"Conflicts", XFleetKey::conflicts, false},
    {"Global", XFleetKey::global, false},
    {"Replaces", XFleetKey::replaces, false},
    {"X-ConditionMachineID", XFleetKey::machine_id, true},
    {"X-ConditionMachineOf", XFleetKey::machine_of, true},
    {"X-ConditionMachineMetadata", XFleetKey::machine_metadata, true},
    {"X-Conflicts", XFleetKey::conflicts, true},
}};

bool equalIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t at = 0; at < a.size(); ++at) {
    if (std::tolower(static_cast<unsigned char>(a[at])) !=
        std::tolower(static_cast<unsigned char>(b[at]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<XFleetKey> findXFleetKey(std::string_view written) {
  for (const auto& spelling : kSpellings) {
    if (spelling.name == written) return spelling.key;
  }
  return std::nullopt;
}

std::string_view keyName(XFleetKey key) {
  for (const auto& spelling : kSpellings) {
    if (spelling.key == key && !spelling.deprecated) return spelling.name;
  }
  return "?";
}

std::string_view expectedValue(XFleetKey key) {
  switch (key) {
    case XFleetKey::machine_id:
      return "the machine's ID (32 lowercase hex digits) or its first 8 digits";
    case XFleetKey::machine_of:
      return "a unit name, such as db.service";
    case XFleetKey::machine_metadata:
      return "KEY=VALUE, or KEY with one of != < <= > >= and a value";
    case XFleetKey::conflicts:
    case XFleetKey::replaces:
      return "a unit name or a glob over unit names, such as web@*.service";
    case XFleetKey::global:
      return "true or false";
  }
  return "?";
}

std::string unknownKeyMessage(std::string_view written) {
  if (equalIgnoringCase(written, "X-ConditionMachineBootID")) {
    return "fleet's legacy key is not supported: a boot ID changes at every boot, so the unit "
           "would lose its machine on the next reboot; use MachineID";
  }
  for (const auto& spelling : kSpellings) {
    if (equalIgnoringCase(written, spelling.name)) {
      return "unknown key; keys are case-sensitive: did you mean " + std::string(spelling.name) +
             "?";
    }
  }
  return "unknown key; [X-Fleet] accepts MachineID, MachineOf, MachineMetadata, Conflicts, "
         "Global and Replaces (and fleet's deprecated X-ConditionMachineID, "
         "X-ConditionMachineOf, X-ConditionMachineMetadata and X-Conflicts)";
}

}  // namespace deckhand::constraints
