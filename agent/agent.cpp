#include "agent/agent.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "agent/machine/facts_gather.hpp"

namespace deckhand {
namespace {

constexpr std::chrono::minutes kFactsRefresh{1};

// The scheduler's set_metadata outlives a restart and wins over the configured metadata.
machine::FactsOptions factsOptions(const config::Config& config, state::Store& store) {
  machine::FactsOptions options{config.public_ip, false, config.metadata};
  if (auto saved = store.loadMetadata()) {
    options.metadata = std::move(*saved);
  }
  return options;
}

}  // namespace

Agent::Agent(boost::asio::io_context& io, config::Config config)
    : io_(io),
      notifier_(io.get_executor()),
      config_(std::move(config)),
      store_(io.get_executor(), config_.state_dir),
      facts_(machine::gatherFacts(factsOptions(config_, store_))),
      watcher_(io.get_executor(),
               [this](const std::string& unit, const systemd::UnitState& state) {
                 spdlog::info("{}: {}", unit, systemd::describeUnitState(state));
                 if (scheduler_) scheduler_->unitChanged(unit);
                 bus_service_.unitChanged(bus_model_.row(unit));
                 heap_trimmer_.workEnded();
               }),
      units_(io.get_executor(), config_.units_dir, watcher_),
      heap_trimmer_(io.get_executor()),
      runner_(
          io.get_executor(), units_, watcher_, store_,
          [this](const std::string& unit) {
            containers_.unitRemoved(unit);
            if (scheduler_) scheduler_->unitRemoved(unit);
            statusChanged();
          },
          [this] {
            // A pass is where units become the agent's or stop being so: the count may change.
            statusChanged();
            heap_trimmer_.workEnded();
          }),
      link_(io.get_executor(), watcher_, units_,
            {[this](const std::string& version) { systemdReady(version); },
             [this] {
               spdlog::warn("lost systemd; units keep running, reconnecting");
               statusChanged();
             }}),
      containers_(io.get_executor(), config_.docker_socket.string(), facts_.machine_id,
                  {[this](const std::string& unit) { return ownsUnit(unit); },
                   [this](const docker::ContainerState& container) {
                     spdlog::info("container {} ({}): {}{}", container.name, container.unit,
                                  container.status,
                                  container.exit_code
                                      ? ", exit code " + std::to_string(*container.exit_code)
                                      : std::string());
                     if (scheduler_) scheduler_->containerChanged(container);
                   },
                   [this](const docker::ContainerState& container) {
                     if (scheduler_) scheduler_->containerRemoved(container);
                   },
                   [this](const std::string& version) { facts_.docker_version = version; }}),
      facts_timer_(io),
      bus_model_(facts_, runner_, watcher_, link_, scheduler_, store_, containers_),
      bus_service_(io.get_executor(), bus_model_) {
  if (config_.scheduler) {
    scheduler_ = std::make_unique<SchedulerLink>(io.get_executor(), config_, facts_, runner_,
                                                 units_, watcher_, store_);
    scheduler_->setContainers(&containers_);
    scheduler_->onStateChange([this](const SchedulerState& state) {
      if (state.retry_in.count() == 0) {
        if (state.phase == SchedulerState::Phase::connected) metrics_.schedulerConnected();
        if (state.phase == SchedulerState::Phase::retrying) metrics_.schedulerDisconnected();
      }
      bus_service_.connectionChanged(std::string(phaseName(state.phase)), state.why);
      statusChanged();
    });
  }
}

void Agent::startMetrics() {
  units_.observeJobs(
      [this](const systemd::JobResult& result, std::chrono::steady_clock::duration took) {
        metrics_.jobFinished(result.operation, result.result,
                             std::chrono::duration<double>(took).count());
      });
  if (config_.metrics_listen.empty()) return;
  try {
    metrics_server_ = std::make_unique<metrics::MetricsServer>(
        io_.get_executor(), config_.metrics_listen, [this] { return renderMetrics(); });
  } catch (const std::runtime_error& error) {
    // Metrics are an extra: the agent runs on without them.
    spdlog::error("{}; running without metrics", error.what());
  }
}

std::string Agent::renderMetrics() const {
  metrics::LiveState live;
  for (const auto& unit : bus_model_.units())
    ++live.units_by_state[unit.active_state.empty() ? "unknown" : unit.active_state];
  live.systemd_connected = link_.ready();
  live.link_state = std::string(
      phaseName(scheduler_ ? scheduler_->state().phase : SchedulerState::Phase::standalone));
  if (scheduler_) {
    live.messages_received = scheduler_->messagesReceived();
    live.messages_sent = scheduler_->messagesSent();
  }
  return metrics_.render(live);
}

void Agent::statusChanged() {
  if (status_pending_) return;
  status_pending_ = true;
  boost::asio::post(io_, [this] {
    status_pending_ = false;
    sendStatus();
  });
}

void Agent::sendStatus() {
  const SchedulerState standalone;
  const auto line = statusLine(link_.ready(), scheduler_ ? scheduler_->state() : standalone,
                               runner_.agentUnitCount());
  // READY=1 waits for the first full read of the units from systemd (SystemdLink::ready).
  if (link_.ready()) {
    notifier_.ready(line);
  } else {
    notifier_.status(line);
  }
}

bool Agent::ownsUnit(const std::string& unit) const {
  if (runner_.installedHash(unit)) return true;
  const auto* desired = runner_.desired(unit);
  return desired != nullptr && desired->state != reconciler::DesiredUnit::TargetState::inactive;
}

void Agent::refreshFacts() {
  machine::refreshFacts(link_.connection(), {config_.public_ip, false, facts_.metadata}, facts_,
                        [this](const machine::MachineFacts& fresh, bool changed) {
                          if (!changed) return;
                          spdlog::info("machine facts changed: host name {}, address {}",
                                       fresh.hostname, fresh.public_ip);
                          facts_.hostname = fresh.hostname;
                          facts_.public_ip = fresh.public_ip;
                          facts_.addresses = fresh.addresses;
                        });
}

void Agent::armFactsTimer() {
  facts_timer_.expires_after(kFactsRefresh);
  facts_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    try {
      refreshFacts();
    } catch (const std::runtime_error& failure) {
      spdlog::warn("refreshing machine facts failed: {}", failure.what());
    }
    armFactsTimer();
  });
}

void Agent::start() {
  spdlog::info("machine {} ({}), metadata {}", facts_.machine_id, facts_.hostname,
               machine::formatMetadata(facts_.metadata));
  notifier_.start();
  sendStatus();
  runner_.start();
  containers_.start();
  link_.start();
  bus_service_.start();
  startMetrics();
  armFactsTimer();
}

void Agent::systemdReady(const std::string& version) {
  // Every unit has just been read: thousands of replies' worth of heap is free again.
  heap_trimmer_.trimNow();
  facts_.systemd_version = version;
  spdlog::info("connected to systemd {} on the system bus at {}; watching {} units", version,
               link_.address(), watcher_.size());
  try {
    refreshFacts();
  } catch (const std::runtime_error& failure) {
    spdlog::warn("refreshing machine facts failed: {}", failure.what());
  }
  runner_.trigger();
  sendStatus();
  // The first hello carries the units as systemd reports them, so the session starts only now.
  if (scheduler_ && !scheduler_started_) {
    scheduler_started_ = true;
    scheduler_->start();
  }
}

void Agent::stop(std::function<void()> stopped) {
  notifier_.stopping();
  containers_.stop();
  auto done = [stopped = std::move(stopped)] {
    spdlog::info("stopped; the units deckhand manages keep running");
    stopped();
  };
  if (!scheduler_) return done();
  scheduler_->stop(std::move(done));
}

}  // namespace deckhand
