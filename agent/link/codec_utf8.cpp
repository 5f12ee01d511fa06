#include "agent/link/codec_utf8.hpp"

#include <cstddef>

namespace deckhand::link::codec {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

struct Step {
  std::size_t length;  // the sequence, or its maximal ill-formed subpart
  bool valid;
};

// The sequence starting at text[i], by the table of well-formed byte sequences (Unicode 15,
// table 3-7): the lead byte fixes the length and narrows the range of the second byte.
Step step(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead < 0x80) return {1, true};
  std::size_t trailing = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    trailing = 1;
  } else if (lead == 0xE0) {
    trailing = 2;
    low = 0xA0;  // shorter forms are overlong
  } else if (lead == 0xED) {
    trailing = 2;
    high = 0x9F;  // D800..DFFF are surrogates
  } else if (lead >= 0xE1 && lead <= 0xEF) {
    trailing = 2;
  } else if (lead == 0xF0) {
    trailing = 3;
    low = 0x90;  // shorter forms are overlong
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    trailing = 3;
  } else if (lead == 0xF4) {
    trailing = 3;
    high = 0x8F;  // past U+10FFFF
  } else {
    return {1, false};  // a continuation byte, C0, C1 or F5..FF
  }
  for (std::size_t k = 1; k <= trailing; ++k) {
    if (i + k >= text.size()) return {k, false};
    const auto byte = static_cast<unsigned char>(text[i + k]);
    if (byte < low || byte > high) return {k, false};
    low = 0x80;
    high = 0xBF;
  }
  return {trailing + 1, true};
}

}  // namespace

std::string validUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t valid_from = 0;  // copied in runs: almost all text is valid
  for (std::size_t i = 0; i < text.size();) {
    const Step next = step(text, i);
    if (!next.valid) {
      out.append(text.substr(valid_from, i - valid_from));
      out.append(kReplacement);
      valid_from = i + next.length;
    }
    i += next.length;
  }
  out.append(text.substr(valid_from));
  return out;
}

}  // namespace deckhand::link::codec
