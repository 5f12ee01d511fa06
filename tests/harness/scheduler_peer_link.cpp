// One connection to the test scheduler: TLS if configured, the upgrade request (the token is
// checked here, before Beast accepts), then a read loop that records every frame and pauses
// while the peer is silent.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>

#include "tests/harness/scheduler_peer_impl.hpp"

namespace deckhand::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

template <class Stream>
class Link : public PeerLink, public std::enable_shared_from_this<Link<Stream>> {
 public:
  template <class... Args>
  explicit Link(PeerCore& peer, Args&&... args) : peer_(peer), ws_(std::forward<Args>(args)...) {}

  void send(std::string frame, bool binary) override {
    outbox_.push_back({std::move(frame), binary});
    if (outbox_.size() == 1) writeFront();
  }

  void drop() override { beast::get_lowest_layer(ws_).close(); }

  asio::awaitable<void> serve(std::shared_ptr<Link> self);

 private:
  struct Outgoing {
    std::string frame;
    bool binary;
  };

  // The front of outbox_ is the write in flight.
  void writeFront() {
    ws_.binary(outbox_.front().binary);
    ws_.async_write(asio::buffer(outbox_.front().frame),
                    [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                      self->outbox_.pop_front();
                      if (error) {
                        self->outbox_.clear();
                      } else if (!self->outbox_.empty()) {
                        self->writeFront();
                      }
                    });
  }

  asio::awaitable<bool> upgrade();
  asio::awaitable<void> refuse(const http::request<http::string_body>& request,
                               http::status status);

  PeerCore& peer_;
  websocket::stream<Stream> ws_;
  std::deque<Outgoing> outbox_;
};

template <class Stream>
asio::awaitable<void> Link<Stream>::serve([[maybe_unused]] std::shared_ptr<Link> self) {
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    const auto [error] =
        co_await ws_.next_layer().async_handshake(asio::ssl::stream_base::server, kUseTuple);
    if (error) co_return;
  }
  if (!co_await upgrade()) co_return;
  number = peer_.accepted();
  beast::flat_buffer buffer;
  for (;;) {
    co_await peer_.whileSilent();
    buffer.clear();
    const auto [error, bytes] = co_await ws_.async_read(buffer, kUseTuple);
    if (error == websocket::error::closed) {
      const auto& reason = ws_.reason();
      peer_.recordClose(
          {number, reason.code, std::string(reason.reason.data(), reason.reason.size())});
    }
    if (error) co_return;
    peer_.recordFrame({number, beast::buffers_to_string(buffer.data()), ws_.got_binary()});
  }
}

// Reads the upgrade request and answers it: 101 with the configured subprotocol, or a refusal.
template <class Stream>
asio::awaitable<bool> Link<Stream>::upgrade() {
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  const auto [error, bytes] =
      co_await http::async_read(ws_.next_layer(), buffer, request, kUseTuple);
  if (error) co_return false;
  Upgrade seen{Clock::now(), std::string(request[http::field::authorization]),
               std::string(request[http::field::sec_websocket_protocol]), 101};
  const auto& options = peer_.options();
  if (!websocket::is_upgrade(request)) {
    seen.status = 400;
  } else if (!options.token.empty() && seen.authorization != "Bearer " + options.token) {
    seen.status = 401;
  }
  peer_.recordUpgrade(seen);
  if (seen.status != 101) {
    co_await refuse(request, static_cast<http::status>(seen.status));
    co_return false;
  }
  ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(30),
                                                 websocket::stream_base::none(), false});
  ws_.set_option(websocket::stream_base::decorator(
      [subprotocol = options.subprotocol](websocket::response_type& response) {
        if (!subprotocol.empty()) response.set(http::field::sec_websocket_protocol, subprotocol);
      }));
  ws_.read_message_max(options.max_message_bytes);
  ws_.auto_fragment(false);
  const auto [accept_error] = co_await ws_.async_accept(request, kUseTuple);
  co_return !accept_error;
}

template <class Stream>
asio::awaitable<void> Link<Stream>::refuse(const http::request<http::string_body>& request,
                                           http::status status) {
  http::response<http::string_body> response(status, request.version());
  if (status == http::status::unauthorized) response.set(http::field::www_authenticate, "Bearer");
  response.body() = "refused by the test scheduler\n";
  response.keep_alive(false);
  response.prepare_payload();
  co_await http::async_write(ws_.next_layer(), response, kUseTuple);
  drop();
}

template <class Stream, class... Args>
std::shared_ptr<PeerLink> spawn(PeerCore& peer, Args&&... args) {
  auto link = std::make_shared<Link<Stream>>(peer, std::forward<Args>(args)...);
  asio::co_spawn(peer.io_, link->serve(link), asio::detached);
  return link;
}

}  // namespace

std::shared_ptr<PeerLink> serveConnection(PeerCore& peer, asio::ip::tcp::socket socket) {
  if (peer.tls() == nullptr) return spawn<beast::tcp_stream>(peer, std::move(socket));
  return spawn<beast::ssl_stream<beast::tcp_stream>>(peer, std::move(socket), *peer.tls());
}

}  // namespace deckhand::test
