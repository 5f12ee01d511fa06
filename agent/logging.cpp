#include "agent/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace deckhand {
namespace {

// systemd sets JOURNAL_STREAM=DEV:INODE for a service whose stderr is the journal; the variable
// may be inherited by a child whose stderr goes elsewhere, so compare it with stderr itself.
bool stderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat status {};
  if (stream == nullptr || fstat(fileno(stderr), &status) != 0) return false;
  const std::string expected = std::to_string(status.st_dev) + ":" + std::to_string(status.st_ino);
  return expected == stream;
}

spdlog::level::level_enum toSpdlog(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::trace:
      return spdlog::level::trace;
    case config::LogLevel::debug:
      return spdlog::level::debug;
    case config::LogLevel::info:
      return spdlog::level::info;
    case config::LogLevel::warning:
      return spdlog::level::warn;
    case config::LogLevel::error:
      return spdlog::level::err;
    case config::LogLevel::critical:
      return spdlog::level::critical;
    case config::LogLevel::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

void setUpLogging(config::LogLevel level) {
  std::shared_ptr<spdlog::logger> logger;
  if (stderrIsJournal()) {
    logger = std::make_shared<spdlog::logger>(
        "deckhand", std::make_shared<spdlog::sinks::systemd_sink_mt>("deckhand"));
    logger->set_pattern("%v");
  } else {
    logger = std::make_shared<spdlog::logger>(
        "deckhand", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  }
  logger->set_level(toSpdlog(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace deckhand
