#pragma once
// Builds the effective configuration from its four sources, each overriding the one before:
// the config file, its drop-ins (FILE.d/*.conf, in name order), DECKHAND_* environment variables,
// and command-line flags.

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/config/config.hpp"

namespace deckhand::config {

// One line for the user: where the bad value came from, which setting, what is expected.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FlagValue {
  std::string flag;  // without the dashes
  std::string value;
};

struct ConfigSources {
  std::filesystem::path file = kDefaultConfigFile;
  bool file_required = false;  // chosen with --config: a missing file is an error
  std::vector<std::pair<std::string, std::string>> environment;  // all variables; DECKHAND_* used
  std::vector<FlagValue> flags;                                  // in command-line order
};

struct LoadedConfig {
  Config config;
  std::map<std::string, std::string> origins;  // "Section.Key" -> where its value came from
};

// Throws ConfigError.
LoadedConfig loadConfig(const ConfigSources& sources);

// The effective configuration in agent.conf syntax, each value preceded by where it came from.
std::string describeConfig(const LoadedConfig& loaded);

// The process environment as name/value pairs.
std::vector<std::pair<std::string, std::string>> processEnvironment();

}  // namespace deckhand::config
