#include "agent/constraints/constraints.hpp"

#include <algorithm>

#include "agent/constraints/glob.hpp"
#include "agent/constraints/incompatibilities.hpp"
#include "agent/constraints/invalid_value.hpp"
#include "agent/constraints/key_values.hpp"
#include "agent/constraints/metadata_condition.hpp"
#include "agent/constraints/xfleet_keys.hpp"
#include "agent/constraints/xfleet_value.hpp"

namespace deckhand::constraints {
namespace {

template <typename T>
void addUnique(std::vector<T>& list, T value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

// Checks one item of key and records it. Throws InvalidValue.
void addItem(XFleetKey key, const std::string& item, const systemd::UnitName& unit,
             UnitConstraints& constraints) {
  switch (key) {
    case XFleetKey::machine_id:
      checkMachineId(item);
      // fleet silently kept the first of several IDs.
      if (constraints.machine_id && *constraints.machine_id != item) {
        throw InvalidValue("a unit runs on one machine, and MachineID already names " +
                           *constraints.machine_id);
      }
      constraints.machine_id = item;
      return;
    case XFleetKey::machine_of:
      checkPeer(item, unit);
      addUnique(constraints.peers, item);
      return;
    case XFleetKey::machine_metadata:
      addUnique(constraints.metadata, parseMetadataCondition(item));
      return;
    case XFleetKey::conflicts:
      checkUnitGlob(item);
      checkNotOwnName(item, unit);
      addUnique(constraints.conflicts, item);
      return;
    case XFleetKey::replaces:
      checkUnitGlob(item);
      checkNotOwnName(item, unit);
      addUnique(constraints.replaces, item);
      return;
    case XFleetKey::global:
      // Later assignments override earlier ones, as everywhere in systemd.
      constraints.global = parseBoolean(item);
      return;
  }
}

std::string emptyItemMessage(XFleetKey key, const std::string& text,
                             const systemd::UnitName& unit) {
  const std::string expected(expectedValue(key));
  if (text.empty()) return "an empty quoted item; expected " + expected;
  return "\"" + text + "\" is empty for " + unit.full + "; expected " + expected;
}

// Parses one entry into constraints and items; returns what is wrong with it, if anything.
std::vector<std::string> readEntry(const systemd::UnitFileEntry& entry,
                                   const systemd::UnitName& unit, UnitConstraints& constraints,
                                   std::vector<ParsedItem>& items) {
  const auto key = findXFleetKey(entry.key);
  if (!key) return {unknownKeyMessage(entry.key)};
  const std::string expected(expectedValue(*key));
  if (entry.value.empty()) {
    return {"empty value; expected " + expected +
            " (an empty assignment does not reset anything in [X-Fleet])"};
  }
  std::vector<std::string> texts;
  try {
    texts = splitXFleetValue(entry.value);
  } catch (const InvalidValue& error) {
    return {error.what()};
  }
  if (texts.size() > 1 && (*key == XFleetKey::machine_id || *key == XFleetKey::global)) {
    return {std::string(keyName(*key)) + " takes one value, got " + std::to_string(texts.size()) +
            "; expected " + expected};
  }
  std::vector<std::string> messages;
  for (const auto& text : texts) {
    std::string item;
    try {
      item = substituteSpecifiers(text, unit);
      if (item.empty()) throw InvalidValue(emptyItemMessage(*key, text, unit));
      addItem(*key, item, unit, constraints);
      items.push_back({*key, item, &entry});
    } catch (const InvalidValue& error) {
      const bool substituted = !item.empty() && item != text;
      messages.push_back(
          (substituted ? "\"" + text + "\" is \"" + item + "\" for " + unit.full + ": " : "") +
          error.what());
    }
  }
  return messages;
}

std::string joinProblems(const std::string& unit, const std::vector<ConstraintProblem>& problems) {
  std::string text;
  for (const auto& problem : problems) {
    if (!text.empty()) text.push_back('\n');
    text += unit + ": [X-Fleet] " + problem.describe();
  }
  return text;
}

}  // namespace

std::string ConstraintProblem::describe() const {
  std::string text = line > 0 ? "line " + std::to_string(line) + ": " : "";
  return text + key + "=" + value + ": " + message;
}

ConstraintError::ConstraintError(std::string unit, std::vector<ConstraintProblem> problems)
    : std::invalid_argument(joinProblems(unit, problems)),
      unit_(std::move(unit)),
      problems_(std::move(problems)) {}

UnitConstraints parseConstraints(const systemd::UnitName& unit,
                                 std::span<const systemd::UnitFileEntry> entries) {
  UnitConstraints constraints;
  constraints.unit = unit.full;
  std::vector<ConstraintProblem> problems;
  std::vector<ParsedItem> items;
  for (const auto& entry : entries) {
    for (auto& message : readEntry(entry, unit, constraints, items)) {
      problems.push_back({entry.line, entry.key, entry.value, std::move(message)});
    }
  }
  for (auto& problem : findIncompatibilities(constraints, items)) {
    problems.push_back(std::move(problem));
  }
  if (problems.empty()) return constraints;
  // Incompatibilities are found last but belong among the others, in file order.
  std::stable_sort(problems.begin(), problems.end(),
                   [](const auto& a, const auto& b) { return a.line < b.line; });
  throw ConstraintError(unit.full, std::move(problems));
}

UnitConstraints parseConstraints(const systemd::UnitName& unit, const systemd::UnitFile& file) {
  const systemd::UnitFileSection* section = file.section(systemd::kFleetSection);
  if (section == nullptr) return parseConstraints(unit, std::span<const systemd::UnitFileEntry>());
  return parseConstraints(unit, section->entries);
}

}  // namespace deckhand::constraints
