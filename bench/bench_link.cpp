// bench_link: what the agent's scheduler link costs, end to end. The real agent binary runs in a
// sandboxed systemd (tests/harness) and talks over loopback WebSocket to the test scheduler
// (tests/harness/scheduler_peer.hpp); each figure is set against the same thing seen or done by a
// raw sd-bus client (bench/raw_systemd.hpp) in the same run. Needs root, as the sandbox does.
//
// Prints "figure value" lines for bench/run; exits non-zero on any failure. Every sandbox and
// folder is removed on the way out, also after a failure, SIGINT or SIGTERM.

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/deckhand_units.hpp"
#include "bench/figures.hpp"
#include "bench/linked_agent.hpp"
#include "bench/raw_systemd.hpp"
#include "dbus/bus_connection.hpp"
#include "systemd/unit_manager.hpp"
#include "tests/harness/systemd_sandbox.hpp"

#ifndef DECKHAND_PATH
#error "DECKHAND_PATH (the agent built by meson) must be defined; see bench/meson.build"
#endif

namespace {

using namespace std::chrono_literals;
using namespace deckhand::bench;
using deckhand::test::ReceivedFrame;

// Every wait gives up after this; removing the sandboxes then takes a few seconds more.
constexpr auto kBudget = 110s;
constexpr int kWarmUps = 3;    // not counted: they bring every process's code paths into cache
constexpr int kSamples = 101;  // transitions to active counted, odd for the median
constexpr int kManyUnits = 1000;
constexpr int kApplyRounds = 3;  // each boots two sandboxes
// How often the frames are looked at; the end time is the peer's receipt, whatever this is.
constexpr auto kApplyPoll = 100ms;
// Starting it costs systemd one fork and exec of a program that exits at once.
constexpr const char* kOneShot =
    "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n";

double ms(Clock::duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

double seconds(Clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

// Nearest rank: the smallest sample with at least fraction of all samples at or below it.
double percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * values.size()));
  return values[std::max<std::size_t>(rank, 1) - 1];
}

// When the peer received the first `unit` frame saying that unit is active in another invocation
// than last_invocation (updated), among frames received after since.
Clock::time_point peerSawActive(LinkedAgent& agent, const std::string& unit,
                                Clock::time_point since, std::string& last_invocation) {
  const std::string quoted_name = '"' + unit + '"';
  const ReceivedFrame frame = agent.waitFor(
      [&](const ReceivedFrame& candidate) {
        if (candidate.at <= since || candidate.text.find(quoted_name) == std::string::npos) {
          return false;
        }
        const auto seen = unitFrame(candidate);
        return seen && seen->name == unit && seen->active_state == "active" &&
               seen->invocation_id != last_invocation;
      },
      "the peer to hear that " + unit + " is active");
  const auto seen = unitFrame(frame);
  last_invocation = seen->invocation_id;
  return seen->at;
}

// link_event_*: the agent launches one unit; then, again and again, the raw client stops it and
// starts it again. For the n-th time the unit becomes active, three times: systemd's own
// (ActiveEnterTimestampMonotonic), a direct subscriber's (its own thread and connection), and the
// peer's receipt of the agent's `unit` frame saying so.
void measureEvent() {
  LinkedAgent agent(DECKHAND_PATH);
  const std::string unit = "bench-link.service";
  const std::string address = agent.sandbox().busAddress();
  // Before the unit exists, so that the n-th activation it sees is the n-th the peer hears of.
  const ActivationClock direct(address, unit);
  RawSystemd raw(address);
  std::string invocation;
  agent.send(desiredMessage("e1", {unit}, "launched", kOneShot));
  // The first activation, the agent's own start, is the first warm-up.
  std::vector<Clock::time_point> peer_times{
      peerSawActive(agent, unit, Clock::time_point::min(), invocation)};
  for (int cycle = 1; cycle < kWarmUps + kSamples; ++cycle) {
    const auto since = Clock::now();
    // Stopping a unit desired `launched` makes the agent start it again at once (its reconciler);
    // the raw start races with that one, and whichever comes first makes the one transition.
    raw.stop(unit);
    raw.start(unit);
    peer_times.push_back(peerSawActive(agent, unit, since, invocation));
    while (direct.activations().size() < peer_times.size()) {
      checkDeadline("the direct subscriber to see " + unit + " become active");
      std::this_thread::sleep_for(1ms);
    }
    raw.drain();
  }
  const auto direct_times = direct.activations();
  const auto systemd_usec = direct.enteredActiveUsec();
  if (direct_times.size() != peer_times.size()) {
    throw std::runtime_error("the direct subscriber saw " + std::to_string(direct_times.size()) +
                             " activations, the peer " + std::to_string(peer_times.size()));
  }
  std::vector<double> from_systemd_ms, direct_from_systemd_ms, added_ms;
  for (std::size_t i = kWarmUps; i < peer_times.size(); ++i) {
    if (systemd_usec[i] == 0) throw std::runtime_error("no ActiveEnterTimestampMonotonic");
    const Clock::time_point entered{std::chrono::microseconds(systemd_usec[i])};
    from_systemd_ms.push_back(ms(peer_times[i] - entered));
    direct_from_systemd_ms.push_back(ms(direct_times[i] - entered));
    added_ms.push_back(ms(peer_times[i] - direct_times[i]));
  }
  printFigure("link_event_p50_ms", percentile(from_systemd_ms, 0.50), 3);
  printFigure("link_event_p99_ms", percentile(from_systemd_ms, 0.99), 3);
  printFigure("link_event_direct_p50_ms", percentile(direct_from_systemd_ms, 0.50), 3);
  printFigure("link_event_added_ms", percentile(added_ms, 0.50), 3);
  printFigure("link_event_added_p99_ms", percentile(added_ms, 0.99), 3);
}

std::vector<std::string> manyUnitNames() {
  std::vector<std::string> names;
  names.reserve(kManyUnits);
  for (int i = 0; i < kManyUnits; ++i)
    names.push_back("bulk-" + std::to_string(i) + ".service");
  return names;
}

// link_apply_1000, the agent's side: one `desired` request launching every unit, from its sending
// until the peer received the frame that showed the last of them active.
double applyByAgent(const std::vector<std::string>& names, const std::string& request) {
  LinkedAgent agent(DECKHAND_PATH);
  agent.newFrames();  // the hello
  const auto start = Clock::now();
  agent.send(request);
  const auto last_active = waitForAllActive(agent, names, kApplyPoll);
  return seconds(last_active - start);
}

// The direct side, the units_bulk_1000 baseline (bench_units): write the files, link them in one
// call, one reload, pipelined starts under deckhand's two bounds, until the last job is removed.
double applyDirect(const std::vector<std::string>& names) {
  const TempFolder units_dir;
  const deckhand::test::SystemdSandbox sandbox;
  RawSystemd raw(sandbox.busAddress());
  const auto start = Clock::now();
  raw.installAndStartAll(units_dir.path(), names, kOneShot,
                         deckhand::systemd::UnitManager::kMaxUnfinishedJobs,
                         deckhand::dbus::BusConnection::kMaxPendingCalls);
  return seconds(Clock::now() - start);
}

void measureApply() {
  const auto names = manyUnitNames();
  const std::string request = desiredMessage("a1", names, "launched", kOneShot);
  measureAlternating(
      "link_apply_1000", kApplyRounds, [&] { return applyDirect(names); },
      [&] { return applyByAgent(names, request); });
}

int run() {
  startSandboxBenchmark(kBudget);
  measureEvent();
  measureApply();  // last: its rounds take what is left of the budget
  return 0;
}

}  // namespace

int main() {
  return deckhand::bench::benchmarkMain("bench_link", [&] { return run(); });
}
