#pragma once
// deckhandctl check: would this machine accept this unit? Evaluated offline with the same
// predicate the agent and the scheduler use (constraints::ableToRun).

namespace deckhand::ctl {

// Exit codes: 0 able, 1 not able, 2 bad input.
int runCheck(int argc, const char* const* argv);

}  // namespace deckhand::ctl
