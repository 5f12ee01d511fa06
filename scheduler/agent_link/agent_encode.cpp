// Scheduler -> agent requests of docs/protocol.md.

#include <boost/json.hpp>

#include "agent/link/codec_requests.hpp"
#include "scheduler/agent_link/agent_codec.hpp"

namespace deckhand::scheduler {
namespace {

namespace json = boost::json;

// The agent closes the connection on a frame over 1 MiB; desired frames are cut well below it.
constexpr std::size_t kDesiredFrameBytes = 512 * 1024;

json::object request(std::string_view type, std::string_view id) {
  return json::object{{"type", type}, {"id", id}};
}

json::object unitObject(const UnitOrder& order) {
  json::object unit{{"name", order.name}, {"state", targetStateName(order.state)}};
  if (order.state != TargetState::inactive) {
    unit["text"] = order.text;
    unit["hash"] = order.hash;
  }
  return unit;
}

}  // namespace

std::vector<std::string> encodeDesired(std::span<const UnitOrder> units, const std::string& prefix,
                                       std::uint64_t& next_id, std::vector<std::string>* ids) {
  std::vector<std::string> frames;
  std::size_t start = 0;
  while (start < units.size()) {
    const std::string id = prefix + "-" + std::to_string(next_id++);
    json::array batch;
    std::size_t bytes = 0;
    // One unit per frame at least, so that an oversized one still goes (and is refused loudly).
    while (start < units.size() && batch.size() < link::kMaxDesiredUnits &&
           (batch.empty() || bytes + units[start].text.size() < kDesiredFrameBytes)) {
      bytes += units[start].text.size() + units[start].name.size() + 128;
      batch.push_back(unitObject(units[start]));
      ++start;
    }
    auto message = request("desired", id);
    message["units"] = std::move(batch);
    frames.push_back(json::serialize(message));
    if (ids != nullptr) ids->push_back(id);
  }
  return frames;
}

std::string encodeContainer(std::string_view id, const UnitOrder& order) {
  auto message = request("container", id);
  message["name"] = order.container;
  message["state"] = targetStateName(order.state);
  if (order.state != TargetState::inactive) message["spec"] = json::parse(order.spec);
  return json::serialize(message);
}

std::string encodeJournal(std::string_view id, std::string_view name, int lines, bool follow) {
  auto message = request("journal", id);
  message["name"] = name;
  message["lines"] = lines;
  message["follow"] = follow;
  return json::serialize(message);
}

std::string encodeCancel(std::string_view id, std::string_view target) {
  auto message = request("cancel", id);
  message["target"] = target;
  return json::serialize(message);
}

std::string encodeSetMetadata(std::string_view id, const machine::Metadata& metadata) {
  json::object values;
  for (const auto& [key, value] : metadata)
    values[key] = value;
  auto message = request("set_metadata", id);
  message["metadata"] = std::move(values);
  return json::serialize(message);
}

}  // namespace deckhand::scheduler
