#pragma once
// The agent's lifetime: keep a line to systemd and watch the units this agent installed; later
// stages add the scheduler session and the reconciler. Runs on one io_context thread.

#include <boost/asio/io_context.hpp>

#include "agent/config/config.hpp"
#include "systemd/systemd_link.hpp"
#include "systemd/unit_manager.hpp"
#include "systemd/unit_watcher.hpp"

namespace deckhand {

class Agent {
 public:
  Agent(boost::asio::io_context& io, config::Config config);
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Connects to systemd (retrying until the bus answers) and starts watching.
  void start();
  // Lets go of systemd. Units keep running: stopping the agent never stops what it manages.
  void stop();

 private:
  config::Config config_;
  systemd::UnitWatcher watcher_;
  systemd::UnitManager units_;
  systemd::SystemdLink link_;
};

}  // namespace deckhand
