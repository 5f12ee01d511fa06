#include "ctl/journal_command.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <ctime>
#include <iostream>

#include "ctl/exit_codes.hpp"
#include "ctl/verb_line.hpp"
#include "systemd/journal_reader.hpp"
#include "systemd/unit_name.hpp"

// The journal is read here, from the local journal files (as journalctl does), not through the
// agent: it works while the agent is down or restarting, which is when it is needed most, and
// following needs no stream over D-Bus. Reading needs root or the systemd-journal group.

namespace deckhand::ctl {
namespace {

namespace po = boost::program_options;

std::string isoTime(std::uint64_t usec) {
  const std::time_t seconds = static_cast<std::time_t>(usec / 1'000'000);
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S%z", &local);
  return text;
}

void print(const std::vector<systemd::JournalEntry>& entries, bool json) {
  for (const auto& entry : entries) {
    if (json) {
      std::cout << boost::json::serialize(boost::json::object{{"usec", entry.usec},
                                                              {"priority", entry.priority},
                                                              {"message", entry.message}})
                << "\n";
    } else {
      std::cout << isoTime(entry.usec) << " " << entry.message << "\n";
    }
  }
  std::cout.flush();
}

}  // namespace

int runJournal(int argc, const char* const* argv) {
  VerbSpec spec{"journal", "deckhandctl journal UNIT [-n N] [-f] [--json]",
                "A unit's lines from the local journal, as journalctl -u shows them (read "
                "directly, so it works while the agent is down).\n"
                "Exit 0, 2 bad usage, 1 when the journal cannot be read."};
  spec.options.add_options()("lines,n", po::value<int>()->default_value(10)->value_name("N"),
                             "show the last N lines")("follow,f",
                                                      "keep printing new lines until interrupted");
  spec.hidden.add_options()("unit", po::value<std::string>());
  spec.positional.add("unit", 1);
  int exit_code = kExitOk;
  const auto line = parseVerb(spec, argc, argv, exit_code);
  if (!line) return exit_code;
  if (!line->values.count("unit")) {
    std::cerr << "deckhandctl journal: needs UNIT; see deckhandctl journal --help\n";
    return kExitUsage;
  }
  const auto unit = line->values["unit"].as<std::string>();
  const int lines = line->values["lines"].as<int>();
  if (lines < 0) {
    std::cerr << "deckhandctl journal: -n takes a count of lines, 0 or more\n";
    return kExitUsage;
  }
  try {
    systemd::parseUnitName(unit);
  } catch (const systemd::UnitNameError& error) {
    std::cerr << "deckhandctl journal: " << error.what() << "\n";
    return kExitUsage;
  }
  boost::asio::io_context io;
  try {
    systemd::JournalReader reader(io.get_executor(), unit);
    print(reader.tail(lines), line->json);
    if (!line->values.count("follow")) return kExitOk;
    reader.follow(
        [json = line->json](std::vector<systemd::JournalEntry> entries) { print(entries, json); });
    boost::asio::signal_set stop(io, SIGINT, SIGTERM);
    stop.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
    io.run();
  } catch (const std::runtime_error& error) {
    std::cerr << "deckhandctl journal: " << error.what() << "\n";
    return kExitNo;
  }
  return kExitOk;
}

}  // namespace deckhand::ctl
