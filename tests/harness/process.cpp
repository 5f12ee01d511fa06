#include "tests/harness/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace deckhand::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kPollInterval(10);
// How long output is still read after the child exited while a descendant (a daemon it started,
// say) keeps the inherited stdout or stderr open.
constexpr std::chrono::milliseconds kGraceAfterExit(200);

class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// posix_spawn's file actions, released on every path out.
class SpawnActions {
 public:
  SpawnActions() { ::posix_spawn_file_actions_init(&actions_); }
  ~SpawnActions() { ::posix_spawn_file_actions_destroy(&actions_); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;

  void stdinFromDevNull() {
    ::posix_spawn_file_actions_addopen(&actions_, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  // dup2 clears O_CLOEXEC on the copy, so only the target descriptor reaches the child.
  void redirect(int from_fd, int to_fd) {
    ::posix_spawn_file_actions_adddup2(&actions_, from_fd, to_fd);
  }
  // The actions, ending with: only stdin, stdout and stderr reach the child. Descriptors opened
  // without O_CLOEXEC (Asio's sockets, a test's listening scheduler) would otherwise live on in
  // the child and in everything it starts, e.g. a sandbox, keeping a port bound after the test
  // closed it.
  const posix_spawn_file_actions_t* finish() {
    ::posix_spawn_file_actions_addclosefrom_np(&actions_, STDERR_FILENO + 1);
    return &actions_;
  }

 private:
  posix_spawn_file_actions_t actions_;
};

std::vector<std::string> environmentWith(const std::map<std::string, std::string>& extra_env) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (!extra_env.contains(std::string(text.substr(0, text.find('='))))) {
      environment.emplace_back(text);
    }
  }
  for (const auto& [name, value] : extra_env)
    environment.push_back(name + "=" + value);
  return environment;
}

std::vector<char*> nullTerminated(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& text : strings)
    pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Starts the child; throws std::system_error if it can't (e.g. no such program).
pid_t spawn(const std::vector<std::string>& argv,
            const std::map<std::string, std::string>& extra_env, SpawnActions& actions) {
  if (argv.empty()) throw std::invalid_argument("cannot run an empty command line");
  std::vector<std::string> args = argv;
  std::vector<std::string> environment = environmentWith(extra_env);
  pid_t pid = -1;
  const int error = ::posix_spawnp(&pid, args[0].c_str(), actions.finish(), nullptr,
                                   nullTerminated(args).data(), nullTerminated(environment).data());
  if (error != 0) throw std::system_error(error, std::generic_category(), "cannot run " + args[0]);
  return pid;
}

int exitCodeOf(int wait_status) {
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return WEXITSTATUS(wait_status);
}

void reapBlocking(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

// Reaps pid if it has exited by the deadline.
std::optional<int> reapBy(pid_t pid, Clock::time_point deadline) {
  for (;;) {
    int status = 0;
    const pid_t reaped = ::waitpid(pid, &status, WNOHANG);
    if (reaped == pid) return exitCodeOf(status);
    if (reaped < 0 && errno != EINTR) {
      throw std::system_error(errno, std::generic_category(), "waitpid");
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::array<UniqueFd, 2> makePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe2");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Reads what arrives on the still open pipes within wait; false once both are closed.
bool readAvailable(std::array<pollfd, 2>& fds, ProcessResult& result,
                   std::chrono::milliseconds wait) {
  const std::array<std::string*, 2> sinks{&result.out, &result.err};
  const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
  if (ready < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
  for (size_t i = 0; i < fds.size() && ready > 0; ++i) {
    if (fds[i].fd < 0 || fds[i].revents == 0) continue;
    char buffer[4096];
    const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
    if (n > 0) {
      sinks[i]->append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      fds[i].fd = -1;  // poll ignores negative descriptors
    }
  }
  return fds[0].fd >= 0 || fds[1].fd >= 0;
}

std::string describe(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& arg : argv)
    text += (text.empty() ? "" : " ") + arg;
  return text;
}

}  // namespace

ProcessResult run(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& extra_env,
                  std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto [out_read, out_write] = makePipe();
  auto [err_read, err_write] = makePipe();
  SpawnActions actions;
  actions.stdinFromDevNull();
  actions.redirect(out_write.get(), STDOUT_FILENO);
  actions.redirect(err_write.get(), STDERR_FILENO);

  ProcessResult result;
  pid_t pid = -1;
  try {
    pid = spawn(argv, extra_env, actions);
  } catch (const std::system_error& error) {
    result.exit_code = 127;
    result.err = error.what();
    return result;
  }
  out_write.reset();
  err_write.reset();

  std::array<pollfd, 2> fds{{{out_read.get(), POLLIN, 0}, {err_read.get(), POLLIN, 0}}};
  std::optional<int> exit_code;
  Clock::time_point stop_reading;
  for (;;) {
    const bool output_open = readAvailable(fds, result, kPollInterval);
    if (!exit_code) {
      exit_code = reapBy(pid, Clock::now());
      if (exit_code) stop_reading = std::min(Clock::now() + kGraceAfterExit, deadline);
    }
    if (exit_code && !output_open) break;
    if (exit_code && Clock::now() >= stop_reading) {
      result.err += "\n[harness] stopped reading: a process started by `" + describe(argv) +
                    "` still holds its output open";
      break;
    }
    if (!exit_code && Clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      reapBlocking(pid);
      result.err += "\n[harness] killed with SIGKILL after " + std::to_string(timeout.count()) +
                    " ms: " + describe(argv);
      return result;  // exit_code stays -1
    }
  }
  result.exit_code = *exit_code;
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& extra_env) {
  std::string path = "/var/tmp/deckhand-test-output.XXXXXX";
  const UniqueFd output(::mkostemp(path.data(), O_CLOEXEC));
  if (output.get() < 0) throw std::system_error(errno, std::generic_category(), "mkostemp");
  output_path_ = path;

  SpawnActions actions;
  actions.stdinFromDevNull();
  actions.redirect(output.get(), STDOUT_FILENO);
  actions.redirect(output.get(), STDERR_FILENO);
  try {
    pid_ = spawn(argv, extra_env, actions);
  } catch (...) {
    ::unlink(output_path_.c_str());
    throw;
  }
}

BackgroundProcess::~BackgroundProcess() {
  if (!exit_code_) {
    ::kill(pid_, SIGKILL);
    reapBlocking(pid_);
  }
  ::unlink(output_path_.c_str());
}

std::string BackgroundProcess::output() const {
  std::ifstream file(output_path_, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

bool BackgroundProcess::waitForOutput(std::string_view needle,
                                      std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (output().find(needle) != std::string::npos) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Until wait() has reaped it, the PID stays ours (at worst a zombie), so it can't be reused.
void BackgroundProcess::signal(int signo) const {
  if (!exit_code_) ::kill(pid_, signo);
}

std::optional<int> BackgroundProcess::wait(std::chrono::milliseconds timeout) {
  if (!exit_code_) exit_code_ = reapBy(pid_, Clock::now() + timeout);
  return exit_code_;
}

std::map<std::string, std::string> parseKeyValueLines(std::string_view text) {
  std::map<std::string, std::string> values;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    const size_t equals = line.find('=');
    if (equals == std::string::npos || equals == 0) continue;
    values[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return values;
}

std::string trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(kSpace) - first + 1));
}

}  // namespace deckhand::test
