// The TLS module, deckhand-tls.so: wss:// for the agent, loaded only when the scheduler's URL asks
// for it, so an agent on ws:// never maps OpenSSL (docs/architecture.md, "TLS module").

#include "agent/link/tls_module.hpp"

#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "agent/link/session_talk.hpp"
#include "agent/link/tls_context.hpp"

namespace deckhand::link::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;

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

asio::awaitable<void> connectTls(SessionCore& core, const tcp::resolver::results_type& endpoints) {
  const SchedulerUrl& url = core.options().url;
  asio::ssl::context tls = makeTlsContext(core.options());
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(co_await asio::this_coro::executor,
                                                             tls);
  co_await connectTcp(beast::get_lowest_layer(ws), endpoints, url);
  co_await tlsHandshake(ws.next_layer(), url.host);
  co_await talk(ws, core);
}

}  // namespace
}  // namespace deckhand::link::detail

extern "C" const deckhand::link::detail::TlsModule deckhand_tls_module = {
    DECKHAND_VERSION, &deckhand::link::detail::connectTls};
