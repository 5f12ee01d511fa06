#pragma once
// The kernel and the hardware it runs on: release, architecture, CPUs, memory.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace deckhand::machine {

struct KernelRelease {
  std::string release;       // uname -r
  std::string architecture;  // uname -m: x86_64, aarch64, ...
};
KernelRelease readKernelRelease();

// The CPUs this process may run on (sched_getaffinity), which a cpuset on the node or container
// limits for the units too; all online CPUs if the affinity can't be read.
unsigned cpuCount();

// MemTotal of /proc/meminfo's text, in bytes; nullopt when the line is missing or malformed.
std::optional<std::uint64_t> parseMemTotal(std::string_view meminfo);

// MemTotal of /proc/meminfo. Throws std::runtime_error naming the file and what is wrong.
std::uint64_t readMemTotal();

}  // namespace deckhand::machine
