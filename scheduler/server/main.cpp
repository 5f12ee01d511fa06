// deckhand-scheduler: the reference scheduler. Exit codes: 0 stopped by a signal, 1 could not
// start, 2 bad usage.

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <optional>

#include "common/token_file.hpp"
#include "scheduler/server/api.hpp"
#include "scheduler/server/listener.hpp"
#include "scheduler/server/options.hpp"
#include "scheduler/server/server_tls.hpp"

namespace {

using namespace deckhand::scheduler;

constexpr int kExitCannotRun = 1;
constexpr int kExitUsage = 2;

void setUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_logger_st("deckhand-scheduler");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  const auto parsed = spdlog::level::from_str(level == "warning" ? "warn" : level);
  if (parsed == spdlog::level::off && level != "off") {
    throw UsageError("--log-level " + level + ": expected trace, debug, info, warning or error");
  }
  spdlog::set_level(parsed);
}

// Every agent holds a socket open: take the hard limit on open files, not the soft 1024.
void raiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    spdlog::warn("cannot raise the open file limit: {}", std::strerror(errno));
  }
}

int run(const SchedulerOptions& options) {
  raiseOpenFileLimit();
  boost::asio::io_context io(1);
  const auto store = openFileStore(options.state_file);
  Scheduler scheduler(io.get_executor(), *store, {options.machine_grace});
  std::optional<boost::asio::ssl::context> tls;
  std::optional<boost::asio::ssl::context> api_tls;
  std::optional<Listener> agents;
  std::optional<Listener> api;
  try {
    scheduler.start();
    if (!options.cert_file.empty()) {
      tls.emplace(makeServerTls("", options.cert_file, options.key_file));
    }
    if (!options.api_cert_file.empty()) {
      api_tls.emplace(makeServerTls("api-", options.api_cert_file, options.api_key_file));
    }
    const auto token = [](const std::filesystem::path& file) {
      return file.empty() ? std::string() : deckhand::readTokenFile(file);
    };
    ListenerOptions for_agents{.address = options.agents.host,
                               .port = options.agents.port,
                               .agents = true,
                               .api = false,
                               .agent_token = token(options.token_file),
                               .api_token = "",
                               .tls = tls ? &*tls : nullptr,
                               .agent_timeout = options.agent_timeout};
    ListenerOptions for_api{.address = options.api.host,
                            .port = options.api.port,
                            .agents = false,
                            .api = true,
                            .agent_token = "",
                            .api_token = token(options.api_token_file),
                            .tls = api_tls ? &*api_tls : nullptr,
                            .agent_timeout = options.agent_timeout};
    agents.emplace(io, for_agents, scheduler, ApiHandler{});
    api.emplace(io, for_api, scheduler, makeApi(scheduler));
    spdlog::info("deckhand-scheduler {}: agents on {}{}:{}, API on {}{}:{}", DECKHAND_VERSION,
                 tls ? "wss://" : "ws://", options.agents.host, agents->port(),
                 api_tls ? "https://" : "http://", options.api.host, api->port());
  } catch (const std::exception& error) {
    spdlog::critical("cannot start: {}", error.what());
    return kExitCannotRun;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal_number) {
    if (error) return;
    spdlog::info("received {}, stopping", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
    agents->close();
    api->close();
    scheduler.stop();
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto options = parseOptions(argc, argv);
    if (options.help) {
      std::cout << usageText();
      return 0;
    }
    if (options.version) {
      std::cout << "deckhand-scheduler " << DECKHAND_VERSION << "\n";
      return 0;
    }
    setUpLogging(options.log_level);
    return run(options);
  } catch (const UsageError& error) {
    std::cerr << "deckhand-scheduler: " << error.what() << "\n\n" << usageText();
    return kExitUsage;
  }
}
