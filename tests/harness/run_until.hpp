#pragma once
// Drives an io_context from a test until a condition holds, for tests that wire the agent's
// pieces on the test thread.

#include <boost/asio/io_context.hpp>
#include <chrono>

namespace deckhand::test {

// Runs io in short slices until done() is true (true) or timeout passes (false).
template <typename Predicate>
bool runUntil(boost::asio::io_context& io, Predicate done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.run_for(std::chrono::milliseconds(5));
    io.restart();
  }
  return true;
}

}  // namespace deckhand::test
