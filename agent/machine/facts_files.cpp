#include "agent/machine/facts_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace deckhand::machine {
namespace {

std::runtime_error failure(const std::string& path, int error) {
  return std::runtime_error("reading " + path + " failed: " + std::strerror(error));
}

}  // namespace

std::optional<std::string> readFileIfExists(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw failure(path, errno);
  }
  std::string text;
  char buffer[4096];
  while (true) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      throw failure(path, error);
    }
    text.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return text;
}

std::string readFile(const std::string& path) {
  auto text = readFileIfExists(path);
  if (!text) throw failure(path, ENOENT);
  return std::move(*text);
}

}  // namespace deckhand::machine
