#include "systemd/ini_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

namespace deckhand::systemd {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n";
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

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
  return std::none_of(name.begin(), name.end(), [](char c) {
    return c == '[' || c == ']' || static_cast<unsigned char>(c) < 0x20;
  });
}

bool validKey(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// An odd number of trailing backslashes: the last one is not escaped by the one before it.
bool endsInUnpairedBackslash(std::string_view text) {
  const auto last = text.find_last_not_of('\\');
  const auto backslashes = text.size() - (last == std::string_view::npos ? 0 : last + 1);
  return backslashes % 2 == 1;
}

// The lines of text as systemd's read_line() sees them: "\n", "\r\n" and a lone "\r" end a line.
std::vector<std::string_view> physicalLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) break;
    lines.push_back(text.substr(start, end - start));
    start = end + (text.substr(end, 2) == "\r\n" ? 2 : 1);
  }
  lines.push_back(text.substr(start));
  return lines;
}

void appendPiece(std::string& joined, std::string_view piece) {
  piece = trim(piece);
  if (piece.empty()) return;
  if (!joined.empty()) joined.push_back(' ');
  joined.append(piece);
}

struct LogicalLine {
  std::string text;
  int line = 0;  // where it starts
};

// Joins continuation lines as systemd does, except for the whitespace around each break (see
// IniAssignment::value). Whether a line continues is decided before trimming, as systemd does:
// "x\ " does not continue.
std::vector<LogicalLine> logicalLines(std::string_view text) {
  std::vector<LogicalLine> lines;
  std::optional<LogicalLine> pending;
  int number = 0;
  for (const std::string_view raw : physicalLines(text)) {
    ++number;
    const std::string_view line = trim(raw);
    if (isComment(line)) continue;
    if (!pending) pending = LogicalLine{{}, number};
    const bool continued = endsInUnpairedBackslash(raw);
    appendPiece(pending->text, continued ? line.substr(0, line.size() - 1) : line);
    if (continued) continue;
    lines.push_back(std::move(*pending));
    pending.reset();
  }
  if (pending) lines.push_back(std::move(*pending));
  return lines;
}

}  // namespace

IniFile parseIni(std::string_view text, std::string origin) {
  IniFile file{std::move(origin), {}, {}};
  const auto fail = [&file](int line, const std::string& what) {
    throw IniSyntaxError(file.origin + ":" + std::to_string(line) + ": " + what);
  };
  if (text.find('\0') != std::string_view::npos) fail(1, "file contains a NUL byte; expected text");
  if (text.starts_with(kByteOrderMark)) text.remove_prefix(kByteOrderMark.size());
  std::string section;
  for (const auto& [line, number] : logicalLines(text)) {
    if (line.empty()) continue;
    // Written back, such a line would continue onto the next one.
    if (endsInUnpairedBackslash(line)) {
      fail(number,
           "line ends in a '\\' that does not continue it; to continue, end the line with '\\' "
           "and no whitespace after it; for a literal backslash, write \"\\\\\"");
    }
    if (line.front() == '[') {
      if (line.back() != ']') fail(number, "section header \"" + line + "\" lacks a closing ']'");
      const std::string name = line.substr(1, line.size() - 2);
      if (!validSectionName(name)) fail(number, "invalid section name \"" + name + "\"");
      section = name;
      if (std::find(file.sections.begin(), file.sections.end(), name) == file.sections.end()) {
        file.sections.push_back(name);
      }
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
