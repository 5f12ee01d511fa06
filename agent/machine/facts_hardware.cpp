#include "agent/machine/facts_hardware.hpp"

#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <charconv>
#include <stdexcept>

#include "agent/machine/facts_files.hpp"
#include "agent/machine/text.hpp"

namespace deckhand::machine {
namespace {

constexpr const char* kMeminfo = "/proc/meminfo";

}  // namespace

KernelRelease readKernelRelease() {
  utsname names{};
  // uname fails only for a bad pointer.
  ::uname(&names);
  return {names.release, names.machine};
}

unsigned cpuCount() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (::sched_getaffinity(0, sizeof cpus, &cpus) == 0) return CPU_COUNT(&cpus);
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? static_cast<unsigned>(online) : 1;
}

std::optional<std::uint64_t> parseMemTotal(std::string_view meminfo) {
  constexpr std::string_view kKey = "MemTotal:";
  std::size_t at = 0;
  while (at < meminfo.size()) {
    const std::size_t end = std::min(meminfo.find('\n', at), meminfo.size());
    std::string_view line = meminfo.substr(at, end - at);
    at = end + 1;
    if (!line.starts_with(kKey)) continue;
    line = trimBlanks(line.substr(kKey.size()));
    std::uint64_t kibibytes = 0;
    const auto [rest, error] = std::from_chars(line.data(), line.data() + line.size(), kibibytes);
    // The kernel writes every size in kB (KiB); anything else is not a meminfo we understand.
    if (error != std::errc() ||
        trimBlanks(line.substr(static_cast<std::size_t>(rest - line.data()))) != "kB") {
      return std::nullopt;
    }
    return kibibytes * 1024;
  }
  return std::nullopt;
}

std::uint64_t readMemTotal() {
  const auto bytes = parseMemTotal(readFile(kMeminfo));
  if (!bytes) {
    throw std::runtime_error(std::string("reading ") + kMeminfo +
                             " failed: no MemTotal line with a size in kB");
  }
  return *bytes;
}

}  // namespace deckhand::machine
