#include "dbus/property_values.hpp"

#include <sdbus-c++/Error.h>
#include <sdbus-c++/Message.h>
#include <systemd/sd-bus.h>

#include <cerrno>
#include <cstring>

namespace deckhand::dbus {
namespace {

// sdbus::Message keeps its sd_bus_message in a protected member, reached through a pointer to
// member formed in a derived class.
struct RawMessage : sdbus::Message {
  static sd_bus_message* of(sdbus::Message& message) {
    return static_cast<sd_bus_message*>(message.*(&RawMessage::msg_));
  }
};

int check(int result, const char* what) {
  if (result < 0) {
    throw sdbus::Error(SD_BUS_ERROR_INVALID_ARGS,
                       std::string("cannot read ") + what + ": " + std::strerror(-result));
  }
  return result;
}

template <typename T>
T readBasic(sd_bus_message* message, char type) {
  T value{};
  check(sd_bus_message_read_basic(message, type, &value), "a property value");
  return value;
}

std::string readString(sd_bus_message* message, char type) {
  const char* text = nullptr;
  check(sd_bus_message_read_basic(message, type, &text), "a property's text");
  return text;
}

std::vector<std::uint8_t> readBytes(sd_bus_message* message) {
  const void* bytes = nullptr;
  std::size_t size = 0;
  check(sd_bus_message_read_array(message, 'y', &bytes, &size), "a property's bytes");
  const auto* first = static_cast<const std::uint8_t*>(bytes);
  return {first, first + size};
}

std::pair<std::string, std::string> readStringPair(sd_bus_message* message) {
  check(sd_bus_message_enter_container(message, SD_BUS_TYPE_STRUCT, "ss"), "a property's (ss)");
  auto first = readString(message, SD_BUS_TYPE_STRING);
  auto second = readString(message, SD_BUS_TYPE_STRING);
  check(sd_bus_message_exit_container(message), "a property's (ss)");
  return {std::move(first), std::move(second)};
}

bool readable(std::string_view signature) {
  for (const std::string_view known : {"b", "i", "u", "t", "s", "o", "g", "ay", "(ss)"}) {
    if (signature == known) return true;
  }
  return false;
}

// The contents of a variant whose signature is readable(); the read position is inside it.
PropertyValue readContents(sd_bus_message* message, std::string_view signature) {
  switch (signature[0]) {
    case 'b':
      return readBasic<int>(message, SD_BUS_TYPE_BOOLEAN) != 0;
    case 'i':
      return readBasic<std::int32_t>(message, SD_BUS_TYPE_INT32);
    case 'u':
      return readBasic<std::uint32_t>(message, SD_BUS_TYPE_UINT32);
    case 't':
      return readBasic<std::uint64_t>(message, SD_BUS_TYPE_UINT64);
    case 'a':
      return readBytes(message);
    case '(':
      return readStringPair(message);
    default:
      return readString(message, signature[0]);
  }
}

}  // namespace

std::optional<PropertyValue> readPropertyValue(sd_bus_message* message) {
  char type = 0;
  const char* contents = nullptr;
  check(sd_bus_message_peek_type(message, &type, &contents), "a property's type");
  if (type != SD_BUS_TYPE_VARIANT || contents == nullptr) check(-EINVAL, "a property's variant");
  if (!readable(contents)) {
    check(sd_bus_message_skip(message, "v"), "a property of another type");
    return std::nullopt;
  }
  check(sd_bus_message_enter_container(message, SD_BUS_TYPE_VARIANT, contents), "a property");
  auto value = readContents(message, contents);
  check(sd_bus_message_exit_container(message), "a property");
  return value;
}

PropertyMap readProperties(sd_bus_message* message, const PropertyFilter& wanted) {
  PropertyMap properties;
  check(sd_bus_message_enter_container(message, SD_BUS_TYPE_ARRAY, "{sv}"), "properties");
  while (
      check(sd_bus_message_enter_container(message, SD_BUS_TYPE_DICT_ENTRY, "sv"), "a property")) {
    const char* name = nullptr;
    check(sd_bus_message_read_basic(message, SD_BUS_TYPE_STRING, &name), "a property's name");
    if (wanted(name)) {
      if (auto value = readPropertyValue(message)) properties.emplace(name, std::move(*value));
    } else {
      check(sd_bus_message_skip(message, "v"), "a property");
    }
    check(sd_bus_message_exit_container(message), "a property");
  }
  check(sd_bus_message_exit_container(message), "properties");
  return properties;
}

PropertiesChanged readPropertiesChanged(sd_bus_message* signal, const PropertyFilter& wanted) {
  PropertiesChanged read;
  check(sd_bus_message_skip(signal, "s"), "the interface's name");
  read.changed = readProperties(signal, wanted);
  check(sd_bus_message_enter_container(signal, SD_BUS_TYPE_ARRAY, "s"), "invalidated properties");
  const char* name = nullptr;
  while (check(sd_bus_message_read_basic(signal, SD_BUS_TYPE_STRING, &name), "a property's name")) {
    if (wanted(name)) read.invalidated.emplace_back(name);
  }
  check(sd_bus_message_exit_container(signal), "invalidated properties");
  return read;
}

sd_bus_message* rawMessage(sdbus::Message& message) {
  return RawMessage::of(message);
}

}  // namespace deckhand::dbus
