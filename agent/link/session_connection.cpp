// One connection to the scheduler, top to bottom as docs/protocol.md tells it: resolve, connect,
// TLS, the WebSocket upgrade with deckhand.v1 and the token, hello, then reading, writing and
// heartbeats side by side until one of them fails (session_talk.hpp). Every attempt builds its
// streams anew: Beast's streams cannot be reused after an error. TLS lives in a module loaded for
// wss:// only (tls_loader.hpp), so an agent on ws:// carries no OpenSSL.

#include "agent/link/session_talk.hpp"
#include "agent/link/tls_loader.hpp"

namespace deckhand::link::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::ip::tcp;

std::string describe(const boost::system::error_code& error) {
  return error == beast::error::timeout ? "timed out" : errorText(error);
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

}  // namespace

const char* const kBadFrame =
    R"({"type":"error","error":{"code":"bad_frame",)"
    R"("message":"binary frame ignored: deckhand.v1 sends JSON in text frames"}})";

std::string errorText(const boost::system::error_code& error) {
  std::string text = error.message();
  // Asio words OpenSSL's errors "reason (library)"; the library's name tells a reader nothing.
  if (std::string_view(error.category().name()) == "asio.ssl") {
    if (const auto library = text.rfind(" ("); library != std::string::npos) text.resize(library);
  }
  return text;
}

void check(const boost::system::error_code& error, const std::string& what) {
  if (error) throw LinkError(what + ": " + describe(error));
}

std::string hostHeader(const SchedulerUrl& url) {
  // An IPv6 address goes in brackets.
  std::string host = url.host.find(':') == std::string::npos ? url.host : "[" + url.host + "]";
  if (url.port != (url.tls ? 443 : 80)) host += ":" + std::to_string(url.port);
  return host;
}

void lost(const boost::system::error_code& error, const std::string& what,
          const SessionOptions& options) {
  if (error == beast::error::timeout) {
    throw Silence(fmt::format("heard nothing from the scheduler (no frame, no pong) for {} ms",
                              (3 * options.heartbeat).count()));
  }
  throw LinkError(what + ": " + errorText(error));
}

void readFailed(const websocket::close_reason& reason, const boost::system::error_code& error,
                const SessionOptions& options) {
  if (error == websocket::error::closed) {
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

void checkUpgrade(const websocket::response_type& response, const boost::system::error_code& error,
                  const SessionOptions& options) {
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

asio::awaitable<void> connectOnce(SessionCore& core) {
  const SchedulerUrl& url = core.options().url;
  // Loaded before resolving, so a missing module is reported as such whatever the network does.
  const TlsModule* tls = url.tls ? &loadTlsModule() : nullptr;
  const auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  const auto [error, endpoints] =
      co_await resolver.async_resolve(url.host, std::to_string(url.port), kUseTuple);
  check(error, "cannot resolve " + url.host);
  if (tls != nullptr) {
    co_await tls->connect(core, endpoints);
    co_return;
  }
  websocket::stream<beast::tcp_stream> ws(executor);
  co_await connectTcp(beast::get_lowest_layer(ws), endpoints, url);
  co_await talk(ws, core);
}

}  // namespace deckhand::link::detail
