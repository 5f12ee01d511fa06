#include "agent/reconcile_runner.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <fstream>
#include <sstream>

#include "agent/reconciler/reconcile.hpp"
#include "systemd/unit_file.hpp"

namespace deckhand {
namespace {

using reconciler::Task;
using reconciler::TaskKind;

bool isFirstPhase(const Task& task) {
  return task.kind == TaskKind::remove || task.kind == TaskKind::install;
}

}  // namespace

ReconcileRunner::ReconcileRunner(boost::asio::any_io_executor executor, systemd::UnitManager& units,
                                 systemd::UnitWatcher& watcher, state::Store& store,
                                 std::function<void(const std::string&)> on_removed,
                                 std::function<void()> on_pass_done)
    : executor_(std::move(executor)),
      units_(units),
      watcher_(watcher),
      store_(store),
      on_removed_(std::move(on_removed)),
      on_pass_done_(std::move(on_pass_done)),
      safety_timer_(executor_) {}

ReconcileRunner::~ReconcileRunner() {
  *alive_ = false;
}

void ReconcileRunner::start() {
  desired_ = store_.loadDesired();
  if (!desired_.empty()) {
    spdlog::info("loaded the desired state of {} units from {}", desired_.size(),
                 store_.folder().string());
  }
  for (const auto& name : units_.installed()) {
    watcher_.watch(name);
    std::ifstream in(units_.unitsDirectory() / name);
    std::ostringstream text;
    text << in.rdbuf();
    try {
      installed_hashes_[name] = systemd::unitHash(systemd::parseUnitFile(text.str(), name));
    } catch (const systemd::UnitFileError& error) {
      // Installed by an older agent or edited by hand: a desired state re-installs it.
      spdlog::warn("installed unit {} does not parse: {}", name, error.what());
      installed_hashes_[name] = "";
    }
  }
  armSafetyTimer();
}

// Not watched here: a unit not installed yet would be read as not-found for nothing (and loaded
// by systemd to answer); UnitManager::install watches it once it exists.
void ReconcileRunner::setDesired(reconciler::DesiredUnit unit) {
  desired_[unit.name] = std::move(unit);
}

void ReconcileRunner::commit(state::Store::Saved saved) {
  store_.saveDesired(desired_, std::move(saved));
  trigger();
}

const reconciler::DesiredUnit* ReconcileRunner::desired(const std::string& name) const {
  const auto found = desired_.find(name);
  return found == desired_.end() ? nullptr : &found->second;
}

std::optional<std::string> ReconcileRunner::installedHash(const std::string& name) const {
  const auto found = installed_hashes_.find(name);
  if (found == installed_hashes_.end()) return std::nullopt;
  return found->second;
}

std::vector<std::string> ReconcileRunner::installedUnits() const {
  std::vector<std::string> names;
  for (const auto& [name, hash] : installed_hashes_)
    names.push_back(name);
  return names;
}

std::set<std::string> ReconcileRunner::agentUnits() const {
  std::set<std::string> names;
  for (const auto& [name, unit] : desired_)
    names.insert(name);
  for (const auto& [name, hash] : installed_hashes_)
    names.insert(name);
  return names;
}

std::size_t ReconcileRunner::agentUnitCount() const {
  // Both maps are sorted by name: one walk through both counts each name once.
  std::size_t count = desired_.size();
  auto desired = desired_.begin();
  for (const auto& [name, hash] : installed_hashes_) {
    while (desired != desired_.end() && desired->first < name)
      ++desired;
    if (desired == desired_.end() || desired->first != name) ++count;
  }
  return count;
}

void ReconcileRunner::trigger() {
  if (running_) {
    again_ = true;
    return;
  }
  if (trigger_posted_) return;
  trigger_posted_ = true;
  // Requests that arrive together (a desired batch) make one pass.
  boost::asio::post(executor_, [this, alive = alive_] {
    if (!*alive) return;
    trigger_posted_ = false;
    pass();
  });
}

void ReconcileRunner::pass() {
  std::map<std::string, reconciler::ObservedUnit> observed;
  const auto observe = [&](const std::string& name) {
    reconciler::ObservedUnit unit{name, false, "", {}};
    if (const auto hash = installedHash(name)) {
      unit.installed = true;
      unit.installed_hash = *hash;
    }
    if (const auto* state = watcher_.state(name)) unit.state = *state;
    // A file systemd does not know was written by an agent stopped before its link and reload
    // (kill -9 mid-install): installing it again finishes the job.
    if (unit.state.load_state == "not-found" &&
        desired_.at(name).state != reconciler::DesiredUnit::TargetState::inactive) {
      unit.installed = false;
    }
    observed.emplace(name, std::move(unit));
  };
  // Only units with a desired state: one the agent installed earlier but holds no desired state
  // for (after a restart of the agent) keeps running until the scheduler says otherwise.
  for (const auto& [name, unit] : desired_)
    observe(name);

  auto tasks = reconciler::reconcile(desired_, observed);
  forgetRemoved();
  if (tasks.empty()) return;
  running_ = true;
  auto later = std::vector<Task>(std::stable_partition(tasks.begin(), tasks.end(), isFirstPhase),
                                 tasks.end());
  tasks.erase(tasks.end() - static_cast<std::ptrdiff_t>(later.size()), tasks.end());
  runTasks(std::move(tasks), [this, later = std::move(later)]() mutable {
    runTasks(std::move(later), [this] {
      running_ = false;
      forgetRemoved();
      if (on_pass_done_) on_pass_done_();
      if (std::exchange(again_, false)) trigger();
    });
  });
}

void ReconcileRunner::forgetRemoved() {
  // Inactive units that are gone need no memory, and are no longer the agent's to report.
  const auto forgotten = std::erase_if(desired_, [&](const auto& entry) {
    return entry.second.state == reconciler::DesiredUnit::TargetState::inactive &&
           !installed_hashes_.contains(entry.first);
  });
  if (forgotten > 0) store_.saveDesired(desired_);
}

void ReconcileRunner::runTasks(std::vector<Task> tasks, std::function<void()> then) {
  if (tasks.empty()) return then();
  auto remaining = std::make_shared<std::size_t>(tasks.size());
  auto finish = std::make_shared<std::function<void()>>(std::move(then));
  for (const auto& task : tasks) {
    spdlog::info("reconciler: {}", reconciler::describeTask(task));
    runTask(task, [remaining, finish] {
      if (--*remaining == 0) (*finish)();
    });
  }
}

void ReconcileRunner::runTask(const Task& task, std::function<void()> done) {
  const std::string name = task.unit;
  const auto report_job = [name, done](const systemd::JobResult& result) {
    if (!result.ok()) spdlog::warn("reconciler: {}", result.describe());
    done();
  };
  switch (task.kind) {
    case TaskKind::remove:
      return units_.remove(name, [this, name, done](const std::optional<std::string>& error) {
        if (error) {
          spdlog::warn("reconciler: {}", *error);
        } else {
          installed_hashes_.erase(name);
          // Gone: its last state came before unit_removed, and nothing follows it.
          watcher_.unwatch(name);
          if (on_removed_) on_removed_(name);
        }
        done();
      });
    case TaskKind::install: {
      const auto found = desired_.find(name);
      if (found == desired_.end()) return done();
      const std::string hash = found->second.hash;
      return units_.install(name, found->second.text,
                            [this, name, hash, done](const std::optional<std::string>& error) {
                              if (error) {
                                spdlog::warn("reconciler: {}", *error);
                              } else {
                                installed_hashes_[name] = hash;
                              }
                              done();
                            });
    }
    case TaskKind::stop:
      return units_.stop(name, report_job);
    case TaskKind::restart:
      return units_.restart(name, report_job);
    case TaskKind::start:
      return units_.start(name, report_job);
  }
  done();
}

void ReconcileRunner::armSafetyTimer() {
  safety_timer_.expires_after(kSafetyResync);
  safety_timer_.async_wait([this, alive = alive_](const boost::system::error_code& error) {
    if (error || !*alive) return;
    trigger();
    armSafetyTimer();
  });
}

}  // namespace deckhand
