#include "ctl/agent_client.hpp"

#include <sdbus-c++/sdbus-c++.h>

#include "ctl/exit_codes.hpp"
#include "dbus/bus_connection.hpp"

namespace deckhand::ctl {
namespace {

using UnitRow = sdbus::Struct<std::string, std::string, std::string, std::string, std::string,
                              std::string, std::string, std::uint32_t>;
using ContainerStruct = sdbus::Struct<std::string, std::string, std::string, std::string>;

// A hung agent gets the watchdog; the operator should not wait for sd-bus's 25 s either.
constexpr std::chrono::seconds kCallTimeout{10};

dbus::AgentUnit unitOf(const UnitRow& row) {
  return {std::get<0>(row), std::get<1>(row), std::get<2>(row), std::get<3>(row),
          std::get<4>(row), std::get<5>(row), std::get<6>(row), std::get<7>(row)};
}

[[noreturn]] void rethrow(const sdbus::Error& error) {
  const auto& name = error.getName();
  if (name == dbus::kNoSuchUnitError)
    throw AgentError(AgentError::Kind::no_such_unit, error.getMessage());
  if (name == "org.freedesktop.DBus.Error.UnknownMethod") {
    throw AgentError(AgentError::Kind::unsupported, error.getMessage());
  }
  if (name.rfind("org.deckhand.", 0) == 0) {
    throw AgentError(AgentError::Kind::refused, error.getMessage());
  }
  std::string hint;
  if (name == "org.freedesktop.DBus.Error.ServiceUnknown" ||
      name == "org.freedesktop.DBus.Error.NameHasNoOwner") {
    hint = "; is deckhand.service running?";
  } else if (name == "org.freedesktop.DBus.Error.AccessDenied") {
    hint = "; the agent's methods are for root only";
  }
  throw AgentError(AgentError::Kind::unreachable,
                   std::string("cannot reach the deckhand agent (") + dbus::kAgentBusName +
                       ") on the system bus at " + dbus::systemBusAddress() + ": " +
                       error.getMessage() + hint);
}

template <typename T>
T property(sdbus::IProxy& proxy, const std::string& name) {
  try {
    return proxy.getProperty(name).onInterface(dbus::kAgentInterface).get<T>();
  } catch (const sdbus::Error& error) {
    rethrow(error);
  }
}

}  // namespace

AgentClient::AgentClient() {
  try {
    connection_ = sdbus::createSystemBusConnection();
    proxy_ = sdbus::createProxy(*connection_, dbus::kAgentBusName, dbus::kAgentObjectPath);
  } catch (const sdbus::Error& error) {
    rethrow(error);
  }
}

AgentClient::~AgentClient() = default;

dbus::AgentSummary AgentClient::summary() {
  std::map<std::string, sdbus::Variant> all;
  try {
    proxy_->callMethod("GetAll")
        .onInterface("org.freedesktop.DBus.Properties")
        .withTimeout(kCallTimeout)
        .withArguments(std::string(dbus::kAgentInterface))
        .storeResultsTo(all);
  } catch (const sdbus::Error& error) {
    rethrow(error);
  }
  const auto get = [&all]<typename T>(const std::string& name, T fallback) {
    const auto found = all.find(name);
    if (found == all.end() || !found->second.containsValueOfType<T>()) return fallback;
    return found->second.get<T>();
  };
  dbus::AgentSummary summary;
  summary.machine_id = get("MachineID", std::string());
  summary.hostname = get("Hostname", std::string());
  summary.public_ip = get("PublicIP", std::string());
  summary.os = get("OperatingSystem", std::string());
  summary.kernel = get("Kernel", std::string());
  summary.architecture = get("Architecture", std::string());
  summary.cpus = get("CPUs", std::uint32_t{0});
  summary.memory_bytes = get("MemoryBytes", std::uint64_t{0});
  summary.systemd_version = get("SystemdVersion", std::string());
  summary.metadata = get("Metadata", std::map<std::string, std::string>());
  summary.version = get("Version", std::string());
  summary.scheduler_url = get("SchedulerURL", std::string());
  summary.connection_state = get("ConnectionState", std::string());
  summary.connection_detail = get("ConnectionDetail", std::string());
  summary.systemd_connected = get("SystemdConnected", false);
  return summary;
}

std::map<std::string, std::uint32_t> AgentClient::unitCounts() {
  return property<std::map<std::string, std::uint32_t>>(*proxy_, "UnitCounts");
}

std::vector<dbus::AgentUnit> AgentClient::units() {
  std::vector<UnitRow> rows;
  try {
    proxy_->callMethod("ListUnits")
        .onInterface(dbus::kAgentInterface)
        .withTimeout(kCallTimeout)
        .storeResultsTo(rows);
  } catch (const sdbus::Error& error) {
    rethrow(error);
  }
  std::vector<dbus::AgentUnit> units;
  for (const auto& row : rows)
    units.push_back(unitOf(row));
  return units;
}

dbus::AgentUnit AgentClient::unit(const std::string& name) {
  UnitRow row;
  try {
    proxy_->callMethod("GetUnit")
        .onInterface(dbus::kAgentInterface)
        .withTimeout(kCallTimeout)
        .withArguments(name)
        .storeResultsTo(row);
  } catch (const sdbus::Error& error) {
    rethrow(error);
  }
  return unitOf(row);
}

std::vector<ContainerRow> AgentClient::containers() {
  std::vector<ContainerStruct> rows;
  try {
    proxy_->callMethod("ListContainers")
        .onInterface(dbus::kAgentInterface)
        .withTimeout(kCallTimeout)
        .storeResultsTo(rows);
  } catch (const sdbus::Error& error) {
    rethrow(error);
  }
  std::vector<ContainerRow> containers;
  for (const auto& row : rows)
    containers.push_back({std::get<0>(row), std::get<1>(row), std::get<2>(row), std::get<3>(row)});
  return containers;
}

int exitCodeOf(const AgentError& error) {
  switch (error.kind()) {
    case AgentError::Kind::no_such_unit:
      return kExitNo;
    case AgentError::Kind::unsupported:
      return kExitUnsupported;
    case AgentError::Kind::refused:
      return kExitUsage;
    case AgentError::Kind::unreachable:
      break;
  }
  return kExitUnreachable;
}

}  // namespace deckhand::ctl
