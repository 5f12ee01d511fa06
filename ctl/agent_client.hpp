#pragma once
// deckhandctl's side of org.deckhand.Agent1 (dbus/org.deckhand.Agent1.xml): blocking calls, fine
// for a command that asks once and exits. Every failure is an AgentError naming what failed.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dbus/agent_service.hpp"

namespace sdbus {
class IConnection;
class IProxy;
}  // namespace sdbus

namespace deckhand::ctl {

class AgentError : public std::runtime_error {
 public:
  enum class Kind {
    unreachable,  // no agent on the bus, access denied, timeout
    no_such_unit,
    unsupported,  // the agent has no such method (an older agent)
    refused,      // the agent answered with an error (bad input and the like)
  };
  AgentError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

struct ContainerRow {
  std::string name;
  std::string image;
  std::string state;
  std::string unit;
};

class AgentClient {
 public:
  // Connects to the system bus (DBUS_SYSTEM_BUS_ADDRESS when set). Throws AgentError.
  AgentClient();
  ~AgentClient();

  dbus::AgentSummary summary();
  std::map<std::string, std::uint32_t> unitCounts();
  std::vector<dbus::AgentUnit> units();
  dbus::AgentUnit unit(const std::string& name);
  std::vector<ContainerRow> containers();

 private:
  std::unique_ptr<sdbus::IConnection> connection_;
  std::unique_ptr<sdbus::IProxy> proxy_;
};

// The exit code that goes with an AgentError.
int exitCodeOf(const AgentError& error);

}  // namespace deckhand::ctl
