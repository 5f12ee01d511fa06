#include "ctl/cluster_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

namespace deckhand::ctl {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

constexpr auto kTimeout = std::chrono::seconds(30);

}  // namespace

ClusterEndpoint parseEndpoint(const std::string& text) {
  std::string rest = text;
  if (rest.starts_with("http://")) rest = rest.substr(7);
  while (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  const auto colon = rest.rfind(':');
  if (rest.empty() || colon == std::string::npos || colon == 0 || colon + 1 == rest.size() ||
      rest.find('/') != std::string::npos) {
    throw ClusterError("endpoint \"" + text + "\": expected http://HOST:PORT, e.g. " +
                       "http://127.0.0.1:7480 (https is not supported yet)");
  }
  return {rest.substr(0, colon), rest.substr(colon + 1), ""};
}

json::value callCluster(const ClusterEndpoint& endpoint, const std::string& method,
                        const std::string& path, const std::string& body) {
  const std::string where = "scheduler at " + endpoint.host + ":" + endpoint.port;
  asio::io_context io;
  beast::tcp_stream stream(io);
  http::response<http::string_body> response;
  try {
    asio::ip::tcp::resolver resolver(io);
    stream.expires_after(kTimeout);
    stream.connect(resolver.resolve(endpoint.host, endpoint.port));
    http::request<http::string_body> request(http::string_to_verb(method), path, 11);
    request.set(http::field::host, endpoint.host);
    request.set(http::field::content_type, "application/json");
    if (!endpoint.token.empty())
      request.set(http::field::authorization, "Bearer " + endpoint.token);
    request.body() = body;
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    http::read(stream, buffer, parser);
    response = parser.release();
  } catch (const boost::system::system_error& error) {
    throw ClusterError("cannot reach the " + where + ": " + error.code().message() +
                       " (is deckhand-scheduler running? see --endpoint)");
  }
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  std::error_code parse_error;
  auto answer = json::parse(response.body(), parse_error);
  if (parse_error) {
    throw ClusterError("the " + where + " answered " + std::to_string(response.result_int()) +
                       " with something that is not JSON");
  }
  if (response.result_int() >= 400) {
    const auto* message = answer.is_object() ? answer.as_object().if_contains("error") : nullptr;
    throw ClusterError(message != nullptr && message->is_string()
                           ? std::string(message->get_string())
                           : "the " + where + " answered " + std::to_string(response.result_int()));
  }
  return answer;
}

}  // namespace deckhand::ctl
