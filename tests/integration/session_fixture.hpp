#pragma once
// The agent's Session on this thread's io_context, as in the daemon, talking to a SchedulerPeer
// that runs on its own thread. Waits run the agent's loop while they poll the peer.

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/link/session.hpp"
#include "tests/harness/scheduler_peer.hpp"

namespace deckhand::link {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

inline constexpr const char* kToken = "s3cret-token";

struct StateChange {
  bool connected = false;
  std::string why;
  Clock::time_point at;
};

class SessionTest : public ::testing::Test {
 protected:
  void TearDown() override {
    session_.reset();
    work_.reset();
    // Everything the session started must end by itself once it is gone.
    io_.run_for(2s);
    EXPECT_TRUE(io_.stopped()) << "work left on the agent's loop after the session was destroyed";
  }

  SessionOptions optionsFor(const test::SchedulerPeer& peer) const {
    SessionOptions options;
    options.url = parseSchedulerUrl(peer.url());
    options.token = kToken;
    return options;
  }

  void startSession(SessionOptions options) {
    session_ = std::make_unique<Session>(
        io_.get_executor(), std::move(options),
        Session::Handlers{
            .hello =
                [this] {
                  return R"({"type":"hello","protocol":1,"n":)" + std::to_string(++hellos_) + "}";
                },
            .on_message = [this](std::string frame) { received_.push_back(std::move(frame)); },
            .heartbeat =
                [](std::uint64_t seq) {
                  return R"({"type":"heartbeat","seq":)" + std::to_string(seq) + R"(,"units":0})";
                },
            .on_state =
                [this](bool connected, const std::string& why) {
                  states_.push_back({connected, why, Clock::now()});
                }});
    session_->start();
  }

  // Runs the agent's loop until done() or the timeout; returns done().
  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = Clock::now() + timeout;
    while (!done()) {
      if (Clock::now() >= deadline) return false;
      io_.run_for(5ms);
    }
    return true;
  }

  std::optional<test::ReceivedFrame> waitForFrame(
      const test::SchedulerPeer& peer, const std::function<bool(const test::ReceivedFrame&)>& match,
      std::chrono::milliseconds timeout = 5s) {
    std::optional<test::ReceivedFrame> found;
    runUntil([&] { return (found = peer.waitForMessage(match, 0ms)).has_value(); }, timeout);
    return found;
  }

  // The hello that opened connection number n, if the peer has it.
  std::optional<test::ReceivedFrame> waitForHello(const test::SchedulerPeer& peer, int n,
                                                  std::chrono::milliseconds timeout = 5s) {
    return waitForFrame(
        peer, [n](const auto& frame) { return frame.connection == n; }, timeout);
  }

  std::optional<StateChange> waitForState(bool connected, std::chrono::milliseconds timeout = 5s) {
    std::optional<StateChange> found;
    runUntil(
        [&] {
          for (const auto& change : states_) {
            if (change.connected == connected) found = change;
          }
          return found.has_value();
        },
        timeout);
    return found;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::unique_ptr<Session> session_;
  std::vector<std::string> received_;
  std::vector<StateChange> states_;
  int hellos_ = 0;
};

}  // namespace deckhand::link
