#include "agent/bus_model.hpp"

#include <spdlog/spdlog.h>

#include "agent/machine/metadata.hpp"

namespace deckhand {

BusModel::BusModel(machine::MachineFacts& facts, ReconcileRunner& runner,
                   const systemd::UnitWatcher& watcher, const systemd::SystemdLink& link,
                   const std::unique_ptr<SchedulerLink>& scheduler, state::Store& store,
                   const Containers& containers)
    : facts_(facts),
      runner_(runner),
      watcher_(watcher),
      link_(link),
      scheduler_(scheduler),
      store_(store),
      containers_(containers) {}

dbus::AgentSummary BusModel::summary() const {
  const SchedulerState standalone;
  const auto& state = scheduler_ ? scheduler_->state() : standalone;
  dbus::AgentSummary summary;
  summary.machine_id = facts_.machine_id;
  summary.hostname = facts_.hostname;
  summary.public_ip = facts_.public_ip;
  summary.os = facts_.os_release;
  summary.kernel = facts_.kernel;
  summary.architecture = facts_.architecture;
  summary.cpus = facts_.cpus;
  summary.memory_bytes = facts_.memory_bytes;
  summary.systemd_version = facts_.systemd_version;
  summary.metadata = facts_.metadata;
  summary.version = DECKHAND_VERSION;
  summary.scheduler_url = state.url;
  summary.connection_state = phaseName(state.phase);
  summary.connection_detail = state.why;
  summary.systemd_connected = link_.ready();
  return summary;
}

dbus::AgentUnit BusModel::row(const std::string& name) const {
  dbus::AgentUnit unit;
  unit.name = name;
  if (const auto* state = watcher_.state(name)) {
    unit.load_state = state->load_state;
    unit.active_state = state->active_state;
    unit.sub_state = state->sub_state;
    unit.result = state->result;
    unit.main_pid = state->main_pid;
  }
  if (const auto* desired = runner_.desired(name))
    unit.desired = std::string(reconciler::targetStateName(desired->state));
  unit.hash = runner_.installedHash(name).value_or("");
  return unit;
}

std::vector<dbus::AgentUnit> BusModel::units() const {
  std::vector<dbus::AgentUnit> rows;
  for (const auto& name : runner_.agentUnits())
    rows.push_back(row(name));
  return rows;
}

std::optional<dbus::AgentUnit> BusModel::unit(const std::string& name) const {
  if (!runner_.desired(name) && !runner_.installedHash(name)) return std::nullopt;
  return row(name);
}

std::vector<dbus::AgentContainer> BusModel::containers() const {
  std::vector<dbus::AgentContainer> rows;
  for (const auto& container : containers_.all())
    rows.push_back({container.name, container.image, container.status, container.unit});
  return rows;
}

void BusModel::reconcile() {
  spdlog::info("reconciler pass requested over D-Bus");
  runner_.trigger();
}

void BusModel::setMetadata(const std::map<std::string, std::string>& metadata,
                           std::function<void(const std::optional<std::string>& error)> done) {
  for (const auto& [key, value] : metadata) {
    if (!machine::isMetadataKey(key)) {
      throw std::invalid_argument("metadata key \"" + key +
                                  "\": expected 1-63 of A-Za-z0-9-_. starting with a letter or "
                                  "digit");
    }
    if (!machine::isMetadataValue(value)) {
      throw std::invalid_argument("metadata value \"" + value + "\" of " + key +
                                  ": expected 1-255 printable characters without spaces, quotes, "
                                  "backslashes, ',' or '='");
    }
  }
  store_.saveMetadata(
      metadata, [this, metadata, done = std::move(done)](const std::optional<std::string>& error) {
        if (error) {
          spdlog::error("metadata set over D-Bus not applied: {}", *error);
        } else {
          facts_.metadata = metadata;
          spdlog::info("metadata set over D-Bus: {}", machine::formatMetadata(facts_.metadata));
        }
        done(error);
      });
}

}  // namespace deckhand
