#pragma once

namespace deckhand::ctl {

// deckhandctl list-units; see its --help and deckhandctl(1).
int runListUnits(int argc, const char* const* argv);

}  // namespace deckhand::ctl
