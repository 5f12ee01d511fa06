#pragma once
// The units on one machine, by name, kept as the list ableToRun reads: checking a thousand units
// one after another against each other copies nothing.

#include <string>
#include <unordered_map>
#include <vector>

#include "agent/constraints/able_to_run.hpp"

namespace deckhand::constraints {

class PlacedUnits {
 public:
  // Adds unit, or replaces the one of the same name.
  void place(PlacedUnit unit);
  void remove(const std::string& name);
  const std::vector<PlacedUnit>& list() const { return list_; }

 private:
  std::vector<PlacedUnit> list_;
  std::unordered_map<std::string, std::size_t> index_;  // name -> its place in list_
};

}  // namespace deckhand::constraints
