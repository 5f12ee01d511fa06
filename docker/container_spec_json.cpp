#include "docker/container_spec_json.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <limits>

#include "common/json_kind.hpp"

namespace deckhand::docker {
namespace {

namespace json = boost::json;

// Reads the fields of one JSON object, each named by its path in errors ("spec.ports[1].protocol").
class Fields {
 public:
  Fields(const json::object& object, std::string path) : object_(object), path_(std::move(path)) {}

  std::string path(std::string_view key) const { return path_ + "." + std::string(key); }

  [[noreturn]] void wrongType(std::string_view key, const json::value& value,
                              std::string_view expected) const {
    throw ContainerSpecError("field \"" + path(key) + "\" must be " + std::string(expected) +
                             ", not " + std::string(jsonKindName(value)));
  }

  const json::value* find(std::string_view key) const {
    const json::value* value = object_.if_contains(key);
    return value == nullptr || value->is_null() ? nullptr : value;
  }

  std::string string(std::string_view key, bool required = false) const {
    const json::value* value = find(key);
    if (value == nullptr) {
      if (required) throw ContainerSpecError("field \"" + path(key) + "\" is missing");
      return {};
    }
    if (!value->is_string()) wrongType(key, *value, "a string");
    return std::string(value->get_string());
  }

  bool boolean(std::string_view key) const {
    const json::value* value = find(key);
    if (value == nullptr) return false;
    if (!value->is_bool()) wrongType(key, *value, "a boolean");
    return value->get_bool();
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min,
                                      std::int64_t max) const {
    const json::value* value = find(key);
    if (value == nullptr) return std::nullopt;
    std::optional<std::int64_t> number;
    if (value->is_int64()) number = value->get_int64();
    if (value->is_uint64() && value->get_uint64() <= std::numeric_limits<std::int64_t>::max()) {
      number = static_cast<std::int64_t>(value->get_uint64());
    }
    if (value->is_double() && std::trunc(value->get_double()) == value->get_double() &&
        std::abs(value->get_double()) < 9e18) {
      number = static_cast<std::int64_t>(value->get_double());
    }
    if (!number || *number < min || *number > max) {
      wrongType(key, *value,
                "an integer from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return number;
  }

  std::optional<double> number(std::string_view key) const {
    const json::value* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_number()) wrongType(key, *value, "a number");
    return value->to_number<double>();
  }

  const json::array* array(std::string_view key) const {
    const json::value* value = find(key);
    if (value == nullptr) return nullptr;
    if (!value->is_array()) wrongType(key, *value, "an array");
    return &value->get_array();
  }

  const json::object* object(std::string_view key) const {
    const json::value* value = find(key);
    if (value == nullptr) return nullptr;
    if (!value->is_object()) wrongType(key, *value, "an object");
    return &value->get_object();
  }

  std::vector<std::string> strings(std::string_view key) const {
    std::vector<std::string> result;
    const json::array* values = array(key);
    if (values == nullptr) return result;
    for (std::size_t i = 0; i < values->size(); ++i) {
      const json::value& value = (*values)[i];
      const std::string element = std::string(key) + "[" + std::to_string(i) + "]";
      if (!value.is_string()) wrongType(element, value, "a string");
      result.emplace_back(value.get_string());
    }
    return result;
  }

  std::map<std::string, std::string> stringMap(std::string_view key) const {
    std::map<std::string, std::string> result;
    const json::object* values = object(key);
    if (values == nullptr) return result;
    for (const auto& [name, value] : *values) {
      if (!value.is_string())
        wrongType(std::string(key) + "." + std::string(name), value, "a string");
      result[std::string(name)] = std::string(value.get_string());
    }
    return result;
  }

  // Each element of the array of objects under key, as Fields.
  template <typename Read>
  void eachObject(std::string_view key, Read read) const {
    const json::array* values = array(key);
    if (values == nullptr) return;
    for (std::size_t i = 0; i < values->size(); ++i) {
      const std::string element = std::string(key) + "[" + std::to_string(i) + "]";
      if (!(*values)[i].is_object()) wrongType(element, (*values)[i], "an object");
      read(Fields((*values)[i].get_object(), path(element)));
    }
  }

 private:
  const json::object& object_;
  std::string path_;
};

PortMapping readPort(const Fields& fields) {
  PortMapping port;
  port.host_ip = fields.string("host_ip");
  port.host_port = static_cast<std::uint16_t>(fields.integer("host_port", 0, 65535).value_or(0));
  const auto container_port = fields.integer("container_port", 1, 65535);
  if (!container_port) {
    throw ContainerSpecError("field \"" + fields.path("container_port") + "\" is missing");
  }
  port.container_port = static_cast<std::uint16_t>(*container_port);
  if (const std::string protocol = fields.string("protocol"); !protocol.empty()) {
    port.protocol = protocol;
  }
  return port;
}

HealthCheck readHealth(const Fields& fields) {
  HealthCheck health;
  health.command = fields.string("command", true);
  const auto seconds = [&](std::string_view key, int min, int fallback) {
    return static_cast<int>(fields.integer(key, min, 86400).value_or(fallback));
  };
  health.interval_seconds = seconds("interval", 1, health.interval_seconds);
  health.timeout_seconds = seconds("timeout", 1, health.timeout_seconds);
  health.retries = seconds("retries", 1, health.retries);
  health.start_period_seconds = seconds("start_period", 0, health.start_period_seconds);
  return health;
}

template <typename Enum>
Enum readChoice(const Fields& fields, std::string_view key, Enum fallback,
                std::optional<Enum> (*parse)(std::string_view), std::string_view expected) {
  const std::string text = fields.string(key);
  if (text.empty()) return fallback;
  if (auto value = parse(text)) return *value;
  throw ContainerSpecError("field \"" + fields.path(key) + "\" is \"" + text + "\"; expected " +
                           std::string(expected));
}

}  // namespace

ContainerSpec containerSpecFromJson(const boost::json::object& object) {
  const Fields fields(object, "spec");
  ContainerSpec spec;
  spec.name = fields.string("name", true);
  spec.image = fields.string("image", true);
  spec.command = fields.strings("command");
  spec.env = fields.stringMap("env");
  fields.eachObject("ports", [&](const Fields& port) { spec.ports.push_back(readPort(port)); });
  fields.eachObject("volumes", [&](const Fields& volume) {
    spec.volumes.push_back({volume.string("source", true), volume.string("target", true),
                            volume.boolean("read_only")});
  });
  spec.labels = fields.stringMap("labels");
  spec.network = fields.string("network");
  spec.restart = readChoice(fields, "restart", RestartPolicy::no, &restartPolicyFromName,
                            "no, on-failure or always");
  spec.pull = readChoice(fields, "pull", PullPolicy::missing, &pullPolicyFromName,
                         "missing, always or never");
  spec.stop_timeout_seconds =
      static_cast<int>(fields.integer("stop_timeout", 0, kMaxStopTimeoutSeconds)
                           .value_or(spec.stop_timeout_seconds));
  if (const auto memory = fields.integer("memory", 0, std::numeric_limits<std::int64_t>::max())) {
    spec.memory_bytes = static_cast<std::uint64_t>(*memory);
  }
  if (const auto cpus = fields.number("cpus")) {
    if (!(*cpus > 0) || *cpus > kMaxMilliCpus / 1000.0) {
      throw ContainerSpecError("field \"spec.cpus\" must be more than 0 and at most 1024");
    }
    spec.milli_cpus = static_cast<std::uint32_t>(std::max(1.0, std::round(*cpus * 1000)));
  }
  if (const json::object* health = fields.object("health")) {
    spec.health = readHealth(Fields(*health, fields.path("health")));
  }
  spec.x_fleet = fields.strings("x_fleet");
  validateContainerSpec(spec);
  return spec;
}

}  // namespace deckhand::docker
