#pragma once
// The frames waiting behind the one WebSocket write in flight. Bounded, because a scheduler that
// reads slower than the agent reports must not grow the agent without limit. A keyed frame
// replaces its queued predecessor in place, so a slow link carries each unit's latest state
// instead of its history (docs/protocol.md: "the last state always arrives").

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

namespace deckhand::link {

class SessionQueue {
 public:
  explicit SessionQueue(std::size_t limit) : limit_(limit) {}

  // False, and nothing queued, when limit frames are already waiting.
  bool push(std::string frame) { return pushKeyed({}, std::move(frame)); }
  // Replaces the frame queued under key if there is one (never full then); an empty key never
  // replaces anything.
  bool pushLatest(const std::string& key, std::string frame) {
    return pushKeyed(key, std::move(frame));
  }
  // Empties the queue and queues frame, the first of a new connection, whatever the limit.
  void startWith(std::string frame);

  std::optional<std::string> pop();
  void clear();
  std::size_t size() const { return entries_.size(); }
  std::size_t limit() const { return limit_; }

 private:
  struct Entry {
    std::string key;  // empty: not replaceable
    std::string frame;
  };

  bool pushKeyed(const std::string& key, std::string frame);

  std::size_t limit_;
  std::deque<Entry> entries_;
  std::uint64_t front_position_ = 0;  // position of entries_.front() since the queue was made
  std::unordered_map<std::string, std::uint64_t> positions_;  // key -> position of its entry
};

}  // namespace deckhand::link
