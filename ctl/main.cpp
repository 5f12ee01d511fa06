// deckhandctl: the operator's command-line client. Exit codes (ctl/exit_codes.hpp): 0 success,
// 1 a clear "no", 2 bad usage or input, 3 the agent is unreachable, 4 not offered by the agent.

#include <iostream>
#include <string_view>

#include "ctl/check_command.hpp"
#include "ctl/cluster_command.hpp"
#include "ctl/exit_codes.hpp"
#include "ctl/journal_command.hpp"
#include "ctl/list_containers_command.hpp"
#include "ctl/list_units_command.hpp"
#include "ctl/machine_command.hpp"
#include "ctl/status_command.hpp"

namespace {

struct Verb {
  std::string_view name;
  std::string_view synopsis;
  std::string_view summary;
  int (*run)(int argc, const char* const* argv);
};

// One row per verb: the usage text and the dispatch both come from here.
constexpr Verb kVerbs[] = {
    {"status", "status [--json]", "the agent's health: systemd, scheduler link, units",
     deckhand::ctl::runStatus},
    {"list-units", "list-units [--json]", "the agent's units and their state",
     deckhand::ctl::runListUnits},
    {"list-containers", "list-containers [--json]", "the containers the agent manages",
     deckhand::ctl::runListContainers},
    {"machine", "machine [--json]", "what the agent reports about this machine",
     deckhand::ctl::runMachine},
    {"journal", "journal UNIT [-n N] [-f] [--json]", "a unit's journal lines",
     deckhand::ctl::runJournal},
    {"check", "check UNITFILE --machine MACHINE.json [--units LIST] [--json]",
     "would that machine accept this unit? (constraints, offline)", deckhand::ctl::runCheck},
    {"cluster", "cluster VERB [OPTIONS]",
     "fleetctl's verbs against deckhand-scheduler (deckhandctl cluster --help)",
     deckhand::ctl::runClusterVerb},
};

void printUsage(std::ostream& out) {
  out << "Usage: deckhandctl VERB [OPTIONS]\n\nVerbs:\n";
  for (const auto& verb : kVerbs)
    out << "  " << verb.synopsis << "\n        " << verb.summary << "\n";
  out << "\ndeckhandctl VERB --help shows a verb's options. Exit codes: 0 success, 1 a clear "
         "\"no\",\n2 bad usage or input, 3 the agent is unreachable, 4 not offered by the agent.\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h") {
    printUsage(std::cout);
    return argc < 2 ? deckhand::ctl::kExitUsage : deckhand::ctl::kExitOk;
  }
  if (std::string_view(argv[1]) == "--version") {
    std::cout << "deckhandctl " << DECKHAND_VERSION << "\n";
    return deckhand::ctl::kExitOk;
  }
  for (const auto& verb : kVerbs) {
    if (verb.name == argv[1]) return verb.run(argc - 1, argv + 1);
  }
  std::cerr << "deckhandctl: unknown verb \"" << argv[1] << "\"\n";
  printUsage(std::cerr);
  return deckhand::ctl::kExitUsage;
}
