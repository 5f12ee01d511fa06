#include "ctl/cluster_wait.hpp"

#include <boost/json.hpp>
#include <iostream>
#include <thread>

#include "ctl/cluster_tables.hpp"
#include "ctl/exit_codes.hpp"

namespace deckhand::ctl {
namespace {

namespace json = boost::json;

constexpr auto kPollInterval = std::chrono::milliseconds(250);

// Whether every machine the unit is placed on reports the state its target asks for; for
// inactive, whether it is placed nowhere and no connected machine holds it any more.
bool reached(const ClusterEndpoint& endpoint, const std::string& name, const json::object& unit) {
  const auto target = unit.at("target").as_string();
  const auto& machines = unit.at("machines").as_array();
  const auto& states = unit.at("states").as_object();
  if (target == "inactive") {
    if (!machines.empty()) return false;
    const auto holders = holdersOf(endpoint, name);
    if (!holders.connected.empty()) return false;
    noteDisconnected(name, holders);
    return true;
  }
  if (machines.empty()) return false;
  for (const auto& id : machines) {
    const auto* state = states.if_contains(id.as_string());
    if (state == nullptr) return false;
    const auto& report = state->as_object();
    const auto* desired = report.if_contains("desired");
    if (desired == nullptr || !desired->is_string() || desired->get_string() != target)
      return false;
    const auto active = report.at("active_state").as_string();
    if (target == "launched" && active != "active") return false;
    if (target == "loaded" &&
        (report.at("load_state").as_string() != "loaded" || active == "active")) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string unitPath(const std::string& name) {
  return "/v1/units/" + name;
}

int waitForTargets(const ClusterEndpoint& endpoint, const std::vector<std::string>& names,
                   std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& name : names) {
    for (;;) {
      const auto unit = callCluster(endpoint, "GET", unitPath(name));
      if (reached(endpoint, name, unit.as_object())) break;
      if (std::chrono::steady_clock::now() > deadline) {
        std::cerr << "deckhandctl: " << name << " did not reach its state within "
                  << timeout.count() << "s (--block-timeout); now:\n";
        printStatus(std::cerr, unit, callCluster(endpoint, "GET", "/v1/machines"));
        return kExitNo;
      }
      std::this_thread::sleep_for(kPollInterval);
    }
  }
  return 0;
}

Holders holdersOf(const ClusterEndpoint& endpoint, const std::string& name) {
  Holders holders;
  const auto answer = callCluster(endpoint, "GET", unitPath(name) + "/states");
  for (const auto& [id, state] : answer.at("states").as_object()) {
    const auto* connected = state.as_object().if_contains("connected");
    const bool is_connected = connected != nullptr && connected->is_bool() && connected->get_bool();
    (is_connected ? holders.connected : holders.disconnected).push_back(std::string(id));
  }
  return holders;
}

Holders waitUntilGone(const ClusterEndpoint& endpoint, const std::string& name,
                      std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto holders = holdersOf(endpoint, name);
    if (holders.connected.empty() || std::chrono::steady_clock::now() > deadline) return holders;
    std::this_thread::sleep_for(kPollInterval);
  }
}

void noteDisconnected(const std::string& name, const Holders& holders) {
  if (holders.disconnected.empty()) return;
  std::cerr << "deckhandctl: " << name << " is left on disconnected machine(s) "
            << shortIds(holders.disconnected) << "; removed when they connect again\n";
}

std::string shortIds(const std::vector<std::string>& ids) {
  std::string text;
  for (const auto& id : ids)
    text += (text.empty() ? "" : ", ") + id.substr(0, 8);
  return text;
}

}  // namespace deckhand::ctl
