#pragma once
// deckhandctl's cluster verbs, fleetctl's against the reference scheduler's API: submit, load,
// start, stop, unload, destroy, list-units, list-unit-files, list-machines, status, journal.

#include <string_view>

namespace deckhand::ctl {

// deckhandctl cluster VERB ...: argv[0] is "cluster", argv[1] the verb. The cluster verbs have a
// word of their own because fleetctl's list-units, status and journal would otherwise shadow the
// agent's verbs of the same names. Exit codes: 0 done, 1 failed (the scheduler refused, could not
// be reached, or a unit did not reach its state in time), 2 bad usage.
int runClusterVerb(int argc, const char* const* argv);

}  // namespace deckhand::ctl
