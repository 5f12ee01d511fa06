#pragma once
// A container spec from its JSON form in docs/protocol.md ("Containers"). Brings in Boost.JSON:
// only the protocol codec includes it.

#include <boost/json/object.hpp>

#include "docker/container_spec.hpp"

namespace deckhand::docker {

// Reads every field by its type and range, then validateContainerSpec. Throws ContainerSpecError
// naming the field ("spec.ports[1].container_port must be an integer from 1 to 65535"). Unknown
// fields are ignored, as everywhere in the protocol.
ContainerSpec containerSpecFromJson(const boost::json::object& object);

}  // namespace deckhand::docker
