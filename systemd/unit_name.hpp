#pragma once
// Every rule about unit names, in one place (systemd.unit(5), systemd-escape(1)): which names are
// valid, how templates and instances split, how strings escape into names. Nothing else in
// deckhand parses a unit name. The rules are those of systemd 252's src/basic/unit-name.c.

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace deckhand::systemd {

enum class UnitType {
  service,
  socket,
  target,
  device,
  mount,
  automount,
  swap,
  timer,
  path,
  slice,
  scope
};

inline constexpr std::size_t kUnitNameMaxBytes = 255;

struct UnitName {
  std::string full;          // "web@blue.service"
  std::string prefix;        // "web": before the first '@', or the name without its suffix
  std::string instance;      // "blue": escaped, as it appears in the name; empty for none
  bool is_template = false;  // "web@.service"
  UnitType type = UnitType::service;

  bool isInstance() const { return !instance.empty(); }
  // "web@.service" for an instance or a template; throws UnitNameError for a plain name.
  std::string templateName() const;
};

// "unit name \"x/y.service\": contains '/'; ..." — what is wrong and what a name looks like.
class UnitNameError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws UnitNameError: empty, longer than 255 bytes, a character outside systemd's set
// A-Za-z0-9:-_.\@ (so no '/'), no ".TYPE" suffix or an unknown type, nothing before the suffix or
// before the first '@'. As in systemd, the instance may contain further '@' ("a@b@c.service" is
// instance "b@c" of "a@.service"), and '.' may appear anywhere before the suffix, ".." and a
// leading '.' included: systemd loads such units, and escaping makes them ("/srv/a..b" escapes to
// "srv-a..b").
UnitName parseUnitName(std::string_view name);

// Like parseUnitName, and the type is one deckhand installs from unit files (not device or scope,
// which only systemd itself creates).
UnitName parseManagedUnitName(std::string_view name);

std::string_view unitTypeSuffix(UnitType type);  // "service"
std::optional<UnitType> unitTypeFromSuffix(std::string_view suffix);

// systemd-escape: "/" becomes "-", bytes outside [A-Za-z0-9:_.] become "\xNN", a leading "."
// too. escapeUnitPath is --path: drops duplicate slashes, "." components and the slashes at both
// ends, and "/" alone (or "") becomes "-". Like systemd-escape, it accepts a relative path (that
// does not unescape back to itself) and throws UnitNameError for a ".." component, a component
// longer than 255 bytes or a path of 4096 bytes or more.
std::string escapeUnitString(std::string_view text);
std::string escapeUnitPath(std::string_view path);
// The inverse; throws UnitNameError on a malformed "\x" sequence, and on "\x00", since no name,
// path or instance may hold a NUL byte. unescapeUnitPath also throws when the result is not a
// normalised absolute path (what escapeUnitPath never produces: "--", a leading or trailing '-').
std::string unescapeUnitString(std::string_view text);
std::string unescapeUnitPath(std::string_view text);

}  // namespace deckhand::systemd
