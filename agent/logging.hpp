#pragma once
// Where the agent's log goes: the journal (with priorities) when systemd connected our stderr to
// it, else stderr.

#include "agent/config/config.hpp"

namespace deckhand {

void setUpLogging(config::LogLevel level);

}  // namespace deckhand
