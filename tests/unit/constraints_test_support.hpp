#pragma once
// Shared by the constraints tests: units written as the [X-Fleet] section of a real unit file, so
// quoting, line numbers and continuation lines go through the same parser as in production.

#include <ostream>
#include <string>
#include <string_view>

#include "agent/constraints/constraints.hpp"
#include "systemd/unit_file.hpp"
#include "systemd/unit_name.hpp"

namespace deckhand::constraints {

// body is the section's text; its first line is line 2 of the file.
inline UnitConstraints parseSection(std::string_view unit, std::string_view body) {
  const auto file = systemd::parseUnitFile("[X-Fleet]\n" + std::string(body), std::string(unit));
  return parseConstraints(systemd::parseUnitName(unit), file);
}

// The ConstraintError text, or "no error".
inline std::string sectionError(std::string_view unit, std::string_view body) {
  try {
    parseSection(unit, body);
  } catch (const ConstraintError& error) {
    return error.what();
  }
  return "no error";
}

inline std::ostream& operator<<(std::ostream& out, const MetadataCondition& condition) {
  return out << formatCondition(condition);
}

inline std::ostream& operator<<(std::ostream& out, const UnitConstraints& c) {
  const auto list = [&out](const char* name, const auto& items) {
    out << ' ' << name << "=[";
    for (const auto& item : items)
      out << item << ' ';
    out << ']';
  };
  out << "{unit=" << c.unit << " machine_id=" << c.machine_id.value_or("-");
  list("peers", c.peers);
  list("metadata", c.metadata);
  list("conflicts", c.conflicts);
  list("replaces", c.replaces);
  return out << " global=" << c.global << '}';
}

}  // namespace deckhand::constraints
