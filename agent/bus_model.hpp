#pragma once
// What the agent shows on D-Bus (org.deckhand.Agent1): a read-only view of its modules, and the
// two things an operator may ask of it (a reconciler pass, new metadata).

#include <memory>

#include "agent/containers.hpp"
#include "agent/machine/facts.hpp"
#include "agent/reconcile_runner.hpp"
#include "agent/scheduler_link.hpp"
#include "agent/state/store.hpp"
#include "dbus/agent_service.hpp"
#include "systemd/systemd_link.hpp"
#include "systemd/unit_watcher.hpp"

namespace deckhand {

class BusModel : public dbus::AgentModel {
 public:
  // scheduler holds nothing when the agent runs standalone.
  BusModel(machine::MachineFacts& facts, ReconcileRunner& runner,
           const systemd::UnitWatcher& watcher, const systemd::SystemdLink& link,
           const std::unique_ptr<SchedulerLink>& scheduler, state::Store& store,
           const Containers& containers);

  dbus::AgentSummary summary() const override;
  std::vector<dbus::AgentUnit> units() const override;
  std::optional<dbus::AgentUnit> unit(const std::string& name) const override;
  std::vector<dbus::AgentContainer> containers() const override;
  void reconcile() override;
  void setMetadata(const std::map<std::string, std::string>& metadata,
                   std::function<void(const std::optional<std::string>& error)> done) override;

  // name's row as of now (also for a unit that just left the agent's care).
  dbus::AgentUnit row(const std::string& name) const;

 private:
  machine::MachineFacts& facts_;
  ReconcileRunner& runner_;
  const systemd::UnitWatcher& watcher_;
  const systemd::SystemdLink& link_;
  const std::unique_ptr<SchedulerLink>& scheduler_;
  state::Store& store_;
  const Containers& containers_;
};

}  // namespace deckhand
