// The container request: a container's name, its desired state, and for loaded and launched its
// spec, read and validated by the docker module.

#include "agent/link/codec_read.hpp"
#include "docker/container_spec_json.hpp"

namespace deckhand::link::codec {

ContainerRequest decodeContainer(const json::object& object, std::string id) {
  ContainerRequest request;
  request.id = std::move(id);
  request.name = requireString(object, "name");
  if (!docker::isContainerName(request.name)) {
    throw ProtocolError(ErrorCode::bad_container_spec,
                        "container name " + quoted(request.name) +
                            " is invalid; expected 2-128 of [a-zA-Z0-9_.-], starting with a letter "
                            "or digit");
  }
  request.state =
      static_cast<DesiredState>(readChoice(object, "state", kDesiredStateNames, std::nullopt));
  if (request.state == DesiredState::inactive) return request;
  json::object spec = requireObject(object, "spec");
  if (const auto* name = spec.if_contains("name"); name == nullptr || name->is_null()) {
    spec["name"] = request.name;
  }
  try {
    request.spec = docker::containerSpecFromJson(spec);
  } catch (const docker::ContainerSpecError& error) {
    throw ProtocolError(ErrorCode::bad_container_spec, error.what());
  }
  if (request.spec->name != request.name) {
    throw ProtocolError(ErrorCode::bad_container_spec,
                        "field \"spec.name\" is " + quoted(request.spec->name) +
                            " but the request names " + quoted(request.name) +
                            "; leave spec.name out or make them equal");
  }
  return request;
}

}  // namespace deckhand::link::codec
