#pragma once
// The reconciler's decision: desired units against observed ones, to the fewest tasks that bring
// this machine to the desired state. A pure function of the two snapshots, so the agent can call
// it on every event and on a slow resync alike; running the tasks is someone else's job.
//
// Both maps are keyed by unit name. `observed` holds only the agent's own units (installed by it
// or desired here): whatever else runs on the machine is not the agent's business, and a unit
// that is neither desired nor installed by the agent is left alone even if it is listed.
//
// For each unit:
// - Not desired, or desired inactive: remove it if the agent installed it (remove also stops it).
// - Desired loaded or launched, and not installed or installed with another hash: install it.
//   Whatever runs still runs the old file, so then: launched → restart it if it is up (active,
//   reloading, activating), start it otherwise, even when it failed, since a new file is a new
//   attempt; loaded → stop it if it is up.
// - Desired loaded, same file: stop it if it is active, reloading or activating (a stop cancels a
//   pending start, and a unit waiting in a Restart= loop is activating).
// - Desired launched, same file: start it if it is inactive and systemd loaded its file.
// - Anything else is left as it is:
//   - activating or reloading: already on its way (a start job, or Restart= about to start it).
//   - deactivating: wait; the end of the transition brings another pass.
//   - failed: systemd's Restart= and StartLimit have had their say, and starting it again on every
//     pass would loop on a broken unit and hide the failure. It is reported, not retried. A new
//     hash starts it again, and so does the scheduler's start, restart or reset_failed action
//     (after a reset it is inactive, and the rule above starts it).
//   - a load state other than "loaded" (bad-setting, masked, ...): a start would only fail; the
//     watcher reports systemd's load error.
//   - a state not read yet (empty): decided on the pass that follows the read.
// Note that a launched unit that exits cleanly is inactive, and is started again: launched means
// running. A oneshot meant to run once should say RemainAfterExit=yes.
//
// Tasks come in fleet's order: removes, installs, stops, restarts, starts; within a kind by unit
// name. A converged machine, or the same desired state sent again, gives no tasks.

#include <map>
#include <string>
#include <vector>

#include "agent/reconciler/task.hpp"
#include "agent/reconciler/unit_snapshot.hpp"

namespace deckhand::reconciler {

std::vector<Task> reconcile(const std::map<std::string, DesiredUnit>& desired,
                            const std::map<std::string, ObservedUnit>& observed);

}  // namespace deckhand::reconciler
