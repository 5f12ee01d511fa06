#pragma once
// The deckhand command line: what to do (run, --help, --version, --check-config), which config
// file to read, and the settings given as flags.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/loader.hpp"

namespace deckhand::config {

enum class Action { run, help, version, check_config };

struct CommandLine {
  Action action = Action::run;
  std::optional<std::filesystem::path> config_file;
  std::vector<FlagValue> flags;
};

// Throws ConfigError naming the flag at fault.
CommandLine parseCommandLine(int argc, const char* const* argv);

// --help: usage, every flag, and the matching agent.conf key and environment variable.
std::string usage();

}  // namespace deckhand::config
