#include "docker/engine.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <charconv>

namespace deckhand::docker {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Socket = asio::local::stream_protocol;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// A reply (a list of many containers, a pull's progress) is read whole; this bounds it.
constexpr std::uint64_t kMaxBodyBytes = 64ULL * 1024 * 1024;
// Pulling a large image can take minutes; anything else answers quickly.
constexpr std::chrono::seconds kRequestTimeout(30);
constexpr std::chrono::minutes kPullTimeout(30);

std::vector<int> versionParts(std::string_view version) {
  std::vector<int> parts;
  while (!version.empty()) {
    int part = 0;
    const auto [end, error] =
        std::from_chars(version.data(), version.data() + version.size(), part);
    parts.push_back(error == std::errc() ? part : 0);
    const auto dot = version.find('.');
    if (dot == std::string_view::npos) break;
    version.remove_prefix(dot + 1);
    (void)end;
  }
  return parts;
}

// The daemon's own words for an error: {"message": "..."} or the body as it is.
std::string daemonMessage(const std::string& body) {
  boost::json::error_code error;
  const boost::json::value value = boost::json::parse(body, error);
  if (!error && value.is_object()) {
    if (const auto* message = value.get_object().if_contains("message");
        message != nullptr && message->is_string()) {
      return std::string(message->get_string());
    }
  }
  std::string text = body.substr(0, 200);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  return text;
}

std::string describe(const EngineResponse& response) {
  return "HTTP " + std::to_string(response.status) + ": " + daemonMessage(response.body);
}

}  // namespace

bool apiVersionLess(std::string_view a, std::string_view b) {
  return versionParts(a) < versionParts(b);
}

std::string urlEncode(std::string_view text) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
  return out;
}

Engine::Engine(asio::any_io_executor executor, std::string socket_path)
    : executor_(std::move(executor)), socket_path_(std::move(socket_path)) {}

namespace {

asio::awaitable<EngineResponse> exchange(asio::any_io_executor executor,
                                         const std::string& socket_path, http::verb method,
                                         const std::string& target, const std::string& body,
                                         std::chrono::seconds timeout,
                                         std::string* api_version_header = nullptr) {
  beast::basic_stream<Socket> stream(executor);
  stream.expires_after(timeout);
  auto [connect_error] = co_await stream.async_connect(Socket::endpoint(socket_path), kUseTuple);
  if (connect_error) {
    throw EngineError("Docker engine not reachable at " + socket_path + ": " +
                      connect_error.message() + "; is dockerd running?");
  }
  http::request<http::string_body> request(method, target, 11);
  request.set(http::field::host, "docker");
  request.set(http::field::user_agent, "deckhand");
  if (!body.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
  }
  request.prepare_payload();
  const auto [write_error, written] = co_await http::async_write(stream, request, kUseTuple);
  const std::string what = std::string(http::to_string(method)) + " " + target;
  if (write_error) {
    throw EngineError("Docker engine at " + socket_path + ": " + what + ": " +
                      write_error.message());
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBodyBytes);
  const auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kUseTuple);
  if (read_error) {
    throw EngineError("Docker engine at " + socket_path + ": " + what + ": " +
                      (read_error == beast::error::timeout ? "no answer" : read_error.message()));
  }
  auto& response = parser.get();
  if (api_version_header != nullptr) *api_version_header = response["Api-Version"];
  (void)written;
  co_return EngineResponse{response.result_int(), std::move(response.body())};
}

}  // namespace

asio::awaitable<std::string> Engine::negotiate() {
  std::string daemon_version;
  const EngineResponse response = co_await exchange(executor_, socket_path_, http::verb::get,
                                                    "/_ping", {}, kRequestTimeout, &daemon_version);
  if (response.status != 200 || daemon_version.empty()) {
    throw EngineError("Docker engine at " + socket_path_ + " did not answer /_ping with an " +
                      "API version (" + describe(response) + ")");
  }
  api_version_ = apiVersionLess(daemon_version, kHighestKnownApi) ? daemon_version
                                                                  : std::string(kHighestKnownApi);
  co_return api_version_;
}

asio::awaitable<EngineResponse> Engine::request(std::string method, std::string target,
                                                std::string body) {
  if (api_version_.empty()) co_await negotiate();
  const bool pull = target.starts_with("/images/create");
  co_return co_await exchange(
      executor_, socket_path_, http::string_to_verb(method), "/v" + api_version_ + target, body,
      pull ? std::chrono::duration_cast<std::chrono::seconds>(kPullTimeout) : kRequestTimeout);
}

asio::awaitable<std::string> Engine::version() {
  const EngineResponse response = co_await request("GET", "/version");
  boost::json::error_code error;
  const boost::json::value value = boost::json::parse(response.body, error);
  const auto* object = error ? nullptr : value.if_object();
  const auto* version = object == nullptr ? nullptr : object->if_contains("Version");
  if (response.status != 200 || version == nullptr || !version->is_string()) {
    throw EngineError("Docker engine at " + socket_path_ +
                      ": GET /version failed: " + describe(response));
  }
  co_return std::string(version->get_string());
}

asio::awaitable<std::vector<ContainerState>> Engine::listContainers(std::string label) {
  boost::json::object filters;
  filters["label"] = boost::json::array{boost::json::string(label)};
  const EngineResponse listed = co_await request(
      "GET", "/containers/json?all=1&filters=" + urlEncode(boost::json::serialize(filters)));
  if (listed.status != 200) {
    throw EngineError("Docker engine at " + socket_path_ +
                      ": listing containers failed: " + describe(listed));
  }
  std::vector<ContainerState> states;
  for (const auto& name : containerNamesFromList(listed.body)) {
    // A container removed between the list and its inspect is simply no longer there.
    if (auto state = co_await inspect(name)) states.push_back(std::move(*state));
  }
  co_return states;
}

asio::awaitable<std::optional<ContainerState>> Engine::inspect(std::string name) {
  const EngineResponse response =
      co_await request("GET", "/containers/" + urlEncode(name) + "/json");
  if (response.status == 404) co_return std::nullopt;
  if (response.status != 200) {
    throw EngineError("Docker engine at " + socket_path_ + ": inspecting container " + name +
                      " failed: " + describe(response));
  }
  co_return containerStateFromInspect(response.body);
}

asio::awaitable<bool> Engine::hasImage(std::string reference) {
  const EngineResponse response =
      co_await request("GET", "/images/" + urlEncode(reference) + "/json");
  if (response.status == 404) co_return false;
  if (response.status != 200) {
    throw EngineError("Docker engine at " + socket_path_ + ": inspecting image " + reference +
                      " failed: " + describe(response));
  }
  co_return true;
}

asio::awaitable<void> Engine::pullImage(std::string reference) {
  const EngineResponse response =
      co_await request("POST", "/images/create?fromImage=" + urlEncode(reference));
  const std::string failed = "pulling image " + reference + " failed: ";
  if (response.status != 200) throw EngineError(failed + daemonMessage(response.body));
  // One JSON object per line; a failure is a line with "error".
  std::string_view rest = response.body;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    boost::json::error_code error;
    const boost::json::value value = boost::json::parse(line, error);
    if (error || !value.is_object()) continue;
    if (const auto* message = value.get_object().if_contains("error");
        message != nullptr && message->is_string()) {
      throw EngineError(failed + std::string(message->get_string()));
    }
  }
}

asio::awaitable<void> Engine::removeContainer(std::string name) {
  const EngineResponse response =
      co_await request("DELETE", "/containers/" + urlEncode(name) + "?force=1");
  if (response.status == 204 || response.status == 404) co_return;
  // 409: already being removed (--rm racing us); it will be gone.
  if (response.status == 409) co_return;
  throw EngineError("Docker engine at " + socket_path_ + ": removing container " + name +
                    " failed: " + describe(response));
}

}  // namespace deckhand::docker
