// Accepts connections and serves each: TLS if configured, the first HTTP request, then either an
// agent's WebSocket (read loop into the Scheduler, one write in flight) or operator requests.

#include "scheduler/server/listener.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <array>
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
#include <tuple>

#include "scheduler/server/stream_channel.hpp"

namespace deckhand::scheduler {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kSubprotocol = "deckhand.v1";
constexpr std::string_view kAgentPath = "/v1/agent";
constexpr std::size_t kMaxFrameBytes = 1024 * 1024;
constexpr std::size_t kMaxApiBodyBytes = 64 * 1024 * 1024;
// A slow agent is dropped rather than buffered without end; its next hello resends everything.
constexpr std::size_t kMaxQueuedFrames = 65536;
constexpr auto kRequestTimeout = std::chrono::seconds(30);

bool tokenMatches(std::string_view header, const std::string& token) {
  if (token.empty()) return true;
  const std::string expected = "Bearer " + token;
  return header.size() == expected.size() &&
         CRYPTO_memcmp(header.data(), expected.data(), expected.size()) == 0;
}

bool offersSubprotocol(std::string_view offered) {
  while (!offered.empty()) {
    const auto comma = offered.find(',');
    auto item = offered.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item == kSubprotocol) return true;
    if (comma == std::string_view::npos) break;
    offered.remove_prefix(comma + 1);
  }
  return false;
}

std::string errorBody(std::string_view message) {
  std::string escaped;
  for (const char c : message) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return R"({"error":")" + escaped + "\"}\n";
}

template <class Stream>
class Connection : public AgentChannel, public std::enable_shared_from_this<Connection<Stream>> {
 public:
  template <class... Args>
  Connection(const ListenerOptions& options, Scheduler& scheduler, const ApiHandler& api,
             std::string peer, Args&&... args)
      : options_(options),
        scheduler_(scheduler),
        api_(api),
        peer_(std::move(peer)),
        ws_(std::forward<Args>(args)...) {}

  void send(std::string frame) override {
    if (closed_) return;
    if (outbox_.size() >= kMaxQueuedFrames) {
      spdlog::warn("agent {} reads too slowly ({} frames waiting); dropping it", peer_,
                   outbox_.size());
      close();
      return;
    }
    outbox_.push_back(std::move(frame));
    if (outbox_.size() == 1) writeFront();
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close();
  }

  const std::string& peer() const override { return peer_; }

  asio::awaitable<void> serve(std::shared_ptr<Connection> self);

 private:
  void writeFront() {
    ws_.async_write(asio::buffer(outbox_.front()),
                    [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                      if (error) {
                        self->outbox_.clear();
                        self->close();
                        return;
                      }
                      self->outbox_.pop_front();
                      if (!self->outbox_.empty()) self->writeFront();
                    });
  }

  asio::awaitable<void> serveAgent(http::request<http::string_body> request);
  asio::awaitable<bool> serveApi(const http::request<http::string_body>& request);
  asio::awaitable<void> serveStream(const http::request<http::string_body>& request,
                                    const std::function<void(std::shared_ptr<HttpStream>)>& start);
  void watchForHangUp(std::shared_ptr<StreamChannel> channel);
  asio::awaitable<void> answer(const http::request<http::string_body>& request, unsigned status,
                               std::string body, bool keep_alive);

  const ListenerOptions options_;
  Scheduler& scheduler_;
  const ApiHandler api_;
  std::string peer_;
  websocket::stream<Stream> ws_;
  std::deque<std::string> outbox_;
  std::array<char, 256> hang_up_probe_{};
  bool closed_ = false;
};

template <class Stream>
// self keeps the connection alive while the coroutine runs.
asio::awaitable<void> Connection<Stream>::serve([[maybe_unused]] std::shared_ptr<Connection> self) {
  auto& lowest = beast::get_lowest_layer(ws_);
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    lowest.expires_after(kRequestTimeout);
    const auto [error] =
        co_await ws_.next_layer().async_handshake(asio::ssl::stream_base::server, kUseTuple);
    if (error) {
      spdlog::info("TLS handshake with {} failed: {}", peer_, error.message());
      co_return;
    }
  }
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxApiBodyBytes);
    lowest.expires_after(kRequestTimeout);
    const auto [error, bytes] =
        co_await http::async_read(ws_.next_layer(), buffer, parser, kUseTuple);
    if (error) co_return;
    auto request = parser.release();
    if (websocket::is_upgrade(request)) {
      co_await serveAgent(std::move(request));
      co_return;
    }
    if (!co_await serveApi(request)) co_return;
  }
}

template <class Stream>
asio::awaitable<void> Connection<Stream>::serveAgent(http::request<http::string_body> request) {
  if (!options_.agents || request.target() != kAgentPath) {
    co_await answer(request, 404, errorBody("agents connect to " + std::string(kAgentPath)), false);
    co_return;
  }
  if (!tokenMatches(request[http::field::authorization], options_.agent_token)) {
    spdlog::warn("agent {} refused: missing or wrong bearer token", peer_);
    co_await answer(request, 401, errorBody("missing or wrong bearer token"), false);
    co_return;
  }
  if (!offersSubprotocol(request[http::field::sec_websocket_protocol])) {
    co_await answer(request, 400, errorBody("offer the subprotocol " + std::string(kSubprotocol)),
                    false);
    co_return;
  }
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeout;
  timeout.handshake_timeout = kRequestTimeout;
  timeout.idle_timeout = options_.agent_timeout;
  timeout.keep_alive_pings = true;
  ws_.set_option(timeout);
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
    response.set(http::field::sec_websocket_protocol, kSubprotocol);
  }));
  ws_.read_message_max(kMaxFrameBytes);
  const auto [accept_error] = co_await ws_.async_accept(request, kUseTuple);
  if (accept_error) co_return;
  auto self = this->shared_from_this();
  beast::flat_buffer buffer;
  for (;;) {
    buffer.clear();
    const auto [error, bytes] = co_await ws_.async_read(buffer, kUseTuple);
    if (error) break;
    if (!ws_.got_text()) {
      spdlog::warn("agent {} sent a binary frame; ignored", peer_);
      continue;
    }
    scheduler_.agentFrame(self, beast::buffers_to_string(buffer.data()));
  }
  closed_ = true;
  scheduler_.agentClosed(*this);
}

template <class Stream>
asio::awaitable<bool> Connection<Stream>::serveApi(
    const http::request<http::string_body>& request) {
  if (!options_.api) {
    co_await answer(request, 404,
                    errorBody("this listener serves agents only (WebSocket on /v1/agent)"), false);
    co_return false;
  }
  if (!tokenMatches(request[http::field::authorization], options_.api_token)) {
    co_await answer(request, 401, errorBody("missing or wrong bearer token"), false);
    co_return false;
  }
  // The handler may answer later (a blocking verb waits for units to reach their state).
  auto self = this->shared_from_this();
  asio::steady_timer done(ws_.get_executor(), asio::steady_timer::time_point::max());
  HttpResponse response;
  bool answered = false;
  api_({std::string(request.method_string()), std::string(request.target()), request.body()},
       [&response, &done, &answered, self](HttpResponse given) {
         response = std::move(given);
         answered = true;
         done.cancel();
       });
  if (!answered) co_await done.async_wait(kUseTuple);
  if (response.stream) {
    co_await serveStream(request, response.stream);
    co_return false;
  }
  co_await answer(request, response.status, std::move(response.body), request.keep_alive());
  co_return request.keep_alive();
}

// Chunked NDJSON until the API ends it or the operator hangs up; then the connection closes.
template <class Stream>
asio::awaitable<void> Connection<Stream>::serveStream(
    const http::request<http::string_body>& request,
    const std::function<void(std::shared_ptr<HttpStream>)>& start) {
  auto channel = std::make_shared<StreamChannel>(ws_.get_executor());
  start(channel);
  http::response<http::empty_body> head(http::status::ok, request.version());
  head.set(http::field::content_type, "application/x-ndjson");
  head.keep_alive(false);
  head.chunked(true);
  http::response_serializer<http::empty_body> serializer(head);
  auto& lowest = beast::get_lowest_layer(ws_);
  // A followed journal may be quiet for hours; a stuck reader is caught by the queue's bound.
  lowest.expires_never();
  auto [error, bytes] = co_await http::async_write_header(ws_.next_layer(), serializer, kUseTuple);
  if (!error) watchForHangUp(channel);
  while (!error) {
    auto& queue = channel->queue();
    while (!queue.empty() && !error && !channel->gone()) {
      const auto chunk = std::move(queue.front());
      queue.pop_front();
      std::tie(error, bytes) = co_await asio::async_write(
          ws_.next_layer(), http::make_chunk(asio::buffer(chunk)), kUseTuple);
    }
    if (error || channel->finished()) break;
    co_await channel->wake().async_wait(kUseTuple);
  }
  if (!error && !channel->gone()) {
    co_await asio::async_write(ws_.next_layer(), http::make_chunk_last(), kUseTuple);
  }
  channel->peerGone();
  beast::error_code ignored;
  lowest.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  lowest.close();
}

// The operator sends nothing more on a stream's connection: a read ends only when they hang up.
template <class Stream>
void Connection<Stream>::watchForHangUp(std::shared_ptr<StreamChannel> channel) {
  ws_.next_layer().async_read_some(
      asio::buffer(hang_up_probe_),
      [self = this->shared_from_this(), channel](beast::error_code error, std::size_t) {
        if (error) {
          channel->peerGone();
        } else if (!channel->finished()) {
          self->watchForHangUp(channel);
        }
      });
}

template <class Stream>
asio::awaitable<void> Connection<Stream>::answer(const http::request<http::string_body>& request,
                                                 unsigned status, std::string body,
                                                 bool keep_alive) {
  http::response<http::string_body> response(static_cast<http::status>(status), request.version());
  response.set(http::field::content_type, "application/json");
  if (status == 401) response.set(http::field::www_authenticate, "Bearer");
  response.keep_alive(keep_alive);
  response.body() = std::move(body);
  response.prepare_payload();
  beast::get_lowest_layer(ws_).expires_after(kRequestTimeout);
  co_await http::async_write(ws_.next_layer(), response, kUseTuple);
}

}  // namespace

struct Listener::Impl : std::enable_shared_from_this<Listener::Impl> {
  Impl(asio::io_context& io, ListenerOptions options, Scheduler& scheduler, ApiHandler api)
      : options(std::move(options)), scheduler(scheduler), api(std::move(api)), acceptor(io) {}

  asio::awaitable<void> acceptLoop([[maybe_unused]] std::shared_ptr<Impl> self) {
    for (;;) {
      auto [error, socket] = co_await acceptor.async_accept(kUseTuple);
      if (error == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (error) continue;
      beast::error_code ignored;
      const auto remote = socket.remote_endpoint(ignored);
      const auto peer = remote.address().to_string() + ":" + std::to_string(remote.port());
      socket.set_option(asio::ip::tcp::no_delay(true), ignored);
      if (options.tls == nullptr) {
        spawn<beast::tcp_stream>(peer, std::move(socket));
      } else {
        spawn<beast::ssl_stream<beast::tcp_stream>>(peer, std::move(socket), *options.tls);
      }
    }
  }

  template <class Stream, class... Args>
  void spawn(const std::string& peer, Args&&... args) {
    auto connection = std::make_shared<Connection<Stream>>(options, scheduler, api, peer,
                                                           std::forward<Args>(args)...);
    asio::co_spawn(acceptor.get_executor(), connection->serve(connection), asio::detached);
  }

  ListenerOptions options;
  Scheduler& scheduler;
  ApiHandler api;
  asio::ip::tcp::acceptor acceptor;
};

Listener::Listener(asio::io_context& io, ListenerOptions options, Scheduler& scheduler,
                   ApiHandler api)
    : impl_(std::make_shared<Impl>(io, std::move(options), scheduler, std::move(api))) {
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(impl_->options.address),
                                         impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen();
  asio::co_spawn(io, impl_->acceptLoop(impl_), asio::detached);
}

Listener::~Listener() {
  close();
}

void Listener::close() {
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

std::uint16_t Listener::port() const {
  return impl_->acceptor.local_endpoint().port();
}

}  // namespace deckhand::scheduler
