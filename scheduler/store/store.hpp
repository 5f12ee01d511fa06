#pragma once
// Where the scheduler keeps its desired state across restarts. Narrow on purpose, so that another
// backend (etcd v3) can follow: the whole state is loaded once and saved whole.

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "scheduler/engine/engine.hpp"

namespace deckhand::scheduler {

// The state cannot be read or written; the message names the place and the cause.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Store {
 public:
  virtual ~Store() = default;
  // An empty state when nothing was saved yet; throws StoreError when what was saved cannot be
  // read (the scheduler then refuses to start rather than forget the cluster's desired state).
  virtual StoredState load() = 0;
  // Replaces the saved state atomically: after a crash, either the old or the new one is there.
  // Blocking; the server calls it off its event loop. Throws StoreError.
  virtual void save(const StoredState& state) = 0;
  virtual std::string describe() const = 0;  // "file /var/lib/deckhand-scheduler/state.json"
};

// A JSON file, written to a temporary file beside it, fsynced, and renamed over it.
std::unique_ptr<Store> openFileStore(const std::filesystem::path& path);

// The file's format, shared with tests: JSON text to state and back. fromJson throws StoreError.
std::string storedStateToJson(const StoredState& state);
StoredState storedStateFromJson(std::string_view text, const std::string& origin);

}  // namespace deckhand::scheduler
