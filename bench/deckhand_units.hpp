#pragma once
// deckhand's side of the unit benchmarks (bench_units.cpp): its systemd pieces wired as in the
// agent, run on the benchmark's thread; a folder for unit files that a sandbox's systemd can read;
// and the agent's process, seen from outside its sandbox.

#include <stdlib.h>
#include <sys/mount.h>
#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "bench/raw_systemd.hpp"
#include "systemd/systemd_link.hpp"
#include "systemd/unit_manager.hpp"
#include "systemd/unit_watcher.hpp"
#include "tests/harness/systemd_sandbox.hpp"

namespace deckhand::bench {

// A fresh folder under /var/lib with a tmpfs of its own, unmounted and removed with everything in
// it. Not under /run, /tmp or /var/tmp: the sandbox has its own, and systemd inside must read the
// unit files written here. A tmpfs, as /run is where the agent keeps its units: on /var/lib's
// ext4, creating a thousand files after the last round deleted a thousand cost each side between
// 0.1 and 0.5 s of kernel time, at random. Create it before the sandbox: a mount made later does
// not reach the sandbox's mount namespace.
class TempFolder {
 public:
  TempFolder() {
    std::string pattern = "/var/lib/deckhand-bench-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create " + pattern);
    path_ = pattern;
    if (mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
      const std::string reason = std::strerror(errno);
      std::filesystem::remove(path_);
      throw std::runtime_error("cannot mount a tmpfs on " + path_.string() + ": " + reason);
    }
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  ~TempFolder() {
    umount2(path_.c_str(), MNT_DETACH);
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// deckhand finds its bus as the agent does, in DBUS_SYSTEM_BUS_ADDRESS.
inline std::string useBus(const std::string& address) {
  setenv("DBUS_SYSTEM_BUS_ADDRESS", address.c_str(), 1);
  return address;
}

// deckhand's systemd pieces wired as in the agent (agent/agent.cpp), on this thread's io_context.
class Deckhand {
 public:
  Deckhand(const test::SystemdSandbox& sandbox, const std::filesystem::path& units_dir)
      : bus_address_(useBus(sandbox.busAddress())),
        watcher_(io_.get_executor(),
                 [this](const std::string&, const systemd::UnitState& state) { onChange(state); }),
        units_(io_.get_executor(), units_dir, watcher_),
        link_(io_.get_executor(), watcher_, units_, {{}, [this] { lost_ = true; }}) {
    link_.start();
    runUntil([this] { return link_.ready(); }, "deckhand's link to systemd");
  }

  systemd::UnitManager& units() { return units_; }
  // When the watcher reported a watched unit becoming active, in order.
  std::vector<Clock::time_point>& activations() { return activations_; }

  template <typename Done>
  void runUntil(Done done, std::string_view waiting_for) {
    while (!done()) {
      checkDeadline(waiting_for);
      if (lost_) throw std::runtime_error("deckhand lost systemd's bus");
      io_.run_one_for(kSlice);
      if (io_.stopped()) io_.restart();
    }
  }

  // Handles everything that has arrived or is about to (signals about someone else's job).
  void settle() {
    io_.run_for(kSlice);
    io_.restart();
    while (io_.poll() > 0) {
    }
    io_.restart();
  }

  void install(const std::string& unit, const std::string& text) {
    std::optional<std::optional<std::string>> result;
    units_.install(unit, text, [&](const std::optional<std::string>& error) { result = error; });
    runUntil([&] { return result.has_value(); }, "deckhand's install of " + unit);
    if (*result) throw std::runtime_error(**result);
  }

  // Runs (units().*operation)(unit) to its JobResult; returns when that result was handed over.
  Clock::time_point job(void (systemd::UnitManager::*operation)(const std::string&,
                                                                systemd::JobDone),
                        const std::string& unit) {
    std::optional<systemd::JobResult> result;
    Clock::time_point finished;
    (units_.*operation)(unit, [&](const systemd::JobResult& outcome) {
      finished = Clock::now();
      result = outcome;
    });
    runUntil([&] { return result.has_value(); }, "deckhand's job on " + unit);
    if (!result->ok()) throw std::runtime_error(result->describe());
    return finished;
  }

  void watch(const std::string& unit) {
    watcher_.watch(unit);
    runUntil([&] { return watcher_.state(unit) != nullptr; }, "deckhand's first read of " + unit);
  }

 private:
  // How long one turn of the loop waits before checking the deadline again; also how long
  // settle() gives signals still in flight.
  static constexpr std::chrono::milliseconds kSlice{10};

  void onChange(const systemd::UnitState& state) {
    if (state.active_state == "active" && last_active_state_ != "active") {
      activations_.push_back(Clock::now());
    }
    last_active_state_ = state.active_state;
  }

  std::string bus_address_;  // first: SystemBus reads DBUS_SYSTEM_BUS_ADDRESS when it is built
  boost::asio::io_context io_{1};  // one thread runs it, as agent/main.cpp tells the agent's
  systemd::UnitWatcher watcher_;
  systemd::UnitManager units_;
  systemd::SystemdLink link_;
  bool lost_ = false;
  std::string last_active_state_;
  std::vector<Clock::time_point> activations_;
};

// The host PID of the program `sandbox.sh exec` (nsenter, which forks for the PID namespace) runs.
inline pid_t childOf(pid_t parent) {
  const std::string children =
      "/proc/" + std::to_string(parent) + "/task/" + std::to_string(parent) + "/children";
  for (;;) {
    pid_t child = 0;
    if (std::ifstream(children) >> child) return child;
    checkDeadline("the agent's process to appear");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Its private memory, as the kernel counts it: RssAnon in /proc/PID/status.
inline double rssAnonMib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long kib = 0;
  while (status >> key) {
    if (key == "RssAnon:" && status >> kib) return static_cast<double>(kib) / 1024;
    status.ignore(1 << 10, '\n');
  }
  throw std::runtime_error("no RssAnon in /proc/" + std::to_string(pid) + "/status");
}

}  // namespace deckhand::bench
