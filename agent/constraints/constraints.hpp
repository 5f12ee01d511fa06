#pragma once
// fleet's [X-Fleet] constraints, read exactly and loudly: every key, alias, quoting rule and
// specifier fleet understood, and an error for everything fleet dropped silently. What the parse
// produces is what ableToRun (able_to_run.hpp) decides placement with, in the agent before it
// accepts a unit and in the reference scheduler before it places one. docs/constraints.md is the
// user's reference.

#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "systemd/unit_file.hpp"
#include "systemd/unit_name.hpp"

namespace deckhand::constraints {

enum class MetadataOperator { equal, not_equal, less, less_equal, greater, greater_equal };

// MachineMetadata=KEY OP VALUE. Ordering operators always have a number as value.
struct MetadataCondition {
  std::string key;
  MetadataOperator op = MetadataOperator::equal;
  std::string value;

  friend bool operator==(const MetadataCondition&, const MetadataCondition&) = default;
};

std::string_view operatorText(MetadataOperator op);               // "<="
std::string formatCondition(const MetadataCondition& condition);  // "ram>=2048"

// A unit's constraints with aliases folded in, quoting split and specifiers substituted. Lists
// keep the order of the unit file, without repeats.
struct UnitConstraints {
  std::string unit;                         // the full name the specifiers were taken from
  std::optional<std::string> machine_id;    // MachineID: the full machine ID or its first 8 chars
  std::vector<std::string> peers;           // MachineOf: exact unit names
  std::vector<MetadataCondition> metadata;  // MachineMetadata
  std::vector<std::string> conflicts;       // Conflicts: globs over unit names
  std::vector<std::string> replaces;        // Replaces: globs over unit names
  bool global = false;                      // Global

  friend bool operator==(const UnitConstraints&, const UnitConstraints&) = default;
};

// One thing wrong with one entry (or, for an incompatibility, with the later of two entries).
struct ConstraintProblem {
  int line = 0;
  std::string key;      // as written, alias or not
  std::string value;    // as written, before quoting and specifiers
  std::string message;  // what is wrong and what is expected

  // "line 7: MachineMetadata=a=1 b=2: contains whitespace; ..."
  std::string describe() const;
};

// Every problem of a section at once, so a user fixes a unit file in one round. what() has one
// line per problem: "web.service: [X-Fleet] line 7: MachineMetadata=a=1 b=2: ...".
class ConstraintError : public std::invalid_argument {
 public:
  ConstraintError(std::string unit, std::vector<ConstraintProblem> problems);

  const std::string& unit() const { return unit_; }
  const std::vector<ConstraintProblem>& problems() const { return problems_; }

 private:
  std::string unit_;
  std::vector<ConstraintProblem> problems_;
};

// Reads the entries of unit's [X-Fleet] section. Specifiers take the unit's own name parts, so a
// template's constraints are read once per instance, with the instance's name. Throws
// ConstraintError listing every unknown key, malformed value and incompatible pair of entries.
UnitConstraints parseConstraints(const systemd::UnitName& unit,
                                 std::span<const systemd::UnitFileEntry> entries);

// The same for a whole unit file; a file without [X-Fleet] has no constraints.
UnitConstraints parseConstraints(const systemd::UnitName& unit, const systemd::UnitFile& file);

}  // namespace deckhand::constraints
