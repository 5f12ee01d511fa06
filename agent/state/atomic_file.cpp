#include "agent/state/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

namespace deckhand::state {
namespace {

constexpr mode_t kFolderMode = 0700;
constexpr mode_t kFileMode = 0600;

[[noreturn]] void fail(const std::filesystem::path& path, std::string_view what, int error) {
  throw StateError(path.string() + ": " + std::string(what) + ": " + std::strerror(error));
}

// Closes on every path out, so a failed write leaks no descriptor.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  // close(2) reports delayed write errors (NFS, some FUSE), so its result counts.
  int close() { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

void ensureFolder(const std::filesystem::path& folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) fail(folder, "cannot create the state folder", error.value());
  // A folder made by an older agent or by hand may be wider; the files in it are private.
  if (::chmod(folder.c_str(), kFolderMode) != 0) fail(folder, "cannot make it 0700", errno);
}

void writeAll(int fd, std::string_view contents, const std::filesystem::path& path) {
  while (!contents.empty()) {
    const ssize_t written = ::write(fd, contents.data(), contents.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      fail(path, "cannot write", errno);
    }
    contents.remove_prefix(static_cast<std::size_t>(written));
  }
}

void syncFolder(const std::filesystem::path& folder) {
  Descriptor fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) fail(folder, "cannot open the state folder", errno);
  if (::fsync(fd.get()) != 0) fail(folder, "cannot sync the state folder", errno);
}

}  // namespace

void writeFileAtomically(const std::filesystem::path& folder, const std::string& name,
                         std::string_view contents) {
  ensureFolder(folder);
  const auto path = folder / name;
  const auto temporary = folder / (name + ".tmp");
  {
    Descriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                         kFileMode));
    if (fd.get() < 0) fail(temporary, "cannot create", errno);
    try {
      // An older file may have been created with another mode; O_CREAT does not change it.
      if (::fchmod(fd.get(), kFileMode) != 0) fail(temporary, "cannot make it 0600", errno);
      writeAll(fd.get(), contents, temporary);
      if (::fsync(fd.get()) != 0) fail(temporary, "cannot sync", errno);
      if (fd.close() != 0) fail(temporary, "cannot write", errno);
    } catch (const StateError&) {
      ::unlink(temporary.c_str());  // half a file is worth nothing, and it takes space
      throw;
    }
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    fail(path, "cannot replace", error);
  }
  syncFolder(folder);
}

std::optional<std::string> readStateFile(const std::filesystem::path& folder,
                                         const std::string& name) {
  const auto path = folder / name;
  Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    fail(path, "cannot read", errno);
  }
  std::string contents;
  char buffer[65536];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      fail(path, "cannot read", errno);
    }
    if (got == 0) break;
    contents.append(buffer, static_cast<std::size_t>(got));
  }
  return contents;
}

std::filesystem::path setAside(const std::filesystem::path& folder, const std::string& name) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  const auto path = folder / name;
  const auto aside = folder / (name + ".corrupt-" + std::to_string(seconds));
  if (::rename(path.c_str(), aside.c_str()) != 0) fail(path, "cannot set it aside", errno);
  return aside;
}

}  // namespace deckhand::state
