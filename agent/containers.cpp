#include "agent/containers.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <exception>

namespace deckhand {
namespace {

namespace asio = boost::asio;
using Reason = Containers::Refusal::Reason;

}  // namespace

Containers::Containers(const asio::any_io_executor& executor, const std::string& socket_path,
                       std::string owner, Handlers handlers)
    : executor_(executor),
      owner_(std::move(owner)),
      label_(std::string(docker::kOwnerLabel) + "=" + owner_),
      handlers_(std::move(handlers)),
      engine_(executor, socket_path),
      events_(executor, socket_path,
              {[this](const docker::ContainerEvent& e) { event(e); },
               [this](const std::string& version) {
                 spdlog::info("following the Docker engine at {} (API {})", engine_.socketPath(),
                              version);
                 last_problem_.clear();
                 connected();
               },
               [this](const std::string& why) {
                 // Said once per outage, not once per retry.
                 if (why != last_problem_) spdlog::warn("{}; containers are not watched", why);
                 last_problem_ = why;
                 handlers_.engine_version("");
               }}) {}

void Containers::start() {
  events_.start();
}

void Containers::stop() {
  *alive_ = false;
  events_.stop();
}

docker::UnitOptions Containers::unitOptions() const {
  docker::UnitOptions options;
  options.docker_socket = engine_.socketPath();
  options.owner = owner_;
  return options;
}

std::vector<docker::ContainerState> Containers::all() const {
  std::vector<docker::ContainerState> states;
  states.reserve(states_.size());
  for (const auto& [name, state] : states_)
    states.push_back(state);
  return states;
}

void Containers::connected() {
  asio::co_spawn(executor_, resync(), [alive = alive_](const std::exception_ptr& failure) {
    if (!*alive || !failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& error) {
      spdlog::warn("reading container state failed: {}", error.what());
    }
  });
}

asio::awaitable<void> Containers::resync() {
  const auto alive = alive_;
  const std::string version = co_await engine_.version();
  if (!*alive) co_return;
  handlers_.engine_version(version);
  auto listed = co_await engine_.listContainers(label_);
  if (!*alive) co_return;
  std::map<std::string, docker::ContainerState> fresh;
  for (auto& state : listed) {
    if (!handlers_.owns_unit(state.unit)) {
      removeOrphan(std::move(state));
      continue;
    }
    // Docker's RestartCount is 0 under systemd; the count seen so far is the better one.
    if (const auto old = states_.find(state.name); old != states_.end()) {
      state.restart_count = std::max(state.restart_count, old->second.restart_count);
    }
    fresh[state.name] = std::move(state);
  }
  for (auto& [name, old] : states_) {
    if (fresh.count(name) != 0) continue;
    if (!handlers_.owns_unit(old.unit)) {
      handlers_.removed(old);
      continue;
    }
    // Gone while the stream was down: its last run is still worth reporting.
    old.status = "removed";
    fresh[name] = old;
  }
  states_ = std::move(fresh);
  for (const auto& [name, state] : states_)
    handlers_.changed(state);
}

void Containers::event(const docker::ContainerEvent& event) {
  // Another agent's container, or a deckhand label without an owner: not this agent's.
  const auto owner = event.attributes.find(std::string(docker::kOwnerLabel));
  const bool labelled = event.attributes.count(std::string(docker::kUnitLabel)) != 0;
  if (labelled && (owner == event.attributes.end() || owner->second != owner_)) return;
  const auto name = docker::applyContainerEvent(states_, event);
  if (!name) return;
  const docker::ContainerState& state = states_.at(*name);
  if (!handlers_.owns_unit(state.unit)) {
    // Started after the last sync for a unit that is not (or no longer) the agent's.
    docker::ContainerState orphan = state;
    states_.erase(*name);
    if (event.action == "start") removeOrphan(std::move(orphan));
    return;
  }
  handlers_.changed(state);
}

void Containers::removeOrphan(docker::ContainerState state) {
  spdlog::info("removing container {} ({}): its unit {} is gone", state.name,
               state.id.substr(0, 12), state.unit);
  asio::co_spawn(executor_, engine_.removeContainer(state.name),
                 [name = state.name](const std::exception_ptr& failure) {
                   if (!failure) return;
                   try {
                     std::rethrow_exception(failure);
                   } catch (const std::exception& error) {
                     spdlog::warn("removing orphaned container {} failed: {}", name, error.what());
                   }
                 });
}

void Containers::unitRemoved(const std::string& unit) {
  for (auto it = states_.begin(); it != states_.end();) {
    if (it->second.unit != unit) {
      ++it;
      continue;
    }
    docker::ContainerState state = std::move(it->second);
    it = states_.erase(it);
    if (state.status != "removed") removeOrphan(state);
    handlers_.removed(state);
  }
}

void Containers::prepare(docker::ContainerSpec spec,
                         std::function<void(std::optional<Refusal>)> done) {
  asio::co_spawn(executor_, check(std::move(spec)),
                 [done = std::move(done), alive = alive_](const std::exception_ptr& failure,
                                                          std::optional<Refusal> refusal) {
                   if (!*alive) return;
                   if (failure) {
                     try {
                       std::rethrow_exception(failure);
                     } catch (const std::exception& error) {
                       refusal = Refusal{Reason::unavailable, error.what()};
                     }
                   }
                   done(std::move(refusal));
                 });
}

asio::awaitable<std::optional<Containers::Refusal>> Containers::check(docker::ContainerSpec spec) {
  try {
    const auto existing = co_await engine_.inspect(spec.name);
    const std::string unit = docker::containerUnitName(spec.name);
    if (existing && (existing->owner != owner_ || existing->unit != unit)) {
      co_return Refusal{Reason::name_taken,
                        "container name " + spec.name + " is taken by container " +
                            existing->id.substr(0, 12) + " (image " + existing->image +
                            ", status " + existing->status +
                            ") that this agent does not manage; remove or rename it, or choose "
                            "another name"};
    }
    const bool present = co_await engine_.hasImage(spec.image);
    if (spec.pull == docker::PullPolicy::never && !present) {
      co_return Refusal{Reason::image_missing, "image " + spec.image +
                                                   " is not on this machine and the pull policy "
                                                   "is never; load it first or allow pulling"};
    }
    if (spec.pull == docker::PullPolicy::always || !present) {
      try {
        co_await engine_.pullImage(spec.image);
      } catch (const docker::EngineError& error) {
        co_return Refusal{Reason::image_missing, error.what()};
      }
    }
  } catch (const docker::EngineError& error) {
    co_return Refusal{Reason::unavailable, error.what()};
  }
  co_return std::nullopt;
}

}  // namespace deckhand
