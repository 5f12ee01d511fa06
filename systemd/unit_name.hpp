#pragma once
// Every rule about unit names, in one place (systemd.unit(5), systemd-escape(1)): which names are
// valid, how templates and instances split, how strings escape into names. Nothing else in
// deckhand parses a unit name.

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

struct UnitName {
  std::string full;          // "web@blue.service"
  std::string prefix;        // "web": before the '@', or the name without its suffix
  std::string instance;      // "blue": escaped, as it appears in the name; empty for none
  bool is_template = false;  // "web@.service"
  UnitType type = UnitType::service;

  bool isInstance() const { return !instance.empty(); }
  std::string templateName() const;  // "web@.service" for an instance or a template
};

// "unit name \"x/y.service\": contains '/'; ..." — what is wrong and what a name looks like.
class UnitNameError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws UnitNameError: empty, longer than 255 bytes, characters outside systemd's set
// (A-Za-z0-9:-_.\ and '@' once), '/', "..", an empty prefix or suffix, an unknown type.
UnitName parseUnitName(std::string_view name);

// Like parseUnitName, and the type is one deckhand installs from unit files (not device or scope).
UnitName parseManagedUnitName(std::string_view name);

std::string_view unitTypeSuffix(UnitType type);  // "service"
std::optional<UnitType> unitTypeFromSuffix(std::string_view suffix);

// systemd-escape: "/" becomes "-", bytes outside [A-Za-z0-9:_.] become "\xNN", a leading "."
// too. escapeUnitPath is --path: trims and collapses slashes, "/" alone becomes "-".
std::string escapeUnitString(std::string_view text);
std::string escapeUnitPath(std::string_view path);
// The inverse; throws UnitNameError on a malformed "\x" sequence.
std::string unescapeUnitString(std::string_view text);
std::string unescapeUnitPath(std::string_view text);

}  // namespace deckhand::systemd
