// deckhand: the node agent. Exit codes: 0 done, 1 could not start, 2 bad configuration.

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <iostream>
#include <optional>

#include "agent/agent.hpp"
#include "agent/config/command_line.hpp"
#include "agent/config/loader.hpp"
#include "agent/link/tls_loader.hpp"
#include "agent/logging.hpp"

namespace {

constexpr int kExitCannotRun = 1;
constexpr int kExitBadConfig = 2;

// wss:// needs the TLS module: --check-config loads it, so a missing one shows before a restart.
std::string describeTlsModule(const deckhand::config::Config& config) {
  if (!config.scheduler || !config.scheduler->tls) return "";
  try {
    deckhand::link::detail::loadTlsModule();
  } catch (const deckhand::link::detail::LinkError& error) {
    throw deckhand::config::ConfigError(error.what());
  }
  return "# TLS module for wss://: " + deckhand::link::detail::tlsModulePath().string() + "\n";
}

int runAgent(const deckhand::config::Config& config) {
  boost::asio::io_context io(1);
  spdlog::info("deckhand {} starting", DECKHAND_VERSION);
  std::optional<deckhand::Agent> agent_holder;
  try {
    agent_holder.emplace(io, config);
  } catch (const std::runtime_error& error) {
    spdlog::critical("cannot start: {}", error.what());
    return kExitCannotRun;
  }
  deckhand::Agent& agent = *agent_holder;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal_number) {
    if (error) return;
    spdlog::info("received {}, stopping", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
    agent.stop([&io] { io.stop(); });
  });
  agent.start();
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace deckhand::config;
  try {
    const CommandLine command_line = parseCommandLine(argc, argv);
    if (command_line.action == Action::help) {
      std::cout << usage();
      return 0;
    }
    if (command_line.action == Action::version) {
      std::cout << "deckhand " << DECKHAND_VERSION << "\n";
      return 0;
    }
    ConfigSources sources;
    if (command_line.config_file) {
      sources.file = *command_line.config_file;
      sources.file_required = true;
    }
    sources.environment = processEnvironment();
    sources.flags = command_line.flags;
    const LoadedConfig loaded = loadConfig(sources);
    if (command_line.action == Action::check_config) {
      std::cout << describeConfig(loaded) << describeTlsModule(loaded.config);
      return 0;
    }
    deckhand::setUpLogging(loaded.config.log_level);
    return runAgent(loaded.config);
  } catch (const ConfigError& error) {
    std::cerr << "deckhand: " << error.what() << "\n";
    return kExitBadConfig;
  }
}
