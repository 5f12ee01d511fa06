// Containers as the scheduler sees them: the CONTAINER object, its deltas, a container's result.

#include "agent/link/codec_write.hpp"

namespace deckhand::link {
namespace codec {

json::object containerObject(const docker::ContainerState& container) {
  json::object object;
  object["name"] = jsonText(container.name);
  object["unit"] = jsonText(container.unit);
  object["id"] = jsonText(container.id);
  object["image"] = jsonText(container.image);
  object["status"] = jsonText(container.status);
  object["exit_code"] =
      container.exit_code ? json::value(*container.exit_code) : json::value(nullptr);
  object["oom_killed"] = container.oom_killed;
  object["health"] =
      container.health.empty() ? json::value(nullptr) : json::value(jsonText(container.health));
  object["restart_count"] = container.restart_count;
  object["started_usec"] = container.started_usec;
  object["finished_usec"] = container.finished_usec;
  return object;
}

json::array containerArray(std::span<const docker::ContainerState> containers) {
  json::array array;
  array.reserve(containers.size());
  for (const auto& container : containers)
    array.emplace_back(containerObject(container));
  return array;
}

}  // namespace codec

using namespace codec;

std::string encodeContainer(const docker::ContainerState& container) {
  json::object message;
  message["type"] = "container";
  message["container"] = containerObject(container);
  return json::serialize(message);
}

std::string encodeContainerRemoved(std::string_view name, std::string_view unit) {
  json::object message;
  message["type"] = "container_removed";
  message["name"] = jsonText(name);
  message["unit"] = jsonText(unit);
  return json::serialize(message);
}

std::string encodeContainerResult(std::string_view id, std::string_view unit,
                                  std::string_view hash) {
  json::object message = resultObject(id, true);
  message["unit"] = jsonText(unit);
  message["hash"] = jsonText(hash);
  return json::serialize(message);
}

}  // namespace deckhand::link
