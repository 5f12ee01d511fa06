#pragma once
// The agent's containers: what the Docker engine says about each (kept from its /events stream and
// read afresh at every reconnect), the checks a container must pass before its unit is accepted,
// and the clean-up of containers whose unit is gone. Starting and stopping is not done here: each
// container runs in its unit (docker/container_unit.hpp), which systemd starts and stops.
//
// Only containers labelled deckhand.owner=<this machine's ID> are the agent's, so agents sharing
// an engine never touch each other's. Without a reachable engine units still run; container
// requests get "Docker engine not reachable at ...".

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "docker/container_spec.hpp"
#include "docker/container_state.hpp"
#include "docker/container_unit.hpp"
#include "docker/engine.hpp"
#include "docker/event_stream.hpp"

namespace deckhand {

class Containers {
 public:
  struct Handlers {
    // Whether the agent installed or holds a desired state for this unit.
    std::function<bool(const std::string& unit)> owns_unit{};
    // A container's state changed; or it is no longer the agent's (its unit is gone).
    std::function<void(const docker::ContainerState&)> changed{};
    std::function<void(const docker::ContainerState&)> removed{};
    // The engine's version once it answers, "" when it is lost.
    std::function<void(const std::string& version)> engine_version{};
  };

  // Why a container was refused.
  struct Refusal {
    enum class Reason { unavailable, name_taken, image_missing };
    Reason reason;
    std::string message;
  };

  Containers(const boost::asio::any_io_executor& executor, const std::string& socket_path,
             std::string owner, Handlers handlers);
  Containers(const Containers&) = delete;
  Containers& operator=(const Containers&) = delete;

  void start();
  void stop();

  // What the agent's units pass to docker: its socket and its owner label.
  docker::UnitOptions unitOptions() const;
  std::vector<docker::ContainerState> all() const;

  // Before the unit for spec is accepted: the engine answers, the name is free or already the
  // agent's container for this unit, the image is here (pulled as spec.pull says). done gets
  // nullopt when all is well.
  void prepare(docker::ContainerSpec spec, std::function<void(std::optional<Refusal>)> done);

  // The unit is gone: so is its container, even if the unit's own clean-up could not run.
  void unitRemoved(const std::string& unit);

 private:
  boost::asio::awaitable<std::optional<Refusal>> check(docker::ContainerSpec spec);
  boost::asio::awaitable<void> resync();
  void connected();
  void event(const docker::ContainerEvent& event);
  void removeOrphan(docker::ContainerState state);

  boost::asio::any_io_executor executor_;
  std::string owner_;
  std::string label_;  // deckhand.owner=<owner>
  Handlers handlers_;
  docker::Engine engine_;
  docker::EventStream events_;
  std::map<std::string, docker::ContainerState> states_;
  std::string last_problem_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace deckhand
