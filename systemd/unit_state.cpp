#include "systemd/unit_state.hpp"

#include <tuple>

namespace deckhand::systemd {

bool isTransition(const UnitState& a, const UnitState& b) {
  return std::tie(a.load_state, a.load_error, a.active_state, a.sub_state, a.n_restarts,
                  a.invocation_id) != std::tie(b.load_state, b.load_error, b.active_state,
                                               b.sub_state, b.n_restarts, b.invocation_id);
}

std::string describeUnitState(const UnitState& state) {
  if (state.load_state != "loaded" && !state.load_state.empty()) {
    return state.load_state + (state.load_error.empty() ? "" : " (" + state.load_error + ")");
  }
  std::string text = state.active_state + " (" + state.sub_state;
  if (state.active_state == "failed" || (!state.result.empty() && state.result != "success")) {
    text += ", " + state.result;
    if (state.exec_main_code == 1) text += ", status " + std::to_string(state.exec_main_status);
    if (state.exec_main_code >= 2) text += ", signal " + std::to_string(state.exec_main_status);
  }
  return text + ")";
}

}  // namespace deckhand::systemd
