// What the Session sends when the scheduler reads slower than the agent writes: unit deltas
// coalesce per key, the queue stays bounded, and the reconnect delays follow the protocol.

#include "agent/link/session_queue.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/link/backoff.hpp"
#include "tests/integration/session_fixture.hpp"

namespace deckhand::link {
namespace {

std::string unitFrame(int version) {
  return R"({"type":"unit","unit":{"name":"web.service","v":)" + std::to_string(version) + "}}";
}

class SessionBackpressureTest : public SessionTest {
 protected:
  // Connected, with a scheduler that has stopped reading and TCP buffers full of 1 MiB frames,
  // so the agent's one write in flight is stuck.
  void connectAndJam(test::SchedulerPeer& peer, std::size_t max_queued, int frames) {
    SessionOptions options = optionsFor(peer);
    options.max_queued = max_queued;
    startSession(options);
    ASSERT_TRUE(waitForHello(peer, 1));
    peer.setSilent(true);
    session_->send(R"({"type":"nudge"})");  // the peer's pending read takes it, then stops
    ASSERT_TRUE(runUntil([&] { return peer.silentSince().has_value(); }));
    const std::string filler = R"({"type":"filler","pad":")" + std::string(1 << 20, 'x') + "\"}";
    for (int i = 0; i < frames && session_->connected(); ++i) {
      session_->send(filler);
      max_seen_ = std::max(max_seen_, session_->queued());
      runUntil([] { return false; }, 20ms);
    }
  }

  std::size_t max_seen_ = 0;
};

TEST_F(SessionBackpressureTest, UnitDeltasCoalesceAndTheLastArrives) {
  test::SchedulerPeer peer({.token = kToken});
  connectAndJam(peer, 4096, 24);
  ASSERT_GT(session_->queued(), 0u) << "the write never got stuck; the test proves nothing";
  const std::size_t jammed = session_->queued();
  for (int version = 1; version <= 100; ++version) {
    session_->sendLatest("web.service", unitFrame(version));
    io_.poll();
  }
  EXPECT_EQ(session_->queued(), jammed + 1);

  peer.setSilent(false);
  ASSERT_TRUE(waitForFrame(
      peer, [](const auto& frame) { return frame.text == unitFrame(100); }, 20s));
  int unit_frames = 0;
  for (const auto& frame : peer.messages())
    unit_frames += frame.text.starts_with(R"({"type":"unit")");
  EXPECT_EQ(unit_frames, 1) << "versions 1 to 99 should have been replaced while queued";
}

TEST_F(SessionBackpressureTest, FullQueueResetsTheConnection) {
  test::SchedulerPeer peer({.token = kToken});
  connectAndJam(peer, 8, 40);
  EXPECT_LE(max_seen_, 8u);
  const auto lost = waitForState(false);
  ASSERT_TRUE(lost) << "40 MiB fit in the socket buffers?";
  EXPECT_EQ(lost->why, "send queue full (8 frames waiting); reconnecting to resend the state");
  EXPECT_EQ(session_->queued(), 0u);
  peer.setSilent(false);
  EXPECT_TRUE(waitForHello(peer, 2)) << "no reconnect after the reset";
}

TEST(SessionQueueTest, KeyedFramesReplaceInPlace) {
  SessionQueue queue(4);
  EXPECT_TRUE(queue.push("a"));
  EXPECT_TRUE(queue.pushLatest("x", "x1"));
  EXPECT_TRUE(queue.push("b"));
  EXPECT_TRUE(queue.pushLatest("y", "y1"));
  EXPECT_FALSE(queue.push("c")) << "over the limit";
  EXPECT_TRUE(queue.pushLatest("x", "x2")) << "a replacement needs no room";
  std::vector<std::string> order;
  while (auto frame = queue.pop())
    order.push_back(*frame);
  EXPECT_EQ(order, (std::vector<std::string>{"a", "x2", "b", "y1"}));
}

TEST(SessionQueueTest, AKeyIsFreeOnceItsFrameLeft) {
  SessionQueue queue(4);
  queue.pushLatest("x", "x1");
  EXPECT_EQ(queue.pop(), "x1");  // in flight now: not to be replaced
  queue.pushLatest("x", "x2");
  queue.pushLatest("x", "x3");
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue.pop(), "x3");
  queue.startWith("hello");
  EXPECT_EQ(queue.pop(), "hello");
  EXPECT_EQ(queue.pop(), std::nullopt);
}

TEST(BackoffTest, DoublesWithJitterUpToTheCapAndResetsAfterAHealthyMinute) {
  Backoff backoff(42);
  std::chrono::milliseconds step = Backoff::kFirstStep;
  for (int attempt = 0; attempt < 12; ++attempt) {
    const auto delay = backoff.next();
    EXPECT_GE(delay, step / 2);
    EXPECT_LE(delay, step);
    step = std::min(step * 2, Backoff::kLastStep);
  }
  EXPECT_EQ(backoff.step(), std::chrono::milliseconds(30000));
  backoff.connectionEnded(std::chrono::seconds(59));
  EXPECT_EQ(backoff.step(), std::chrono::milliseconds(30000));
  backoff.connectionEnded(std::chrono::seconds(60));
  EXPECT_EQ(backoff.step(), Backoff::kFirstStep);
}

}  // namespace
}  // namespace deckhand::link
