#include "ctl/list_containers_command.hpp"

#include <boost/json.hpp>
#include <iostream>

#include "ctl/exit_codes.hpp"
#include "ctl/verb_line.hpp"

namespace deckhand::ctl {

int runListContainers(int argc, const char* const* argv) {
  const VerbSpec spec{"list-containers", "deckhandctl list-containers [--json]",
                      "The Docker containers the agent manages.\n"
                      "Exit 0, 3 when the agent is unreachable, 4 when this agent does not "
                      "manage containers."};
  int exit_code = kExitOk;
  const auto line = parseVerb(spec, argc, argv, exit_code);
  if (!line) return exit_code;
  return withAgent(spec.name, [&](AgentClient& agent) {
    std::vector<ContainerRow> containers;
    try {
      containers = agent.containers();
    } catch (const AgentError& error) {
      if (error.kind() != AgentError::Kind::unsupported) throw;
      std::cerr << "deckhandctl list-containers: this agent does not manage containers (no "
                   "ListContainers method on org.deckhand.Agent1)\n";
      return kExitUnsupported;
    }
    if (line->json) {
      boost::json::array rows;
      for (const auto& c : containers)
        rows.push_back(
            {{"name", c.name}, {"image", c.image}, {"state", c.state}, {"unit", c.unit}});
      std::cout << boost::json::serialize(rows) << "\n";
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : containers)
      rows.push_back({c.name, c.image, c.state, c.unit.empty() ? "-" : c.unit});
    printTable({"CONTAINER", "IMAGE", "STATE", "UNIT"}, rows);
    std::cout << "\n"
              << containers.size() << (containers.size() == 1 ? " container.\n" : " containers.\n");
    return kExitOk;
  });
}

}  // namespace deckhand::ctl
