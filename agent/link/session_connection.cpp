// One connection to the scheduler, top to bottom as docs/protocol.md tells it: resolve, connect,
// TLS, the WebSocket upgrade with deckhand.v1 and the token, hello, then reading, writing and
// heartbeats side by side until one of them fails. Every attempt builds its streams anew:
// Beast's streams cannot be reused after an error.

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "agent/link/rate_limit.hpp"
#include "agent/link/session_core.hpp"
#include "agent/link/tls_context.hpp"

namespace deckhand::link::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::ip::tcp;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kHandshakeTimeout(30);  // for each of TCP, TLS and WebSocket
constexpr std::size_t kKeptReadBuffer = 64 * 1024;  // the read buffer is released above this
constexpr const char* kBadFrame =
    R"({"type":"error","error":{"code":"bad_frame",)"
    R"("message":"binary frame ignored: deckhand.v1 sends JSON in text frames"}})";

std::string describe(const boost::system::error_code& error) {
  return error == beast::error::timeout ? "timed out" : errorText(error);
}

void check(const boost::system::error_code& error, const std::string& what) {
  if (error) throw LinkError(what + ": " + describe(error));
}

// The port only when it is not the scheme's default, an IPv6 address in brackets (RFC 7230).
std::string hostHeader(const SchedulerUrl& url) {
  std::string host = url.host.find(':') == std::string::npos ? url.host : "[" + url.host + "]";
  if (url.port != (url.tls ? 443 : 80)) host += ":" + std::to_string(url.port);
  return host;
}

std::string describeRefusal(const websocket::response_type& response, bool sent_token) {
  const std::string status = "HTTP " + std::to_string(response.result_int());
  if (response.result() == http::status::unauthorized ||
      response.result() == http::status::forbidden) {
    return sent_token ? "refused the token (" + status + ")"
                      : "wants a token (" + status + "); none is configured";
  }
  return "refused the WebSocket upgrade (" + status + " " + std::string(response.reason()) + ")";
}

// Beast reports its idle timeout to whichever operation notices it first; the others on the
// connection see "operation aborted". talk() looks for this one among the loops' failures.
class Silence : public LinkError {
 public:
  using LinkError::LinkError;
};

// How an established connection ended, for the read, write and ping loops.
[[noreturn]] void lost(const boost::system::error_code& error, const std::string& what,
                       const SessionOptions& options) {
  if (error == beast::error::timeout) {
    throw Silence(fmt::format("heard nothing from the scheduler (no frame, no pong) for {} ms",
                              (3 * options.heartbeat).count()));
  }
  throw LinkError(what + ": " + errorText(error));
}

template <class Ws>
[[noreturn]] void readFailed(Ws& ws, const boost::system::error_code& error,
                             const SessionOptions& options) {
  if (error == websocket::error::closed) {
    const websocket::close_reason& reason = ws.reason();
    throw LinkError(fmt::format("the scheduler closed the connection ({}{}{})", reason.code,
                                reason.reason.empty() ? "" : ": ",
                                std::string_view(reason.reason.data(), reason.reason.size())));
  }
  lost(error, "connection lost", options);
}

asio::awaitable<void> connectTcp(beast::tcp_stream& stream,
                                 const tcp::resolver::results_type& endpoints,
                                 const SchedulerUrl& url) {
  stream.expires_after(kHandshakeTimeout);
  const auto [error, endpoint] = co_await stream.async_connect(endpoints, kUseTuple);
  check(error, fmt::format("cannot connect to {} port {}", url.host, url.port));
  stream.expires_never();
}

asio::awaitable<void> tlsHandshake(beast::ssl_stream<beast::tcp_stream>& stream,
                                   const std::string& host) {
  sendServerName(stream.native_handle(), host);
  stream.set_verify_callback(VerifyHost(host));
  beast::get_lowest_layer(stream).expires_after(kHandshakeTimeout);
  const auto [error] = co_await stream.async_handshake(asio::ssl::stream_base::client, kUseTuple);
  if (error) throw LinkError(describeTlsFailure(error, stream.native_handle()));
  // From here on the WebSocket layer keeps time.
  beast::get_lowest_layer(stream).expires_never();
}

template <class Ws>
asio::awaitable<void> upgrade(Ws& ws, const SessionOptions& options) {
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
  if (error == websocket::error::upgrade_declined) {
    throw LinkError(describeRefusal(response, !options.token.empty()));
  }
  check(error, "WebSocket handshake failed");
  const std::string_view selected = response[http::field::sec_websocket_protocol];
  if (selected != kSubprotocol) {
    throw LinkError(
        fmt::format("did not select subprotocol {} (it answered \"{}\")", kSubprotocol, selected));
  }
}

// One whole message into buffer, never holding more than the limit and one byte.
template <class Ws>
asio::awaitable<void> readMessage(Ws& ws, beast::flat_buffer& buffer,
                                  const SessionOptions& options) {
  const std::size_t limit = options.max_message_bytes;
  buffer.clear();
  do {
    const auto [error, bytes] =
        co_await ws.async_read_some(buffer, limit + 1 - buffer.size(), kUseTuple);
    if (error) readFailed(ws, error, options);
    if (buffer.size() > limit) {
      const std::string reason = fmt::format("message too big (limit {} bytes)", limit);
      co_await ws.async_close({websocket::close_code::too_big, reason}, kUseTuple);
      throw LinkError("received a frame over the limit; closed the connection with 1009 " + reason);
    }
  } while (!ws.is_message_done());
}

template <class Ws>
asio::awaitable<void> readLoop(Ws& ws, SessionCore& core) {
  beast::flat_buffer buffer;
  const auto& options = core.options();
  RateLimit rate(options.max_per_second, options.max_burst, RateLimit::Clock::now());
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (;;) {
    co_await readMessage(ws, buffer, options);
    if (const auto wait = rate.take(RateLimit::Clock::now()); wait > wait.zero()) {
      pause.expires_after(wait);
      co_await pause.async_wait(kUseTuple);
    }
    if (ws.got_binary()) {
      core.send(kBadFrame);
    } else {
      core.deliver(beast::buffers_to_string(buffer.data()));
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
asio::awaitable<void> writeLoop(Ws& ws, SessionCore& core) {
  for (;;) {
    while (auto frame = core.nextFrame()) {
      const auto [error, bytes] = co_await ws.async_write(asio::buffer(*frame), kUseTuple);
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
asio::awaitable<void> heartbeatLoop(Ws& ws, SessionCore& core) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (std::uint64_t seq = 1;; ++seq) {
    timer.expires_after(core.options().heartbeat);
    co_await timer.async_wait(asio::use_awaitable);
    // The protocol promises both each interval: the pong tells us the scheduler is there, the
    // heartbeat frame tells the scheduler we are.
    const auto [error] = co_await ws.async_ping({}, kUseTuple);
    if (error) lost(error, "cannot send a ping", core.options());
    core.queueHeartbeat(seq);
  }
}

template <class Ws>
asio::awaitable<void> talk(Ws& ws, SessionCore& core) {
  co_await upgrade(ws, core.options());
  core.connectionUp([&ws] { beast::get_lowest_layer(ws).close(); });
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

}  // namespace

asio::awaitable<void> connectOnce(SessionCore& core) {
  const SchedulerUrl& url = core.options().url;
  const auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  const auto [error, endpoints] =
      co_await resolver.async_resolve(url.host, std::to_string(url.port), kUseTuple);
  check(error, "cannot resolve " + url.host);
  if (!url.tls) {
    websocket::stream<beast::tcp_stream> ws(executor);
    co_await connectTcp(beast::get_lowest_layer(ws), endpoints, url);
    co_await talk(ws, core);
    co_return;
  }
  asio::ssl::context tls = makeTlsContext(core.options());
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(executor, tls);
  co_await connectTcp(beast::get_lowest_layer(ws), endpoints, url);
  co_await tlsHandshake(ws.next_layer(), url.host);
  co_await talk(ws, core);
}

}  // namespace deckhand::link::detail
