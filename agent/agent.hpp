#pragma once
// The agent's lifetime: keep a line to systemd, watch the agent's units, hold the desired state
// and converge to it, and (when a scheduler is configured) keep the session to the scheduler.
// Everything runs on one io_context thread. Facts that change (host name, addresses) are read
// again at every (re)connect to systemd and once a minute.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "agent/config/config.hpp"
#include "agent/machine/facts.hpp"
#include "agent/reconcile_runner.hpp"
#include "agent/scheduler_link.hpp"
#include "agent/state/store.hpp"
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
  // Lets go of systemd and the scheduler. Units keep running: stopping the agent never stops what
  // it manages.
  void stop();

 private:
  void systemdReady(const std::string& version);
  void refreshFacts();
  void armFactsTimer();

  config::Config config_;
  state::Store store_;
  machine::MachineFacts facts_;
  systemd::UnitWatcher watcher_;
  systemd::UnitManager units_;
  ReconcileRunner runner_;
  systemd::SystemdLink link_;
  std::unique_ptr<SchedulerLink> scheduler_;
  bool scheduler_started_ = false;
  boost::asio::steady_timer facts_timer_;
};

}  // namespace deckhand
