#include "ctl/machine_command.hpp"

#include <boost/json.hpp>
#include <iostream>

#include "ctl/exit_codes.hpp"
#include "ctl/verb_line.hpp"

namespace deckhand::ctl {
namespace {

std::string metadataText(const std::map<std::string, std::string>& metadata) {
  std::string text;
  for (const auto& [key, value] : metadata)
    text += (text.empty() ? "" : ",") + key + "=" + value;
  return text.empty() ? "-" : text;
}

std::string mebibytes(std::uint64_t bytes) {
  return std::to_string(bytes / (1024 * 1024)) + " MiB";
}

}  // namespace

int runMachine(int argc, const char* const* argv) {
  const VerbSpec spec{"machine", "deckhandctl machine [--json]",
                      "What the agent reports about this machine to the scheduler (the facts "
                      "[X-Fleet] constraints match).\nExit 0, or 3 when the agent is unreachable."};
  int exit_code = kExitOk;
  const auto line = parseVerb(spec, argc, argv, exit_code);
  if (!line) return exit_code;
  return withAgent(spec.name, [&](AgentClient& agent) {
    const auto m = agent.summary();
    if (line->json) {
      boost::json::object metadata;
      for (const auto& [key, value] : m.metadata)
        metadata[key] = value;
      std::cout << boost::json::serialize(
                       boost::json::object{{"machine_id", m.machine_id},
                                           {"hostname", m.hostname},
                                           {"public_ip", m.public_ip},
                                           {"os", m.os},
                                           {"kernel", m.kernel},
                                           {"architecture", m.architecture},
                                           {"cpus", m.cpus},
                                           {"memory_bytes", m.memory_bytes},
                                           {"systemd_version", m.systemd_version},
                                           {"agent_version", m.version},
                                           {"metadata", metadata}})
                << "\n";
      return kExitOk;
    }
    printTable({"FACT", "VALUE"}, {{"machine ID", m.machine_id},
                                   {"host name", m.hostname},
                                   {"public IP", m.public_ip.empty() ? "-" : m.public_ip},
                                   {"OS", m.os},
                                   {"kernel", m.kernel + " (" + m.architecture + ")"},
                                   {"CPUs", std::to_string(m.cpus)},
                                   {"memory", mebibytes(m.memory_bytes)},
                                   {"systemd", m.systemd_version},
                                   {"agent", "deckhand " + m.version},
                                   {"metadata", metadataText(m.metadata)}});
    return kExitOk;
  });
}

}  // namespace deckhand::ctl
