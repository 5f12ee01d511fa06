#pragma once
// The operating system's name for humans, from os-release(5).

#include <map>
#include <string>
#include <string_view>

namespace deckhand::machine {

// Every KEY=value assignment of an os-release file, with systemd's shell-like rules: blank lines
// and lines starting with '#' are skipped; a value may mix unquoted text (a backslash escapes the
// next character), "double quotes" (a backslash escapes only " \ ` $ and a newline) and 'single
// quotes' (taken literally); unquoted trailing white space is dropped; a later assignment wins.
// Lines without '=' are ignored, as systemd does.
std::map<std::string, std::string> parseOsRelease(std::string_view text);

// PRETTY_NAME of the file's text, or "Linux", the default os-release(5) gives.
std::string prettyName(std::string_view os_release);

// PRETTY_NAME of /etc/os-release, or of /usr/lib/os-release when the former is missing (the order
// os-release(5) prescribes), or "Linux" when neither exists.
std::string readPrettyName();

}  // namespace deckhand::machine
