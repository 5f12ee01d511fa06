#include "agent/machine/facts_os_release.hpp"

#include <cstring>

#include "agent/machine/facts_files.hpp"

namespace deckhand::machine {
namespace {

constexpr const char* kDefaultPrettyName = "Linux";

bool isBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

// Reads the value starting at text[at] up to the end of its line (which quotes and escaped
// newlines may push further down), and leaves `at` past that line.
std::string readValue(std::string_view text, std::size_t& at) {
  std::string value;
  std::size_t kept = 0;  // value.size() without unquoted trailing blanks
  while (at < text.size() && isBlank(text[at]))
    ++at;
  while (at < text.size() && text[at] != '\n') {
    const char c = text[at++];
    if (c == '\'') {
      while (at < text.size() && text[at] != '\'')
        value += text[at++];
      ++at;
      kept = value.size();
    } else if (c == '"') {
      while (at < text.size() && text[at] != '"') {
        if (text[at] == '\\' && at + 1 < text.size()) {
          const char next = text[at + 1];
          if (next == '\n' || std::strchr("\"\\`$", next) != nullptr) {
            if (next != '\n') value += next;
            at += 2;
            continue;
          }
        }
        value += text[at++];
      }
      ++at;
      kept = value.size();
    } else if (c == '\\') {
      if (at < text.size() && text[at] != '\n') value += text[at];
      ++at;
      kept = value.size();
    } else {
      value += c;
      if (!isBlank(c)) kept = value.size();
    }
  }
  ++at;
  value.resize(kept);
  return value;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && isBlank(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && isBlank(text.back()))
    text.remove_suffix(1);
  return text;
}

}  // namespace

std::map<std::string, std::string> parseOsRelease(std::string_view text) {
  std::map<std::string, std::string> fields;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t line_end = std::min(text.find('\n', at), text.size());
    const std::string_view line = trimmed(text.substr(at, line_end - at));
    const std::size_t equals = line.find('=');
    if (line.empty() || line.front() == '#' || equals == std::string_view::npos) {
      at = line_end + 1;
      continue;
    }
    const std::string key(trimmed(line.substr(0, equals)));
    at = static_cast<std::size_t>(line.data() - text.data()) + equals + 1;
    std::string value = readValue(text, at);
    if (!key.empty()) fields[key] = std::move(value);
  }
  return fields;
}

std::string prettyName(std::string_view os_release) {
  const auto fields = parseOsRelease(os_release);
  const auto name = fields.find("PRETTY_NAME");
  return name == fields.end() || name->second.empty() ? kDefaultPrettyName : name->second;
}

std::string readPrettyName() {
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    if (const auto text = readFileIfExists(path)) return prettyName(*text);
  }
  return kDefaultPrettyName;
}

}  // namespace deckhand::machine
