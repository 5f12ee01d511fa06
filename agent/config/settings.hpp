#pragma once
// Every configuration setting, once: its name in agent.conf, in the environment and on the
// command line, how its value is checked, and how it is shown. The loader, --help and
// --check-config all read this table, so the three spellings cannot drift apart.

#include <span>
#include <string>
#include <string_view>

#include "agent/config/config.hpp"

namespace deckhand::config {

struct Setting {
  std::string_view section;  // [Section] in agent.conf
  std::string_view key;      // Key= in that section
  std::string_view env;      // DECKHAND_... variable
  std::string_view flag;     // --flag, without the dashes
  std::string_view value_name;
  std::string_view help;
  // Stores value into config. Throws std::invalid_argument saying what is wrong with the value and
  // what is expected instead; the caller adds where the value came from.
  void (*apply)(Config& config, std::string_view value);
  std::string (*show)(const Config& config);
  // Checks the final value against the machine (a file is readable) once every source has been
  // applied, so an overridden value is never held against the user. Throws like apply; may be
  // null.
  void (*check)(const Config& config) = nullptr;
};

std::span<const Setting> allSettings();

const Setting* findSettingByKey(std::string_view section, std::string_view key);
const Setting* findSettingByEnv(std::string_view env);
const Setting* findSettingByFlag(std::string_view flag);

std::string_view logLevelName(LogLevel level);

}  // namespace deckhand::config
