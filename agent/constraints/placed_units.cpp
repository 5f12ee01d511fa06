#include "agent/constraints/placed_units.hpp"

namespace deckhand::constraints {

void PlacedUnits::place(PlacedUnit unit) {
  const auto [found, added] = index_.try_emplace(unit.name, list_.size());
  if (added) {
    list_.push_back(std::move(unit));
  } else {
    list_[found->second] = std::move(unit);
  }
}

void PlacedUnits::remove(const std::string& name) {
  const auto found = index_.find(name);
  if (found == index_.end()) return;
  const std::size_t position = found->second;
  index_.erase(found);
  if (position + 1 != list_.size()) {
    list_[position] = std::move(list_.back());
    index_[list_[position].name] = position;
  }
  list_.pop_back();
}

}  // namespace deckhand::constraints
