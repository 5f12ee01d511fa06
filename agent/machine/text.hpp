#pragma once
// Small text helpers the machine module's parsers share.

#include <string_view>

namespace deckhand::machine {

inline bool isBlank(char c) {
  return c == ' ' || c == '\t';
}

// text without leading and trailing spaces and tabs.
inline std::string_view trimBlanks(std::string_view text) {
  while (!text.empty() && isBlank(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && isBlank(text.back()))
    text.remove_suffix(1);
  return text;
}

}  // namespace deckhand::machine
