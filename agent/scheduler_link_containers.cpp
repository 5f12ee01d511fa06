// The scheduler's container requests and the container deltas. A container is its generated unit
// (docker/container_unit.hpp) under the same desired state as any unit, after the checks only the
// Docker engine can answer (Containers::prepare).

#include <spdlog/spdlog.h>

#include "agent/constraints/constraints.hpp"
#include "agent/containers.hpp"
#include "agent/scheduler_link.hpp"
#include "docker/container_unit.hpp"

namespace deckhand {
namespace {

using link::ErrorCode;
using link::ProtocolError;
using TargetState = reconciler::DesiredUnit::TargetState;

// Container requests waiting for the engine's checks (a pull can take minutes); more get "busy".
constexpr std::size_t kMaxContainerChecks = 16;

ErrorCode codeOf(Containers::Refusal::Reason reason) {
  switch (reason) {
    case Containers::Refusal::Reason::name_taken:
      return ErrorCode::name_taken;
    case Containers::Refusal::Reason::image_missing:
      return ErrorCode::image_missing;
    case Containers::Refusal::Reason::unavailable:
      break;
  }
  return ErrorCode::docker_unavailable;
}

}  // namespace

void SchedulerLink::containerChanged(const docker::ContainerState& container) {
  if (session_->connected()) {
    session_->sendLatest("container:" + container.name, link::encodeContainer(container));
  }
}

void SchedulerLink::containerRemoved(const docker::ContainerState& container) {
  if (session_->connected()) {
    session_->send(link::encodeContainerRemoved(container.name, container.unit));
  }
}

void SchedulerLink::handle(link::ContainerRequest& request) {
  const std::string unit = docker::containerUnitName(request.name);
  // A later request for the same container wins over one still waiting for the engine.
  const std::uint64_t generation = ++container_generations_[request.name];
  if (request.state == link::DesiredState::inactive) {
    if (!known(unit) && container_checks_.count(request.name) == 0) {
      return session_->send(link::encodeError(
          ProtocolError(ErrorCode::not_owned,
                        "container " + request.name + " is not one of this agent's", request.id)));
    }
    placed_.remove(unit);
    runner_.setDesired({unit, TargetState::inactive, "", ""});
    // Answered once on disk, as for units (docs/reliability.md).
    return runner_.commit(
        [this, connection = connection_, id = request.id](const std::optional<std::string>&) {
          sendFor(connection, link::encodeResult(id));
        });
  }
  if (containers_ == nullptr) {
    return session_->send(link::encodeError(ProtocolError(
        ErrorCode::docker_unavailable, "this agent runs without Docker support", request.id)));
  }
  std::size_t waiting = 0;
  for (const auto& [name, count] : container_checks_)
    waiting += count;
  if (waiting >= kMaxContainerChecks) {
    return session_->send(link::encodeError(
        ProtocolError(ErrorCode::busy,
                      "more than " + std::to_string(kMaxContainerChecks) +
                          " container requests are waiting for the Docker engine; retry later",
                      request.id)));
  }
  const docker::ContainerUnit generated =
      docker::containerUnit(*request.spec, containers_->unitOptions());
  link::DesiredUnit desired;
  desired.name = unit;
  desired.state = request.state;
  desired.text = generated.text;
  desired.file = generated.file;
  desired.hash = generated.hash;
  auto constraints = std::make_shared<constraints::UnitConstraints>();
  if (auto error = checkConstraints(desired, constraints.get())) {
    return session_->send(
        link::encodeError(ProtocolError(error->code(), error->what(), request.id)));
  }
  const TargetState target =
      request.state == link::DesiredState::launched ? TargetState::launched : TargetState::loaded;
  ++container_checks_[request.name];
  containers_->prepare(
      *request.spec,
      [this, id = request.id, name = request.name, unit, target, generated, constraints, generation,
       connection = connection_](std::optional<Containers::Refusal> refusal) {
        if (--container_checks_[name] == 0) container_checks_.erase(name);
        if (refusal) {
          spdlog::warn("refused container {}: {}", name, refusal->message);
          return sendFor(connection, link::encodeError(ProtocolError(codeOf(refusal->reason),
                                                                     refusal->message, id)));
        }
        // Accepted, but a later request for this container already holds: it is not undone.
        if (container_generations_[name] != generation) {
          return sendFor(connection, link::encodeContainerResult(id, unit, generated.hash));
        }
        placed_.place(constraints::placedUnitOf(*constraints));
        runner_.setDesired({unit, target, generated.text, generated.hash});
        runner_.commit(
            [this, connection, id, unit, hash = generated.hash](const std::optional<std::string>&) {
              sendFor(connection, link::encodeContainerResult(id, unit, hash));
            });
      });
}

}  // namespace deckhand
