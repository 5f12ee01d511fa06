#pragma once
// Text from outside (a unit name, a path) as error messages may quote it: bytes outside printable
// ASCII as \xNN, so a message never carries control characters or invalid UTF-8, and long text cut.
// Internal to systemd/; not part of its interface.

#include <string>
#include <string_view>

namespace deckhand::systemd {

// Appends "\xNN", lowercase, as systemd-escape writes a byte.
inline void appendHexEscape(std::string& out, char c) {
  constexpr std::string_view kHex = "0123456789abcdef";
  const auto byte = static_cast<unsigned char>(c);
  out += "\\x";
  out.push_back(kHex[byte >> 4]);
  out.push_back(kHex[byte & 0xf]);
}

inline std::string printable(std::string_view text) {
  constexpr std::size_t kShownBytes = 80;
  std::string shown;
  for (const char c : text.substr(0, kShownBytes)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      shown.push_back(c);
    } else {
      appendHexEscape(shown, c);
    }
  }
  if (text.size() > kShownBytes) shown += "...";
  return shown;
}

}  // namespace deckhand::systemd
