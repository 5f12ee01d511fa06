#pragma once

namespace deckhand::ctl {

// deckhandctl machine; see its --help and deckhandctl(1).
int runMachine(int argc, const char* const* argv);

}  // namespace deckhand::ctl
