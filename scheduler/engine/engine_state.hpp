#pragma once
// The engine's insides, shared by its .cpp files (desired state, machines, placement, dispatch,
// status). Private to scheduler/engine.

#include <map>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "agent/constraints/able_to_run.hpp"
#include "agent/constraints/constraints.hpp"
#include "scheduler/engine/engine.hpp"

namespace deckhand::scheduler {

struct DesiredUnit {
  std::string name;
  std::string text;  // normalised
  std::string hash;
  TargetState target = TargetState::inactive;
  constraints::UnitConstraints constraints;
  // A container's unit: its name and spec (JSON), sent as a container request; empty otherwise.
  std::string container{};
  std::string spec{};
};

// What an agent holds, by the engine's last order or its own report.
struct Held {
  TargetState state = TargetState::inactive;
  std::string hash;
};

struct Machine {
  MachineInfo info;
  constraints::MachineView view;  // info's ID and metadata, as ableToRun takes them
  bool known = false;             // a hello was seen (a machine restored from the store is not yet)
  bool connected = false;
  bool lost = false;
  TimePoint down_since{};
  std::map<std::string, constraints::PlacedUnit> placed;  // the units the engine puts here
  std::vector<constraints::PlacedUnit> placed_list;       // the same, for ableToRun
  bool list_stale = false;
  bool recheck = false;  // metadata or neighbours changed: placed units are checked again
  std::map<std::string, Held> held;
  std::map<std::string, ReportedUnit> reports;
  std::map<std::string, std::string> refusals;  // unit -> the agent's reason

  const std::vector<constraints::PlacedUnit>& placedList();
};

struct Engine::State {
  EngineOptions options;
  TimePoint now;  // the latest time the server gave
  std::map<std::string, DesiredUnit> templates;
  std::map<std::string, DesiredUnit> units;
  std::map<std::string, Machine> machines;
  // Connected machines that take new units, by (load, id): least loaded first, ties by ID.
  std::map<std::pair<std::size_t, std::string>, Machine*> by_load;
  // Machines whose ID and metadata pass a unit's MachineID and MachineMetadata, by those
  // constraints: a selective unit skips the others without a full ableToRun each time. Cleared
  // whenever a machine's metadata may have changed.
  std::map<std::string, std::unordered_set<const Machine*>> eligible;
  std::map<std::string, std::vector<std::string>> placements;  // unit -> machines
  std::map<std::string, std::string> why;                      // unit -> why it is there
  std::map<std::string, std::map<std::string, std::string>> pending;
  std::map<std::string, std::set<std::string>> reported_on;  // unit -> machines reporting it
  std::set<std::string> unplaced;     // units with a target that are not placed (or global ones)
  std::set<std::string> destroyed;    // StoredState::destroyed
  std::set<std::string> to_dispatch;  // machines whose orders may have changed
  bool stored_changed = false;

  // Desired state.
  DesiredUnit parseUnit(const std::string& name, const std::string& text) const;
  DesiredUnit parseContainer(const std::string& container, const std::string& spec) const;
  void submitParsed(DesiredUnit unit, bool replace);
  void forget(const std::string& name);  // unplaces it everywhere

  // Machines.
  Machine& machineRecord(const std::string& id);
  bool takesUnits(const Machine& machine) const { return machine.connected && !machine.lost; }
  void indexLoad(const Machine& machine, bool present);
  void place(const std::string& unit, Machine& machine, std::string why);
  void unplace(const std::string& unit, Machine& machine);
  void unplaceEverywhere(const std::string& unit);
  void loseMachine(Machine& machine);
  void touchPlacements(const std::string& unit);  // its machines get new orders
  void setInfo(Machine& machine, const MachineInfo& info);
  void report(Machine& machine, const ReportedUnit& unit);
  void unreport(Machine& machine, const std::string& name);
  bool submittedHere(const std::string& unit) const;  // submitted or destroyed by this scheduler
  void forgetDestroyedIfGone(const std::string& unit);

  // Placement (placement.cpp).
  void reconcile();
  void recheckMachine(Machine& machine);
  bool placeOne(const DesiredUnit& unit);
  bool placePinned(const DesiredUnit& unit);
  const std::unordered_set<const Machine*>* eligibleFor(const DesiredUnit& unit);
  void placeGlobal(const DesiredUnit& unit);

  // Orders (dispatch.cpp).
  Dispatch ordersFor(Machine& machine);
};

}  // namespace deckhand::scheduler
