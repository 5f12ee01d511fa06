#pragma once
// What every deckhandctl verb that talks to the agent shares: its command line (its own options
// plus --json and --help), and turning an unreachable agent into a message and an exit code.

#include <boost/program_options.hpp>
#include <functional>
#include <optional>
#include <string>

#include "ctl/agent_client.hpp"

namespace deckhand::ctl {

struct VerbSpec {
  std::string name;      // "list-units"
  std::string synopsis;  // "deckhandctl list-units [--json]"
  std::string summary;   // one line: what it shows, and its exit codes
  boost::program_options::options_description options{};  // beyond --json and --help
  boost::program_options::positional_options_description positional{};
  boost::program_options::options_description hidden{};  // the positional arguments' names
};

struct VerbLine {
  boost::program_options::variables_map values;
  bool json = false;
};

// nullopt when the verb is done: --help printed (exit_code 0) or a usage error reported
// (exit_code 2).
std::optional<VerbLine> parseVerb(const VerbSpec& spec, int argc, const char* const* argv,
                                  int& exit_code);

// Connects to the agent and runs body; an AgentError becomes "deckhandctl VERB: why" on stderr
// and its exit code.
int withAgent(const std::string& verb, const std::function<int(AgentClient&)>& body);

// Prints rows under a header in aligned columns, as systemctl list-units does.
void printTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

}  // namespace deckhand::ctl
