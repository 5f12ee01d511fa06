#include "agent/agent.hpp"

#include <spdlog/spdlog.h>

namespace deckhand {

Agent::Agent(boost::asio::io_context& io, config::Config config)
    : config_(std::move(config)),
      watcher_(io.get_executor(),
               [](const std::string& unit, const systemd::UnitState& state) {
                 spdlog::info("{}: {}", unit, systemd::describeUnitState(state));
               }),
      units_(io.get_executor(), config_.units_dir, watcher_),
      link_(io.get_executor(), watcher_, units_,
            {[this](const std::string& version) {
               spdlog::info("connected to systemd {} on the system bus at {}; watching {} units",
                            version, link_.address(), watcher_.size());
             },
             [] { spdlog::warn("lost systemd; units keep running, reconnecting"); }}) {}

void Agent::start() {
  for (const auto& unit : units_.installed())
    watcher_.watch(unit);
  link_.start();
}

void Agent::stop() {
  spdlog::info("stopped; the units deckhand manages keep running");
}

}  // namespace deckhand
