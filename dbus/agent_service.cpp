#include "dbus/agent_service.hpp"

#include <sdbus-c++/sdbus-c++.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace deckhand::dbus {
namespace {

using UnitRow = sdbus::Struct<std::string, std::string, std::string, std::string, std::string,
                              std::string, std::string, std::uint32_t>;

// RequestName's flag and answers (dbus-specification "org.freedesktop.DBus.RequestName").
constexpr std::uint32_t kDoNotQueue = 4;
constexpr std::uint32_t kPrimaryOwner = 1;
constexpr std::uint32_t kAlreadyOwner = 4;

UnitRow rowOf(const AgentUnit& unit) {
  return {unit.name,   unit.load_state, unit.active_state, unit.sub_state,
          unit.result, unit.desired,    unit.hash,         unit.main_pid};
}

// A method's failure becomes an error reply: anything else thrown out of a handler would leave
// processPendingRequest() and take the connection down.
template <typename Body>
decltype(auto) answering(Body body) {
  try {
    return body();
  } catch (const sdbus::Error&) {
    throw;
  } catch (const std::invalid_argument& error) {
    throw sdbus::Error(kInvalidMetadataError, error.what());
  } catch (const std::exception& error) {
    throw sdbus::Error(kFailedError, error.what());
  }
}

}  // namespace

AgentService::AgentService(boost::asio::any_io_executor executor, AgentModel& model)
    : model_(model),
      bus_(std::move(executor), {[this](BusConnection& bus) { up(bus); }, [this] { down(); }}) {}

AgentService::~AgentService() {
  down();
}

void AgentService::start() {
  bus_.start();
}

void AgentService::up(BusConnection& bus) {
  connection_ = &bus;
  try {
    registerInterface();
  } catch (const sdbus::Error& error) {
    spdlog::error("cannot serve {} on the system bus: {}", kAgentObjectPath, error.getMessage());
    object_.reset();
    return;
  }
  requestName();
}

void AgentService::down() {
  if (bus_driver_) bus_driver_->unregister();
  bus_driver_.reset();
  object_.reset();
  connection_ = nullptr;
}

void AgentService::registerInterface() {
  object_ = sdbus::createObject(connection_->connection(), kAgentObjectPath);
  auto& object = *object_;
  const auto summary = [this] { return model_.summary(); };
  object.registerProperty("MachineID").onInterface(kAgentInterface).withGetter([summary] {
    return summary().machine_id;
  });
  object.registerProperty("Hostname").onInterface(kAgentInterface).withGetter([summary] {
    return summary().hostname;
  });
  object.registerProperty("PublicIP").onInterface(kAgentInterface).withGetter([summary] {
    return summary().public_ip;
  });
  object.registerProperty("OperatingSystem").onInterface(kAgentInterface).withGetter([summary] {
    return summary().os;
  });
  object.registerProperty("Kernel").onInterface(kAgentInterface).withGetter([summary] {
    return summary().kernel;
  });
  object.registerProperty("Architecture").onInterface(kAgentInterface).withGetter([summary] {
    return summary().architecture;
  });
  object.registerProperty("CPUs").onInterface(kAgentInterface).withGetter([summary] {
    return summary().cpus;
  });
  object.registerProperty("MemoryBytes").onInterface(kAgentInterface).withGetter([summary] {
    return summary().memory_bytes;
  });
  object.registerProperty("SystemdVersion").onInterface(kAgentInterface).withGetter([summary] {
    return summary().systemd_version;
  });
  object.registerProperty("Metadata").onInterface(kAgentInterface).withGetter([summary] {
    return summary().metadata;
  });
  object.registerProperty("Version").onInterface(kAgentInterface).withGetter([summary] {
    return summary().version;
  });
  object.registerProperty("SchedulerURL").onInterface(kAgentInterface).withGetter([summary] {
    return summary().scheduler_url;
  });
  object.registerProperty("ConnectionState").onInterface(kAgentInterface).withGetter([summary] {
    return summary().connection_state;
  });
  object.registerProperty("ConnectionDetail").onInterface(kAgentInterface).withGetter([summary] {
    return summary().connection_detail;
  });
  object.registerProperty("SystemdConnected").onInterface(kAgentInterface).withGetter([summary] {
    return summary().systemd_connected;
  });
  object.registerProperty("UnitCounts").onInterface(kAgentInterface).withGetter([this] {
    std::map<std::string, std::uint32_t> counts{{"total", 0}};
    for (const auto& unit : model_.units()) {
      ++counts[unit.active_state.empty() ? "unknown" : unit.active_state];
      ++counts["total"];
    }
    return counts;
  });

  object.registerMethod("ListUnits")
      .onInterface(kAgentInterface)
      .withOutputParamNames("units")
      .implementedAs([this] {
        std::vector<UnitRow> rows;
        for (const auto& unit : model_.units())
          rows.push_back(rowOf(unit));
        return rows;
      });
  object.registerMethod("ListContainers")
      .onInterface(kAgentInterface)
      .withOutputParamNames("containers")
      .implementedAs([this] {
        std::vector<sdbus::Struct<std::string, std::string, std::string, std::string>> rows;
        for (const auto& container : model_.containers())
          rows.emplace_back(container.name, container.image, container.status, container.unit);
        return rows;
      });
  object.registerMethod("GetUnit")
      .onInterface(kAgentInterface)
      .withInputParamNames("name")
      .withOutputParamNames("unit")
      .implementedAs([this](const std::string& name) {
        const auto unit = model_.unit(name);
        if (!unit) {
          throw sdbus::Error(kNoSuchUnitError,
                             name +
                                 " is not one of deckhand's units (neither desired here nor "
                                 "installed by the agent)");
        }
        return rowOf(*unit);
      });
  object.registerMethod("Reconcile").onInterface(kAgentInterface).implementedAs([this] {
    answering([this] { model_.reconcile(); });
  });
  object.registerMethod("SetMetadata")
      .onInterface(kAgentInterface)
      .withInputParamNames("metadata")
      .implementedAs(
          [this](sdbus::Result<>&& result, const std::map<std::string, std::string>& metadata) {
            // Answered once the metadata is on disk, so a caller never sees a change a restart
            // undoes.
            auto reply = std::make_shared<sdbus::Result<>>(std::move(result));
            answering([&] {
              model_.setMetadata(metadata, [this, reply](const std::optional<std::string>& error) {
                metadataSaved(*reply, error);
              });
            });
          });

  object.registerSignal("UnitStateChanged")
      .onInterface(kAgentInterface)
      .withParameters<std::string, std::string, std::string, std::string, std::string>(
          "name", "load_state", "active_state", "sub_state", "result");
  object.registerSignal("ConnectionChanged")
      .onInterface(kAgentInterface)
      .withParameters<std::string, std::string>("state", "detail");
  object.finishRegistration();
}

void AgentService::requestName() {
  bus_driver_ = sdbus::createProxy(connection_->connection(), "org.freedesktop.DBus",
                                   "/org/freedesktop/DBus");
  connection_->call([this] {
    bus_driver_->callMethodAsync("RequestName")
        .onInterface("org.freedesktop.DBus")
        .withArguments(std::string(kAgentBusName), kDoNotQueue)
        .uponReplyInvoke([this](const sdbus::Error* error, std::uint32_t answer) {
          if (connection_ != nullptr) connection_->replied();
          // The agent runs on without its D-Bus API: deckhandctl is what stops working.
          if (error != nullptr) {
            spdlog::warn(
                "cannot own {} on the system bus: {} (is the D-Bus policy "
                "org.deckhand.Agent1.conf installed?)",
                kAgentBusName, error->getMessage());
          } else if (answer != kPrimaryOwner && answer != kAlreadyOwner) {
            spdlog::warn(
                "cannot own {} on the system bus: another process holds it (is a "
                "second deckhand running?)",
                kAgentBusName);
          } else {
            spdlog::info("serving {} on the system bus", kAgentBusName);
          }
        });
  });
}

void AgentService::unitChanged(const AgentUnit& unit) {
  if (!object_) return;
  try {
    object_->emitSignal("UnitStateChanged")
        .onInterface(kAgentInterface)
        .withArguments(unit.name, unit.load_state, unit.active_state, unit.sub_state, unit.result);
  } catch (const sdbus::Error& error) {
    spdlog::debug("D-Bus signal for {} not sent: {}", unit.name, error.getMessage());
  }
  connection_->kick();
}

void AgentService::connectionChanged(const std::string& state, const std::string& detail) {
  if (!object_) return;
  try {
    object_->emitSignal("ConnectionChanged")
        .onInterface(kAgentInterface)
        .withArguments(state, detail);
    object_->emitPropertiesChangedSignal(kAgentInterface, {"ConnectionState", "ConnectionDetail"});
  } catch (const sdbus::Error& error) {
    spdlog::debug("D-Bus signal ConnectionChanged not sent: {}", error.getMessage());
  }
  connection_->kick();
}

void AgentService::metadataSaved(sdbus::Result<>& reply, const std::optional<std::string>& error) {
  try {
    if (error) {
      reply.returnError(sdbus::Error(kFailedError, "metadata not changed: " + *error));
    } else {
      reply.returnResults();
    }
  } catch (const sdbus::Error& failure) {
    spdlog::debug("SetMetadata's answer not sent: {}", failure.getMessage());
  }
  if (!error) return metadataChanged();
  if (connection_ != nullptr) connection_->kick();
}

void AgentService::metadataChanged() {
  if (!object_) return;
  try {
    object_->emitPropertiesChangedSignal(kAgentInterface, {"Metadata"});
  } catch (const sdbus::Error& error) {
    spdlog::debug("D-Bus PropertiesChanged for Metadata not sent: {}", error.getMessage());
  }
  connection_->kick();
}

}  // namespace deckhand::dbus
