#pragma once
// One connection once its byte stream is up: the WebSocket upgrade with deckhand.v1 and the token,
// then reading, writing and heartbeats side by side until one of them fails. A template over the
// stream, so the plain connection (session_connection.cpp) and the TLS module (tls_module.cpp)
// run the same code; only those two files include this header, and with it Beast.

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "agent/link/rate_limit.hpp"
#include "agent/link/session_core.hpp"

namespace deckhand::link::detail {

inline constexpr auto kUseTuple = boost::asio::as_tuple(boost::asio::use_awaitable);
inline constexpr std::chrono::seconds kHandshakeTimeout(30);  // for each of TCP, TLS and WebSocket
inline constexpr std::size_t kKeptReadBuffer = 64 * 1024;     // the read buffer is released above

// Throws LinkError "what: why" when error is set.
void check(const boost::system::error_code& error, const std::string& what);

// Beast reports its idle timeout to whichever operation notices it first; the others on the
// connection see "operation aborted". talk() looks for this one among the loops' failures.
class Silence : public LinkError {
 public:
  using LinkError::LinkError;
};

// How an established connection ended, for the read, write and ping loops.
[[noreturn]] void lost(const boost::system::error_code& error, const std::string& what,
                       const SessionOptions& options);

// The scheduler closed the connection, or the read failed otherwise.
[[noreturn]] void readFailed(const boost::beast::websocket::close_reason& reason,
                             const boost::system::error_code& error, const SessionOptions& options);

boost::asio::awaitable<void> connectTcp(
    boost::beast::tcp_stream& stream, const boost::asio::ip::tcp::resolver::results_type& endpoints,
    const SchedulerUrl& url);

// Throws LinkError for a declined upgrade or a missing subprotocol.
void checkUpgrade(const boost::beast::websocket::response_type& response,
                  const boost::system::error_code& error, const SessionOptions& options);

// Host header for url: the port only when it is not the scheme's default (RFC 7230).
std::string hostHeader(const SchedulerUrl& url);

// The one text the scheduler gets back for a binary frame.
extern const char* const kBadFrame;

template <class Ws>
boost::asio::awaitable<void> upgrade(Ws& ws, const SessionOptions& options) {
  namespace websocket = boost::beast::websocket;
  namespace http = boost::beast::http;
  // A peer that sends nothing, not even a pong, for 3 heartbeats is gone; Beast pings when the
  // line has been quiet for half of that.
  ws.set_option(websocket::stream_base::timeout{kHandshakeTimeout, 3 * options.heartbeat, true});
  ws.set_option(
      websocket::stream_base::decorator([token = options.token](websocket::request_type& request) {
        request.set(http::field::user_agent, "deckhand/" DECKHAND_VERSION);
        request.set(http::field::sec_websocket_protocol, kSubprotocol);
        if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
      }));
  ws.text(true);
  ws.auto_fragment(false);  // one message, one frame, as the protocol describes it
  // readMessage enforces the limit itself: Beast's own 1009 close carries no reason.
  ws.read_message_max(0);

  websocket::response_type response;
  const auto [error] =
      co_await ws.async_handshake(response, hostHeader(options.url), options.url.target, kUseTuple);
  checkUpgrade(response, error, options);
}

// One whole message into buffer, never holding more than the limit and one byte.
template <class Ws>
boost::asio::awaitable<void> readMessage(Ws& ws, boost::beast::flat_buffer& buffer,
                                         const SessionOptions& options) {
  namespace websocket = boost::beast::websocket;
  const std::size_t limit = options.max_message_bytes;
  buffer.clear();
  do {
    const auto [error, bytes] =
        co_await ws.async_read_some(buffer, limit + 1 - buffer.size(), kUseTuple);
    if (error) readFailed(ws.reason(), error, options);
    if (buffer.size() > limit) {
      const std::string reason = fmt::format("message too big (limit {} bytes)", limit);
      co_await ws.async_close({websocket::close_code::too_big, reason}, kUseTuple);
      throw LinkError("received a frame over the limit; closed the connection with 1009 " + reason);
    }
  } while (!ws.is_message_done());
}

template <class Ws>
boost::asio::awaitable<void> readLoop(Ws& ws, SessionCore& core) {
  boost::beast::flat_buffer buffer;
  const auto& options = core.options();
  RateLimit rate(options.max_per_second, options.max_burst, RateLimit::Clock::now());
  boost::asio::steady_timer pause(co_await boost::asio::this_coro::executor);
  for (;;) {
    co_await readMessage(ws, buffer, options);
    if (const auto wait = rate.take(RateLimit::Clock::now()); wait > wait.zero()) {
      pause.expires_after(wait);
      co_await pause.async_wait(kUseTuple);
    }
    if (ws.got_binary()) {
      core.send(kBadFrame);
    } else {
      core.deliver(boost::beast::buffers_to_string(buffer.data()));
    }
    // A desired state for a thousand units is a few hundred KiB: not kept for the small rest.
    if (buffer.capacity() > kKeptReadBuffer) {
      buffer.clear();
      buffer.shrink_to_fit();
    }
  }
}

// The one write in flight.
template <class Ws>
boost::asio::awaitable<void> writeLoop(Ws& ws, SessionCore& core) {
  namespace websocket = boost::beast::websocket;
  for (;;) {
    while (auto frame = core.nextFrame()) {
      const auto [error, bytes] = co_await ws.async_write(boost::asio::buffer(*frame), kUseTuple);
      if (error) lost(error, "cannot send", core.options());
      core.frameSent();
    }
    if (core.closing()) {
      co_await ws.async_close({websocket::close_code::going_away, "agent stopping"}, kUseTuple);
      throw LinkError("closed: the agent is stopping");
    }
    co_await core.waitForFrames();
  }
}

template <class Ws>
boost::asio::awaitable<void> heartbeatLoop(Ws& ws, SessionCore& core) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (std::uint64_t seq = 1;; ++seq) {
    timer.expires_after(core.options().heartbeat);
    co_await timer.async_wait(boost::asio::use_awaitable);
    // The protocol promises both each interval: the pong tells us the scheduler is there, the
    // heartbeat frame tells the scheduler we are.
    const auto [error] = co_await ws.async_ping({}, kUseTuple);
    if (error) lost(error, "cannot send a ping", core.options());
    core.queueHeartbeat(seq);
  }
}

template <class Ws>
boost::asio::awaitable<void> talk(Ws& ws, SessionCore& core) {
  namespace asio = boost::asio;
  co_await upgrade(ws, core.options());
  core.connectionUp([&ws] { boost::beast::get_lowest_layer(ws).close(); });
  const auto executor = co_await asio::this_coro::executor;
  // The first loop to fail ends the connection; the group cancels the other two.
  const auto [order, read_error, write_error, heartbeat_error] =
      co_await asio::experimental::make_parallel_group(
          asio::co_spawn(executor, readLoop(ws, core), asio::deferred),
          asio::co_spawn(executor, writeLoop(ws, core), asio::deferred),
          asio::co_spawn(executor, heartbeatLoop(ws, core), asio::deferred))
          .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
  const std::exception_ptr errors[] = {read_error, write_error, heartbeat_error};
  for (const auto& error : errors) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const Silence&) {
      throw;
    } catch (...) {
    }
  }
  std::rethrow_exception(errors[order[0]]);
}

}  // namespace deckhand::link::detail
