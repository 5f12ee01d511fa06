#pragma once
// deckhandctl's exit codes, the same for every verb (deckhandctl(1) lists them).

namespace deckhand::ctl {

inline constexpr int kExitOk = 0;
// A clear "no": check refuses the unit, status finds the agent degraded, a unit is unknown.
inline constexpr int kExitNo = 1;
inline constexpr int kExitUsage = 2;  // bad usage or input
// The agent cannot be reached on the system bus (not running, no policy, not root).
inline constexpr int kExitUnreachable = 3;
// The agent answers but does not offer this (e.g. containers before Docker support).
inline constexpr int kExitUnsupported = 4;

}  // namespace deckhand::ctl
