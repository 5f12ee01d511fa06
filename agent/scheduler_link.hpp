#pragma once
// The agent's side of docs/protocol.md: keeps the session to the scheduler, says hello with a full
// snapshot on every connection, sends each unit transition, and answers every request. Requests
// change the desired state (ReconcileRunner), command units (UnitManager) or read state; nothing
// here touches systemd directly.

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "agent/config/config.hpp"
#include "agent/constraints/able_to_run.hpp"
#include "agent/constraints/placed_units.hpp"
#include "agent/link/codec_messages.hpp"
#include "agent/link/codec_requests.hpp"
#include "agent/link/session.hpp"
#include "agent/machine/facts.hpp"
#include "agent/reconcile_runner.hpp"
#include "agent/state/store.hpp"
#include "agent/status_line.hpp"
#include "systemd/journal_reader.hpp"
#include "systemd/unit_manager.hpp"
#include "systemd/unit_watcher.hpp"

namespace deckhand {

class Containers;

class SchedulerLink {
 public:
  // Throws std::runtime_error when the token file cannot be read.
  SchedulerLink(boost::asio::any_io_executor executor, const config::Config& config,
                machine::MachineFacts& facts, ReconcileRunner& runner, systemd::UnitManager& units,
                systemd::UnitWatcher& watcher, state::Store& store);

  // Places the desired units loaded from the state folder, then connects.
  void start();
  // Says goodbye to the scheduler (a WebSocket close), then runs stopped.
  void stop(std::function<void()> stopped);

  const SchedulerState& state() const { return state_; }
  std::uint64_t messagesReceived() const { return session_->framesReceived(); }
  std::uint64_t messagesSent() const { return session_->framesSent(); }
  // Called on the executor each time the link's state changes.
  void onStateChange(std::function<void(const SchedulerState&)> handler) {
    on_state_change_ = std::move(handler);
  }

  // A unit's state changed, or it is gone.
  void unitChanged(const std::string& name);
  void unitRemoved(const std::string& name);

  // Containers (agent/scheduler_link_containers.cpp): where their requests go, and their changes.
  void setContainers(Containers* containers) { containers_ = containers; }
  void containerChanged(const docker::ContainerState& container);
  void containerRemoved(const docker::ContainerState& container);

 private:
  link::UnitReport report(const std::string& name) const;
  std::set<std::string> unitNames() const;  // desired here or installed by the agent
  std::vector<link::UnitReport> allReports() const;
  std::string hello() const;
  void stateChanged(bool connected, const std::string& why);
  void onMessage(const std::string& frame);

  void handle(link::DesiredRequest& request);
  void applyDesired(link::DesiredRequest& request, std::uint64_t connection);
  void applyReadyDesired();
  void handle(const link::RemoveRequest& request);
  void handle(const link::ActionRequest& request);
  void handle(const link::QueryRequest& request);
  void handle(const link::JournalRequest& request);
  void handle(const link::CancelRequest& request);
  void handle(const link::SetMetadataRequest& request);
  void handle(const link::SchedulerHeartbeat&) {}
  void handle(link::ContainerRequest& request);

  // Whether the scheduler may act on name: installed by this agent, or desired here.
  bool known(const std::string& name) const;
  // Parses unit's [X-Fleet] constraints and checks them against this machine and the other desired
  // units; nullopt and *constraints filled when the machine can run it.
  std::optional<link::ProtocolError> checkConstraints(
      const link::DesiredUnit& unit, constraints::UnitConstraints* constraints) const;
  // Sends a frame for a request of the current connection, unless that connection is gone: after
  // a reconnect nothing from the previous one is pending (docs/protocol.md).
  void sendFor(std::uint64_t connection, std::string frame);

  boost::asio::any_io_executor executor_;
  std::string url_;
  state::Store& store_;
  machine::MachineFacts& facts_;
  ReconcileRunner& runner_;
  systemd::UnitManager& units_;
  systemd::UnitWatcher& watcher_;
  std::unique_ptr<link::Session> session_;
  // The desired loaded and launched units as ableToRun sees them, kept so that a batch of N units
  // is not N² parses.
  constraints::PlacedUnits placed_;
  // Journals being followed for this connection, by request id.
  std::map<std::string, std::unique_ptr<systemd::JournalReader>> follows_;
  // A desired request waits for systemd to say that the names new to the agent are free (no unit
  // of that name from elsewhere, which a runtime link would shadow); requests are applied in the
  // order they came, so a later one never overtakes an earlier one.
  struct PendingDesired {
    link::DesiredRequest request;
    std::uint64_t connection = 0;
    bool checking = false;  // its new units are being looked up in systemd
  };
  std::deque<std::shared_ptr<PendingDesired>> desired_queue_;
  std::size_t in_flight_ = 0;     // requests waiting for systemd
  std::uint64_t connection_ = 0;  // counts connections, so late answers find their own
  Containers* containers_ = nullptr;
  // Per container name: requests seen (the latest wins), and checks still waiting for the engine.
  std::map<std::string, std::uint64_t> container_generations_;
  std::map<std::string, std::size_t> container_checks_;
  SchedulerState state_;
  std::function<void(const SchedulerState&)> on_state_change_;
};

}  // namespace deckhand
