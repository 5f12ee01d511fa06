#include "dbus/unit_properties.hpp"

#include <sdbus-c++/sdbus-c++.h>

#include <boost/asio/post.hpp>

namespace deckhand::dbus {
namespace {

constexpr std::string_view kUnitPathPrefix = "/org/freedesktop/systemd1/unit/";
constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kManagerInterface = "org.freedesktop.systemd1.Manager";

bool isLetter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

int hexValue(char c) {
  if (isDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string unitObjectPath(std::string_view unit) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string path(kUnitPathPrefix);
  if (unit.empty()) return path + "_";
  for (std::size_t i = 0; i < unit.size(); ++i) {
    const char c = unit[i];
    if (isLetter(c) || (i > 0 && isDigit(c))) {
      path.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      path.push_back('_');
      path.push_back(kHex[byte >> 4]);
      path.push_back(kHex[byte & 0xf]);
    }
  }
  return path;
}

std::optional<std::string> unitNameFromObjectPath(std::string_view path) {
  if (!path.starts_with(kUnitPathPrefix)) return std::nullopt;
  path.remove_prefix(kUnitPathPrefix.size());
  std::string unit;
  unit.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '_') {
      unit.push_back(path[i]);
      continue;
    }
    if (i + 2 >= path.size()) return std::nullopt;
    const int high = hexValue(path[i + 1]);
    const int low = hexValue(path[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    unit.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return unit;
}

UnitProperties::UnitProperties(BusConnection& bus, PropertyFilter wanted, UnitFilter watched,
                               ChangeHandler on_change)
    : bus_(bus),
      wanted_(std::move(wanted)),
      manager_(sdbus::createProxy(bus.connection(), kService, kManagerPath)) {
  match_ = bus.connection().addMatch(
      kUnitsChangedRule, [this, watched = std::move(watched),
                          on_change = std::move(on_change)](sdbus::Message& message) {
        sd_bus_message* signal = rawMessage(message);
        const auto unit = unitNameFromObjectPath(sd_bus_message_get_path(signal));
        if (!unit || !watched(*unit)) return;
        on_change(*unit, readPropertiesChanged(signal, wanted_));
      });
  bus_.kick();
}

UnitProperties::~UnitProperties() {
  *alive_ = false;
}

void UnitProperties::getAll(const std::string& unit, const std::string& interface,
                            Reply<PropertyMap> reply) {
  call(unit, "GetAll", {interface}, std::move(reply));
}

void UnitProperties::get(const std::string& unit, const std::string& interface,
                         const std::string& property, Reply<PropertyMap> reply) {
  call(unit, "Get", {interface, property}, std::move(reply));
}

void UnitProperties::list(const std::vector<std::string>& units,
                          Reply<std::vector<ListedUnit>> reply) {
  // name, description, load, active, sub, following, object, job id, job type, job object
  using Entry =
      sdbus::Struct<std::string, std::string, std::string, std::string, std::string, std::string,
                    sdbus::ObjectPath, std::uint32_t, std::string, sdbus::ObjectPath>;
  bus_.call([this, units, reply = std::move(reply)] {
    manager_->callMethodAsync("ListUnitsByNames")
        .onInterface(kManagerInterface)
        .withArguments(units)
        .uponReplyInvoke(
            [this, reply](const sdbus::Error* error, const std::vector<Entry>& entries) {
              bus_.replied();
              if (error != nullptr) return reply(errorOf(error), {});
              std::vector<ListedUnit> listed;
              listed.reserve(entries.size());
              for (const auto& entry : entries) {
                listed.push_back({std::get<0>(entry), std::get<2>(entry), std::get<3>(entry),
                                  std::get<4>(entry)});
              }
              reply(std::nullopt, std::move(listed));
            });
  });
}

void UnitProperties::call(const std::string& unit, const char* method,
                          std::vector<std::string> arguments, Reply<PropertyMap> reply) {
  bus_.call([this, unit, method, arguments = std::move(arguments), reply = std::move(reply),
             alive = alive_] {
    in_flight_.push_front(sdbus::createProxy(bus_.connection(), kService, unitObjectPath(unit)));
    const auto proxy = in_flight_.begin();
    auto message = (*proxy)->createMethodCall("org.freedesktop.DBus.Properties", method);
    for (const auto& argument : arguments)
      message << argument;
    const bool single = arguments.size() == 2;
    const std::string property = single ? arguments[1] : "";
    (*proxy)->callMethod(
        message,
        [this, proxy, reply, single, property, alive](sdbus::MethodReply& answer,
                                                      const sdbus::Error* error) {
          bus_.replied();
          if (error != nullptr) {
            reply(errorOf(error), {});
          } else {
            PropertyMap properties;
            if (!single) {
              properties = readProperties(rawMessage(answer), wanted_);
            } else if (auto value = readPropertyValue(rawMessage(answer))) {
              properties.emplace(property, std::move(*value));
            }
            reply(std::nullopt, properties);
          }
          // The proxy is still running this callback: drop it once the callback has returned.
          boost::asio::post(bus_.executor(), [this, proxy, alive] {
            if (*alive) in_flight_.erase(proxy);
          });
        },
        0);
  });
}

}  // namespace deckhand::dbus
