#include "ctl/check_command.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "agent/constraints/able_to_run.hpp"
#include "agent/constraints/constraints.hpp"
#include "ctl/machine_description.hpp"
#include "systemd/unit_file.hpp"
#include "systemd/unit_name.hpp"

namespace deckhand::ctl {
namespace {

namespace po = boost::program_options;

constexpr int kAble = 0;
constexpr int kNotAble = 1;
constexpr int kBadInput = 2;

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A unit file: its name is the file's name.
constraints::UnitConstraints constraintsOfFile(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename();
  try {
    const auto unit_name = systemd::parseUnitName(name);
    return constraints::parseConstraints(unit_name, systemd::parseUnitFile(readFile(path), path));
  } catch (const systemd::UnitNameError& error) {
    throw InputError(path + ": the file's name must be the unit's name: " + error.what());
  } catch (const systemd::UnitFileError& error) {
    throw InputError(error.what());
  } catch (const constraints::ConstraintError& error) {
    throw InputError(error.what());
  }
}

// --units: names of units on the machine, or paths of their unit files (then their own
// Conflicts count too, since conflicts are symmetric).
std::vector<constraints::PlacedUnit> unitsOnMachine(const std::string& list) {
  std::vector<constraints::PlacedUnit> placed;
  std::istringstream entries(list);
  std::string entry;
  while (std::getline(entries, entry, ',')) {
    if (entry.empty()) continue;
    if (entry.find('/') != std::string::npos) {
      placed.push_back(constraints::placedUnitOf(constraintsOfFile(entry)));
      continue;
    }
    try {
      systemd::parseUnitName(entry);
    } catch (const systemd::UnitNameError& error) {
      throw InputError(std::string("--units: ") + error.what());
    }
    placed.push_back({entry, {}, {}});
  }
  return placed;
}

std::string shortId(const std::string& id) {
  return id.substr(0, 8);
}

void printHuman(const std::string& unit, const std::string& machine_id,
                const constraints::Decision& decision) {
  if (decision.able) {
    std::cout << "yes: " << unit << " can run on " << shortId(machine_id);
    if (!decision.reason.empty()) std::cout << " (" << decision.reason << ")";
  } else {
    std::cout << "no: " << unit << " cannot run on " << shortId(machine_id) << ": "
              << decision.reason;
  }
  std::cout << "\n";
}

void printJson(const std::string& unit, const std::string& machine_id,
               const constraints::Decision& decision) {
  boost::json::array replaced;
  for (const auto& name : decision.replaced)
    replaced.emplace_back(name);
  std::cout << boost::json::serialize(boost::json::object{{"unit", unit},
                                                          {"machine_id", machine_id},
                                                          {"able", decision.able},
                                                          {"reason", decision.reason},
                                                          {"replaced", replaced}})
            << "\n";
}

po::options_description checkOptions() {
  po::options_description options("deckhandctl check UNITFILE --machine MACHINE.json");
  options.add_options()("help,h", "show this help")(
      "machine", po::value<std::string>()->value_name("FILE"),
      "the machine: a hello message or its \"machine\" object (JSON)")(
      "units", po::value<std::string>()->value_name("LIST"),
      "units already on the machine, comma-separated: names, or paths of their unit files")(
      "json", "print the decision as JSON");
  return options;
}

}  // namespace

int runCheck(int argc, const char* const* argv) {
  const auto options = checkOptions();
  po::positional_options_description positional;
  positional.add("unit-file", 1);
  po::options_description all;
  all.add(options).add_options()("unit-file", po::value<std::string>());
  po::variables_map values;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(),
              values);
  } catch (const po::error& error) {
    std::cerr << "deckhandctl check: " << error.what() << "; see deckhandctl check --help\n";
    return kBadInput;
  }
  if (values.count("help")) {
    std::cout << "Would MACHINE accept UNITFILE? Exit 0 yes, 1 no, 2 bad input.\n\n" << options;
    return kAble;
  }
  if (!values.count("unit-file") || !values.count("machine")) {
    std::cerr << "deckhandctl check: needs UNITFILE and --machine FILE; see deckhandctl check "
                 "--help\n";
    return kBadInput;
  }
  try {
    const std::string unit_path = values["unit-file"].as<std::string>();
    const auto unit = constraintsOfFile(unit_path);
    const std::string machine_path = values["machine"].as<std::string>();
    const auto machine = parseMachineDescription(readFile(machine_path), machine_path);
    const auto placed = values.count("units") ? unitsOnMachine(values["units"].as<std::string>())
                                              : std::vector<constraints::PlacedUnit>{};
    const auto decision = constraints::ableToRun(machine, unit, placed);
    if (values.count("json")) {
      printJson(unit.unit, machine.id, decision);
    } else {
      printHuman(unit.unit, machine.id, decision);
    }
    return decision.able ? kAble : kNotAble;
  } catch (const InputError& error) {
    std::cerr << "deckhandctl check: " << error.what() << "\n";
  } catch (const DescriptionError& error) {
    std::cerr << "deckhandctl check: " << error.what() << "\n";
  }
  return kBadInput;
}

}  // namespace deckhand::ctl
