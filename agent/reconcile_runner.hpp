#pragma once
// Runs the reconciler: holds the desired state the scheduler asked for (kept across scheduler
// disconnects), asks reconciler::reconcile for a plan, and carries it out through UnitManager in
// fleet's order: removes and installs together (they share at most one daemon-reload), then stops,
// restarts and starts. A pass runs when the desired state changes, when systemd comes (back) up,
// and on a slow safety timer; not on every unit event, so a one-off stop action is not undone at
// once. Units without a desired state are left alone, also those the agent installed earlier:
// the scheduler sees them in hello (desired null) and decides. The desired state is kept in the
// Store: loaded before the first pass, saved whenever it changes.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/reconciler/task.hpp"
#include "agent/reconciler/unit_snapshot.hpp"
#include "agent/state/store.hpp"
#include "systemd/unit_manager.hpp"
#include "systemd/unit_watcher.hpp"

namespace deckhand {

class ReconcileRunner {
 public:
  static constexpr std::chrono::seconds kSafetyResync{30};

  // on_removed: a unit the agent had installed is gone (removed on the desired state's behalf).
  // on_pass_done: a pass that had tasks has carried them all out.
  ReconcileRunner(boost::asio::any_io_executor executor, systemd::UnitManager& units,
                  systemd::UnitWatcher& watcher, state::Store& store,
                  std::function<void(const std::string&)> on_removed,
                  std::function<void()> on_pass_done);
  ~ReconcileRunner();

  // Loads the saved desired state, reads the hashes of the units already installed and watches
  // them; starts the safety timer.
  void start();

  // Changes the desired state in memory; commit() saves it and plans a pass.
  void setDesired(reconciler::DesiredUnit unit);
  // saved: told when the state set so far has been written (or why it could not be; it is kept in
  // memory and retried either way).
  void commit(state::Store::Saved saved = {});
  const reconciler::DesiredUnit* desired(const std::string& name) const;
  const std::map<std::string, reconciler::DesiredUnit>& allDesired() const { return desired_; }
  // The hash of the installed text; nullopt when the agent has not installed the unit.
  std::optional<std::string> installedHash(const std::string& name) const;
  std::vector<std::string> installedUnits() const;
  // The agent's units: desired here, or installed by the agent.
  std::set<std::string> agentUnits() const;
  // How many agentUnits() holds, counted without building it.
  std::size_t agentUnitCount() const;

  // Plans and runs a pass soon (passes never overlap; one requested during a pass follows it).
  void trigger();

 private:
  void pass();
  void forgetRemoved();
  void runTasks(std::vector<reconciler::Task> tasks, std::function<void()> then);
  void runTask(const reconciler::Task& task, std::function<void()> done);
  void armSafetyTimer();

  boost::asio::any_io_executor executor_;
  systemd::UnitManager& units_;
  systemd::UnitWatcher& watcher_;
  state::Store& store_;
  std::function<void(const std::string&)> on_removed_;
  std::function<void()> on_pass_done_;
  std::map<std::string, reconciler::DesiredUnit> desired_;
  std::map<std::string, std::string> installed_hashes_;
  boost::asio::steady_timer safety_timer_;
  bool trigger_posted_ = false;
  bool running_ = false;
  bool again_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace deckhand
