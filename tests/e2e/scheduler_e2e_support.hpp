// Shared by the scheduler's end-to-end tests: where the binaries are, waiting for a condition,
// and the scheduler's ports from its start-up line.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <utility>

namespace deckhand::test {

inline std::string binary(const char* variable, const char* fallback) {
  const char* path = std::getenv(variable);
  return path != nullptr ? path : fallback;
}

template <typename Predicate>
bool eventually(Predicate done, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

// The agent and API ports from "agents on ws://127.0.0.1:P, API on http://127.0.0.1:Q".
inline std::optional<std::pair<std::uint16_t, std::uint16_t>> schedulerPorts(
    const std::string& output) {
  std::smatch match;
  if (!std::regex_search(
          output, match,
          std::regex(R"(agents on wss?://[^:]+:(\d+), API on https?://[^:]+:(\d+))"))) {
    return std::nullopt;
  }
  return std::pair{static_cast<std::uint16_t>(std::stoi(match[1])),
                   static_cast<std::uint16_t>(std::stoi(match[2]))};
}

}  // namespace deckhand::test
