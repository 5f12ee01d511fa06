#pragma once
// Internal to the codec: text made valid UTF-8 before it goes into a frame, since unit output and
// names from the wire can hold any bytes and a JSON frame must be UTF-8.

#include <string>
#include <string_view>

namespace deckhand::link::codec {

// text with every ill-formed sequence replaced by U+FFFD, one per maximal ill-formed subpart
// (Unicode's recommended practice, as browsers and Python do): overlong forms, surrogates, code
// points past U+10FFFF, stray continuation bytes and truncated sequences. Valid text is unchanged.
std::string validUtf8(std::string_view text);

}  // namespace deckhand::link::codec
