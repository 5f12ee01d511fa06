#include "agent/metrics/metrics_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace deckhand::metrics {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kRequestTimeout = std::chrono::seconds(5);
constexpr std::size_t kMaxRequestBytes = 8192;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

tcp::endpoint endpointOf(const std::string& listen) {
  const auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return {asio::ip::make_address(host),
          static_cast<unsigned short>(std::stoul(listen.substr(colon + 1)))};
}

http::response<http::string_body> answer(const http::request<http::string_body>& request,
                                         const std::function<std::string()>& render) {
  http::response<http::string_body> response;
  response.version(request.version());
  response.keep_alive(false);
  if (request.target() != "/metrics") {
    response.result(http::status::not_found);
    response.body() = "not found: metrics are at /metrics\n";
  } else if (request.method() != http::verb::get && request.method() != http::verb::head) {
    response.result(http::status::method_not_allowed);
    response.set(http::field::allow, "GET, HEAD");
    response.body() = "only GET and HEAD\n";
  } else {
    response.result(http::status::ok);
    response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    response.body() = render();
  }
  if (response.result() != http::status::ok) {
    response.set(http::field::content_type, "text/plain; charset=utf-8");
  }
  response.prepare_payload();
  return response;
}

}  // namespace

struct MetricsServer::State {
  tcp::acceptor acceptor;
  std::function<std::string()> render;
  bool stopped = false;

  asio::awaitable<void> serve(tcp::socket socket, std::shared_ptr<State> self) {
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(kRequestTimeout);
    beast::flat_buffer buffer(kMaxRequestBytes);
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxRequestBytes);
    parser.body_limit(kMaxRequestBytes);
    const auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kUseTuple);
    if (read_error || self->stopped) co_return;
    auto response = answer(parser.get(), self->render);
    co_await http::async_write(stream, response, kUseTuple);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  asio::awaitable<void> accept(std::shared_ptr<State> self) {
    while (!self->stopped) {
      auto [error, socket] = co_await acceptor.async_accept(kUseTuple);
      if (self->stopped) co_return;
      if (error) {
        spdlog::warn("metrics listener: accepting failed: {}", error.message());
        continue;
      }
      asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), self), asio::detached);
    }
  }
};

MetricsServer::MetricsServer(asio::any_io_executor executor, const std::string& listen,
                             std::function<std::string()> render)
    : state_(std::make_shared<State>(State{tcp::acceptor(executor), std::move(render)})) {
  try {
    const auto endpoint = endpointOf(listen);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(asio::socket_base::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
  } catch (const boost::system::system_error& error) {
    throw std::runtime_error("cannot serve metrics on " + listen + ": " + error.code().message());
  }
  asio::co_spawn(executor, state_->accept(state_), asio::detached);
  spdlog::info("serving Prometheus metrics at http://{}/metrics", listen);
}

MetricsServer::~MetricsServer() {
  state_->stopped = true;
  beast::error_code ignored;
  state_->acceptor.close(ignored);
}

}  // namespace deckhand::metrics
