#pragma once
// Property values read straight out of a D-Bus message: only the properties asked for, and only
// the simple types deckhand uses. sdbus-c++ 1.2 can read a value of unknown type only into a
// Variant, which copies it into a message of its own; for systemd's PropertiesChanged signals and
// GetAll replies, around 90 properties each, that copying was most of the agent's CPU while it
// watched a bulk start.

#include <systemd/sd-bus.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sdbus {
class Message;
}
#include <vector>

namespace deckhand::dbus {

// D-Bus b, i, u, t, s (also o and g), ay and (ss).
using PropertyValue = std::variant<bool, std::int32_t, std::uint32_t, std::uint64_t, std::string,
                                   std::vector<std::uint8_t>, std::pair<std::string, std::string>>;
using PropertyMap = std::map<std::string, PropertyValue, std::less<>>;
// Which properties to keep; the others are skipped unread.
using PropertyFilter = std::function<bool(std::string_view name)>;

// Reads the a{sv} at the message's read position. Values of another type than the above are
// skipped too. Throws sdbus::Error when the message holds something else.
PropertyMap readProperties(sd_bus_message* message, const PropertyFilter& wanted);

// What org.freedesktop.DBus.Properties.PropertiesChanged carries, the unwanted left out. The
// interface's name is skipped: the names of the properties tell deckhand all it needs.
struct PropertiesChanged {
  PropertyMap changed;
  std::vector<std::string> invalidated;  // names without a value: read them to know it
};
PropertiesChanged readPropertiesChanged(sd_bus_message* signal, const PropertyFilter& wanted);

// Reads the v at the message's read position; nullopt when its type is not one of the above.
std::optional<PropertyValue> readPropertyValue(sd_bus_message* message);

// The sd-bus message an sdbus::Message wraps: sdbus-c++ 1.2 cannot skip a value or read one whose
// type is known only at run time.
sd_bus_message* rawMessage(sdbus::Message& message);

// The value of name when it is there and a T.
template <typename T>
const T* findProperty(const PropertyMap& properties, std::string_view name) {
  const auto found = properties.find(name);
  return found == properties.end() ? nullptr : std::get_if<T>(&found->second);
}

}  // namespace deckhand::dbus
