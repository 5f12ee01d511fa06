#include "systemd/unit_watcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "systemd/unit_name.hpp"
#include "systemd/unit_state_read.hpp"

namespace deckhand::systemd {
namespace {

bool isService(const std::string& unit) {
  return unit.ends_with(".service");
}

// A template never runs itself: it is watched as before, not listed as a fresh install.
bool isTemplate(const std::string& unit) {
  try {
    return parseUnitName(unit).is_template;
  } catch (const UnitNameError&) {
    return false;
  }
}

template <typename Names>
bool carriesAll(const dbus::PropertyMap& changed, const Names& names) {
  return std::all_of(names.begin(), names.end(),
                     [&](std::string_view name) { return changed.contains(name); });
}

}  // namespace

UnitWatcher::UnitWatcher(boost::asio::any_io_executor executor, ChangeHandler on_change)
    : executor_(std::move(executor)), on_change_(std::move(on_change)) {}

UnitWatcher::~UnitWatcher() {
  *alive_ = false;
}

void UnitWatcher::watch(const std::string& unit) {
  if (!units_.try_emplace(unit).second) return;
  if (properties_) read(unit);
}

void UnitWatcher::watchInstalled(const std::string& unit) {
  if (!properties_ || isTemplate(unit)) return watch(unit);
  if (!units_.try_emplace(unit).second) return;
  listing_.insert(unit);
  to_list_.insert(unit);
  if (to_list_.size() > 1) return;
  boost::asio::post(executor_, [this, alive = alive_] {
    if (*alive) listInstalled();
  });
}

void UnitWatcher::listInstalled() {
  std::vector<std::string> units(to_list_.begin(), to_list_.end());
  to_list_.clear();
  installed_units_listed_ += units.size();
  listNow(units,
          [this, units](const auto& error, const auto& listed) { onListed(units, error, listed); });
}

void UnitWatcher::listNow(std::vector<std::string> units, ListDone done) {
  if (units.empty()) return done(std::nullopt, {});
  const std::uint64_t id = next_list_request_++;
  list_requests_[id] = ListRequest{std::move(units), std::move(done), 0, std::nullopt, {}};
  sendListRequest(id);
}

void UnitWatcher::sendListRequest(std::uint64_t id) {
  if (!properties_) return;  // sent on the next attach
  ListRequest& request = list_requests_.at(id);
  request.calls_due = 0;
  request.error.reset();
  request.listed.clear();
  const auto& units = request.units;
  for (std::size_t first = 0; first < units.size(); first += kMaxUnitsListed) {
    const auto last = std::min(units.size(), first + kMaxUnitsListed);
    ++request.calls_due;
    properties_->list(
        {units.begin() + static_cast<std::ptrdiff_t>(first),
         units.begin() + static_cast<std::ptrdiff_t>(last)},
        [this, id, generation = attachments_, alive = alive_](
            const std::optional<dbus::BusError>& error, std::vector<dbus::ListedUnit> listed) {
          if (*alive) onListAnswer(id, generation, error, std::move(listed));
        });
  }
}

void UnitWatcher::onListAnswer(std::uint64_t id, std::uint64_t generation,
                               const std::optional<dbus::BusError>& error,
                               std::vector<dbus::ListedUnit> listed) {
  const auto found = list_requests_.find(id);
  // Gone, or sent again on a new connection since.
  if (found == list_requests_.end() || generation != attachments_) return;
  ListRequest& request = found->second;
  if (error && !request.error) request.error = error;
  for (auto& entry : listed) {
    auto name = entry.name;
    request.listed.emplace(std::move(name), std::move(entry));
  }
  if (--request.calls_due > 0) return;
  auto finished = std::move(request);
  list_requests_.erase(found);
  if (finished.error) finished.listed.clear();
  finished.done(finished.error, finished.listed);
}

void UnitWatcher::onListed(const std::vector<std::string>& units,
                           const std::optional<dbus::BusError>& error,
                           const std::map<std::string, dbus::ListedUnit>& listed) {
  if (error) spdlog::debug("listing {} installed units failed: {}", units.size(), error->text());
  for (const auto& unit : units) {
    const auto found = units_.find(unit);
    // Unwatched, or a reconnect since made it part of the resync's full read.
    if (found == units_.end() || listing_.erase(unit) == 0) continue;
    const auto entry = listed.find(unit);
    if (entry == listed.end()) {
      read(unit);
      continue;
    }
    UnitState& state = found->second.latest();
    state.load_state = entry->second.load_state;
    state.active_state = entry->second.active_state;
    state.sub_state = entry->second.sub_state;
    const bool fresh = state.load_state == "loaded" && state.active_state == "inactive" &&
                       state.sub_state == "dead";
    if (!fresh) {
      read(unit);
      continue;
    }
    if (isService(unit) && state.result.empty()) state.result = "success";
    markKnown(unit, found->second);
    auto readers = std::move(found->second.readers);
    found->second.readers.clear();
    for (auto& reader : readers)
      reader(state);
  }
  readWaiting();
  checkSettled();
}

void UnitWatcher::unwatch(const std::string& unit) {
  const auto found = units_.find(unit);
  if (found == units_.end()) return;
  units_.erase(found);
  dirty_.erase(unit);
  to_list_.erase(unit);
  listing_.erase(unit);
  awaiting_job_.erase(unit);
  checkSettled();
}

const UnitState* UnitWatcher::state(const std::string& unit) const {
  const auto found = units_.find(unit);
  if (found == units_.end() || !found->second.flushed_once) return nullptr;
  return &found->second.reported;
}

const UnitState* UnitWatcher::current(const std::string& unit) const {
  const auto found = units_.find(unit);
  if (found == units_.end() || !found->second.known || reading(unit)) return nullptr;
  return &found->second.newest();
}

void UnitWatcher::attach(dbus::BusConnection& bus) {
  properties_ = std::make_unique<dbus::UnitProperties>(
      bus, isTrackedUnitProperty, [this](const std::string& unit) { return watching(unit); },
      [this](const std::string& unit, const dbus::PropertiesChanged& signal) {
        onPropertiesChanged(unit, signal);
      });
  ++attachments_;
  for (const auto& [id, request] : list_requests_)
    sendListRequest(id);
  resync();
}

void UnitWatcher::detach() {
  properties_.reset();
  // Replies to these will never come; attach reads every unit again.
  replies_due_.clear();
  waiting_.clear();
  waiting_depth_.clear();
  to_list_.clear();
  listing_.clear();
  awaiting_job_.clear();
}

void UnitWatcher::resync() {
  for (const auto& [unit, watched] : units_)
    read(unit);
  for (const auto& [unit, entry] : one_off_)
    read(unit);
  checkSettled();
}

void UnitWatcher::refresh(const std::string& unit) {
  if (units_.contains(unit)) read(unit);
}

void UnitWatcher::readNow(const std::string& unit, std::function<void(const UnitState&)> done) {
  const bool watched = units_.contains(unit);
  Watched& entry = watched ? units_[unit] : one_off_[unit];
  entry.readers.push_back(std::move(done));
  if (!properties_) return;  // read on the next attach, with everything else
  // A listing or read under way (sent, or queued) answers this call too: it completes after this
  // call, with every signal that came before it applied.
  if (listing_.contains(unit) || replies_due_.contains(unit) || waiting_depth_.contains(unit)) {
    return;
  }
  if (watched || entry.readers.size() == 1) read(unit);
}

void UnitWatcher::jobQueued(const std::string& unit) {
  if (to_list_.erase(unit) == 0) return;
  listing_.erase(unit);
  awaiting_job_.try_emplace(unit);
}

void UnitWatcher::jobCreated(const std::string& unit) {
  const auto awaiting = awaiting_job_.find(unit);
  if (awaiting == awaiting_job_.end()) return;
  awaiting->second.job_exists = true;
  knowFromJob(awaiting);
}

void UnitWatcher::jobEnded(const std::string& unit, bool created) {
  if (created) jobCreated(unit);
  // A job that changed nothing (the unit was already started) sent no signal to learn from.
  if (awaiting_job_.contains(unit)) read(unit);
}

void UnitWatcher::knowFromJob(std::map<std::string, AwaitingJob>::iterator awaiting) {
  const auto& [unit, job] = *awaiting;
  if (!job.job_exists || !job.unit_signalled || (isService(unit) && !job.service_signalled)) {
    return;
  }
  Watched& watched = units_.at(unit);
  UnitState& state = watched.latest();
  state.load_state = "loaded";
  state.load_error.clear();
  markKnown(unit, watched);
  awaiting_job_.erase(awaiting);
}

void UnitWatcher::markKnown(const std::string& unit, Watched& watched) {
  watched.known = true;
  markDirty(unit);
}

bool UnitWatcher::reading(const std::string& unit) const {
  return replies_due_.contains(unit) || waiting_depth_.contains(unit) || listing_.contains(unit) ||
         awaiting_job_.contains(unit);
}

void UnitWatcher::reloaded() {
  for (const auto& [unit, watched] : units_)
    read(unit, Depth::load);
  checkSettled();
}

void UnitWatcher::read(const std::string& unit, Depth depth) {
  if (!properties_) return;
  // Nothing of it is known yet but what its job's signals told.
  if (awaiting_job_.erase(unit) > 0) depth = Depth::full;
  if (const auto waiting = waiting_depth_.find(unit); waiting != waiting_depth_.end()) {
    waiting->second = std::max(waiting->second, depth);
    return;
  }
  // A few units at a time: a resync of thousands queues names, not thousands of bus calls.
  if (replies_due_.contains(unit) || listing_.contains(unit) ||
      replies_due_.size() >= kMaxUnitsReading) {
    waiting_.push_back(unit);
    waiting_depth_[unit] = depth;
    return;
  }
  const bool full = depth == Depth::full;
  if (full) ++unit_reads_made_;
  std::size_t replies = kLoadProperties.size();
  if (full) replies += kSignalledUnitProperties.size() + (isService(unit) ? 1 : 0);
  replies_due_[unit] = static_cast<int>(replies);
  const auto on_reply = [this, unit, alive = alive_](const std::optional<dbus::BusError>& error,
                                                     const dbus::PropertyMap& properties) {
    if (!*alive) return;
    const auto due = replies_due_.find(unit);
    if (due == replies_due_.end()) return;  // detached meanwhile
    const bool watched = units_.contains(unit);
    auto& table = watched ? units_ : one_off_;
    const auto found = table.find(unit);
    if (found != table.end()) {
      if (error) {
        spdlog::debug("reading {} failed: {}", unit, error->text());
      } else {
        applyUnitProperties(found->second.latest(), properties);
      }
    }
    if (--due->second > 0) return;
    replies_due_.erase(due);
    if (found != table.end()) {
      auto readers = std::move(found->second.readers);
      const UnitState state = found->second.newest();
      if (watched) {
        markKnown(unit, found->second);
      } else {
        one_off_.erase(found);
      }
      for (auto& reader : readers)
        reader(state);
    }
    readWaiting();
    checkSettled();
  };
  // The Unit interface's properties one by one: GetAll there would make systemd compute
  // UnitFileState, a scan of every unit folder on the first read after each reload.
  for (const std::string_view property : kLoadProperties) {
    properties_->get(unit, dbus::kUnitInterface, std::string(property), on_reply);
  }
  if (!full) return;
  for (const std::string_view property : kSignalledUnitProperties) {
    properties_->get(unit, dbus::kUnitInterface, std::string(property), on_reply);
  }
  if (isService(unit)) properties_->getAll(unit, dbus::kServiceInterface, on_reply);
}

void UnitWatcher::readWaiting() {
  while (!waiting_.empty() && replies_due_.size() < kMaxUnitsReading) {
    const std::string unit = waiting_.front();
    if (replies_due_.contains(unit) || listing_.contains(unit)) break;  // its earlier read first
    waiting_.pop_front();
    const Depth depth = waiting_depth_[unit];
    waiting_depth_.erase(unit);
    if (units_.contains(unit) || one_off_.contains(unit)) read(unit, depth);
  }
}

void UnitWatcher::onPropertiesChanged(const std::string& unit,
                                      const dbus::PropertiesChanged& signal) {
  const auto found = units_.find(unit);
  if (found == units_.end()) return;
  Watched& watched = found->second;
  applyUnitProperties(watched.latest(), signal.changed);
  // Only tracked names are kept: any of them needs a read for its value.
  if (!signal.invalidated.empty()) {
    read(unit);
    return;
  }
  if (const auto awaiting = awaiting_job_.find(unit); awaiting != awaiting_job_.end()) {
    awaiting->second.unit_signalled |= carriesAll(signal.changed, kSignalledUnitProperties);
    awaiting->second.service_signalled |= carriesAll(signal.changed, kSignalledServiceProperties);
    return knowFromJob(awaiting);
  }
  // A read in flight will report; reporting now would show half of a transition.
  if (reading(unit)) return;
  // systemd loads a unit it did not find once its file is there and something starts it, with no
  // reload; LoadState is never signalled, so it is read.
  if (watched.known && watched.newest().load_state == "not-found") return read(unit, Depth::load);
  markDirty(unit);
}

void UnitWatcher::markDirty(const std::string& unit) {
  dirty_.insert(unit);
  if (flush_pending_) return;
  flush_pending_ = true;
  // Signals that systemd sent together (Unit and Service PropertiesChanged of one transition)
  // are all processed before this runs, so they make one event.
  boost::asio::post(executor_, [this, alive = alive_] {
    if (*alive) flush();
  });
}

void UnitWatcher::flush() {
  flush_pending_ = false;
  const auto dirty = std::move(dirty_);
  dirty_.clear();
  for (const auto& unit : dirty) {
    const auto found = units_.find(unit);
    if (found == units_.end()) continue;
    Watched& watched = found->second;
    const bool transition =
        !watched.flushed_once || isTransition(watched.reported, watched.newest());
    if (watched.changed) {
      watched.reported = std::move(*watched.changed);
      watched.changed.reset();
    }
    watched.flushed_once = true;
    if (transition && on_change_) on_change_(unit, watched.reported);
  }
  checkSettled();
}

void UnitWatcher::whenSettled(std::function<void()> settled) {
  settled_waiters_.push_back(std::move(settled));
  checkSettled();
}

void UnitWatcher::checkSettled() {
  if (settled_waiters_.empty() || flush_pending_ || !dirty_.empty() || !replies_due_.empty() ||
      !waiting_.empty() || !listing_.empty() || !awaiting_job_.empty()) {
    return;
  }
  auto waiters = std::move(settled_waiters_);
  settled_waiters_.clear();
  for (auto& waiter : waiters)
    waiter();
}

}  // namespace deckhand::systemd
