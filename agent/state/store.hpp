#pragma once
// Store remembers what the agent must not forget across a restart, a crash or a reboot: the
// desired state the scheduler sent and the metadata it set. Files live in the state folder
// (docs/reliability.md), written atomically on a worker thread so the agent's thread never waits
// for a disk.
//
// Nothing that runs depends on the disk: a file that cannot be read or parsed is logged, renamed
// aside (kept for a human) and reported by lost(), so the scheduler can be asked to send it again;
// a write that fails (a full disk) is logged and retried, and the state in memory stays in force.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/machine/metadata.hpp"
#include "agent/state/state_format.hpp"

namespace deckhand::state {

// What could not be read back at start: the scheduler is asked to send it again.
struct Lost {
  bool desired = false;
  bool metadata = false;
};

class Store {
 public:
  // nullopt: the write succeeded; otherwise why it failed.
  using Saved = std::function<void(const std::optional<std::string>& error)>;

  static constexpr std::chrono::seconds kFirstRetry{1};
  static constexpr std::chrono::seconds kLastRetry{30};

  Store(boost::asio::any_io_executor executor, std::filesystem::path folder);
  ~Store();  // waits for the write in progress, so a stop does not leave a temporary file
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::filesystem::path& folder() const { return folder_; }

  // Read once at start, before the event loop runs. Empty or nullopt when nothing was saved or
  // the file was unusable (then lost() says so).
  DesiredUnits loadDesired();
  std::optional<machine::Metadata> loadMetadata();
  const Lost& lost() const { return lost_; }
  void desiredResent() { lost_.desired = false; }
  void metadataResent() { lost_.metadata = false; }

  // Saves units in the background; saves asked for during a write coalesce into one write of the
  // newest. saved is called once a write holding this state has been tried (its error, if any).
  // A failed write is retried with backoff (kFirstRetry doubling to kLastRetry) until one succeeds.
  void saveDesired(const DesiredUnits& units, Saved saved = {});
  // One attempt, no retry: set_metadata answers with the outcome, and a refused change is the
  // scheduler's to send again.
  void saveMetadata(const machine::Metadata& metadata, Saved saved);

  // The newest desired state is on disk.
  bool desiredSaved() const { return !desired_.pending && !desired_.writing && !desired_.failing; }

 private:
  struct Pending {
    std::optional<std::string> pending;  // contents waiting to be written
    std::vector<Saved> waiting;          // told when the write of pending ends
    bool writing = false;
    bool failing = false;
  };

  void writeDesired();
  void write(const std::string& name, std::string contents,
             std::function<void(const std::optional<std::string>&)> done);
  template <typename T, typename Decode>
  std::optional<T> load(const char* name, const char* what, Decode decode, bool& lost);

  boost::asio::any_io_executor executor_;
  std::filesystem::path folder_;
  boost::asio::thread_pool worker_{1};
  Lost lost_;
  Pending desired_;
  std::chrono::milliseconds retry_delay_ = kFirstRetry;
  boost::asio::steady_timer retry_timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace deckhand::state
