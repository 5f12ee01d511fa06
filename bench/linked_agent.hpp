#pragma once
// The real agent on its scheduler link, for bench_link.cpp: deckhand run inside a sandboxed systemd
// (tests/harness), connected over loopback to the test scheduler
// (tests/harness/scheduler_peer.hpp), as in tests/e2e/agent_link_test.cpp; and the `unit` frames it
// sends (docs/protocol.md).

#include <stdlib.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/deckhand_units.hpp"
#include "bench/raw_systemd.hpp"
#include "systemd/unit_file.hpp"
#include "tests/harness/process.hpp"
#include "tests/harness/scheduler_peer.hpp"
#include "tests/harness/systemd_sandbox.hpp"

namespace deckhand::bench {

// What bench_link reads from one `unit` frame.
struct UnitFrame {
  std::string name;
  std::string active_state;
  std::string invocation_id;
  Clock::time_point at;  // when the peer received it
};

// The frame's unit if it is a `unit` message; nullopt for any other frame. Throws on a frame that
// is not JSON, or a `unit` message without the fields docs/protocol.md promises.
inline std::optional<UnitFrame> unitFrame(const test::ReceivedFrame& frame) {
  if (frame.binary || frame.text.find(R"("unit")") == std::string::npos) return std::nullopt;
  const auto message = boost::json::parse(frame.text).as_object();
  if (message.at("type").as_string() != "unit") return std::nullopt;
  const auto& unit = message.at("unit").as_object();
  return UnitFrame{std::string(unit.at("name").as_string()),
                   std::string(unit.at("active_state").as_string()),
                   std::string(unit.at("invocation_id").as_string()), frame.at};
}

// One `desired` request (docs/protocol.md) putting every unit in state with the same text.
inline std::string desiredMessage(const std::string& id, const std::vector<std::string>& names,
                                  std::string_view state, const std::string& text) {
  const std::string hash = systemd::unitHash(systemd::parseUnitFile(text, "bench"));
  boost::json::array units;
  units.reserve(names.size());
  for (const auto& name : names) {
    units.push_back(
        boost::json::object{{"name", name}, {"state", state}, {"text", text}, {"hash", hash}});
  }
  return boost::json::serialize(
      boost::json::object{{"type", "desired"}, {"id", id}, {"units", std::move(units)}});
}

// A fresh sandbox, the agent binary copied in and started there, linked to a peer of its own; ready
// once the agent's `hello` has arrived. The sandbox goes, with the agent, when this does.
class LinkedAgent {
 public:
  explicit LinkedAgent(const std::string& agent_binary)
      // The sandbox shares the host's /var/lib: the agent keeps its state in the private /run.
      : agent_(sandbox_.execArgv({sandbox_.installFile(agent_binary), "--config", "/dev/null",
                                  "--scheduler-url", peer_.url(), "--state-directory",
                                  "/run/deckhand/state"})) {
    waitFor(
        [](const test::ReceivedFrame& frame) {
          return frame.text.find(R"("type":"hello")") != std::string::npos;
        },
        "the agent's hello");
  }
  LinkedAgent(const LinkedAgent&) = delete;
  LinkedAgent& operator=(const LinkedAgent&) = delete;

  const test::SystemdSandbox& sandbox() const { return sandbox_; }
  // The agent's host PID (below nsenter, which forks for the PID namespace).
  pid_t agentPid() const { return childOf(agent_.pid()); }

  void send(const std::string& frame) {
    if (!peer_.send(frame)) throw std::runtime_error("the agent is not connected:\n" + output());
  }

  // The first frame received that matches, waiting for it in slices until the deadline; throws if
  // the agent exits first. match runs on every frame, with the peer's lock held: keep it cheap.
  template <typename Match>
  test::ReceivedFrame waitFor(Match match, std::string_view waiting_for) {
    for (;;) {
      checkRunning();
      const auto slice = std::min<Clock::duration>(timeLeft(), std::chrono::milliseconds(200));
      if (auto frame = peer_.waitForMessage(
              match, std::chrono::duration_cast<std::chrono::milliseconds>(slice))) {
        return std::move(*frame);
      }
      checkDeadline(waiting_for);
    }
  }

  // Every frame received since the last call: one copy of the peer's records per call, so poll it
  // slowly.
  std::vector<test::ReceivedFrame> newFrames() {
    auto frames = peer_.messages();
    std::vector<test::ReceivedFrame> fresh(std::make_move_iterator(frames.begin() + seen_),
                                           std::make_move_iterator(frames.end()));
    seen_ = frames.size();
    return fresh;
  }

  void checkRunning() {
    if (agent_.wait(std::chrono::milliseconds(0))) {
      throw std::runtime_error("the agent exited:\n" + output());
    }
  }

  // The end of the agent's log, for error messages.
  std::string output(std::size_t tail = 4000) const {
    const std::string all = agent_.output();
    return all.size() > tail ? "…" + all.substr(all.size() - tail) : all;
  }

 private:
  test::SchedulerPeer peer_;       // first: the agent is given its URL
  test::SystemdSandbox sandbox_;   // before the agent, which runs inside it
  test::BackgroundProcess agent_;  // last: killed before the sandbox is stopped
  std::size_t seen_ = 0;           // frames newFrames() has returned
};

// Waits until the peer has received a `unit` frame showing each of names active, polling the
// frames every poll; returns the receipt of the last of them. Throws if the agent refuses a
// request.
inline Clock::time_point waitForAllActive(LinkedAgent& agent, const std::vector<std::string>& names,
                                          Clock::duration poll) {
  std::set<std::string, std::less<>> active;
  Clock::time_point last_active;
  while (active.size() < names.size()) {
    checkDeadline(std::to_string(names.size() - active.size()) + " of " +
                  std::to_string(names.size()) + " units to be reported active");
    agent.checkRunning();
    std::this_thread::sleep_for(poll);
    for (const auto& frame : agent.newFrames()) {
      if (frame.text.find(R"("ok":false)") != std::string::npos) {
        throw std::runtime_error("the agent refused: " + frame.text.substr(0, 500));
      }
      const auto unit = unitFrame(frame);
      if (unit && unit->active_state == "active" && active.insert(unit->name).second) {
        last_active = unit->at;
      }
    }
  }
  return last_active;
}

}  // namespace deckhand::bench
