#pragma once
// A unit file as deckhand keeps, installs and compares it (systemd.unit(5)): its sections in
// order, each with its assignments in order, repeated keys and empty assignments kept, since in
// systemd an empty assignment resets a list ("ExecStart=" before a new ExecStart=).
//
// Values are kept raw: quotes, "\" escapes and %-specifiers are interpreted by systemd, per key,
// when it loads the unit, so deckhand neither strips nor checks them. A value with spaces inside
// quotes stays exactly as written.
//
// The normalised text (writeUnitFile) is what the content hash covers: one "Key=Value" per line,
// sections separated by one blank line, no comments, continuation lines joined by one space,
// whitespace around keys, values and line ends removed, "\n" line ends. A section that appears
// twice is one section, in the place where it first appears, with its entries in file order; a
// section with no entries stays.
// Comments, blank lines, line endings and how a value is wrapped do not change the hash; the order
// of keys and sections, a repeated key and an empty assignment do.

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace deckhand::systemd {

inline constexpr std::size_t kUnitFileMaxBytes = 1024 * 1024;
inline constexpr std::string_view kFleetSection = "X-Fleet";

struct UnitFileEntry {
  std::string key;
  std::string value;  // raw, see above; empty for an empty assignment
  int line = 0;       // where the assignment starts in the parsed text
};

struct UnitFileSection {
  std::string name;  // "Service", "X-Fleet"
  std::vector<UnitFileEntry> entries;
};

struct UnitFile {
  std::string origin;  // names the text in error messages: a unit name or a path
  std::vector<UnitFileSection> sections;

  // nullptr when the file has no such section. Names are case-sensitive, as in systemd.
  const UnitFileSection* section(std::string_view name) const;
  // The values a list setting ends up with: in order, each empty assignment dropping the values
  // before it. Each value is one raw assignment; splitting it into words is the key's business.
  std::vector<std::string> values(std::string_view section, std::string_view key) const;
  // The last assignment's value, which decides a single-valued setting ("" resets it to its
  // default); nullopt when the key is never assigned.
  std::optional<std::string> lastValue(std::string_view section, std::string_view key) const;
};

// "ORIGIN:LINE: what is wrong", or "ORIGIN: what is wrong" for the text as a whole.
class UnitFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws UnitFileError: a syntax error (systemd/ini_file.hpp), text over kUnitFileMaxBytes, or no
// section at all (installed, an empty file would mask the unit).
UnitFile parseUnitFile(std::string_view text, std::string origin);

// The normalised text, which parses back to the same sections and entries.
std::string writeUnitFile(const UnitFile& file);

// Lowercase hex SHA-256 of writeUnitFile(file): 64 characters, the same for the same meaning.
std::string unitHash(const UnitFile& file);

}  // namespace deckhand::systemd
