#pragma once
// The agent's lifetime: keep a line to systemd, watch the agent's units, hold the desired state
// and converge to it, and (when a scheduler is configured) keep the session to the scheduler.
// Everything runs on one io_context thread. Facts that change (host name, addresses) are read
// again at every (re)connect to systemd and once a minute.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>

#include "agent/bus_model.hpp"
#include "agent/config/config.hpp"
#include "agent/containers.hpp"
#include "agent/heap_trimmer.hpp"
#include "agent/machine/facts.hpp"
#include "agent/metrics/metrics.hpp"
#include "agent/metrics/metrics_server.hpp"
#include "agent/reconcile_runner.hpp"
#include "agent/scheduler_link.hpp"
#include "agent/state/store.hpp"
#include "agent/status_line.hpp"
#include "dbus/agent_service.hpp"
#include "systemd/service_notifier.hpp"
#include "systemd/systemd_link.hpp"
#include "systemd/unit_manager.hpp"
#include "systemd/unit_watcher.hpp"

namespace deckhand {

class Agent {
 public:
  // Throws std::runtime_error when a machine fact or the token cannot be read.
  Agent(boost::asio::io_context& io, config::Config config);
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Connects to systemd (retrying until the bus answers) and to the scheduler, and starts watching.
  void start();
  // Says goodbye to the scheduler, then runs stopped; the caller then lets go of systemd by
  // ending the loop. Units keep running: stopping the agent never stops what it manages.
  void stop(std::function<void()> stopped);

 private:
  void systemdReady(const std::string& version);
  void refreshFacts();
  void armFactsTimer();
  // Installed by the agent, or desired loaded or launched: its container is not an orphan.
  bool ownsUnit(const std::string& unit) const;
  // Tells systemd what the agent is doing, once per turn of the loop however many changes came.
  void statusChanged();
  void sendStatus();
  void startMetrics();
  std::string renderMetrics() const;

  boost::asio::io_context& io_;
  systemd::ServiceNotifier notifier_;
  bool status_pending_ = false;
  config::Config config_;
  state::Store store_;
  machine::MachineFacts facts_;
  systemd::UnitWatcher watcher_;
  systemd::UnitManager units_;
  HeapTrimmer heap_trimmer_;
  ReconcileRunner runner_;
  systemd::SystemdLink link_;
  std::unique_ptr<SchedulerLink> scheduler_;
  Containers containers_;
  bool scheduler_started_ = false;
  boost::asio::steady_timer facts_timer_;
  // org.deckhand.Agent1 on the system bus, for deckhandctl.
  BusModel bus_model_;
  dbus::AgentService bus_service_;
  metrics::Metrics metrics_;
  std::unique_ptr<metrics::MetricsServer> metrics_server_;  // when MetricsListen= is set
};

}  // namespace deckhand
