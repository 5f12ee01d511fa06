// The escaping half of unit_name.hpp: systemd-escape and systemd-escape --path, and their inverses.

#include <string>
#include <vector>

#include "systemd/printable.hpp"
#include "systemd/unit_name.hpp"

namespace deckhand::systemd {
namespace {

constexpr std::size_t kPathMaxBytes = 4095;  // PATH_MAX counts the terminating NUL
constexpr std::size_t kComponentMaxBytes = 255;

bool keptAsIs(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' ||
         c == '_' || c == '.';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> components;
  std::size_t start = 0;
  while (true) {
    const auto slash = path.find('/', start);
    components.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) return components;
    start = slash + 1;
  }
}

// Why systemd would not call the path (no trailing slash) normalised; empty when it would.
std::string unnormalised(std::string_view path) {
  if (path.size() > kPathMaxBytes) {
    return "is " + std::to_string(path.size()) + " bytes, longer than 4095";
  }
  auto components = split(path);
  if (path.starts_with('/')) components.erase(components.begin());
  for (const auto component : components) {
    if (component.empty()) return "has an empty component (\"//\")";
    if (component == "." || component == "..") {
      return "has a \"" + std::string(component) + "\" component";
    }
    if (component.size() > kComponentMaxBytes) {
      return "has a component of " + std::to_string(component.size()) + " bytes, longer than 255";
    }
  }
  return {};
}

// What systemd's path_simplify() leaves: no duplicate or trailing slashes, no "." components.
std::string simplified(std::string_view path) {
  std::string result = path.starts_with('/') ? "/" : "";
  for (const auto component : split(path)) {
    if (component.empty() || component == ".") continue;
    if (!result.empty() && result.back() != '/') result.push_back('/');
    result.append(component);
  }
  return result;
}

[[noreturn]] void failEscape(std::string_view path, const std::string& reason) {
  throw UnitNameError("cannot escape path \"" + printable(path) + "\": " + reason +
                      "; expected an absolute path without \"..\" components, such as /srv/data");
}

[[noreturn]] void failUnescape(std::string_view kind, std::string_view text,
                               const std::string& reason) {
  throw UnitNameError("cannot unescape " + std::string(kind) + " \"" + printable(text) +
                      "\": " + reason);
}

}  // namespace

std::string escapeUnitString(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // systemd keeps names from starting with '.' (think of mount points like "/.snapshots").
    const bool leading_dot = i == 0 && c == '.';
    if (c == '/') {
      escaped.push_back('-');
    } else if (keptAsIs(c) && !leading_dot) {
      escaped.push_back(c);
    } else {
      appendHexEscape(escaped, c);
    }
  }
  return escaped;
}

std::string escapeUnitPath(std::string_view path) {
  const std::string simple = simplified(path);
  if (simple.empty() && !path.empty()) failEscape(path, "names no file");
  if (simple.empty() || simple == "/") return "-";
  if (const auto reason = unnormalised(simple); !reason.empty()) failEscape(path, reason);
  return escapeUnitString(simple.starts_with('/') ? simple.substr(1) : simple);
}

std::string unescapeUnitString(std::string_view text) {
  std::string unescaped;
  unescaped.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '-') {
      unescaped.push_back('/');
    } else if (c != '\\') {
      unescaped.push_back(c);
    } else {
      const std::string_view escape = text.substr(i, 4);
      const bool well_formed = escape.size() == 4 && escape[1] == 'x' && hexValue(escape[2]) >= 0 &&
                               hexValue(escape[3]) >= 0;
      if (!well_formed) {
        failUnescape("string", text,
                     "\"" + printable(escape) +
                         "\" is not an escape; expected '\\' only in \\xNN, NN two hex digits");
      }
      const int byte = hexValue(escape[2]) << 4 | hexValue(escape[3]);
      if (byte == 0) failUnescape("string", text, "\\x00 would put a NUL byte into it");
      unescaped.push_back(static_cast<char>(byte));
      i += 3;
    }
  }
  return unescaped;
}

std::string unescapeUnitPath(std::string_view text) {
  if (text.empty()) failUnescape("path", text, "is empty; \"-\" is the escaped \"/\"");
  if (text == "-") return "/";
  const std::string relative = unescapeUnitString(text);
  const std::string path = "/" + relative;
  if (relative.starts_with('/') || relative.ends_with('/')) {
    failUnescape("path", text,
                 "unescapes to \"" + printable(path) +
                     "\", with a slash too many at an end; escaped paths drop both end slashes");
  }
  if (const auto reason = unnormalised(path); !reason.empty()) {
    failUnescape("path", text, "unescapes to \"" + printable(path) + "\", which " + reason);
  }
  return path;
}

}  // namespace deckhand::systemd
