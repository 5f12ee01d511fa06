#include "systemd/ini_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace deckhand::systemd {
namespace {

constexpr std::string_view kWhitespace = " \t\r";

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kWhitespace);
  return text.substr(first, last - first + 1);
}

bool isComment(std::string_view line) {
  return !line.empty() && (line.front() == '#' || line.front() == ';');
}

bool validSectionName(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (c == '[' || c == ']' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

bool validKey(std::string_view key) {
  if (key.empty()) return false;
  for (const char c : key) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// A line ends in a continuation when it ends in an odd number of backslashes.
bool continues(std::string_view line) {
  const auto last = line.find_last_not_of('\\');
  const auto backslashes = line.size() - (last == std::string_view::npos ? 0 : last + 1);
  return backslashes % 2 == 1;
}

struct LogicalLine {
  std::string text;
  int line = 0;  // where it starts
};

// Joins continuation lines as systemd does: the backslash becomes a space, and comment lines
// never continue and are skipped, also inside a continuation.
std::vector<LogicalLine> logicalLines(std::string_view text) {
  std::vector<LogicalLine> lines;
  std::string pending;
  int pending_line = 0;
  bool continuing = false;
  int number = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    ++number;
    if (isComment(line)) continue;
    if (!continuing) pending_line = number;
    continuing = continues(line);
    if (continuing) {
      pending.append(line.substr(0, line.size() - 1));
      pending.push_back(' ');
      continue;
    }
    pending.append(line);
    lines.push_back({std::string(trim(pending)), pending_line});
    pending.clear();
  }
  if (continuing) lines.push_back({std::string(trim(pending)), pending_line});
  return lines;
}

}  // namespace

IniFile parseIni(std::string_view text, std::string origin) {
  IniFile file{std::move(origin), {}};
  const auto fail = [&file](int line, const std::string& what) {
    throw IniSyntaxError(file.origin + ":" + std::to_string(line) + ": " + what);
  };
  if (text.find('\0') != std::string_view::npos) fail(1, "file contains a NUL byte; expected text");
  std::string section;
  for (const auto& [line, number] : logicalLines(text)) {
    if (line.empty() || isComment(line)) continue;
    if (line.front() == '[') {
      if (line.back() != ']') fail(number, "section header \"" + line + "\" lacks a closing ']'");
      const std::string name = line.substr(1, line.size() - 2);
      if (!validSectionName(name)) fail(number, "invalid section name \"" + name + "\"");
      section = name;
      continue;
    }
    const auto equals = line.find('=');
    if (equals == std::string::npos) {
      fail(number, "\"" + line + "\" is not KEY=VALUE, a [Section] or a comment");
    }
    const std::string key(trim(std::string_view(line).substr(0, equals)));
    if (!validKey(key)) fail(number, "invalid key \"" + key + "\"; expected letters, digits, -_.");
    if (section.empty()) fail(number, "assignment to " + key + " outside of any [Section]");
    file.assignments.push_back(
        {section, key, std::string(trim(std::string_view(line).substr(equals + 1))), number});
  }
  return file;
}

IniFile readIni(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw IniSyntaxError(path.string() + ": is a folder; expected a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw IniSyntaxError(path.string() + ": cannot read: " + std::strerror(errno));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    throw IniSyntaxError(path.string() + ": cannot read: " + std::strerror(errno));
  }
  return parseIni(contents.str(), path.string());
}

}  // namespace deckhand::systemd
