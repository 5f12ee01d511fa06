#pragma once
// What deckhand knows about one unit, as systemd reports it on the bus.

#include <cstdint>
#include <string>

namespace deckhand::systemd {

struct UnitState {
  std::string load_state;    // loaded, not-found, bad-setting, error, masked
  std::string load_error;    // systemd's reason when load_state is not "loaded"
  std::string active_state;  // active, reloading, inactive, failed, activating, deactivating
  std::string sub_state;     // running, exited, dead, auto-restart, ...
  std::string result;        // services: success, exit-code, signal, timeout, core-dump, ...
  std::uint32_t main_pid = 0;
  std::int32_t exec_main_code = 0;    // CLD_EXITED (1), CLD_KILLED (2), CLD_DUMPED (3)
  std::int32_t exec_main_status = 0;  // exit status, or the signal number
  std::uint32_t n_restarts = 0;
  std::string invocation_id;              // hex
  std::uint64_t active_enter_usec = 0;    // CLOCK_REALTIME
  std::uint64_t inactive_enter_usec = 0;  // CLOCK_REALTIME

  bool operator==(const UnitState&) const = default;
};

// Whether b is a different step in the unit's life than a: loaded or not, its active and sub
// state, a restart, a new invocation. Result, PIDs and exit codes ride along with those steps.
bool isTransition(const UnitState& a, const UnitState& b);

// "active (running)", "failed (exit-code, status 3)": one line for logs and tables.
std::string describeUnitState(const UnitState& state);

}  // namespace deckhand::systemd
