#pragma once
// Installs units and commands them. Unit files are written to the agent's runtime folder and
// linked into systemd's runtime unit folder (LinkUnitFiles runtime+force, as fleet did), so a
// reboot forgets them and /etc stays untouched. Links and reloads are batched: files installed in
// one turn share one LinkUnitFiles, and every change requested before systemd answers one Reload
// shares the next one. A unit new to the agent needs no Reload at all: systemd (since v246) looks
// for the file of a unit it has not loaded, or found missing, whenever its unit folders changed;
// only a unit it may hold in memory (one the agent installed before) is reloaded. Every job's
// outcome comes from JobRemoved, and unfinished jobs are bounded, since systemd drops off the bus
// when one client has too many (see DESIGN.md). Only units this agent installed may be changed or
// removed.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dbus/systemd_manager.hpp"
#include "systemd/unit_state.hpp"
#include "systemd/unit_watcher.hpp"

namespace deckhand::systemd {

struct JobResult {
  std::string unit;
  std::string operation;  // start, stop, restart, reload, run
  // JobRemoved's result (done, canceled, timeout, failed, dependency, skipped), or "refused" when
  // deckhand would not ask, or "error" when systemd refused the call.
  std::string result;
  std::string error;  // why, for refused and error
  UnitState state;    // the unit right after the job: Result, exit code or signal, ...
  bool ok() const { return result == "done"; }
  std::string describe() const;  // "start web.service: failed (exit-code, status 3)"
};

// nullopt on success, else what failed and why, naming the unit.
using OperationDone = std::function<void(const std::optional<std::string>& error)>;
using JobDone = std::function<void(const JobResult& result)>;

class UnitManager {
 public:
  static constexpr std::size_t kMaxUnfinishedJobs = 128;

  UnitManager(boost::asio::any_io_executor executor, std::filesystem::path units_dir,
              UnitWatcher& watcher);
  ~UnitManager();
  UnitManager(const UnitManager&) = delete;
  UnitManager& operator=(const UnitManager&) = delete;

  // The link to systemd, given when the bus is up and Subscribe succeeded; taken when it is not.
  void attach(dbus::SystemdManager& systemd);
  void detach();
  void onJobRemoved(const std::string& job, const std::string& unit, const std::string& result);

  // Told of every job's outcome and how long it took from its request, before its own caller.
  using JobObserver =
      std::function<void(const JobResult& result, std::chrono::steady_clock::duration took)>;
  void observeJobs(JobObserver observer) { job_observer_ = std::move(observer); }

  // Writes text, normalised (writeUnitFile), as units_dir/name, links it, reloads when systemd
  // may have loaded an earlier version. Text that is not a unit file is refused, and nothing is
  // written.
  void install(const std::string& name, const std::string& text, OperationDone done);
  // Stops, unlinks, resets a failed state, deletes the file, reloads.
  void remove(const std::string& name, OperationDone done);

  void start(const std::string& name, JobDone done);
  void stop(const std::string& name, JobDone done);
  void restart(const std::string& name, JobDone done);
  void reload(const std::string& name, JobDone done);
  void kill(const std::string& name, const std::string& whom, int signal, OperationDone done);
  void resetFailed(const std::string& name, OperationDone done);
  // A one-off command as a transient service (CollectMode=inactive-or-failed: systemd forgets it
  // once it is over). name must be a new .service name.
  void runTransient(const std::string& name, const std::vector<std::string>& argv, JobDone done);

  // Installed by this agent: its file, or its template's, is in units_dir (which survives an
  // agent restart).
  bool owns(const std::string& name) const;
  std::vector<std::string> installed() const;
  const std::filesystem::path& unitsDirectory() const { return units_dir_; }
  std::size_t unfinishedJobs() const { return unfinished_jobs_; }
  std::size_t reloadsDone() const { return reloads_done_; }
  std::size_t linkCallsMade() const { return link_calls_made_; }

 private:
  struct JobRequest {
    std::string unit;
    std::string operation;
    std::function<void(dbus::SystemdManager&, dbus::Reply<std::string>)> send;
    JobDone done;
  };

  struct PendingLink {
    std::string name;
    std::string path;
    OperationDone done;
    bool needs_reload;
  };

  using JobCall = void (dbus::SystemdManager::*)(const std::string&, dbus::Reply<std::string>);
  // A job on one of the agent's units: refused for any other unit, else queued within the bound.
  void unitJob(const std::string& name, const char* operation, JobCall call, JobDone done);

  std::optional<std::string> refuseForeign(const std::string& name, const char* operation) const;
  void submitJob(JobRequest request);
  void sendJobs();
  void finishJob(JobRequest request, std::string result, std::string error);
  void requestLink(PendingLink link);
  void sendLink(std::vector<PendingLink> batch);
  void linked(PendingLink link, const std::optional<dbus::BusError>& error);
  void requestReload(OperationDone done);
  void sendReload();
  void unlinkAndDelete(const std::string& name, OperationDone done);

  boost::asio::any_io_executor executor_;
  std::filesystem::path units_dir_;
  UnitWatcher& watcher_;
  dbus::SystemdManager* systemd_ = nullptr;

  std::deque<JobRequest> waiting_jobs_;
  std::map<std::string, JobRequest> running_jobs_;  // by job object path
  // JobRemoved that came before the reply naming its job (bounded).
  std::map<std::string, std::string> early_results_;
  std::deque<std::string> early_order_;
  std::size_t unfinished_jobs_ = 0;

  std::vector<PendingLink> link_waiters_;  // for the next LinkUnitFiles
  bool link_posted_ = false;
  std::size_t link_calls_made_ = 0;

  std::vector<OperationDone> reload_waiters_;      // for the next Reload
  std::vector<OperationDone> reload_in_progress_;  // for the Reload systemd is doing now
  bool reload_posted_ = false;
  bool reload_in_flight_ = false;
  std::size_t reloads_done_ = 0;
  JobObserver job_observer_;
};

}  // namespace deckhand::systemd
