#pragma once

namespace deckhand::ctl {

// deckhandctl list-containers; see its --help and deckhandctl(1).
int runListContainers(int argc, const char* const* argv);

}  // namespace deckhand::ctl
