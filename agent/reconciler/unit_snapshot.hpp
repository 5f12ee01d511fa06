#pragma once
// The two snapshots the reconciler compares: what the scheduler wants on this machine, and what
// the agent sees of its own units.

#include <string>
#include <string_view>

#include "systemd/unit_state.hpp"

namespace deckhand::reconciler {

struct DesiredUnit {
  // fleet's target states.
  enum class TargetState {
    inactive,  // the file is not installed
    loaded,    // installed, not running
    launched,  // installed and running
  };

  std::string name;
  TargetState state = TargetState::inactive;
  std::string text;  // the unit file, as the scheduler sent it
  std::string hash;  // systemd::unitHash of text
};

// A target state's name, as the protocol, the state file and the D-Bus API spell it.
inline std::string_view targetStateName(DesiredUnit::TargetState state) {
  switch (state) {
    case DesiredUnit::TargetState::loaded:
      return "loaded";
    case DesiredUnit::TargetState::launched:
      return "launched";
    case DesiredUnit::TargetState::inactive:
      break;
  }
  return "inactive";
}

// One of the agent's own units: installed by it, or desired by the scheduler. Units that are
// neither never appear here, so the reconciler cannot touch them.
struct ObservedUnit {
  std::string name;
  bool installed = false;      // its file is in the agent's units folder
  std::string installed_hash;  // unitHash of that file, when installed
  systemd::UnitState state;    // as UnitWatcher last saw it; empty fields when not yet read
};

}  // namespace deckhand::reconciler
