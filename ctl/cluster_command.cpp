// The cluster verbs: arguments, the API calls, and waiting until units reach their state.

#include "ctl/cluster_command.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "common/token_file.hpp"
#include "ctl/cluster_client.hpp"
#include "ctl/cluster_tables.hpp"
#include "ctl/cluster_wait.hpp"
#include "ctl/exit_codes.hpp"

namespace deckhand::ctl {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

// The agent verbs' codes, read for the cluster: the scheduler refused, could not be reached, or a
// unit did not reach its state in time.
constexpr int kExitFailed = kExitNo;

const std::vector<std::string_view> kVerbs = {
    "submit",        "load",    "start",      "stop",
    "unload",        "destroy", "list-units", "list-unit-files",
    "list-machines", "status",  "journal",    "submit-container"};

class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct Arguments {
  std::string verb;
  std::vector<std::string> units;
  ClusterEndpoint endpoint;
  bool json = false;
  bool no_block = false;
  bool replace = false;
  bool follow = false;
  int lines = 10;
  std::chrono::seconds block_timeout{60};
};

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw ClusterError("cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int number(const std::string& option, const std::string& value) {
  try {
    std::size_t used = 0;
    const int parsed = std::stoi(value, &used);
    if (used == value.size() && parsed > 0) return parsed;
  } catch (const std::logic_error&) {
  }
  throw UsageError(option + " " + value + ": expected a positive number");
}

Arguments parseArguments(int argc, const char* const* argv) {
  Arguments args;
  args.verb = argv[0];
  std::string endpoint = "http://127.0.0.1:7480";
  std::string token_file;
  std::string ca_file;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--json") {
      args.json = true;
    } else if (arg == "--no-block") {
      args.no_block = true;
    } else if (arg == "--replace") {
      args.replace = true;
    } else if (arg == "--follow" || arg == "-f") {
      args.follow = true;
    } else if (arg == "--endpoint") {
      endpoint = value();
    } else if (arg == "--token-file") {
      token_file = value();
    } else if (arg == "--ca-file") {
      ca_file = value();
    } else if (arg == "--lines" || arg == "-n") {
      args.lines = number(arg, value());
    } else if (arg == "--block-timeout") {
      args.block_timeout = std::chrono::seconds(number(arg, value()));
    } else if (arg.starts_with("-")) {
      throw UsageError("unknown option " + arg + " for " + args.verb);
    } else {
      args.units.push_back(arg);
    }
  }
  try {
    args.endpoint = parseEndpoint(endpoint);
  } catch (const ClusterError& error) {
    throw UsageError(std::string("--endpoint: ") + error.what());
  }
  if (!ca_file.empty()) {
    if (!args.endpoint.https) {
      throw UsageError("--ca-file is for an https:// --endpoint; " + endpoint + " is plain HTTP");
    }
    args.endpoint.ca_file = ca_file;
  }
  if (!token_file.empty()) {
    try {
      args.endpoint.token = readTokenFile(token_file);
    } catch (const TokenFileError& error) {
      throw UsageError(std::string("--token-file: ") + error.what());
    }
  }
  const bool lists = args.verb.starts_with("list-");
  if (lists && !args.units.empty()) throw UsageError(args.verb + " takes no unit names");
  if (!lists && args.units.empty()) throw UsageError(args.verb + " needs at least one unit");
  if ((args.verb == "status" || args.verb == "journal") && args.units.size() != 1) {
    throw UsageError(args.verb + " takes one unit");
  }
  if (args.follow && args.verb != "journal") throw UsageError("--follow is for journal only");
  return args;
}

// A file argument (fleetctl's "start ./web.service") is submitted under its file name.
std::string submitIfFile(const Arguments& args, const std::string& arg, bool always) {
  const fs::path path(arg);
  if (!always && arg.find('/') == std::string::npos && !fs::is_regular_file(path)) return arg;
  const auto name = path.filename().string();
  callCluster(args.endpoint, "PUT", unitPath(name),
              json::serialize(json::object{{"text", readFile(path)}, {"replace", args.replace}}));
  return name;
}

// A container spec file (docs/protocol.md, "Containers"): the container is its "name", or the
// file's name without .json. Returns the scheduler's answer: its unit, deckhand-NAME.service.
json::object submitContainer(const Arguments& args, const std::string& arg) {
  const fs::path path(arg);
  std::error_code error;
  auto spec = json::parse(readFile(path), error);
  if (error || !spec.is_object()) {
    throw ClusterError(arg + ": not a JSON object; expected a container spec (docs/protocol.md)");
  }
  std::string name = path.stem().string();
  if (const auto* named = spec.as_object().if_contains("name"); named && named->is_string()) {
    name = std::string(named->get_string());
  }
  return callCluster(args.endpoint, "POST", "/v1/containers",
                     json::serialize(
                         json::object{{"name", name}, {"spec", spec}, {"replace", args.replace}}))
      .as_object();
}

// Forgets each unit, then (unless --no-block) waits until no connected machine holds it. A
// disconnected machine's copy is removed when it says hello again; that is said, not waited for.
int destroy(const Arguments& args) {
  for (const auto& name : args.units)
    callCluster(args.endpoint, "DELETE", unitPath(name));
  const auto deadline = std::chrono::steady_clock::now() + args.block_timeout;
  json::object remaining;
  int status = 0;
  for (const auto& name : args.units) {
    const auto holders = args.no_block ? holdersOf(args.endpoint, name)
                                       : waitUntilGone(args.endpoint, name, deadline);
    if (!args.no_block && !holders.connected.empty()) {
      std::cerr << "deckhandctl: " << name << " is still on machine(s) "
                << shortIds(holders.connected) << " after " << args.block_timeout.count()
                << "s (--block-timeout)\n";
      status = kExitFailed;
    }
    noteDisconnected(name, holders);
    json::array left;
    for (const auto& id : holders.connected)
      left.push_back(json::value(id));
    for (const auto& id : holders.disconnected)
      left.push_back(json::value(id));
    remaining[name] = std::move(left);
    if (!args.json && status == 0) {
      std::cout << "destroyed " << name << (args.no_block ? " (requested)" : "") << "\n";
    }
  }
  if (args.json) {
    std::cout << json::serialize(json::object{{"destroyed", json::value_from(args.units)},
                                              {"still_on", std::move(remaining)}})
              << "\n";
  }
  return status;
}

int setTarget(const Arguments& args, const std::string& target) {
  std::vector<std::string> names;
  json::array answers;
  for (const auto& arg : args.units) {
    const auto name = submitIfFile(args, arg, false);
    answers.push_back(callCluster(args.endpoint, "POST", unitPath(name) + "/target",
                                  json::serialize(json::object{{"target", target}})));
    names.push_back(name);
  }
  const int status = args.no_block ? 0 : waitForTargets(args.endpoint, names, args.block_timeout);
  if (args.json) {
    json::array units;
    for (const auto& name : names)
      units.push_back(callCluster(args.endpoint, "GET", unitPath(name)));
    std::cout << json::serialize(json::object{{"units", units}}) << "\n";
  } else if (status == 0) {
    const auto machines = callCluster(args.endpoint, "GET", "/v1/machines");
    for (const auto& name : names) {
      const auto unit = callCluster(args.endpoint, "GET", unitPath(name));
      std::cout << name << ": " << target;
      const auto& placed = unit.at("machines").as_array();
      if (!placed.empty()) std::cout << " on " << placed.size() << " machine(s)";
      std::cout << (args.no_block ? " (requested)" : "") << "\n";
    }
  }
  return status;
}

// The last lines, then new ones as they come, until interrupted or the scheduler ends the stream
// (its machine went away: 1, with the reason).
int followJournal(const Arguments& args) {
  std::string failure;
  streamCluster(args.endpoint,
                unitPath(args.units[0]) + "/journal?follow=1&lines=" + std::to_string(args.lines),
                [&](std::string_view text) {
                  std::error_code error;
                  const auto line = json::parse(text, error);
                  if (error || !line.is_object()) return;
                  if (const auto* reason = line.as_object().if_contains("error")) {
                    failure = reason->is_string() ? std::string(reason->get_string()) : "";
                    return;
                  }
                  if (args.json) {
                    std::cout << text << std::endl;
                  } else {
                    printJournalLine(std::cout, line.as_object());
                    std::cout.flush();
                  }
                });
  if (failure.empty()) return 0;
  std::cerr << "deckhandctl cluster journal: the stream ended: " << failure << "\n";
  return kExitFailed;
}

int run(const Arguments& args) {
  const auto& verb = args.verb;
  if (verb == "submit") {
    json::array units;
    for (const auto& arg : args.units) {
      const auto name = submitIfFile(args, arg, true);
      units.push_back(callCluster(args.endpoint, "GET", unitPath(name)));
      if (!args.json) std::cout << "submitted " << name << "\n";
    }
    if (args.json) std::cout << json::serialize(json::object{{"units", units}}) << "\n";
    return 0;
  }
  if (verb == "submit-container") {
    json::array units;
    for (const auto& arg : args.units) {
      auto unit = submitContainer(args, arg);
      if (!args.json) {
        std::cout << "submitted " << std::string_view(unit.at("name").as_string()) << " (container "
                  << std::string_view(unit.at("container").as_string()) << ")\n";
      }
      units.push_back(std::move(unit));
    }
    if (args.json) std::cout << json::serialize(json::object{{"units", units}}) << "\n";
    return 0;
  }
  if (verb == "load" || verb == "stop") return setTarget(args, "loaded");
  if (verb == "start") return setTarget(args, "launched");
  if (verb == "unload") return setTarget(args, "inactive");
  if (verb == "destroy") return destroy(args);
  if (verb == "journal" && args.follow) return followJournal(args);
  if (verb == "journal") {
    const auto journal =
        callCluster(args.endpoint, "GET",
                    unitPath(args.units[0]) + "/journal?lines=" + std::to_string(args.lines));
    if (args.json) {
      std::cout << json::serialize(journal) << "\n";
    } else {
      printJournal(std::cout, journal);
    }
    return 0;
  }
  if (verb == "list-machines") {
    const auto machines = callCluster(args.endpoint, "GET", "/v1/machines");
    if (args.json) {
      std::cout << json::serialize(machines) << "\n";
    } else {
      printMachines(std::cout, machines);
    }
    return 0;
  }
  const auto machines = callCluster(args.endpoint, "GET", "/v1/machines");
  if (verb == "status") {
    const auto unit = callCluster(args.endpoint, "GET", unitPath(args.units[0]));
    if (args.json) {
      std::cout << json::serialize(unit) << "\n";
    } else {
      printStatus(std::cout, unit, machines);
    }
    return 0;
  }
  const auto units = callCluster(args.endpoint, "GET", "/v1/units");
  if (verb == "list-units") {
    if (args.json) {
      std::cout << json::serialize(units) << "\n";
    } else {
      printUnits(std::cout, units, machines);
    }
    return 0;
  }
  const auto templates = callCluster(args.endpoint, "GET", "/v1/templates");
  if (args.json) {
    std::cout << json::serialize(json::object{{"units", units.at("units")},
                                              {"templates", templates.at("templates")}})
              << "\n";
  } else {
    printUnitFiles(std::cout, units, templates, machines);
  }
  return 0;
}

constexpr const char* kClusterUsage =
    "Usage: deckhandctl cluster VERB [OPTIONS]: fleetctl's verbs against deckhand-scheduler's\n"
    "API. Options of every verb:\n"
    "  --endpoint URL       http://HOST:PORT or https://HOST:PORT (default http://127.0.0.1:7480)\n"
    "  --ca-file FILE       https: the CA that signed the scheduler's certificate (default: the\n"
    "                       system's trust store); the certificate must name HOST\n"
    "  --token-file FILE    the bearer token of the scheduler's --api-token-file (chmod 600)\n"
    "  --json               JSON instead of tables\n"
    "Verbs:\n"
    "  submit UNITFILE... [--replace]     store units (or templates) without placing them\n"
    "  submit-container SPEC.json... [--replace]\n"
    "                                     store Docker containers (docs/protocol.md's spec) as\n"
    "                                     units deckhand-NAME.service, which the verbs take\n"
    "  load UNIT...                       place and load (files are submitted first)\n"
    "  start UNIT...                      place and run; web@1.service comes from web@.service\n"
    "  stop UNIT...                       stop, keep loaded where placed\n"
    "  unload UNIT...                     remove from its machines, keep submitted\n"
    "  destroy UNIT...                    forget it, removing it everywhere\n"
    "  list-units                         UNIT MACHINE ACTIVE SUB\n"
    "  list-unit-files                    UNIT HASH DSTATE STATE TARGET\n"
    "  list-machines                      MACHINE IP METADATA\n"
    "  status UNIT                        where it runs and why, or why it cannot\n"
    "  journal UNIT [--lines N] [-f]      its last lines, from the machine that runs it; with\n"
    "                                     -f (--follow) new ones too, until interrupted\n"
    "  load, start, stop and unload wait until the state is reached (unload and destroy: until\n"
    "  no connected machine holds the unit; --block-timeout SECONDS, default 60), unless\n"
    "  --no-block.\n";

bool isClusterVerb(std::string_view verb) {
  return std::find(kVerbs.begin(), kVerbs.end(), verb) != kVerbs.end();
}

int runCluster(int argc, const char* const* argv) {
  try {
    return run(parseArguments(argc, argv));
  } catch (const UsageError& error) {
    std::cerr << "deckhandctl cluster " << argv[0] << ": " << error.what() << "\n\n"
              << kClusterUsage;
    return kExitUsage;
  } catch (const ClusterError& error) {
    std::cerr << "deckhandctl cluster " << argv[0] << ": " << error.what() << "\n";
    return kExitFailed;
  } catch (const std::exception& error) {
    // A malformed answer (a scheduler of another version?) is reported, never a crash.
    std::cerr << "deckhandctl cluster " << argv[0]
              << ": unexpected answer from the scheduler: " << error.what() << "\n";
    return kExitFailed;
  }
}

}  // namespace

int runClusterVerb(int argc, const char* const* argv) {
  const std::string_view verb = argc < 2 ? "" : argv[1];
  if (verb.empty() || verb == "--help" || verb == "-h") {
    (verb.empty() ? std::cerr : std::cout) << kClusterUsage;
    return verb.empty() ? kExitUsage : kExitOk;
  }
  if (!isClusterVerb(verb)) {
    std::cerr << "deckhandctl cluster: unknown verb \"" << verb << "\"\n\n" << kClusterUsage;
    return kExitUsage;
  }
  return runCluster(argc - 1, argv + 1);
}

}  // namespace deckhand::ctl
