// Orders: for each connected machine, the difference between the units the engine places there
// and the units its agent holds.

#include <algorithm>

#include "scheduler/engine/engine_state.hpp"

namespace deckhand::scheduler {
namespace {

// The agent checks MachineOf against the units it already holds, in the order of the request, so
// a follower goes after every peer sent with it.
std::vector<UnitOrder> peersFirst(std::vector<UnitOrder> orders,
                                  const std::map<std::string, DesiredUnit>& units) {
  std::vector<UnitOrder> sorted;
  sorted.reserve(orders.size());
  std::set<std::string> waiting;
  for (const auto& order : orders)
    waiting.insert(order.name);
  while (!orders.empty()) {
    const auto before = orders.size();
    for (auto it = orders.begin(); it != orders.end();) {
      const auto& peers = units.at(it->name).constraints.peers;
      const bool ready = std::none_of(peers.begin(), peers.end(), [&](const std::string& peer) {
        return peer != it->name && waiting.count(peer) > 0;
      });
      if (!ready) {
        ++it;
        continue;
      }
      waiting.erase(it->name);
      sorted.push_back(std::move(*it));
      it = orders.erase(it);
    }
    // A cycle of peers cannot be placed at all; send the rest as they are.
    if (orders.size() == before) {
      for (auto& order : orders)
        sorted.push_back(std::move(order));
      break;
    }
  }
  return sorted;
}

}  // namespace

Dispatch Engine::State::ordersFor(Machine& machine) {
  Dispatch dispatch{machine.info.id, {}};
  std::vector<UnitOrder> changes;
  for (auto it = machine.held.begin(); it != machine.held.end();) {
    if (machine.placed.count(it->first) > 0) {
      ++it;
      continue;
    }
    dispatch.units.push_back({it->first, TargetState::inactive, "", ""});
    it = machine.held.erase(it);
  }
  for (const auto& [name, placed] : machine.placed) {
    const auto& unit = units.at(name);
    const auto held = machine.held.find(name);
    if (held != machine.held.end() && held->second.state == unit.target &&
        held->second.hash == unit.hash) {
      continue;
    }
    changes.push_back({name, unit.target, unit.text, unit.hash, unit.container, unit.spec});
    machine.held[name] = {unit.target, unit.hash};
  }
  for (auto& order : peersFirst(std::move(changes), units)) {
    dispatch.units.push_back(std::move(order));
  }
  return dispatch;
}

std::vector<Dispatch> Engine::takeDispatches() {
  auto& s = *state_;
  s.reconcile();
  std::vector<Dispatch> dispatches;
  for (const auto& id : s.to_dispatch) {
    auto& machine = s.machines.at(id);
    if (!machine.connected) continue;
    auto dispatch = s.ordersFor(machine);
    if (!dispatch.units.empty()) dispatches.push_back(std::move(dispatch));
  }
  s.to_dispatch.clear();
  return dispatches;
}

bool Engine::changed() const {
  return state_->stored_changed;
}

}  // namespace deckhand::scheduler
