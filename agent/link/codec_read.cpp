#include "agent/link/codec_read.hpp"

#include "systemd/unit_name.hpp"

namespace deckhand::link::codec {
namespace {

constexpr std::size_t kQuotedBytes = 80;

}  // namespace

namespace {

[[noreturn]] void badField(std::string_view path, std::string_view expected,
                           const json::value* got) {
  std::string message = "field \"" + std::string(path) + "\" ";
  if (got == nullptr) {
    message += "is missing; expected " + std::string(expected);
  } else {
    message += "must be " + std::string(expected) + ", not " + std::string(jsonKindName(*got));
  }
  throw ProtocolError(ErrorCode::bad_message, message);
}

const json::value& require(const json::object& object, std::string_view key,
                           std::string_view parent, std::string_view expected) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) badField(fieldPath(parent, key), expected, nullptr);
  return *value;
}

}  // namespace

const std::string_view kDesiredStateNames[3] = {"inactive", "loaded", "launched"};
const std::string_view kActionNames[6] = {"start",  "stop", "restart",
                                          "reload", "kill", "reset_failed"};
const std::string_view kKillWhomNames[3] = {"main", "control", "all"};
const std::string_view kQueryWhatNames[3] = {"units", "unit", "machine"};

std::string quoted(std::string_view text) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string shown = "\"";
  for (const char c : text.substr(0, kQuotedBytes)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && c != '"' && c != '\\') {
      shown.push_back(c);
    } else {
      shown += "\\x";
      shown.push_back(kHex[byte >> 4]);
      shown.push_back(kHex[byte & 0xf]);
    }
  }
  shown.push_back('"');
  if (text.size() > kQuotedBytes) shown += "...";
  return shown;
}

std::string fieldPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

const json::string& requireString(const json::object& object, std::string_view key,
                                  std::string_view parent) {
  const json::value& value = require(object, key, parent, "a string");
  if (!value.is_string()) badField(fieldPath(parent, key), "a string", &value);
  return value.get_string();
}

const json::array& requireArray(const json::object& object, std::string_view key,
                                std::string_view parent) {
  const json::value& value = require(object, key, parent, "an array");
  if (!value.is_array()) badField(fieldPath(parent, key), "an array", &value);
  return value.get_array();
}

const json::object& requireObject(const json::object& object, std::string_view key,
                                  std::string_view parent) {
  const json::value& value = require(object, key, parent, "an object");
  if (!value.is_object()) badField(fieldPath(parent, key), "an object", &value);
  return value.get_object();
}

std::int64_t readInteger(const json::object& object, std::string_view key, std::int64_t min,
                         std::int64_t max, std::optional<std::int64_t> fallback) {
  const std::string expected =
      "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  const json::value* value = object.if_contains(key);
  if (value == nullptr && fallback) return *fallback;
  if (value == nullptr || !value->is_number()) badField(key, expected, value);
  // to_number refuses fractions and values an int64 cannot hold, 1e400 included.
  json::error_code ec;
  const auto number = value->to_number<std::int64_t>(ec);
  if (ec || number < min || number > max) {
    throw ProtocolError(ErrorCode::bad_message, "field \"" + std::string(key) + "\" must be " +
                                                    expected + ", not " + json::serialize(*value));
  }
  return number;
}

bool readBool(const json::object& object, std::string_view key, bool fallback) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return fallback;
  if (!value->is_bool()) badField(key, "a boolean", value);
  return value->get_bool();
}

std::size_t readChoice(const json::object& object, std::string_view key,
                       std::span<const std::string_view> names, std::optional<std::size_t> fallback,
                       std::string_view parent) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr && fallback) return *fallback;
  if (value != nullptr && value->is_string()) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == value->get_string()) return i;
    }
  }
  std::string expected = "one of";
  for (const auto name : names)
    expected += (name == names.front() ? " \"" : ", \"") + std::string(name) + "\"";
  if (value == nullptr || !value->is_string()) badField(fieldPath(parent, key), expected, value);
  throw ProtocolError(ErrorCode::bad_message, "field \"" + fieldPath(parent, key) + "\" must be " +
                                                  expected + ", not " +
                                                  quoted(value->get_string()));
}

bool isRequestId(std::string_view text) {
  if (text.empty() || text.size() > kMaxIdBytes) return false;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7e) return false;
  }
  return true;
}

std::string requireRequestId(const json::object& object, std::string_view key) {
  constexpr std::string_view kExpected = "a string of 1 to 64 printable ASCII characters";
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) badField(key, kExpected, value);
  const std::string_view text = value->get_string();
  if (!isRequestId(text)) {
    throw ProtocolError(ErrorCode::bad_message, "field \"" + std::string(key) + "\" must be " +
                                                    std::string(kExpected) + ", not " +
                                                    quoted(text));
  }
  return std::string(text);
}

void requireUnitName(std::string_view name) {
  try {
    systemd::parseManagedUnitName(name);
  } catch (const systemd::UnitNameError& error) {
    throw ProtocolError(ErrorCode::bad_unit_name, error.what());
  }
}

}  // namespace deckhand::link::codec
