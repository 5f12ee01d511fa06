// A scheduler engine with simulated agents: each agent holds what the engine's orders told it,
// and says hello with exactly that, as a real agent would.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "scheduler/engine/engine.hpp"

namespace deckhand::scheduler {

inline std::string machineId(char digit) {
  return std::string(32, digit);
}

inline std::string service(const std::string& extra_fleet = "") {
  std::string text = "[Service]\nExecStart=/bin/sleep 300\n";
  if (!extra_fleet.empty()) text += "[X-Fleet]\n" + extra_fleet;
  return text;
}

class EngineTest : public ::testing::Test {
 protected:
  TimePoint now_ = TimePoint{} + std::chrono::hours(1);
  Engine engine_{EngineOptions{std::chrono::seconds(30)}, now_};
  std::map<std::string, std::map<std::string, UnitOrder>> agents_;  // machine -> units held
  std::map<std::string, machine::Metadata> metadata_;
  std::vector<Dispatch> last_;

  void up(char digit, const machine::Metadata& metadata = {}) {
    const auto id = machineId(digit);
    metadata_[id] = metadata;
    std::vector<ReportedUnit> reports;
    for (const auto& [name, order] : agents_[id]) {
      reports.push_back({name, order.state, order.hash, "loaded", "active", "running", "inv"});
    }
    engine_.machineUp({id, std::string("node-") + digit, "192.0.2.1", metadata}, reports, now_);
  }

  void down(char digit) { engine_.machineDown(machineId(digit), now_); }

  void advance(std::chrono::seconds by) {
    now_ += by;
    engine_.tick(now_);
  }

  // Takes the engine's orders and carries them out on the simulated agents.
  void run() {
    last_ = engine_.takeDispatches();
    for (const auto& dispatch : last_) {
      for (const auto& order : dispatch.units) {
        if (order.state == TargetState::inactive) {
          agents_[dispatch.machine].erase(order.name);
        } else {
          agents_[dispatch.machine][order.name] = order;
        }
      }
    }
  }

  void start(const std::string& name, const std::string& text) {
    engine_.submit(name, text, false);
    engine_.setTarget(name, TargetState::launched);
    run();
  }

  // The machines a unit is placed on, as digits ("1", "13"), "" for none.
  std::string where(const std::string& name) const {
    const auto status = engine_.unit(name);
    std::string digits;
    if (!status) return "?";
    std::vector<std::string> machines = status->machines;
    std::sort(machines.begin(), machines.end());
    for (const auto& id : machines)
      digits += id.front();
    return digits;
  }

  // Which simulated agents hold the unit.
  std::string heldBy(const std::string& name) const {
    std::string digits;
    for (const auto& [id, units] : agents_) {
      if (units.count(name) > 0) digits += id.front();
    }
    return digits;
  }

  std::map<std::string, std::string> pending(const std::string& name) const {
    return engine_.unit(name)->pending;
  }
};

}  // namespace deckhand::scheduler
