// deckhandctl: the operator's command-line client. Exit codes: 0 success (or "yes"), 1 a clear
// "no" (a check that fails), 2 bad usage or input.

#include <cstring>
#include <iostream>
#include <string_view>

#include "ctl/check_command.hpp"
#include "ctl/cluster_command.hpp"

namespace {

constexpr const char* kUsage =
    "Usage: deckhandctl VERB [OPTIONS]\n\n"
    "Verbs:\n"
    "  check UNITFILE --machine MACHINE.json [--units LIST] [--json]\n"
    "        would that machine accept this unit? (constraints, offline)\n\n"
    "deckhandctl VERB --help shows a verb's options.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h") {
    std::cout << kUsage << "\n" << deckhand::ctl::kClusterUsage;
    return argc < 2 ? 2 : 0;
  }
  if (std::string_view(argv[1]) == "--version") {
    std::cout << "deckhandctl " << DECKHAND_VERSION << "\n";
    return 0;
  }
  if (std::string_view(argv[1]) == "check") return deckhand::ctl::runCheck(argc - 1, argv + 1);
  if (deckhand::ctl::isClusterVerb(argv[1])) return deckhand::ctl::runCluster(argc - 1, argv + 1);
  std::cerr << "deckhandctl: unknown verb \"" << argv[1] << "\"\n" << kUsage;
  return 2;
}
