#include "agent/link/session_queue.hpp"

namespace deckhand::link {

bool SessionQueue::pushKeyed(const std::string& key, std::string frame) {
  if (!key.empty()) {
    if (const auto found = positions_.find(key); found != positions_.end()) {
      entries_[found->second - front_position_].frame = std::move(frame);
      return true;
    }
  }
  if (entries_.size() >= limit_) return false;
  if (!key.empty()) positions_[key] = front_position_ + entries_.size();
  entries_.push_back({key, std::move(frame)});
  return true;
}

void SessionQueue::startWith(std::string frame) {
  clear();
  entries_.push_back({{}, std::move(frame)});
}

std::optional<std::string> SessionQueue::pop() {
  if (entries_.empty()) return std::nullopt;
  Entry entry = std::move(entries_.front());
  entries_.pop_front();
  ++front_position_;
  if (!entry.key.empty()) positions_.erase(entry.key);
  return std::move(entry.frame);
}

void SessionQueue::clear() {
  entries_.clear();
  positions_.clear();
}

}  // namespace deckhand::link
