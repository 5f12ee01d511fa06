#pragma once
// The baseline of the unit benchmarks: systemd's Manager called with libsystemd's sd-bus C API on a
// private connection, with none of deckhand's code in between. Also the time limit every wait of
// those benchmarks checks.

#include <systemd/sd-bus.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace deckhand::bench {

using Clock = std::chrono::steady_clock;

// When the benchmark gives up: its time budget, cut short by stopNow() (from a signal handler).
// Every wait checks it and throws, so a stopped or stuck run still unwinds and removes its
// sandboxes and folders.
void setDeadline(Clock::time_point deadline);
void stopNow();  // async-signal-safe

// The start every sandbox-booting benchmark shares: needs root, a deadline `budget` from now, no
// DECKHAND_* settings of whoever runs it (they would change what the agent does), and SIGINT,
// SIGTERM and SIGHUP stop the run cleanly. Throws std::runtime_error when not root.
void startSandboxBenchmark(Clock::duration budget);

// Measures a slow whole-run figure (seconds) against its direct baseline: up to `rounds` rounds,
// each side first in turn, fewer when the first round shows more would not fit in the time left.
// Prints PREFIX_SUBJECT_s, PREFIX_direct_s and PREFIX_ratio (medians), the ratio being subject
// over direct.
void measureAlternating(const char* prefix, int rounds, const std::function<double()>& direct,
                        const std::function<double()>& subject,
                        std::string_view subject_name = "deckhand");
Clock::duration timeLeft();
void checkDeadline(std::string_view waiting_for);  // throws once the deadline has passed

struct BusClose {
  void operator()(sd_bus* bus) const { sd_bus_flush_close_unref(bus); }
};
struct SlotUnref {
  void operator()(sd_bus_slot* slot) const { sd_bus_slot_unref(slot); }
};
using Bus = std::unique_ptr<sd_bus, BusClose>;
using Slot = std::unique_ptr<sd_bus_slot, SlotUnref>;

// One connection to a systemd's bus, subscribed, hearing every JobRemoved.
class RawSystemd {
 public:
  explicit RawSystemd(const std::string& address);
  RawSystemd(const RawSystemd&) = delete;
  RawSystemd& operator=(const RawSystemd&) = delete;

  // StartUnit or StopUnit(unit, "replace"), then waits for the job's JobRemoved; throws unless
  // its result is "done".
  void start(const std::string& unit) { runJob("StartUnit", unit); }
  void stop(const std::string& unit) { runJob("StopUnit", unit); }
  // LinkUnitFiles(paths, runtime = true, force = true), as deckhand and fleet install units.
  void link(const std::vector<std::string>& paths);
  void reload();
  // StartUnit for every unit, pipelined: at most max_unfinished jobs not yet removed and at most
  // max_pending calls not yet answered. Throws unless every job ends "done".
  void startAll(const std::vector<std::string>& units, std::size_t max_unfinished,
                std::size_t max_pending);
  // The direct way to install and start many units: a file with text for each unit written into
  // folder, one link() of them all, one reload(), then startAll(units, max_unfinished,
  // max_pending).
  void installAndStartAll(const std::filesystem::path& folder,
                          const std::vector<std::string>& units, std::string_view text,
                          std::size_t max_unfinished, std::size_t max_pending);
  // Handles what has arrived, and forgets other clients' jobs.
  void drain();
  // From now on dbus-daemon also sends this connection every unit's PropertiesChanged, by
  // deckhand's own match rule, and each is dropped unread: what watching units costs any client
  // before it does anything with what it hears.
  void hearUnitChanges();

 private:
  struct Pipeline;
  static int onJobRemoved(sd_bus_message* message, void* self, sd_bus_error* error);
  static int onStartReply(sd_bus_message* message, void* pipeline, sd_bus_error* error);
  static int onUnitChanged(sd_bus_message* message, void* self, sd_bus_error* error);
  void runJob(const char* method, const std::string& unit);
  // Processes until done() holds, waiting for the bus in between.
  template <typename Done>
  void processUntil(Done done, std::string_view waiting_for);

  Bus bus_;
  Slot job_removed_;
  Slot unit_changes_;
  std::map<std::string, std::string> removed_jobs_;  // job path → result, not yet claimed
  Pipeline* pipeline_ = nullptr;                     // during startAll
};

// Timestamps every change of one unit's ActiveState to "active", taken as systemd's
// PropertiesChanged is dispatched, on a thread of its own with a connection of its own.
class ActivationClock {
 public:
  ActivationClock(const std::string& address, const std::string& unit);
  ActivationClock(const ActivationClock&) = delete;
  ActivationClock& operator=(const ActivationClock&) = delete;

  // Throws if the thread lost its connection.
  std::vector<Clock::time_point> activations() const;
  // For each of those, systemd's own time of the change: the ActiveEnterTimestampMonotonic the
  // same signal carried, in CLOCK_MONOTONIC (steady_clock's) microseconds; 0 if it carried none.
  std::vector<std::uint64_t> enteredActiveUsec() const;

 private:
  static int onPropertiesChanged(sd_bus_message* message, void* self, sd_bus_error* error);
  void run(const std::stop_token& stop);

  Bus bus_;
  Slot match_;
  std::string last_state_;  // only touched by the thread
  mutable std::mutex mutex_;
  std::vector<Clock::time_point> activations_;
  std::vector<std::uint64_t> entered_active_usec_;
  std::string failure_;
  std::jthread thread_;  // last: stopped and joined before the rest goes
};

}  // namespace deckhand::bench
