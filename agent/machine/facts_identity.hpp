#pragma once
// Who this machine is: its machine ID and boot ID, as 32 lowercase hex digits.

#include <string>

namespace deckhand::machine {

// deckhand's application ID for sd_id128_get_*_app_specific (generated once with
// `systemd-id128 new`). It must never change: the reported machine ID is derived from it, and
// schedulers store it and match MachineID= constraints against it. It is not a secret; an
// operator can print a node's reported ID with
// `systemd-id128 machine-id --app-specific=d844e1cfc4b84348863e8c6fd8836423`.
inline constexpr const char* kDeckhandAppId = "d844e1cfc4b84348863e8c6fd8836423";

// The ID deckhand reports: by default derived from /etc/machine-id with kDeckhandAppId, since
// machine-id(5) says the raw ID is confidential and must not go over the network; raw: the
// contents of /etc/machine-id itself (for schedulers that already know nodes by it). Throws
// std::runtime_error naming the file and the cause.
std::string machineId(bool raw);

// This boot's ID, derived like the machine ID, so that reports from two boots tell apart without
// exposing the kernel's boot ID. Throws std::runtime_error naming the cause.
std::string bootId();

}  // namespace deckhand::machine
