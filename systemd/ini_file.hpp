#pragma once
// systemd's INI dialect (systemd.syntax(7)): the one reader for unit files and the agent's own
// configuration. It keeps every assignment in order with its line number, so callers can report
// errors as FILE:LINE and give repeated keys and empty assignments their systemd meaning.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace deckhand::systemd {

struct IniAssignment {
  std::string section;
  std::string key;
  std::string value;  // leading and trailing whitespace removed; continuations joined by a space
  int line = 0;       // where the assignment starts
};

struct IniFile {
  std::string origin;  // file name used in error messages
  std::vector<IniAssignment> assignments;
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
