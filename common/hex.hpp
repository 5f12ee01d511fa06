#pragma once
// Bytes as lowercase hex digits, two per byte: digests and systemd's 128-bit IDs as text.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace deckhand {

inline std::string lowerHex(std::span<const std::uint8_t> bytes) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string text;
  text.reserve(2 * bytes.size());
  for (const std::uint8_t byte : bytes) {
    text.push_back(kDigits[byte >> 4]);
    text.push_back(kDigits[byte & 0xf]);
  }
  return text;
}

}  // namespace deckhand
