#pragma once

namespace deckhand::ctl {

// deckhandctl status; see its --help and deckhandctl(1).
int runStatus(int argc, const char* const* argv);

}  // namespace deckhand::ctl
