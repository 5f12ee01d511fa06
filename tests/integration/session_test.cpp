// The agent's Session against a test scheduler on loopback: handshake, frames both ways,
// refusals, reconnects and liveness (docs/protocol.md "Transport" and "Liveness").

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket.hpp>

#include "tests/integration/session_fixture.hpp"

namespace deckhand::link {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace websocket = boost::beast::websocket;

bool isHeartbeat(const test::ReceivedFrame& frame, int seq) {
  return frame.text == R"({"type":"heartbeat","seq":)" + std::to_string(seq) + R"(,"units":0})";
}

TEST_F(SessionTest, HelloFirstThenFramesBothWaysAndHeartbeats) {
  test::SchedulerPeer peer({.token = kToken});
  SessionOptions options = optionsFor(peer);
  options.heartbeat = 200ms;
  startSession(options);

  const auto hello = waitForHello(peer, 1);
  ASSERT_TRUE(hello) << "no frame from the agent";
  EXPECT_EQ(hello->text, R"({"type":"hello","protocol":1,"n":1})");
  ASSERT_TRUE(waitForState(true));
  EXPECT_TRUE(session_->connected());
  ASSERT_EQ(peer.upgrades().size(), 1u);
  EXPECT_EQ(peer.upgrades()[0].authorization, std::string("Bearer ") + kToken);
  EXPECT_EQ(peer.upgrades()[0].subprotocols, "deckhand.v1");

  session_->send(R"({"type":"unit_removed","name":"web.service"})");
  EXPECT_TRUE(waitForFrame(peer, [](const auto& frame) {
    return frame.text.find("unit_removed") != std::string::npos;
  }));
  ASSERT_TRUE(peer.send(R"({"type":"query","id":"q1"})"));
  ASSERT_TRUE(runUntil([&] { return !received_.empty(); }));
  EXPECT_EQ(received_[0], R"({"type":"query","id":"q1"})");

  EXPECT_TRUE(waitForFrame(peer, [](const auto& frame) { return isHeartbeat(frame, 1); }));
  EXPECT_TRUE(waitForFrame(peer, [](const auto& frame) { return isHeartbeat(frame, 2); }));
  EXPECT_EQ(peer.connections(), 1);
}

TEST_F(SessionTest, WrongTokenIsReportedAndBackedOff) {
  test::SchedulerPeer peer({.token = kToken});
  SessionOptions options = optionsFor(peer);
  options.token = "not-the-token";
  startSession(options);

  // Delays: [0.25, 0.5] s, then [0.5, 1] s, then [1, 2] s.
  ASSERT_TRUE(runUntil([&] { return peer.upgrades().size() >= 4; }, 8s));
  const auto upgrades = peer.upgrades();
  for (const auto& upgrade : upgrades)
    EXPECT_EQ(upgrade.status, 401u);
  const auto gap = [&](std::size_t i) { return upgrades[i + 1].at - upgrades[i].at; };
  EXPECT_GE(gap(0), 200ms);
  EXPECT_LE(gap(0), 700ms);
  EXPECT_GE(gap(2), 1000ms);
  EXPECT_LT(gap(0), gap(2)) << "attempts do not back off";
  ASSERT_FALSE(states_.empty());
  EXPECT_EQ(states_[0].why, "refused the token (HTTP 401)");
  EXPECT_EQ(peer.connections(), 0);
  EXPECT_FALSE(session_->connected());
}

TEST_F(SessionTest, AnswerWithoutTheSubprotocolIsRefused) {
  test::SchedulerPeer peer({.token = kToken, .subprotocol = ""});
  startSession(optionsFor(peer));
  const auto lost = waitForState(false);
  ASSERT_TRUE(lost);
  EXPECT_THAT(lost->why, HasSubstr("did not select subprotocol deckhand.v1"));
  EXPECT_TRUE(peer.messages().empty()) << "hello sent on a connection without deckhand.v1";
}

TEST_F(SessionTest, ReconnectsAfterTheSchedulerRestartsAndSaysHelloAgain) {
  test::SchedulerPeer peer({.token = kToken});
  startSession(optionsFor(peer));
  ASSERT_TRUE(waitForHello(peer, 1));

  peer.stop();
  const auto lost = waitForState(false);
  ASSERT_TRUE(lost);
  EXPECT_THAT(lost->why, HasSubstr("connection lost"));
  peer.start();
  const auto hello = waitForHello(peer, 2, 10s);
  ASSERT_TRUE(hello) << "no reconnect";
  EXPECT_EQ(hello->text, R"({"type":"hello","protocol":1,"n":2})");
  std::cout << "reconnected " << (Clock::now() - lost->at) / 1ms << " ms after the loss\n";
}

TEST_F(SessionTest, SilentSchedulerIsNoticedWithinThreeHeartbeats) {
  test::SchedulerPeer peer({.token = kToken});
  SessionOptions options = optionsFor(peer);
  options.heartbeat = 200ms;
  startSession(options);
  ASSERT_TRUE(waitForHello(peer, 1));

  peer.setSilent(true);
  const auto lost = waitForState(false, 3s);
  ASSERT_TRUE(lost) << "a silent scheduler was not noticed";
  const auto silent_since = peer.silentSince();
  ASSERT_TRUE(silent_since);
  const auto noticed_after = lost->at - *silent_since;
  std::cout << "silent scheduler noticed after " << noticed_after / 1ms
            << " ms (heartbeat 200 ms)\n";
  EXPECT_LE(noticed_after, 600ms + 150ms);  // 3 heartbeats, and slack for a busy machine
  EXPECT_THAT(lost->why, HasSubstr("heard nothing from the scheduler"));

  peer.setSilent(false);
  EXPECT_TRUE(waitForHello(peer, 2)) << "no reconnect once the scheduler answers again";
}

TEST_F(SessionTest, FrameOverTheLimitClosesWith1009AndReconnects) {
  test::SchedulerPeer peer({.token = kToken});
  startSession(optionsFor(peer));
  ASSERT_TRUE(waitForHello(peer, 1));

  ASSERT_TRUE(peer.send(std::string(1 << 20, 'a')));
  ASSERT_TRUE(runUntil([&] { return !received_.empty(); }));
  EXPECT_EQ(received_[0].size(), 1u << 20) << "a frame of exactly the limit is fine";

  ASSERT_TRUE(peer.send(std::string((1 << 20) + 1, 'b')));
  std::optional<test::ClosedBy> closed;
  ASSERT_TRUE(runUntil([&] { return (closed = peer.waitForClose(0ms)).has_value(); }));
  EXPECT_EQ(closed->code, 1009u);
  EXPECT_EQ(closed->reason, "message too big (limit 1048576 bytes)");
  const auto lost = waitForState(false);
  ASSERT_TRUE(lost);
  EXPECT_THAT(lost->why, HasSubstr("1009"));
  EXPECT_TRUE(waitForHello(peer, 2));
  EXPECT_EQ(received_.size(), 1u);
}

TEST_F(SessionTest, BinaryFrameGetsBadFrameAndTheConnectionStays) {
  test::SchedulerPeer peer({.token = kToken});
  startSession(optionsFor(peer));
  ASSERT_TRUE(waitForHello(peer, 1));

  ASSERT_TRUE(peer.send("\x01\x02\x03", true));
  const auto error = waitForFrame(
      peer, [](const auto& frame) { return frame.text.find("error") != std::string::npos; });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->text, StartsWith(R"({"type":"error","error":{"code":"bad_frame",)"));
  EXPECT_FALSE(error->binary);
  ASSERT_TRUE(peer.send(R"({"type":"query","id":"q2"})"));
  ASSERT_TRUE(runUntil([&] { return !received_.empty(); }));
  EXPECT_EQ(received_, std::vector<std::string>{R"({"type":"query","id":"q2"})"});
  EXPECT_EQ(peer.connections(), 1);
}

TEST_F(SessionTest, FloodFromTheSchedulerIsPacedAndNothingIsDropped) {
  test::SchedulerPeer peer({.token = kToken});
  SessionOptions options = optionsFor(peer);
  options.max_per_second = 100;
  options.max_burst = 10;
  startSession(options);
  ASSERT_TRUE(waitForHello(peer, 1));

  constexpr std::size_t kFrames = 60;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < kFrames; ++i)
    ASSERT_TRUE(peer.send(R"({"type":"query","id":")" + std::to_string(i) + R"("})"));
  ASSERT_TRUE(runUntil([&] { return received_.size() == kFrames; }, 20s));
  const auto took = std::chrono::steady_clock::now() - start;
  for (std::size_t i = 0; i < kFrames; ++i)
    EXPECT_EQ(received_[i], R"({"type":"query","id":")" + std::to_string(i) + R"("})");
  // A lower bound only: past the burst of 10, 50 frames at 100 per second cannot take less.
  EXPECT_GE(took, 500ms - 20ms);
  EXPECT_EQ(peer.connections(), 1);
}

// The daemon may go away at any point: mid-handshake here, against a listener that never answers.
TEST_F(SessionTest, DestroyedMidHandshakeLeavesNothingRunning) {
  boost::asio::ip::tcp::acceptor mute(io_, {boost::asio::ip::make_address("127.0.0.1"), 0});
  SessionOptions options;
  options.url = parseSchedulerUrl("ws://127.0.0.1:" + std::to_string(mute.local_endpoint().port()));
  startSession(options);
  runUntil([] { return false; }, 200ms);
  session_.reset();
  EXPECT_TRUE(states_.empty());
}

TEST_F(SessionTest, DestroyedWhileConnectedLeavesNothingRunning) {
  test::SchedulerPeer peer({.token = kToken});
  startSession(optionsFor(peer));
  ASSERT_TRUE(waitForHello(peer, 1));
  session_.reset();  // TearDown checks that the loop runs dry
  EXPECT_EQ(states_.size(), 1u);
}

// The daemon's shutdown: the loop stops running, the session goes, then the loop itself.
TEST(SessionShutdownTest, LoopDestroyedAfterTheSessionWithoutRunningAgain) {
  test::SchedulerPeer peer({.token = kToken});
  auto io = std::make_unique<boost::asio::io_context>();
  SessionOptions options;
  options.url = parseSchedulerUrl(peer.url());
  options.token = kToken;
  auto session = std::make_unique<Session>(
      io->get_executor(), options, Session::Handlers{.hello = [] { return std::string("{}"); }});
  session->start();
  const auto deadline = Clock::now() + 5s;
  while (peer.messages().empty() && Clock::now() < deadline)
    io->run_for(5ms);
  ASSERT_EQ(peer.messages().size(), 1u);
  session.reset();
  io.reset();
}

TEST_F(SessionTest, StopEndsReconnectingAndReportsNothingMore) {
  test::SchedulerPeer peer({.token = kToken});
  startSession(optionsFor(peer));
  ASSERT_TRUE(waitForHello(peer, 1));
  peer.stop();
  ASSERT_TRUE(waitForState(false));
  session_->stop();
  const auto reported = states_.size();
  peer.start();
  runUntil([] { return false; }, 1500ms);
  EXPECT_EQ(peer.connections(), 1);
  EXPECT_EQ(states_.size(), reported);
  EXPECT_FALSE(session_->connected());
}

TEST_F(SessionTest, CloseSendsTheQueuedFramesThenSaysGoodbyeWith1001) {
  test::SchedulerPeer peer({.token = kToken});
  startSession(optionsFor(peer));
  ASSERT_TRUE(waitForHello(peer, 1));
  session_->send(R"({"type":"unit_removed","name":"last.service"})");
  bool closed = false;
  session_->close([&] { closed = true; });
  session_->send(R"({"type":"unit_removed","name":"too-late.service"})");
  ASSERT_TRUE(runUntil([&] { return closed; }));

  const auto goodbye = peer.waitForClose(1s);
  ASSERT_TRUE(goodbye);
  EXPECT_EQ(goodbye->code, 1001u);
  EXPECT_EQ(goodbye->reason, "agent stopping");
  const auto messages = peer.messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_THAT(messages[1].text, HasSubstr("last.service"));
  runUntil([] { return false; }, 500ms);
  EXPECT_EQ(peer.connections(), 1) << "a closed session does not reconnect";
}

// A scheduler that accepts the WebSocket and then never reads: SchedulerPeer's silence can't
// stop a read already waiting, which answers the close.
class DeafScheduler {
 public:
  explicit DeafScheduler(boost::asio::io_context& io)
      : acceptor_(io, {boost::asio::ip::make_address("127.0.0.1"), 0}), ws_(io) {
    acceptor_.async_accept(ws_.next_layer(), [this](const boost::system::error_code& error) {
      if (error) return;
      ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
        response.set(boost::beast::http::field::sec_websocket_protocol, "deckhand.v1");
      }));
      ws_.async_accept(
          [this](const boost::system::error_code& accepted) { upgraded_ = !accepted; });
    });
  }
  std::string url() const {
    return "ws://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  bool upgraded() const { return upgraded_; }

 private:
  boost::asio::ip::tcp::acceptor acceptor_;
  websocket::stream<boost::asio::ip::tcp::socket> ws_;
  bool upgraded_ = false;
};

TEST_F(SessionTest, CloseGivesUpOnASchedulerThatNeverAnswers) {
  DeafScheduler deaf(io_);
  SessionOptions options;
  options.url = parseSchedulerUrl(deaf.url());
  startSession(options);
  ASSERT_TRUE(runUntil([&] { return deaf.upgraded() && session_->connected(); }));
  bool closed = false;
  const auto asked = Clock::now();
  session_->close([&] { closed = true; });
  ASSERT_TRUE(runUntil([&] { return closed; }, 10s));
  const auto waited = Clock::now() - asked;
  EXPECT_GE(waited, 1900ms) << "closed before the deadline: did the deaf scheduler answer?";
  EXPECT_LT(waited, 5s) << "the close waits 2 s at most";
  EXPECT_FALSE(session_->connected());
}

TEST_F(SessionTest, CloseWhileDisconnectedEndsAtOnce) {
  boost::asio::ip::tcp::acceptor mute(io_, {boost::asio::ip::make_address("127.0.0.1"), 0});
  SessionOptions options;
  options.url = parseSchedulerUrl("ws://127.0.0.1:" + std::to_string(mute.local_endpoint().port()));
  startSession(options);
  bool closed = false;
  session_->close([&] { closed = true; });
  EXPECT_TRUE(runUntil([&] { return closed; }, 1s));
}

}  // namespace
}  // namespace deckhand::link
