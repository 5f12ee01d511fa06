#include "docker/event_stream.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <optional>

#include "docker/engine.hpp"

namespace deckhand::docker {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Socket = asio::local::stream_protocol;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// Retries double from the first delay up to the last: an engine that is down for good (no Docker
// on this node) costs a connect attempt every few seconds, not a polling loop.
constexpr std::chrono::seconds kFirstRetryDelay(1);
constexpr std::chrono::seconds kLastRetryDelay(16);
constexpr std::chrono::seconds kConnectTimeout(10);
constexpr std::size_t kMaxLineBytes = 1024UL * 1024;

}  // namespace

struct EventStream::Core : std::enable_shared_from_this<Core> {
  Core(const asio::any_io_executor& executor, std::string socket_path, Handlers handlers)
      : executor(executor),
        engine(executor, std::move(socket_path)),
        handlers(std::move(handlers)),
        retry(executor) {}

  asio::any_io_executor executor;
  Engine engine;
  Handlers handlers;
  asio::steady_timer retry;
  std::optional<beast::basic_stream<Socket>> stream;
  bool stopped = false;
  std::int64_t last_event_nano = 0;
  std::chrono::seconds retry_delay = kFirstRetryDelay;

  std::string eventsTarget() const {
    boost::json::object filters;
    filters["type"] = boost::json::array{"container"};
    // The engine matches "health_status" against "health_status: healthy" and the like.
    filters["event"] = boost::json::array{"create", "start",   "die",     "oom",
                                          "pause",  "unpause", "destroy", "health_status"};
    std::string target = "/v" + engine.apiVersion() +
                         "/events?filters=" + urlEncode(boost::json::serialize(filters));
    if (last_event_nano != 0) {
      // Events at the same second as the last one come again; applying them twice is harmless
      // except for the restart count, which is why their nanoseconds are compared below.
      target += "&since=" + std::to_string(last_event_nano / 1'000'000'000);
    }
    return target;
  }

  void deliver(std::string_view line) {
    const auto event = parseContainerEvent(line);
    if (!event || event->time_nano <= last_event_nano) return;
    last_event_nano = event->time_nano;
    handlers.on_event(*event);
  }

  // One subscription, until it breaks. Throws EngineError with the reason.
  asio::awaitable<void> follow() {
    co_await engine.negotiate();
    if (stopped) co_return;
    stream.emplace(executor);
    stream->expires_after(kConnectTimeout);
    auto [connect_error] =
        co_await stream->async_connect(Socket::endpoint(engine.socketPath()), kUseTuple);
    if (connect_error) {
      throw EngineError("Docker engine not reachable at " + engine.socketPath() + ": " +
                        connect_error.message());
    }
    http::request<http::empty_body> request(http::verb::get, eventsTarget(), 11);
    request.set(http::field::host, "docker");
    auto [write_error, written] = co_await http::async_write(*stream, request, kUseTuple);
    if (write_error) throw EngineError("sending GET /events: " + write_error.message());
    (void)written;

    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);  // the stream never ends
    auto [header_error, header_bytes] =
        co_await http::async_read_header(*stream, buffer, parser, kUseTuple);
    if (header_error) throw EngineError("reading /events: " + header_error.message());
    (void)header_bytes;
    if (parser.get().result() != http::status::ok) {
      throw EngineError("GET /events answered HTTP " + std::to_string(parser.get().result_int()));
    }
    stream->expires_never();
    if (stopped) co_return;
    retry_delay = kFirstRetryDelay;
    handlers.on_connected(engine.apiVersion());

    std::string pending;
    char chunk[8192];
    while (!stopped && !parser.is_done()) {
      parser.get().body().data = chunk;
      parser.get().body().size = sizeof chunk;
      auto [read_error, read] = co_await http::async_read_some(*stream, buffer, parser, kUseTuple);
      (void)read;
      if (read_error && read_error != http::error::need_buffer) {
        throw EngineError("the /events stream broke: " + read_error.message());
      }
      if (stopped) co_return;
      pending.append(chunk, sizeof chunk - parser.get().body().size);
      for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
        deliver(std::string_view(pending).substr(0, end));
        if (stopped) co_return;
        pending.erase(0, end + 1);
      }
      if (pending.size() > kMaxLineBytes) {
        throw EngineError("the /events stream sent a line over 1 MiB");
      }
    }
    if (!stopped) throw EngineError("the Docker engine ended the /events stream");
  }

  asio::awaitable<void> run() {
    const auto self = shared_from_this();
    while (!stopped) {
      std::string why;
      try {
        co_await follow();
      } catch (const EngineError& error) {
        why = error.what();
      }
      stream.reset();
      if (stopped) break;
      handlers.on_lost(why);
      retry.expires_after(retry_delay);
      retry_delay = std::min(retry_delay * 2, kLastRetryDelay);
      co_await retry.async_wait(kUseTuple);
    }
  }
};

EventStream::EventStream(const asio::any_io_executor& executor, std::string socket_path,
                         Handlers handlers)
    : core_(std::make_shared<Core>(executor, std::move(socket_path), std::move(handlers))) {}

EventStream::~EventStream() {
  stop();
}

void EventStream::start() {
  asio::co_spawn(core_->executor, core_->run(), asio::detached);
}

void EventStream::stop() {
  core_->stopped = true;
  core_->retry.cancel();
  if (core_->stream) core_->stream->cancel();
}

}  // namespace deckhand::docker
