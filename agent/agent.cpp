#include "agent/agent.hpp"

#include <spdlog/spdlog.h>

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
    : config_(std::move(config)),
      store_(io.get_executor(), config_.state_dir),
      facts_(machine::gatherFacts(factsOptions(config_, store_))),
      watcher_(io.get_executor(),
               [this](const std::string& unit, const systemd::UnitState& state) {
                 spdlog::info("{}: {}", unit, systemd::describeUnitState(state));
                 if (scheduler_) scheduler_->unitChanged(unit);
               }),
      units_(io.get_executor(), config_.units_dir, watcher_),
      runner_(io.get_executor(), units_, watcher_, store_,
              [this](const std::string& unit) {
                if (scheduler_) scheduler_->unitRemoved(unit);
              }),
      link_(io.get_executor(), watcher_, units_,
            {[this](const std::string& version) { systemdReady(version); },
             [] { spdlog::warn("lost systemd; units keep running, reconnecting"); }}),
      facts_timer_(io) {
  if (config_.scheduler) {
    scheduler_ = std::make_unique<SchedulerLink>(io.get_executor(), config_, facts_, runner_,
                                                 units_, watcher_, store_);
  }
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
  runner_.start();
  link_.start();
  armFactsTimer();
}

void Agent::systemdReady(const std::string& version) {
  facts_.systemd_version = version;
  spdlog::info("connected to systemd {} on the system bus at {}; watching {} units", version,
               link_.address(), watcher_.size());
  try {
    refreshFacts();
  } catch (const std::runtime_error& failure) {
    spdlog::warn("refreshing machine facts failed: {}", failure.what());
  }
  runner_.trigger();
  // The first hello carries the units as systemd reports them, so the session starts only now.
  if (scheduler_ && !scheduler_started_) {
    scheduler_started_ = true;
    scheduler_->start();
  }
}

void Agent::stop() {
  if (scheduler_) scheduler_->stop();
  spdlog::info("stopped; the units deckhand manages keep running");
}

}  // namespace deckhand
