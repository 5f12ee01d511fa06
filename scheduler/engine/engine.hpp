#pragma once
// The reference scheduler's decisions, as fleet made them: a desired state of units (submitted
// with their text, each with a target state), the machines with what they run, and placement by
// the constraints library's ableToRun. Pure: no I/O and no clock of its own; the server feeds it
// events and the time, and sends the orders it hands out. docs/scheduler.md describes the rules.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/machine/metadata.hpp"

namespace deckhand::scheduler {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// fleet's target states: in the registry only, loaded on a machine, running on it.
enum class TargetState { inactive, loaded, launched };
std::string_view targetStateName(TargetState state);  // "launched"
std::optional<TargetState> targetStateFromName(std::string_view name);

// A request the engine refuses (a bad unit name or text, a changed unit without replace, an
// unknown unit): the message says what and what to do.
class EngineError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct EngineOptions {
  // How long a machine may be disconnected before its units are placed elsewhere.
  std::chrono::milliseconds machine_grace = std::chrono::seconds(30);
};

struct MachineInfo {
  std::string id;  // 32 hex digits, as the agent reports it
  std::string hostname;
  std::string public_ip;
  machine::Metadata metadata;
};

// A unit as an agent reports it (hello, unit messages).
struct ReportedUnit {
  std::string name;
  std::optional<TargetState> desired;  // what the agent holds for it; nullopt: none
  std::optional<std::string> hash;
  std::string load_state;
  std::string active_state;
  std::string sub_state;
  std::string invocation_id;
};

// One element of a desired request for one machine.
struct UnitOrder {
  std::string name;
  TargetState state = TargetState::inactive;
  std::string text;  // normalised; empty for inactive
  std::string hash;
  // A container's unit goes as a container request with this name and spec (JSON); empty: a unit.
  std::string container{};
  std::string spec{};
};

// Orders for one connected machine, removals first and every MachineOf peer before its follower,
// since the agent checks each unit against the ones it already holds.
struct Dispatch {
  std::string machine;
  std::vector<UnitOrder> units;
};

// What survives a restart: the desired state and where units were placed. Actual state is
// re-learned from the agents' hellos.
struct StoredUnit {
  std::string name;
  std::string text;
  TargetState target = TargetState::inactive;
  std::string container{};  // a container's name and spec (JSON); empty for units
  std::string spec{};
};
struct StoredState {
  std::vector<StoredUnit> templates;
  std::vector<StoredUnit> units;
  std::map<std::string, std::string> placements;  // unit -> machine, for units that are not global
  // Destroyed units some machine may still hold: removed where they show up, then forgotten.
  std::vector<std::string> destroyed;
};

struct UnitStatus {
  std::string name;
  std::string hash;
  TargetState target = TargetState::inactive;
  bool global = false;
  std::string container;              // the container it runs, for a container's unit
  std::vector<std::string> machines;  // where it is placed
  // machine -> its own report of the unit, for the machines that report it
  std::map<std::string, ReportedUnit> reports;
  // When it should run somewhere and runs nowhere: why, per machine ("" key: a reason for all).
  std::map<std::string, std::string> pending;
  // Why it is where it is ("least loaded of 3 able machines", "with its peer db.service").
  std::string why;
};

struct TemplateStatus {
  std::string name;
  std::string hash;
};

struct MachineStatus {
  MachineInfo info;
  bool connected = false;
  bool lost = false;  // disconnected longer than the grace period
  std::size_t units = 0;
};

class Engine {
 public:
  Engine(EngineOptions options, TimePoint now);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Desired state. submit adds a unit or a template (foo@.service) as inactive, or replaces a
  // changed one when replace is set (a placed unit is re-sent with its new text). setTarget
  // instantiates foo@1.service from foo@.service when the instance was never submitted. destroy
  // forgets a unit or template. All throw EngineError, changing nothing.
  void submit(const std::string& name, const std::string& text, bool replace);
  // A Docker container (docs/protocol.md, "Containers"): its spec (a JSON object) becomes the
  // unit deckhand-NAME.service, placed by the spec's x_fleet constraints like any unit and sent
  // as a container request. Returns the unit's name, which every other verb takes.
  std::string submitContainer(const std::string& container, const std::string& spec, bool replace);
  void setTarget(const std::string& name, TargetState target);
  void destroy(const std::string& name);

  StoredState stored() const;
  void restore(const StoredState& state);  // throws EngineError on a state it cannot read

  // Machines. machineUp is an agent's hello: the complete truth about it. Of the units it holds,
  // only those this scheduler submitted (or destroyed) get orders; others are left alone.
  // machineDown starts its grace period; setMetadata is the operator changing it (the agent is told
  // separately).
  void machineUp(const MachineInfo& info, const std::vector<ReportedUnit>& units, TimePoint now);
  void machineDown(const std::string& id, TimePoint now);
  void setMetadata(const std::string& id, const machine::Metadata& metadata);
  void unitReported(const std::string& id, const ReportedUnit& unit);
  void unitRemoved(const std::string& id, const std::string& name);
  // The agent refused a unit the engine sent it: it goes elsewhere, and this machine is skipped
  // for it (with the reason) until the machine says hello again.
  void refused(const std::string& id, const std::string& name, const std::string& reason);

  void tick(TimePoint now);                       // machines past their grace become lost
  std::optional<TimePoint> nextDeadline() const;  // when tick has something to do

  // Places what changed and returns the orders for every connected machine whose desired units
  // differ from what it holds.
  std::vector<Dispatch> takeDispatches();
  bool changed() const;  // whether the stored state changed since the last stored()

  std::vector<UnitStatus> units() const;
  std::optional<UnitStatus> unit(const std::string& name) const;
  // machine -> its report of the unit, from every machine that reports it (connected or not),
  // whether the unit is submitted or not: what is left of a destroyed unit.
  std::map<std::string, ReportedUnit> reportsOf(const std::string& name) const;
  std::vector<TemplateStatus> templates() const;
  std::vector<MachineStatus> machines() const;

  struct State;  // engine_state.hpp: private to scheduler/engine

 private:
  std::unique_ptr<State> state_;
};

}  // namespace deckhand::scheduler
