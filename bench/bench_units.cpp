// bench_units: what deckhand's unit management costs over talking to systemd directly. Each figure
// compares deckhand (UnitManager, UnitWatcher, SystemdLink, or the agent itself) with the same work
// done in the same run by a raw sd-bus client (bench/raw_systemd.hpp), against a real systemd
// booted in a sandbox (tests/harness). Needs root, as the sandbox does.
//
// Prints "figure value" lines for bench/run; exits non-zero on any failure. Every sandbox and
// folder is removed on the way out, also after a failure, SIGINT or SIGTERM.

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bench/deckhand_units.hpp"
#include "bench/figures.hpp"
#include "bench/raw_systemd.hpp"
#include "dbus/bus_connection.hpp"
#include "systemd/unit_manager.hpp"
#include "tests/harness/process.hpp"
#include "tests/harness/systemd_sandbox.hpp"

#ifndef DECKHAND_PATH
#error "DECKHAND_PATH (the agent built by meson) must be defined; see bench/meson.build"
#endif

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace deckhand::bench;
using deckhand::systemd::JobResult;
using deckhand::systemd::UnitManager;

// Every wait gives up after this; removing the sandboxes then takes a few seconds more.
constexpr auto kBudget = 240s;
constexpr int kWarmUps = 2;   // not counted: they bring systemd's and our code paths into cache
constexpr int kSamples = 21;  // odd for the median
constexpr int kManyUnits = 1000;
// Each boots two sandboxes and takes about 7 s. One round's ratio varies by 8% either way on a
// two-core machine, so the median of seven.
constexpr int kBulkRounds = 7;
// Starting it costs systemd one fork and exec of a program that exits at once.
constexpr const char* kOneShot =
    "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n";

double ms(Clock::duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

// units_start_one_*: one start until its job is over, deckhand and direct taking turns. Every
// sample starts from a stopped unit and from idle connections: the stop, and each side's handling
// of the other's signals, are not timed.
void measureStartOne(Deckhand& deckhand, RawSystemd& raw, const std::string& unit) {
  std::vector<double> deckhand_ms, direct_ms, ratios;
  for (int i = -kWarmUps; i < kSamples; ++i) {
    const bool deckhand_first = i % 2 == 0;
    double deckhand_sample = 0;
    double direct_sample = 0;
    for (const bool deckhand_turn : {deckhand_first, !deckhand_first}) {
      const auto start = Clock::now();
      if (deckhand_turn) {
        deckhand_sample = ms(deckhand.job(&UnitManager::start, unit) - start);
      } else {
        raw.start(unit);
        direct_sample = ms(Clock::now() - start);
      }
      raw.stop(unit);
      deckhand.settle();
      raw.drain();
    }
    if (i < 0) continue;
    deckhand_ms.push_back(deckhand_sample);
    direct_ms.push_back(direct_sample);
    ratios.push_back(deckhand_sample / direct_sample);
  }
  printFigure("units_start_one_deckhand_ms", median(deckhand_ms), 3);
  printFigure("units_start_one_direct_ms", median(direct_ms), 3);
  printFigure("units_start_one_ratio", median(ratios), 3);
}

// units_event_added_ms: for the n-th time the unit becomes active, how much later deckhand's
// watcher reports it than a direct subscriber on its own thread sees systemd's PropertiesChanged.
void measureEventAdded(Deckhand& deckhand, const std::string& address, const std::string& unit) {
  deckhand.watch(unit);
  deckhand.activations().clear();
  const ActivationClock direct(address, unit);
  for (std::size_t cycle = 1; cycle <= kWarmUps + kSamples; ++cycle) {
    deckhand.job(&UnitManager::start, unit);
    deckhand.runUntil(
        [&] {
          return deckhand.activations().size() == cycle && direct.activations().size() == cycle;
        },
        "both to see " + unit + " become active");
    deckhand.job(&UnitManager::stop, unit);
  }
  const auto direct_times = direct.activations();
  std::vector<double> added_ms;
  for (std::size_t i = kWarmUps; i < direct_times.size(); ++i) {
    added_ms.push_back(ms(deckhand.activations()[i] - direct_times[i]));
  }
  printFigure("units_event_added_ms", median(added_ms), 3);
}

void writeUnitFile(const fs::path& path) {
  std::ofstream file(path);
  file << kOneShot;
  if (!file.flush()) throw std::runtime_error("cannot write " + path.string());
}

std::vector<std::string> manyUnitNames() {
  std::vector<std::string> names;
  names.reserve(kManyUnits);
  for (int i = 0; i < kManyUnits; ++i)
    names.push_back("bulk-" + std::to_string(i) + ".service");
  return names;
}

// units_bulk_1000_*, deckhand's side: every install at once (UnitManager batches the reloads),
// then every start at once (UnitManager bounds them).
double bulkByDeckhand() {
  const TempFolder units_dir;
  const deckhand::test::SystemdSandbox sandbox;
  Deckhand deckhand(sandbox, units_dir.path());
  const auto names = manyUnitNames();
  std::size_t finished = 0;
  std::string failure;
  const auto start = Clock::now();
  for (const auto& name : names) {
    deckhand.units().install(name, kOneShot, [&](const std::optional<std::string>& error) {
      ++finished;
      if (error && failure.empty()) failure = *error;
    });
  }
  deckhand.runUntil([&] { return finished == names.size(); }, "deckhand's installs");
  if (!failure.empty()) throw std::runtime_error(failure);
  finished = 0;
  for (const auto& name : names) {
    deckhand.units().start(name, [&](const JobResult& result) {
      ++finished;
      if (!result.ok() && failure.empty()) failure = result.describe();
    });
  }
  deckhand.runUntil([&] { return finished == names.size(); }, "deckhand's starts");
  if (!failure.empty()) throw std::runtime_error(failure);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The direct side: write the files, link them in one call, one reload, pipelined starts under
// the same two bounds as deckhand's. Hearing every unit's changes too, it is the floor any
// watcher of the units stands on.
double bulkDirect(bool hearing_unit_changes) {
  const TempFolder units_dir;
  const deckhand::test::SystemdSandbox sandbox;
  RawSystemd raw(sandbox.busAddress());
  if (hearing_unit_changes) raw.hearUnitChanges();
  const auto names = manyUnitNames();
  const auto start = Clock::now();
  std::vector<std::string> paths;
  for (const auto& name : names) {
    paths.push_back(units_dir.path() / name);
    writeUnitFile(paths.back());
  }
  raw.link(paths);
  raw.reload();
  raw.startAll(names, UnitManager::kMaxUnfinishedJobs,
               deckhand::dbus::BusConnection::kMaxPendingCalls);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void measureBulk() {
  const auto direct = [] { return bulkDirect(false); };
  measureAlternating("units_bulk_1000", kBulkRounds, direct, bulkByDeckhand);
  // The same start with every unit's PropertiesChanged delivered and dropped: dbus-daemon's
  // sending them and the client's reading them, what deckhand's watching costs before its work.
  measureAlternating(
      "units_bulk_1000_floor", kBulkRounds, direct, [] { return bulkDirect(true); }, "hearing");
}

// Private memory of the agent once it watches every unit it finds in its units folder.
double agentAnonMib(const deckhand::test::SystemdSandbox& sandbox, const std::string& agent,
                    int units) {
  // The sandbox shares the host's /var/lib: the agent keeps its state in the private /run.
  deckhand::test::BackgroundProcess process(sandbox.execArgv(
      {agent, "--config", "/dev/null", "--state-directory", "/run/deckhand/state"}));
  const std::string ready = "watching " + std::to_string(units) + " units";
  const auto wait = std::min<Clock::duration>(timeLeft(), 30s);
  if (!process.waitForOutput(ready, std::chrono::duration_cast<std::chrono::milliseconds>(wait))) {
    checkDeadline("the agent to log \"" + ready + "\"");
    throw std::runtime_error("the agent did not log \"" + ready + "\":\n" + process.output());
  }
  const pid_t pid = childOf(process.pid());
  std::string name;
  std::ifstream("/proc/" + std::to_string(pid) + "/comm") >> name;
  if (name != "deckhand") throw std::runtime_error("PID " + std::to_string(pid) + " is " + name);
  const double mib = rssAnonMib(pid);
  kill(pid, SIGTERM);
  if (process.wait(10s) != 0) throw std::runtime_error("the agent failed:\n" + process.output());
  return mib;
}

void measureAgentAnon() {
  const deckhand::test::SystemdSandbox sandbox;
  const std::string agent = sandbox.installFile(DECKHAND_PATH);
  const double idle_mib = agentAnonMib(sandbox, agent, 0);

  // The agent's default units folder, seen from outside; systemd loads them before it starts.
  const fs::path units_dir = sandbox.root() / "run/deckhand/units";
  fs::create_directories(units_dir);
  std::vector<std::string> paths_inside;
  for (const auto& name : manyUnitNames()) {
    writeUnitFile(units_dir / name);
    paths_inside.push_back("/run/deckhand/units/" + name);
  }
  RawSystemd raw(sandbox.busAddress());
  raw.link(paths_inside);
  raw.reload();
  const double full_mib = agentAnonMib(sandbox, agent, kManyUnits);

  printFigure("units_anon_0_mib", idle_mib, 3);
  printFigure("units_anon_1000_mib", full_mib, 3);
  printFigure("units_anon_per_1000_mib", full_mib - idle_mib, 3);
}

int run() {
  startSandboxBenchmark(kBudget);
  {
    const TempFolder units_dir;
    const deckhand::test::SystemdSandbox sandbox;
    Deckhand deckhand(sandbox, units_dir.path());
    RawSystemd raw(sandbox.busAddress());
    const std::string unit = "bench-one.service";
    deckhand.install(unit, kOneShot);
    measureStartOne(deckhand, raw, unit);
    measureEventAdded(deckhand, sandbox.busAddress(), unit);
  }
  // Last: its rounds take what is left of the budget.
  measureAgentAnon();
  measureBulk();
  return 0;
}

}  // namespace

int main() {
  return deckhand::bench::benchmarkMain("bench_units", [&] { return run(); });
}
