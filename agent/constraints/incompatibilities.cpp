#include "agent/constraints/incompatibilities.hpp"

#include <algorithm>
#include <array>
#include <functional>

#include "agent/constraints/glob.hpp"

namespace deckhand::constraints {
namespace {

struct Incompatibility {
  XFleetKey first;
  XFleetKey second;
  std::string_view why;
};

constexpr std::array<Incompatibility, 7> kIncompatibilities{{
    {XFleetKey::machine_id, XFleetKey::machine_of,
     "MachineID pins the unit to one machine, MachineOf sends it wherever its peer runs"},
    {XFleetKey::machine_id, XFleetKey::conflicts,
     "a unit pinned to one machine cannot move away from a conflict"},
    {XFleetKey::machine_id, XFleetKey::global,
     "a global unit runs on every machine, MachineID pins it to one"},
    {XFleetKey::machine_id, XFleetKey::replaces,
     "Replaces takes the machine of the unit it replaces, MachineID pins it to one machine"},
    {XFleetKey::global, XFleetKey::machine_of,
     "a global unit runs on every machine that matches; it cannot follow a peer"},
    {XFleetKey::global, XFleetKey::replaces,
     "a global unit runs on every machine that matches; it cannot take another unit's place"},
    {XFleetKey::conflicts, XFleetKey::replaces,
     "Replaces already moves the replaced unit off this unit's machine; keep one of the two"},
}};

std::string mention(const systemd::UnitFileEntry& entry) {
  std::string text = entry.key + "=" + entry.value;
  if (entry.line > 0) text += " (line " + std::to_string(entry.line) + ")";
  return text;
}

// Global only clashes when it is in effect, and then through the assignment that set it last.
const ParsedItem* occurrence(std::span<const ParsedItem> items, XFleetKey key, bool global) {
  if (key == XFleetKey::global) {
    if (!global) return nullptr;
    const auto last = std::find_if(items.rbegin(), items.rend(),
                                   [key](const ParsedItem& item) { return item.key == key; });
    return last == items.rend() ? nullptr : &*last;
  }
  const auto first = std::find_if(items.begin(), items.end(),
                                  [key](const ParsedItem& item) { return item.key == key; });
  return first == items.end() ? nullptr : &*first;
}

// "<verb> <earlier entry>: <detail>", filed under the later entry. Entries are compared by
// address, which is file order: they all live in the one span parseConstraints was given.
ConstraintProblem onLater(const ParsedItem& a, const ParsedItem& b, std::string_view verb,
                          std::string_view detail) {
  const bool a_later = std::greater<const systemd::UnitFileEntry*>()(a.entry, b.entry);
  const systemd::UnitFileEntry& later = a_later ? *a.entry : *b.entry;
  const systemd::UnitFileEntry& earlier = a_later ? *b.entry : *a.entry;
  return {later.line, later.key, later.value,
          std::string(verb) + " " + mention(earlier) + ": " + std::string(detail)};
}

void addPeerPatternClashes(std::span<const ParsedItem> items, XFleetKey pattern_key,
                           std::string_view consequence, std::vector<ConstraintProblem>& problems) {
  for (const auto& peer : items) {
    if (peer.key != XFleetKey::machine_of) continue;
    for (const auto& pattern : items) {
      if (pattern.key != pattern_key || !globMatches(pattern.text, peer.text)) continue;
      problems.push_back(onLater(peer, pattern, "contradicts",
                                 "peer " + peer.text + " matches pattern " + pattern.text + ", " +
                                     std::string(consequence)));
    }
  }
}

}  // namespace

std::vector<ConstraintProblem> findIncompatibilities(const UnitConstraints& constraints,
                                                     std::span<const ParsedItem> items) {
  std::vector<ConstraintProblem> problems;
  for (const auto& rule : kIncompatibilities) {
    const ParsedItem* first = occurrence(items, rule.first, constraints.global);
    const ParsedItem* second = occurrence(items, rule.second, constraints.global);
    if (first == nullptr || second == nullptr) continue;
    problems.push_back(onLater(*first, *second, "cannot be combined with", rule.why));
  }
  addPeerPatternClashes(items, XFleetKey::conflicts,
                        "so the unit would have to run next to its peer and away from it",
                        problems);
  addPeerPatternClashes(items, XFleetKey::replaces,
                        "so the unit would need its peer on its machine and move it away",
                        problems);
  return problems;
}

}  // namespace deckhand::constraints
