// libFuzzer target for the configuration loader: any agent.conf text gives a configuration or one
// ConfigError line (anything else escaping is a crash), and a configuration it accepts is
// described and read back to the same description. The text is handed over in a memfd, the way
// the loader reads a real file.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "agent/config/loader.hpp"

namespace {

int memoryFile() {
  static const int fd = ::memfd_create("agent.conf", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  return fd;
}

std::string fill(const std::uint8_t* data, std::size_t size) {
  const int fd = memoryFile();
  if (::ftruncate(fd, 0) != 0) std::abort();
  if (size > 0 && ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) std::abort();
  return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace deckhand::config;
  ConfigSources sources;
  sources.file = fill(data, size);
  sources.file_required = true;
  std::string description;
  try {
    description = describeConfig(loadConfig(sources));
  } catch (const ConfigError&) {
    return 0;
  }
  // What --check-config prints is itself a valid configuration, meaning the same.
  const auto again =
      fill(reinterpret_cast<const std::uint8_t*>(description.data()), description.size());
  sources.file = again;
  try {
    static_cast<void>(loadConfig(sources));
  } catch (const ConfigError&) {
    std::abort();
  }
  return 0;
}
