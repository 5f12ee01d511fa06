#pragma once
// The agent's own D-Bus service, org.deckhand.Agent1 (dbus/org.deckhand.Agent1.xml), on its own
// system bus connection driven by the agent's io_context (BusConnection): every method runs on the
// agent's thread, between its other events, and answers at once. The service knows nothing of the
// agent's modules: it asks an AgentModel, which the agent implements.

#include <sdbus-c++/IObject.h>
#include <sdbus-c++/IProxy.h>
#include <sdbus-c++/MethodResult.h>

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dbus/system_bus.hpp"

namespace deckhand::dbus {

inline constexpr const char* kAgentBusName = "org.deckhand.Agent1";
inline constexpr const char* kAgentObjectPath = "/org/deckhand/Agent1";
inline constexpr const char* kAgentInterface = "org.deckhand.Agent1";
inline constexpr const char* kNoSuchUnitError = "org.deckhand.Agent1.Error.NoSuchUnit";
inline constexpr const char* kInvalidMetadataError = "org.deckhand.Agent1.Error.InvalidMetadata";
inline constexpr const char* kFailedError = "org.deckhand.Agent1.Error.Failed";

struct AgentUnit {
  std::string name;
  std::string load_state;
  std::string active_state;
  std::string sub_state;
  std::string result;
  std::string desired;  // "" when the scheduler holds no desired state for it
  std::string hash;     // "" when the agent did not install it
  std::uint32_t main_pid = 0;
};

struct AgentContainer {
  std::string name;
  std::string image;
  std::string status;  // Docker's: running, exited, ...
  std::string unit;    // the unit that runs it
};

struct AgentSummary {
  std::string machine_id;
  std::string hostname;
  std::string public_ip;
  std::string os;
  std::string kernel;
  std::string architecture;
  std::uint32_t cpus = 0;
  std::uint64_t memory_bytes = 0;
  std::string systemd_version;
  std::map<std::string, std::string> metadata;
  std::string version;
  std::string scheduler_url;
  std::string connection_state;
  std::string connection_detail;
  bool systemd_connected = false;
};

// What the service shows and does; called on the agent's thread.
class AgentModel {
 public:
  virtual ~AgentModel() = default;
  virtual AgentSummary summary() const = 0;
  virtual std::vector<AgentUnit> units() const = 0;
  virtual std::optional<AgentUnit> unit(const std::string& name) const = 0;
  virtual std::vector<AgentContainer> containers() const = 0;
  virtual void reconcile() = 0;
  // Throws std::invalid_argument for metadata that breaks the grammar. Otherwise saves it, and
  // calls done once it is saved and applied (nullopt), or with why it could not be kept.
  virtual void setMetadata(const std::map<std::string, std::string>& metadata,
                           std::function<void(const std::optional<std::string>& error)> done) = 0;
};

class AgentService {
 public:
  AgentService(boost::asio::any_io_executor executor, AgentModel& model);
  ~AgentService();
  AgentService(const AgentService&) = delete;
  AgentService& operator=(const AgentService&) = delete;

  // Connects (and reconnects) to the system bus, serves the object and asks for the name.
  void start();

  void unitChanged(const AgentUnit& unit);
  void connectionChanged(const std::string& state, const std::string& detail);
  void metadataSaved(sdbus::Result<>& reply, const std::optional<std::string>& error);
  void metadataChanged();

 private:
  void up(BusConnection& bus);
  void down();
  void registerInterface();
  void requestName();

  AgentModel& model_;
  SystemBus bus_;
  BusConnection* connection_ = nullptr;  // while up
  std::unique_ptr<sdbus::IObject> object_;
  std::unique_ptr<sdbus::IProxy> bus_driver_;
};

}  // namespace deckhand::dbus
