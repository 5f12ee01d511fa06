// libFuzzer target for the [X-Fleet] constraint parser and ableToRun: any unit text parses, or is
// refused with UnitFileError or ConstraintError; what parses is decided on without a crash.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/constraints/able_to_run.hpp"
#include "agent/constraints/constraints.hpp"
#include "systemd/unit_file.hpp"
#include "systemd/unit_name.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace deckhand;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const systemd::UnitName kName = systemd::parseManagedUnitName("web@1.service");
  try {
    const auto file = systemd::parseUnitFile(text, "web@1.service");
    const auto unit = constraints::parseConstraints(kName, file);
    // The unit under another name, so its Conflicts and Replaces meet themselves.
    constraints::PlacedUnit other = constraints::placedUnitOf(unit);
    other.name = "web@2.service";
    const constraints::MachineView machine{"4d7a0c1e9f0b4f6a8d2e5c3b1a0f9e8d",
                                           {{"region", "us-east"}, {"ram", "2048"}}};
    static_cast<void>(constraints::ableToRun(machine, unit, {other}));
  } catch (const systemd::UnitFileError&) {
  } catch (const constraints::ConstraintError&) {
  }
  return 0;
}
