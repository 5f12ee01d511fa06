// libFuzzer target for the state files' decoder: any bytes decode or are refused with
// FormatError (anything else escaping is a crash), and what decodes encodes back to itself.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/state/state_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace deckhand::state;
  const std::string_view contents(reinterpret_cast<const char*>(data), size);
  try {
    const DesiredUnits units = decodeDesired(contents);
    if (decodeDesired(encodeDesired(units)).size() != units.size()) std::abort();
  } catch (const FormatError&) {
  }
  try {
    const auto metadata = decodeMetadata(contents);
    if (decodeMetadata(encodeMetadata(metadata)) != metadata) std::abort();
  } catch (const FormatError&) {
  }
  return 0;
}
