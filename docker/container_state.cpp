#include "docker/container_state.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <ctime>
#include <stdexcept>

#include "docker/container_spec.hpp"

namespace deckhand::docker {
namespace {

namespace json = boost::json;

std::string stringAt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::int64_t integerAt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return 0;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->get_uint64());
  return 0;
}

const json::object& objectAt(const json::object& object, std::string_view key) {
  static const json::object kEmpty;
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_object() ? value->get_object() : kEmpty;
}

std::string withoutSlash(std::string name) {
  if (!name.empty() && name.front() == '/') name.erase(0, 1);
  return name;
}

int digits(std::string_view text, std::size_t at, std::size_t count) {
  int value = 0;
  if (at + count > text.size()) return -1;
  const auto [end, error] = std::from_chars(text.data() + at, text.data() + at + count, value);
  return error == std::errc() && end == text.data() + at + count ? value : -1;
}

std::optional<int> exitCodeOf(const std::map<std::string, std::string>& attributes) {
  const auto found = attributes.find("exitCode");
  if (found == attributes.end()) return std::nullopt;
  int code = 0;
  const auto [end, error] =
      std::from_chars(found->second.data(), found->second.data() + found->second.size(), code);
  if (error != std::errc()) return std::nullopt;
  return code;
}

}  // namespace

std::uint64_t usecFromRfc3339(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z
  std::tm tm{};
  tm.tm_year = digits(text, 0, 4) - 1900;
  tm.tm_mon = digits(text, 5, 2) - 1;
  tm.tm_mday = digits(text, 8, 2);
  tm.tm_hour = digits(text, 11, 2);
  tm.tm_min = digits(text, 14, 2);
  tm.tm_sec = digits(text, 17, 2);
  if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mday < 1 || tm.tm_hour < 0 || tm.tm_min < 0 ||
      tm.tm_sec < 0) {
    return 0;
  }
  std::uint64_t micros = 0;
  std::size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    int places = 0;
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at) {
      if (places++ < 6) micros = micros * 10 + static_cast<std::uint64_t>(text[at] - '0');
    }
    for (; places < 6; ++places)
      micros *= 10;
  }
  const std::time_t seconds = timegm(&tm);
  if (seconds < 0) return 0;
  return static_cast<std::uint64_t>(seconds) * 1'000'000 + micros;
}

std::optional<ContainerEvent> parseContainerEvent(std::string_view line) {
  json::error_code error;
  const json::value value = json::parse(line, error);
  if (error || !value.is_object()) return std::nullopt;
  const json::object& object = value.get_object();
  if (stringAt(object, "Type") != "container") return std::nullopt;
  ContainerEvent event;
  event.action = stringAt(object, "Action");
  const json::object& actor = objectAt(object, "Actor");
  event.id = stringAt(actor, "ID");
  for (const auto& [key, attribute] : objectAt(actor, "Attributes")) {
    if (attribute.is_string()) event.attributes[std::string(key)] = attribute.get_string();
  }
  event.time_nano = integerAt(object, "timeNano");
  if (event.action.empty() || event.id.empty()) return std::nullopt;
  return event;
}

ContainerState containerStateFromInspect(std::string_view text) {
  json::error_code error;
  const json::value value = json::parse(text, error);
  if (error || !value.is_object()) {
    throw std::runtime_error("the Docker engine's container inspect is not a JSON object");
  }
  const json::object& object = value.get_object();
  const json::object& state = objectAt(object, "State");
  const json::object& config = objectAt(object, "Config");
  ContainerState result;
  result.name = withoutSlash(stringAt(object, "Name"));
  result.id = stringAt(object, "Id");
  result.image = stringAt(config, "Image");
  result.unit = stringAt(objectAt(config, "Labels"), kUnitLabel);
  result.owner = stringAt(objectAt(config, "Labels"), kOwnerLabel);
  result.status = stringAt(state, "Status");
  const bool ended = result.status == "exited" || result.status == "dead";
  if (ended) result.exit_code = static_cast<int>(integerAt(state, "ExitCode"));
  const json::value* oom = state.if_contains("OOMKilled");
  result.oom_killed = oom != nullptr && oom->is_bool() && oom->get_bool();
  result.health = stringAt(objectAt(state, "Health"), "Status");
  result.restart_count = static_cast<int>(integerAt(object, "RestartCount"));
  result.started_usec = usecFromRfc3339(stringAt(state, "StartedAt"));
  if (ended) result.finished_usec = usecFromRfc3339(stringAt(state, "FinishedAt"));
  return result;
}

std::vector<std::string> containerNamesFromList(std::string_view text) {
  json::error_code error;
  const json::value value = json::parse(text, error);
  if (error || !value.is_array()) {
    throw std::runtime_error("the Docker engine's container list is not a JSON array");
  }
  std::vector<std::string> names;
  for (const auto& element : value.get_array()) {
    if (!element.is_object()) continue;
    const json::value* list = element.get_object().if_contains("Names");
    if (list == nullptr || !list->is_array() || list->get_array().empty()) continue;
    const json::value& first = list->get_array().front();
    if (first.is_string()) names.push_back(withoutSlash(std::string(first.get_string())));
  }
  return names;
}

std::optional<std::string> applyContainerEvent(std::map<std::string, ContainerState>& states,
                                               const ContainerEvent& event) {
  const auto name_attribute = event.attributes.find("name");
  if (name_attribute == event.attributes.end()) return std::nullopt;
  const std::string& name = name_attribute->second;
  auto found = states.find(name);
  const auto unit = event.attributes.find(std::string(kUnitLabel));
  if (unit == event.attributes.end() && (found == states.end() || found->second.id != event.id)) {
    return std::nullopt;
  }
  if (found == states.end()) {
    found = states.emplace(name, ContainerState{}).first;
    found->second.name = name;
    found->second.unit = unit->second;
    if (const auto owner = event.attributes.find(std::string(kOwnerLabel));
        owner != event.attributes.end()) {
      found->second.owner = owner->second;
    }
  }
  ContainerState& state = found->second;
  const auto usec = static_cast<std::uint64_t>(event.time_nano / 1000);
  const std::string& action = event.action;
  if (action == "create") {
    state.id = event.id;
    state.status = "created";
    if (const auto image = event.attributes.find("image"); image != event.attributes.end()) {
      state.image = image->second;
    }
    state.exit_code.reset();
    state.oom_killed = false;
    state.health.clear();
    state.finished_usec = 0;
  } else if (action == "start") {
    if (state.started_usec != 0) ++state.restart_count;
    state.id = event.id;
    state.status = "running";
    state.started_usec = usec;
    state.finished_usec = 0;
    state.exit_code.reset();
  } else if (action == "die") {
    state.status = "exited";
    state.exit_code = exitCodeOf(event.attributes);
    state.finished_usec = usec;
  } else if (action == "oom") {
    state.oom_killed = true;
  } else if (action.starts_with("health_status: ")) {
    state.health = action.substr(std::string_view("health_status: ").size());
  } else if (action == "pause") {
    state.status = "paused";
  } else if (action == "unpause") {
    state.status = "running";
  } else if (action == "destroy") {
    // The last run's exit code and OOM verdict stay: with --rm they are only ever in the events.
    if (event.id != state.id) return std::nullopt;
    state.status = "removed";
  } else {
    return std::nullopt;
  }
  return name;
}

}  // namespace deckhand::docker
