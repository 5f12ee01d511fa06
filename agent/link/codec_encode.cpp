// The messages the agent sends on its own: hello, unit, unit_removed, heartbeat, and journal lines.

#include "agent/link/codec_write.hpp"

namespace deckhand::link {

using namespace codec;

std::string encodeHello(const machine::MachineFacts& facts, std::span<const UnitReport> units,
                        std::span<const docker::ContainerState> containers,
                        std::span<const std::string> lost_state) {
  json::array lost;
  for (const auto& what : lost_state)
    lost.emplace_back(jsonText(what));
  json::object message;
  message["type"] = "hello";
  message["protocol"] = kProtocolVersion;
  message["machine"] = machineObject(facts);
  message["units"] = unitArray(units);
  message["containers"] = containerArray(containers);
  message["lost_state"] = std::move(lost);
  return json::serialize(message);
}

std::string encodeUnit(const UnitReport& unit) {
  json::object message;
  message["type"] = "unit";
  message["unit"] = unitObject(unit);
  return json::serialize(message);
}

std::string encodeUnitRemoved(std::string_view name) {
  json::object message;
  message["type"] = "unit_removed";
  message["name"] = jsonText(name);
  return json::serialize(message);
}

std::string encodeHeartbeat(std::uint64_t seq, std::size_t units) {
  json::object message;
  message["type"] = "heartbeat";
  message["seq"] = seq;
  message["units"] = units;
  return json::serialize(message);
}

std::string encodeJournal(std::string_view id, std::span<const JournalLine> lines, bool done) {
  json::array array;
  array.reserve(lines.size());
  for (const auto& line : lines) {
    json::object object;
    object["usec"] = line.usec;
    object["priority"] = line.priority;
    object["message"] = jsonText(line.message);
    array.emplace_back(std::move(object));
  }
  json::object message;
  message["type"] = "journal";
  message["id"] = jsonText(id);
  message["lines"] = std::move(array);
  message["done"] = done;
  return json::serialize(message);
}

}  // namespace deckhand::link
