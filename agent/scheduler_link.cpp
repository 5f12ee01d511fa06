#include "agent/scheduler_link.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <set>
#include <sstream>
#include <variant>

#include "agent/constraints/constraints.hpp"
#include "agent/containers.hpp"
#include "common/token_file.hpp"
#include "systemd/unit_file.hpp"
#include "systemd/unit_name.hpp"

namespace deckhand {
namespace {

using link::ErrorCode;
using link::ProtocolError;
using TargetState = reconciler::DesiredUnit::TargetState;

// More requests than this waiting for systemd get "busy": a flood must not queue without bound.
constexpr std::size_t kMaxRequestsInFlight = 64;
constexpr std::size_t kMaxFollows = 16;

std::vector<link::JournalLine> toLines(const std::vector<systemd::JournalEntry>& entries) {
  std::vector<link::JournalLine> lines;
  lines.reserve(entries.size());
  for (const auto& entry : entries)
    lines.push_back({entry.usec, entry.priority, entry.message});
  return lines;
}

TargetState targetOf(link::DesiredState state) {
  switch (state) {
    case link::DesiredState::loaded:
      return TargetState::loaded;
    case link::DesiredState::launched:
      return TargetState::launched;
    case link::DesiredState::inactive:
      break;
  }
  return TargetState::inactive;
}

}  // namespace

SchedulerLink::SchedulerLink(boost::asio::any_io_executor executor, const config::Config& config,
                             machine::MachineFacts& facts, ReconcileRunner& runner,
                             systemd::UnitManager& units, systemd::UnitWatcher& watcher,
                             state::Store& store)
    : executor_(executor),
      url_(config.scheduler->text()),
      store_(store),
      facts_(facts),
      runner_(runner),
      units_(units),
      watcher_(watcher) {
  state_ = {SchedulerState::Phase::connecting, url_, {}, {}};
  link::SessionOptions options;
  options.url = *config.scheduler;
  if (!config.token_file.empty()) options.token = readTokenFile(config.token_file);
  options.ca_file = config.ca_file;
  options.cert_file = config.cert_file;
  options.key_file = config.key_file;
  options.heartbeat = config.heartbeat_interval;
  link::Session::Handlers handlers;
  handlers.hello = [this] { return hello(); };
  handlers.on_message = [this](std::string frame) { onMessage(frame); };
  handlers.heartbeat = [this](std::uint64_t seq) {
    return link::encodeHeartbeat(seq, unitNames().size());
  };
  handlers.on_state = [this](bool connected, const std::string& why) {
    stateChanged(connected, why);
  };
  handlers.on_retry = [this](std::chrono::milliseconds delay) {
    state_.retry_in = delay;
    if (on_state_change_) on_state_change_(state_);
  };
  session_ =
      std::make_unique<link::Session>(std::move(executor), std::move(options), std::move(handlers));
}

void SchedulerLink::start() {
  for (const auto& [name, unit] : runner_.allDesired()) {
    if (unit.state == TargetState::inactive) continue;
    try {
      placed_.place(constraints::placedUnitOf(constraints::parseConstraints(
          systemd::parseManagedUnitName(name), systemd::parseUnitFile(unit.text, name))));
    } catch (const std::exception& error) {
      // Checked when the scheduler sent it; a later agent may read constraints differently.
      spdlog::warn("saved desired unit {}: its constraints no longer parse: {}", name,
                   error.what());
    }
  }
  session_->start();
}

void SchedulerLink::sendFor(std::uint64_t connection, std::string frame) {
  if (connection == connection_ && session_->connected()) session_->send(std::move(frame));
}

void SchedulerLink::stop(std::function<void()> stopped) {
  session_->close(std::move(stopped));
}

void SchedulerLink::stateChanged(bool connected, const std::string& why) {
  state_.phase = connected ? SchedulerState::Phase::connected : SchedulerState::Phase::retrying;
  state_.why = why;
  state_.retry_in = {};
  if (connected) {
    ++connection_;
    spdlog::info("connected to the scheduler at {}", url_);
  } else {
    spdlog::warn("scheduler {}: {}", url_, why);
    follows_.clear();  // requests end with their connection
  }
  if (on_state_change_) on_state_change_(state_);
}

void SchedulerLink::unitChanged(const std::string& name) {
  if (session_->connected()) session_->sendLatest(name, link::encodeUnit(report(name)));
}

void SchedulerLink::unitRemoved(const std::string& name) {
  if (session_->connected()) session_->send(link::encodeUnitRemoved(name));
}

link::UnitReport SchedulerLink::report(const std::string& name) const {
  link::UnitReport report{name, std::nullopt, runner_.installedHash(name), {}};
  if (const auto* desired = runner_.desired(name))
    report.desired = std::string(reconciler::targetStateName(desired->state));
  if (report.hash && report.hash->empty()) report.hash.reset();
  if (const auto* state = watcher_.state(name)) report.state = *state;
  return report;
}

std::set<std::string> SchedulerLink::unitNames() const {
  std::set<std::string> names;
  for (const auto& [name, unit] : runner_.allDesired())
    names.insert(name);
  for (const auto& name : runner_.installedUnits())
    names.insert(name);
  return names;
}

std::vector<link::UnitReport> SchedulerLink::allReports() const {
  std::vector<link::UnitReport> reports;
  for (const auto& name : unitNames())
    reports.push_back(report(name));
  return reports;
}

std::string SchedulerLink::hello() const {
  std::vector<std::string> lost;
  if (store_.lost().desired) lost.emplace_back("desired");
  if (store_.lost().metadata) lost.emplace_back("metadata");
  std::vector<docker::ContainerState> containers;
  if (containers_ != nullptr) containers = containers_->all();
  return link::encodeHello(facts_, allReports(), containers, lost);
}

bool SchedulerLink::known(const std::string& name) const {
  return runner_.desired(name) != nullptr || runner_.installedHash(name).has_value();
}

void SchedulerLink::onMessage(const std::string& frame) {
  try {
    auto request = link::decodeRequest(frame);
    std::visit([this](auto& typed) { handle(typed); }, request);
  } catch (const ProtocolError& error) {
    spdlog::debug("scheduler sent a request deckhand refused: {}", error.what());
    session_->send(link::encodeError(error));
  }
}

std::optional<ProtocolError> SchedulerLink::checkConstraints(
    const link::DesiredUnit& unit, constraints::UnitConstraints* mine) const {
  try {
    *mine = constraints::parseConstraints(systemd::parseManagedUnitName(unit.name), *unit.file);
  } catch (const constraints::ConstraintError& error) {
    return ProtocolError(ErrorCode::bad_unit_text, error.what());
  }
  const auto decision =
      constraints::ableToRun({facts_.machine_id, facts_.metadata}, *mine, placed_.list());
  if (decision.able) return std::nullopt;
  return ProtocolError(
      ErrorCode::constraint_unmet,
      unit.name + " cannot run on " + facts_.machine_id.substr(0, 8) + ": " + decision.reason);
}

void SchedulerLink::handle(link::DesiredRequest& request) {
  auto pending =
      std::make_shared<PendingDesired>(PendingDesired{std::move(request), connection_, false});
  desired_queue_.push_back(pending);
  // A unit the agent does not know must not be on the machine already: one listing checks them.
  std::vector<std::string> unknown;
  for (const auto& unit : pending->request.units) {
    if (!unit.error && unit.state != link::DesiredState::inactive && !known(unit.name) &&
        !units_.owns(unit.name)) {
      unknown.push_back(unit.name);
    }
  }
  if (!unknown.empty()) {
    pending->checking = true;
    std::set<std::string> checked(unknown.begin(), unknown.end());
    watcher_.listNow(std::move(unknown), [this, pending, checked = std::move(checked)](
                                             const auto& error, const auto& listed) {
      for (auto& unit : pending->request.units) {
        if (unit.error || !checked.contains(unit.name)) continue;
        const auto found = listed.find(unit.name);
        if (error) {
          unit.error = ProtocolError(
              ErrorCode::systemd_unavailable,
              "cannot check whether " + unit.name + " is on this machine: " + error->text());
        } else if (found != listed.end() && found->second.load_state != "not-found") {
          unit.error = ProtocolError(
              ErrorCode::not_owned,
              unit.name + " is already on this machine (LoadState " + found->second.load_state +
                  ") and deckhand did not install it; deckhand does not shadow units it does "
                  "not own");
        }
      }
      pending->checking = false;
      applyReadyDesired();
    });
  }
  applyReadyDesired();
}

void SchedulerLink::applyReadyDesired() {
  while (!desired_queue_.empty() && !desired_queue_.front()->checking) {
    const auto pending = desired_queue_.front();
    desired_queue_.pop_front();
    applyDesired(pending->request, pending->connection);
  }
}

void SchedulerLink::applyDesired(link::DesiredRequest& request, std::uint64_t connection) {
  std::vector<link::UnitOutcome> outcomes;
  for (auto& unit : request.units) {
    constraints::UnitConstraints constraints;
    if (!unit.error && unit.state != link::DesiredState::inactive) {
      unit.error = checkConstraints(unit, &constraints);
    }
    if (unit.error) {
      spdlog::warn("refused desired {}: {}", unit.name, unit.error->what());
      outcomes.push_back({unit.name, unit.error});
      continue;
    }
    if (unit.state == link::DesiredState::inactive) {
      placed_.remove(unit.name);
    } else {
      placed_.place(constraints::placedUnitOf(constraints));
    }
    runner_.setDesired({unit.name, targetOf(unit.state), unit.text, unit.hash});
    outcomes.push_back({unit.name, std::nullopt});
  }
  store_.desiredResent();
  // Answered once the state is on disk, so an accepted state survives a crash right after it;
  // a failed write still leaves it in force (and retried), as the log says.
  runner_.commit([this, connection, id = request.id,
                  outcomes = std::move(outcomes)](const std::optional<std::string>&) {
    sendFor(connection, link::encodeDesiredResult(id, outcomes));
  });
}

void SchedulerLink::handle(const link::RemoveRequest& request) {
  if (!known(request.name)) {
    session_->send(link::encodeError(ProtocolError(
        ErrorCode::not_owned, request.name + " was not installed by this agent", request.id)));
    return;
  }
  placed_.remove(request.name);
  runner_.setDesired({request.name, TargetState::inactive, "", ""});
  runner_.commit(
      [this, connection = connection_, id = request.id](const std::optional<std::string>&) {
        sendFor(connection, link::encodeResult(id));
      });
}

void SchedulerLink::handle(const link::ActionRequest& request) {
  if (in_flight_ >= kMaxRequestsInFlight) {
    session_->send(link::encodeError(
        ProtocolError(ErrorCode::busy, "more than 64 requests are waiting for systemd; retry later",
                      request.id)));
    return;
  }
  const std::string id = request.id;
  const std::string name = request.name;
  ++in_flight_;
  const auto job_done = [this, id, name](const systemd::JobResult& result) {
    --in_flight_;
    std::optional<ProtocolError> failure;
    if (result.result == "refused") {
      failure = ProtocolError(ErrorCode::not_owned, result.error, id);
    } else if (!result.ok()) {
      failure = ProtocolError(ErrorCode::job_failed, result.describe(), id);
    }
    session_->send(link::encodeActionResult(id, result.result, report(name), failure));
  };
  const auto operation_done = [this, id, name](const std::optional<std::string>& error) {
    --in_flight_;
    if (!error) return session_->send(link::encodeResult(id));
    const bool refused = error->find("refused") != std::string::npos;
    session_->send(link::encodeError(
        ProtocolError(refused ? ErrorCode::not_owned : ErrorCode::job_failed, *error, id)));
  };
  switch (request.action) {
    case link::Action::start:
      return units_.start(name, job_done);
    case link::Action::stop:
      return units_.stop(name, job_done);
    case link::Action::restart:
      return units_.restart(name, job_done);
    case link::Action::reload:
      return units_.reload(name, job_done);
    case link::Action::kill:
      return units_.kill(name, std::string(link::killWhomName(request.whom)), request.signal,
                         operation_done);
    case link::Action::reset_failed:
      return units_.resetFailed(name, operation_done);
  }
}

void SchedulerLink::handle(const link::QueryRequest& request) {
  switch (request.what) {
    case link::QueryWhat::units:
      return session_->send(link::encodeUnitsResult(request.id, allReports()));
    case link::QueryWhat::unit:
      if (!known(request.name)) {
        return session_->send(link::encodeError(ProtocolError(
            ErrorCode::not_owned, request.name + " is not one of this agent's units", request.id)));
      }
      return session_->send(link::encodeUnitResult(request.id, report(request.name)));
    case link::QueryWhat::machine:
      return session_->send(link::encodeMachineResult(request.id, facts_));
  }
}

void SchedulerLink::handle(const link::JournalRequest& request) {
  if (!known(request.name)) {
    return session_->send(link::encodeError(ProtocolError(
        ErrorCode::not_owned, request.name + " is not one of this agent's units", request.id)));
  }
  if (request.follow && follows_.size() >= kMaxFollows) {
    return session_->send(link::encodeError(ProtocolError(
        ErrorCode::busy, "already following 16 journals on this connection; cancel one first",
        request.id)));
  }
  std::unique_ptr<systemd::JournalReader> reader;
  std::vector<systemd::JournalEntry> entries;
  try {
    reader = std::make_unique<systemd::JournalReader>(executor_, request.name);
    entries = reader->tail(request.lines);
  } catch (const std::runtime_error& error) {
    return session_->send(link::encodeError(
        ProtocolError(ErrorCode::internal,
                      std::string("reading the journal failed: ") + error.what(), request.id)));
  }
  session_->send(link::encodeResult(request.id));
  session_->send(link::encodeJournal(request.id, toLines(entries), !request.follow));
  if (!request.follow) return;
  reader->follow([this, id = request.id](std::vector<systemd::JournalEntry> entries) {
    session_->send(link::encodeJournal(id, toLines(entries), false));
  });
  follows_[request.id] = std::move(reader);
}

void SchedulerLink::handle(const link::CancelRequest& request) {
  if (follows_.erase(request.target) == 0) {
    return session_->send(link::encodeError(
        ProtocolError(ErrorCode::bad_message,
                      "no journal request \"" + request.target + "\" is following", request.id)));
  }
  session_->send(link::encodeJournal(request.target, {}, true));
  session_->send(link::encodeResult(request.id));
}

// Applied only once saved: metadata that would silently revert at the next restart would move
// units between machines behind the scheduler's back.
void SchedulerLink::handle(const link::SetMetadataRequest& request) {
  store_.saveMetadata(request.metadata, [this, connection = connection_, id = request.id,
                                         metadata = request.metadata](
                                            const std::optional<std::string>& error) {
    if (error) {
      spdlog::error("metadata from the scheduler not applied: {}", *error);
      return sendFor(connection, link::encodeError(ProtocolError(
                                     ErrorCode::internal, "metadata not changed: " + *error, id)));
    }
    facts_.metadata = metadata;
    store_.metadataResent();
    spdlog::info("metadata set by the scheduler: {}", machine::formatMetadata(facts_.metadata));
    sendFor(connection, link::encodeResult(id));
  });
}

}  // namespace deckhand
