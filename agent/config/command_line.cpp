#include "agent/config/command_line.hpp"

#include <boost/program_options.hpp>
#include <sstream>

#include "agent/config/settings.hpp"

namespace deckhand::config {
namespace {

namespace po = boost::program_options;

po::options_description describeOptions() {
  po::options_description options("Options", 100, 50);
  options.add_options()                                                                        //
      ("help,h", "show this help and exit")                                                    //
      ("version", "show the version and exit")                                                 //
      ("check-config", "validate the configuration, print it, and exit (0 valid, 2 invalid)")  //
      ("config", po::value<std::string>()->value_name("FILE"),
       "config file (default /etc/deckhand/agent.conf; drop-ins in FILE.d/*.conf)");
  for (const auto& setting : allSettings()) {
    const std::string help = std::string(setting.help) + " [" + std::string(setting.section) +
                             "] " + std::string(setting.key) + "=, $" + std::string(setting.env);
    options.add_options()(std::string(setting.flag).c_str(),
                          po::value<std::string>()->value_name(std::string(setting.value_name)),
                          help.c_str());
  }
  return options;
}

}  // namespace

CommandLine parseCommandLine(int argc, const char* const* argv) {
  const auto options = describeOptions();
  po::parsed_options parsed(&options);
  try {
    const int style =
        po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    parsed = po::command_line_parser(argc, argv).options(options).style(style).run();
  } catch (const po::error& error) {
    throw ConfigError("command line: " + std::string(error.what()) + "; see deckhand --help");
  }
  CommandLine command_line;
  for (const auto& option : parsed.options) {
    const std::string& name = option.string_key;
    if (option.position_key >= 0 || name.empty()) {
      const std::string word = option.original_tokens.empty() ? "" : option.original_tokens[0];
      throw ConfigError("command line: unexpected argument \"" + word +
                        "\"; deckhand takes only --flags, see deckhand --help");
    }
    const std::string value = option.value.empty() ? "" : option.value.front();
    if (name == "help") {
      command_line.action = Action::help;
    } else if (name == "version") {
      if (command_line.action != Action::help) command_line.action = Action::version;
    } else if (name == "check-config") {
      if (command_line.action == Action::run) command_line.action = Action::check_config;
    } else if (name == "config") {
      command_line.config_file = value;
    } else {
      command_line.flags.push_back({name, value});
    }
  }
  return command_line;
}

std::string usage() {
  std::ostringstream text;
  text << "Usage: deckhand [--config FILE] [--check-config] [--FLAG VALUE ...]\n\n"
          "deckhand runs units and containers on this machine for a scheduler, through systemd.\n"
          "Settings come from the config file, then its drop-ins, then DECKHAND_* variables,\n"
          "then flags; each overrides the one before.\n\n"
       << describeOptions();
  return text.str();
}

}  // namespace deckhand::config
