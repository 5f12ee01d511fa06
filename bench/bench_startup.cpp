// bench_startup: what starting the agent costs in time and memory, compared with `busctl
// --version`: another small dynamically linked program on the same machine, systemd's own D-Bus
// tool. `deckhand --check-config --config /dev/null` does everything the agent does before it
// connects to D-Bus: load its libraries, parse flags, load and print the configuration. The ratios
// are the figures to compare across machines; the raw numbers depend on the machine.
//
// Prints "figure value" lines for bench/run; exits non-zero if either program fails to run.

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bench/figures.hpp"

#ifndef DECKHAND_PATH
#error "DECKHAND_PATH (the agent built by meson) must be defined; see bench/meson.build"
#endif

namespace {

using Clock = std::chrono::steady_clock;
using deckhand::bench::median;
using deckhand::bench::printFigure;

constexpr int kWarmUpRuns = 3;  // not counted: they bring the programs and libraries into cache
constexpr int kRuns = 61;       // of each program; odd for the median

struct Sample {
  double ms = 0;
  long rss_kib = 0;  // peak resident set size, as wait4 reports it
};

struct Command {
  std::string label;
  std::vector<std::string> words;
};

// Starts programs with stdin, stdout and stderr on /dev/null, so terminal output costs nothing.
class Spawner {
 public:
  Spawner() {
    posix_spawn_file_actions_init(&actions_);
    posix_spawn_file_actions_addopen(&actions_, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions_, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions_, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    // DECKHAND_* variables of whoever runs the benchmark would change what the agent does.
    for (char** entry = environ; *entry != nullptr; ++entry) {
      if (!std::string_view(*entry).starts_with("DECKHAND_")) {
        environment_.push_back(*entry);
      }
    }
    environment_.push_back(nullptr);
  }
  Spawner(const Spawner&) = delete;
  Spawner& operator=(const Spawner&) = delete;
  ~Spawner() { posix_spawn_file_actions_destroy(&actions_); }

  // Wall time from spawn to reaped, and the child's peak RSS. Throws if it does not exit with 0.
  Sample run(Command command) const {
    std::vector<char*> argv;
    for (auto& word : command.words) {
      argv.push_back(word.data());
    }
    argv.push_back(nullptr);

    pid_t pid = 0;
    int status = 0;
    rusage usage{};
    const auto start = Clock::now();
    const int error =
        posix_spawnp(&pid, argv[0], &actions_, nullptr, argv.data(), environment_.data());
    if (error != 0) {
      throw std::runtime_error(command.label + ": cannot start: " + std::strerror(error));
    }
    if (wait4(pid, &status, 0, &usage) != pid) {
      throw std::runtime_error(command.label + ": wait4: " + std::strerror(errno));
    }
    const std::chrono::duration<double, std::milli> elapsed = Clock::now() - start;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      const std::string how = WIFEXITED(status)
                                  ? "exit status " + std::to_string(WEXITSTATUS(status))
                                  : "signal " + std::to_string(WTERMSIG(status));
      throw std::runtime_error(command.label + ": failed with " + how +
                               "; run it by hand to see why");
    }
    return {elapsed.count(), usage.ru_maxrss};
  }

 private:
  posix_spawn_file_actions_t actions_{};
  std::vector<char*> environment_;
};

// Linux counts the memory a child had before exec (with posix_spawn, its parent's) in the child's
// ru_maxrss. So the RSS figures are only the children's own if this process stays smaller.
void checkOwnRss(long smallest_child_kib) {
  rusage self{};
  getrusage(RUSAGE_SELF, &self);
  if (self.ru_maxrss >= smallest_child_kib) {
    throw std::runtime_error("this process's peak RSS (" + std::to_string(self.ru_maxrss) +
                             " KiB) reaches its children's (" + std::to_string(smallest_child_kib) +
                             " KiB), which the kernel then reports as theirs");
  }
}

int run(int argc, char** argv) {
  // argv[1] can name another build of the agent to compare, e.g. a release build.
  const std::string deckhand = argc > 1 ? argv[1] : DECKHAND_PATH;
  const Command check_config{deckhand + " --check-config --config /dev/null",
                             {deckhand, "--check-config", "--config", "/dev/null"}};
  const Command busctl{"busctl --version", {"busctl", "--version"}};
  const Spawner spawner;

  for (int i = 0; i < kWarmUpRuns; ++i) {
    spawner.run(check_config);
    spawner.run(busctl);
  }
  std::vector<double> agent_ms, busctl_ms, ms_ratios, agent_kib, busctl_kib, kib_ratios;
  long smallest_kib = std::numeric_limits<long>::max();
  for (int i = 0; i < kRuns; ++i) {
    // Interleaved, alternating which goes first, so drift in machine load hits both alike.
    const bool agent_first = i % 2 == 0;
    const Sample first = spawner.run(agent_first ? check_config : busctl);
    const Sample second = spawner.run(agent_first ? busctl : check_config);
    const Sample& agent = agent_first ? first : second;
    const Sample& baseline = agent_first ? second : first;
    agent_ms.push_back(agent.ms);
    busctl_ms.push_back(baseline.ms);
    ms_ratios.push_back(agent.ms / baseline.ms);
    agent_kib.push_back(static_cast<double>(agent.rss_kib));
    busctl_kib.push_back(static_cast<double>(baseline.rss_kib));
    kib_ratios.push_back(static_cast<double>(agent.rss_kib) /
                         static_cast<double>(baseline.rss_kib));
    smallest_kib = std::min({smallest_kib, agent.rss_kib, baseline.rss_kib});
  }
  checkOwnRss(smallest_kib);

  // Ratios are medians of per-pair ratios: each compares two runs made moments apart.
  printFigure("startup_check_config_ms", median(agent_ms), 3);
  printFigure("startup_busctl_version_ms", median(busctl_ms), 3);
  printFigure("startup_check_config_vs_busctl_ratio", median(ms_ratios), 3);
  printFigure("rss_check_config_kib", median(agent_kib), 0);
  printFigure("rss_busctl_kib", median(busctl_kib), 0);
  printFigure("rss_check_config_vs_busctl_ratio", median(kib_ratios), 3);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return deckhand::bench::benchmarkMain("bench_startup", [&] { return run(argc, argv); });
}
