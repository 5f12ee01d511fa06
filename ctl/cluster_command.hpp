#pragma once
// deckhandctl's cluster verbs, fleetctl's against the reference scheduler's API: submit, load,
// start, stop, unload, destroy, list-units, list-unit-files, list-machines, status, journal.

#include <string_view>

namespace deckhand::ctl {

bool isClusterVerb(std::string_view verb);

// argv[0] is the verb. Exit codes: 0 done, 1 failed (the scheduler refused, could not be reached,
// or a unit did not reach its state in time), 2 bad usage.
int runCluster(int argc, const char* const* argv);

// The verbs' lines for deckhandctl's usage.
extern const char* const kClusterUsage;

}  // namespace deckhand::ctl
