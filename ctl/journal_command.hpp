#pragma once

namespace deckhand::ctl {

// deckhandctl journal; see its --help and deckhandctl(1).
int runJournal(int argc, const char* const* argv);

}  // namespace deckhand::ctl
