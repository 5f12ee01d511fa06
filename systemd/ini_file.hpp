#pragma once
// systemd's INI dialect (systemd.syntax(7)): the one reader for unit files and the agent's own
// configuration. It keeps every assignment in order with its line number, so callers can report
// errors as FILE:LINE and give repeated keys and empty assignments their systemd meaning.
//
// Lines end in "\n", "\r\n" or a lone "\r", as systemd reads them. A leading UTF-8 byte order mark
// is skipped. Comment lines ('#', ';') are skipped, also inside a continuation.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace deckhand::systemd {

struct IniAssignment {
  std::string section;
  std::string key;
  // Leading and trailing whitespace removed. Continuation lines are joined by exactly one space,
  // whatever whitespace surrounds the line break, so re-wrapping a value does not change it.
  // (systemd keeps that whitespace, which only matters inside quotes.)
  std::string value;
  int line = 0;  // where the assignment starts
};

struct IniFile {
  std::string origin;  // file name used in error messages
  std::vector<IniAssignment> assignments;
  std::vector<std::string> sections;  // every [Section] in order of first appearance, also empty
};

// A syntax error, already phrased for a user: "ORIGIN:LINE: what is wrong".
class IniSyntaxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses text; origin names it in errors. Throws IniSyntaxError.
IniFile parseIni(std::string_view text, std::string origin);

// Reads and parses a file. Throws IniSyntaxError, also when the file cannot be read.
IniFile readIni(const std::filesystem::path& path);

}  // namespace deckhand::systemd
