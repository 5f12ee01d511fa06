#include "systemd/unit_manager.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <fstream>

#include "systemd/unit_file.hpp"
#include "systemd/unit_name.hpp"

namespace deckhand::systemd {
namespace {

constexpr std::size_t kMaxEarlyResults = 1024;
constexpr const char* kNotConnected = "systemd is not reachable on the system bus; retry later";

std::string quoted(const std::string& text) {
  return "\"" + text + "\"";
}

}  // namespace

std::string JobResult::describe() const {
  std::string text = operation + " " + unit + ": " + result;
  if (!error.empty()) return text + ": " + error;
  if (!ok() && !state.active_state.empty()) text += "; unit is " + describeUnitState(state);
  return text;
}

UnitManager::UnitManager(boost::asio::any_io_executor executor, std::filesystem::path units_dir,
                         UnitWatcher& watcher)
    : executor_(std::move(executor)), units_dir_(std::move(units_dir)), watcher_(watcher) {}

UnitManager::~UnitManager() = default;

void UnitManager::attach(dbus::SystemdManager& systemd) {
  systemd_ = &systemd;
  sendJobs();
  sendReload();
}

void UnitManager::detach() {
  systemd_ = nullptr;
  // Replies and JobRemoved signals for these will never come: the bus they would come on is gone.
  auto running = std::move(running_jobs_);
  running_jobs_.clear();
  unfinished_jobs_ = 0;
  early_results_.clear();
  early_order_.clear();
  for (auto& [path, request] : running) {
    finishJob(std::move(request), "error",
              "lost the system bus while the job ran; its unit's "
              "state is re-read on reconnect");
  }
  auto reloading = std::move(reload_in_progress_);
  reload_in_progress_.clear();
  reload_in_flight_ = false;
  for (auto& done : reloading)
    done(std::string("lost the system bus during daemon-reload"));
}

bool UnitManager::owns(const std::string& name) const {
  std::error_code error;
  if (std::filesystem::is_regular_file(units_dir_ / name, error)) return true;
  // An instance is ours when its template is.
  try {
    const UnitName parsed = parseUnitName(name);
    return parsed.isInstance() &&
           std::filesystem::is_regular_file(units_dir_ / parsed.templateName(), error);
  } catch (const UnitNameError&) {
    return false;
  }
}

std::vector<std::string> UnitManager::installed() const {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(units_dir_, error)) {
    const std::string name = entry.path().filename();
    if (!name.starts_with('.') && entry.is_regular_file()) names.push_back(name);
  }
  return names;
}

std::optional<std::string> UnitManager::refuseForeign(const std::string& name,
                                                      const char* operation) const {
  try {
    parseManagedUnitName(name);
  } catch (const UnitNameError& error) {
    return std::string(operation) + ": " + error.what();
  }
  if (!owns(name)) {
    return std::string(operation) + " " + name + ": refused, deckhand did not install " + name +
           " (only units in " + units_dir_.string() +
           ", and instances of templates there, are "
           "deckhand's)";
  }
  return std::nullopt;
}

void UnitManager::install(const std::string& name, const std::string& text, OperationDone done) {
  try {
    parseManagedUnitName(name);
  } catch (const UnitNameError& error) {
    return done("install: " + std::string(error.what()));
  }
  std::string normalised;
  try {
    // systemd gets exactly the text the content hash covers.
    normalised = writeUnitFile(parseUnitFile(text, name));
  } catch (const UnitFileError& error) {
    return done("install " + name + ": " + error.what());
  }
  std::error_code error;
  std::filesystem::create_directories(units_dir_, error);
  const auto path = units_dir_ / name;
  const auto temporary = units_dir_ / ("." + name + ".new");
  {
    std::ofstream out(temporary, std::ios::trunc | std::ios::binary);
    out << normalised;
    out.close();
    if (!out) {
      return done("install " + name + ": cannot write " + temporary.string() +
                  "; is the units folder writable?");
    }
  }
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    return done("install " + name + ": cannot write " + path.string() + ": " + error.message());
  }
  if (systemd_ == nullptr) return done("install " + name + ": " + kNotConnected);
  requestLink({name, path.string(), std::move(done), watcher_.watching(name)});
}

void UnitManager::requestLink(PendingLink link) {
  link_waiters_.push_back(std::move(link));
  if (link_posted_) return;
  // Wait for the rest of this turn: files installed together are linked by one call.
  link_posted_ = true;
  boost::asio::post(executor_, [this] {
    link_posted_ = false;
    auto batch = std::move(link_waiters_);
    link_waiters_.clear();
    sendLink(std::move(batch));
  });
}

void UnitManager::sendLink(std::vector<PendingLink> batch) {
  if (systemd_ == nullptr) {
    for (auto& link : batch)
      link.done("install " + link.name + ": " + kNotConnected);
    return;
  }
  std::vector<std::string> paths;
  paths.reserve(batch.size());
  for (const auto& link : batch)
    paths.push_back(link.path);
  ++link_calls_made_;
  systemd_->linkUnitFiles(
      paths, [this, batch = std::move(batch)](const std::optional<dbus::BusError>& error) mutable {
        if (error && batch.size() > 1) {
          // systemd refuses the whole call for one bad file: link each alone to find which.
          for (auto& link : batch)
            sendLink({std::move(link)});
          return;
        }
        for (auto& link : batch)
          linked(std::move(link), error);
      });
}

void UnitManager::linked(PendingLink link, const std::optional<dbus::BusError>& error) {
  if (error) return link.done("install " + link.name + ": linking failed: " + error->text());
  if (!link.needs_reload) {
    watcher_.watchInstalled(link.name);
    return link.done(std::nullopt);
  }
  requestReload([this, name = std::move(link.name),
                 done = std::move(link.done)](const std::optional<std::string>& error) {
    // Every unit the agent installed is watched: its state is known when its jobs end.
    if (!error) watcher_.watchInstalled(name);
    done(error ? std::optional<std::string>("install " + name + ": " + *error) : std::nullopt);
  });
}

void UnitManager::remove(const std::string& name, OperationDone done) {
  if (auto refused = refuseForeign(name, "remove")) return done(refused);
  submitJob({name, "stop",
             [name](dbus::SystemdManager& systemd, dbus::Reply<std::string> reply) {
               systemd.stopUnit(name, std::move(reply));
             },
             [this, name, done = std::move(done)](const JobResult&) {
               if (systemd_ == nullptr) return done("remove " + name + ": " + kNotConnected);
               // Forget a failed state, so systemd drops the unit once its file is gone.
               systemd_->resetFailedUnit(name,
                                         [this, name, done](const std::optional<dbus::BusError>&) {
                                           unlinkAndDelete(name, done);
                                         });
             }});
}

void UnitManager::unlinkAndDelete(const std::string& name, OperationDone done) {
  if (systemd_ == nullptr) return done("remove " + name + ": " + kNotConnected);
  systemd_->unlinkUnitFiles(
      {name}, [this, name, done = std::move(done)](const std::optional<dbus::BusError>& error) {
        if (error) return done("remove " + name + ": unlinking failed: " + error->text());
        std::error_code removal;
        std::filesystem::remove(units_dir_ / name, removal);
        if (removal)
          return done("remove " + name + ": cannot delete its file: " + removal.message());
        requestReload([name, done](const std::optional<std::string>& error) {
          done(error ? std::optional<std::string>("remove " + name + ": " + *error) : std::nullopt);
        });
      });
}

void UnitManager::requestReload(OperationDone done) {
  reload_waiters_.push_back(std::move(done));
  if (reload_posted_) return;
  // Wait for the rest of this turn: changes requested together share one Reload.
  reload_posted_ = true;
  boost::asio::post(executor_, [this] {
    reload_posted_ = false;
    sendReload();
  });
}

void UnitManager::sendReload() {
  if (systemd_ == nullptr || reload_in_flight_ || reload_waiters_.empty()) return;
  reload_in_progress_ = std::move(reload_waiters_);
  reload_waiters_.clear();
  reload_in_flight_ = true;
  systemd_->reload([this](std::optional<dbus::BusError> error) {
    reload_in_flight_ = false;
    ++reloads_done_;
    auto waiters = std::move(reload_in_progress_);
    reload_in_progress_.clear();
    const std::optional<std::string> failure =
        error ? std::optional<std::string>("daemon-reload failed: " + error->text()) : std::nullopt;
    for (auto& waiter : waiters)
      waiter(failure);
    sendReload();
  });
}

void UnitManager::start(const std::string& name, JobDone done) {
  unitJob(name, "start", &dbus::SystemdManager::startUnit, std::move(done));
}

void UnitManager::stop(const std::string& name, JobDone done) {
  unitJob(name, "stop", &dbus::SystemdManager::stopUnit, std::move(done));
}

void UnitManager::restart(const std::string& name, JobDone done) {
  unitJob(name, "restart", &dbus::SystemdManager::restartUnit, std::move(done));
}

void UnitManager::reload(const std::string& name, JobDone done) {
  unitJob(name, "reload", &dbus::SystemdManager::reloadUnit, std::move(done));
}

void UnitManager::unitJob(const std::string& name, const char* operation, JobCall call,
                          JobDone done) {
  if (auto refused = refuseForeign(name, operation)) {
    return done({name, operation, "refused", *refused, {}});
  }
  submitJob({name, operation,
             [name, call](dbus::SystemdManager& systemd, dbus::Reply<std::string> reply) {
               (systemd.*call)(name, std::move(reply));
             },
             std::move(done)});
}

void UnitManager::kill(const std::string& name, const std::string& whom, int signal,
                       OperationDone done) {
  if (auto refused = refuseForeign(name, "kill")) return done(refused);
  if (whom != "main" && whom != "control" && whom != "all") {
    return done("kill " + name + ": whom " + quoted(whom) + " must be main, control or all");
  }
  if (signal < 1 || signal > 64) {
    return done("kill " + name + ": signal " + std::to_string(signal) + " is not 1-64");
  }
  if (systemd_ == nullptr) return done("kill " + name + ": " + kNotConnected);
  systemd_->killUnit(name, whom, signal,
                     [name, done = std::move(done)](const std::optional<dbus::BusError>& error) {
                       done(error
                                ? std::optional<std::string>("kill " + name + ": " + error->text())
                                : std::nullopt);
                     });
}

void UnitManager::resetFailed(const std::string& name, OperationDone done) {
  if (auto refused = refuseForeign(name, "reset-failed")) return done(refused);
  if (systemd_ == nullptr) return done("reset-failed " + name + ": " + kNotConnected);
  systemd_->resetFailedUnit(
      name, [name, done = std::move(done)](const std::optional<dbus::BusError>& error) {
        done(error ? std::optional<std::string>("reset-failed " + name + ": " + error->text())
                   : std::nullopt);
      });
}

void UnitManager::runTransient(const std::string& name, const std::vector<std::string>& argv,
                               JobDone done) {
  try {
    const auto parsed = parseManagedUnitName(name);
    if (parsed.type != UnitType::service)
      throw UnitNameError("a transient unit must be a .service");
  } catch (const UnitNameError& error) {
    return done({name, "run", "refused", error.what(), {}});
  }
  if (argv.empty() || !argv.front().starts_with('/')) {
    return done({name, "run", "refused", "the command must start with an absolute path", {}});
  }
  std::vector<dbus::UnitProperty> properties{
      {"Description", sdbus::Variant("deckhand: " + argv.front())},
      {"CollectMode", sdbus::Variant(std::string("inactive-or-failed"))},
      {"ExecStart", sdbus::Variant(std::vector<dbus::ExecCommand>{{argv.front(), argv, false}})},
  };
  submitJob({name, "run",
             [name, properties](dbus::SystemdManager& systemd, dbus::Reply<std::string> reply) {
               systemd.startTransientUnit(name, properties, std::move(reply));
             },
             std::move(done)});
}

void UnitManager::submitJob(JobRequest request) {
  if (job_observer_) {
    request.done = [this, requested = std::chrono::steady_clock::now(),
                    done = std::move(request.done)](const JobResult& result) {
      if (job_observer_) job_observer_(result, std::chrono::steady_clock::now() - requested);
      done(result);
    };
  }
  watcher_.jobQueued(request.unit);
  waiting_jobs_.push_back(std::move(request));
  sendJobs();
}

void UnitManager::sendJobs() {
  while (systemd_ != nullptr && !waiting_jobs_.empty() && unfinished_jobs_ < kMaxUnfinishedJobs) {
    auto request = std::make_shared<JobRequest>(std::move(waiting_jobs_.front()));
    waiting_jobs_.pop_front();
    ++unfinished_jobs_;
    request->send(*systemd_, [this, request](std::optional<dbus::BusError> error, std::string job) {
      if (error) {
        --unfinished_jobs_;
        finishJob(std::move(*request), "error", error->text());
        sendJobs();
        return;
      }
      const auto early = early_results_.find(job);
      if (early != early_results_.end()) {
        const std::string result = early->second;
        early_results_.erase(early);
        --unfinished_jobs_;
        finishJob(std::move(*request), result, "");
        sendJobs();
        return;
      }
      watcher_.jobCreated(request->unit);
      running_jobs_.emplace(job, std::move(*request));
    });
  }
}

void UnitManager::onJobRemoved(const std::string& job, const std::string&,
                               const std::string& result) {
  const auto found = running_jobs_.find(job);
  if (found == running_jobs_.end()) {
    // Ours, but its StartUnit reply is still queued behind this signal; or another client's.
    if (early_results_.emplace(job, result).second) early_order_.push_back(job);
    while (early_order_.size() > kMaxEarlyResults) {
      early_results_.erase(early_order_.front());
      early_order_.pop_front();
    }
    return;
  }
  JobRequest request = std::move(found->second);
  running_jobs_.erase(found);
  --unfinished_jobs_;
  finishJob(std::move(request), result, "");
  sendJobs();
}

void UnitManager::finishJob(JobRequest request, std::string result, std::string error) {
  auto done = std::move(request.done);
  JobResult outcome{request.unit, request.operation, std::move(result), std::move(error), {}};
  watcher_.jobEnded(outcome.unit, outcome.result != "error");
  if (outcome.result == "error") return done(outcome);
  // systemd sends a unit's PropertiesChanged before the JobRemoved of its job, so a watched unit's
  // state is already final here; any other unit is read.
  if (const UnitState* state = watcher_.current(outcome.unit)) {
    outcome.state = *state;
    return done(outcome);
  }
  watcher_.readNow(outcome.unit, [outcome, done](const UnitState& state) mutable {
    outcome.state = state;
    done(outcome);
  });
}

}  // namespace deckhand::systemd
