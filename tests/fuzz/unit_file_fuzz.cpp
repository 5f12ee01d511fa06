// libFuzzer target for the unit-file parser and unit names: any text parses or is refused with
// UnitFileError (anything else escaping is a crash), and what parses survives a round trip: the
// normalised text the agent installs parses again to the same content hash.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "systemd/unit_file.hpp"
#include "systemd/unit_name.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace deckhand::systemd;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const UnitFile file = parseUnitFile(text, "fuzz.service");
    const std::string normalised = writeUnitFile(file);
    if (unitHash(parseUnitFile(normalised, "fuzz.service")) != unitHash(file)) std::abort();
  } catch (const UnitFileError&) {
  }
  // The first line as a unit name: valid, or refused with UnitNameError.
  const std::string_view name = text.substr(0, text.find('\n'));
  try {
    const UnitName parsed = parseUnitName(name);
    if (name.find('/') != std::string_view::npos) std::abort();  // must never escape a folder
    static_cast<void>(parsed);
  } catch (const UnitNameError&) {
  }
  try {
    // Escaping then unescaping gives the text back (a path's text, for escapeUnitPath).
    if (unescapeUnitString(escapeUnitString(name)) != name) std::abort();
    static_cast<void>(unescapeUnitPath(name));
  } catch (const UnitNameError&) {
  }
  return 0;
}
