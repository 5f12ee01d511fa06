#include "ctl/cluster_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

namespace deckhand::ctl {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace ssl = asio::ssl;

constexpr auto kTimeout = std::chrono::seconds(30);
constexpr std::size_t kMaxBodyBytes = 256 * 1024 * 1024;

bool isAddress(const std::string& host) {
  boost::system::error_code error;
  asio::ip::make_address(host, error);
  return !error;
}

// An error's text; for OpenSSL's errors the bare reason, without Asio's "(SSL routines)".
std::string errorText(const beast::error_code& error) {
  if (error.category() == asio::error::get_ssl_category()) {
    const auto code = static_cast<unsigned long>(static_cast<unsigned int>(error.value()));
    if (const char* reason = ERR_reason_error_string(code)) return reason;
  }
  return error.message();
}

ssl::context clientTls(const ClusterEndpoint& endpoint) {
  ssl::context context(ssl::context::tls_client);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  context.set_verify_mode(ssl::verify_peer);
  beast::error_code error;
  if (endpoint.ca_file.empty()) {
    context.set_default_verify_paths(error);
  } else if (std::error_code missing; !std::filesystem::exists(endpoint.ca_file, missing)) {
    throw ClusterError("--ca-file " + endpoint.ca_file.string() + ": no such file");
  } else {
    context.load_verify_file(endpoint.ca_file.string(), error);
  }
  if (error) {
    throw ClusterError("cannot load the CA certificates" +
                       (endpoint.ca_file.empty() ? std::string(" of the system")
                                                 : " of --ca-file " + endpoint.ca_file.string()) +
                       ": " + errorText(error));
  }
  return context;
}

// One connection to the scheduler, plain or TLS. Every operation runs on its own io_context so
// that the stream's timeouts apply; every failure is a ClusterError that says what to do.
class Connection {
 public:
  explicit Connection(const ClusterEndpoint& endpoint)
      : endpoint_(endpoint),
        where_("the scheduler at " + std::string(endpoint.https ? "https://" : "http://") +
               endpoint.host + ":" + endpoint.port),
        tls_context_(clientTls(endpoint)),
        stream_(io_, tls_context_) {
    asio::ip::tcp::resolver resolver(io_);
    beast::error_code error;
    const auto addresses = resolver.resolve(endpoint.host, endpoint.port, error);
    if (error) {
      throw ClusterError("cannot resolve " + endpoint.host + ": " + error.message() +
                         " (see --endpoint)");
    }
    lowest().expires_after(kTimeout);
    error = run([&](auto done) { lowest().async_connect(addresses, done); });
    if (error) {
      throw ClusterError("cannot reach " + where_ + ": " + errorText(error) +
                         " (is deckhand-scheduler running? see --endpoint)");
    }
    if (endpoint.https) handshake();
  }

  ~Connection() {
    beast::error_code ignored;
    lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  }

  void write(http::request<http::string_body>& request) {
    lowest().expires_after(kTimeout);
    check(visit([&](auto& stream, auto done) { http::async_write(stream, request, done); }));
  }

  // Reads a whole answer.
  template <class Parser>
  void read(Parser& parser) {
    lowest().expires_after(kTimeout);
    check(visit([&](auto& stream, auto done) { http::async_read(stream, buffer_, parser, done); }));
  }

  template <class Parser>
  void readHeader(Parser& parser) {
    lowest().expires_after(kTimeout);
    check(visit(
        [&](auto& stream, auto done) { http::async_read_header(stream, buffer_, parser, done); }));
  }

  // Reads what has arrived of the body, waiting as long as it takes (a stream may be quiet).
  template <class Parser>
  void readSome(Parser& parser) {
    lowest().expires_never();
    const auto error = visit(
        [&](auto& stream, auto done) { http::async_read_some(stream, buffer_, parser, done); });
    if (error != http::error::need_buffer) check(error);
  }

  const std::string& where() const { return where_; }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  template <class Start>
  beast::error_code run(Start start) {
    beast::error_code result;
    start([&result](beast::error_code error, auto&&...) { result = error; });
    io_.restart();
    io_.run();
    return result;
  }

  // Runs an operation on the TLS stream, or on the plain one beneath it.
  template <class Operation>
  beast::error_code visit(Operation operation) {
    return run([&](auto done) {
      if (endpoint_.https) {
        operation(stream_, done);
      } else {
        operation(stream_.next_layer(), done);
      }
    });
  }

  void handshake() {
    SSL* ssl = stream_.native_handle();
    // OpenSSL checks the name itself, so a mismatch is reported as one ("hostname mismatch").
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (isAddress(endpoint_.host)) {
      X509_VERIFY_PARAM_set1_ip_asc(param, endpoint_.host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, endpoint_.host.c_str());
      X509_VERIFY_PARAM_set1_host(param, endpoint_.host.c_str(), 0);
    }
    lowest().expires_after(kTimeout);
    const auto error =
        run([&](auto done) { stream_.async_handshake(ssl::stream_base::client, done); });
    if (!error) return;
    std::string text = "TLS handshake with " + where_ + " failed: " + errorText(error);
    const long verify_result = SSL_get_verify_result(ssl);
    if (error.category() == asio::error::get_ssl_category() && verify_result != X509_V_OK) {
      text += std::string(" (") + X509_verify_cert_error_string(verify_result) + ")";
      text += endpoint_.ca_file.empty()
                  ? "; pass --ca-file with the CA that signed the scheduler's certificate"
                  : "; is --ca-file the CA that signed the scheduler's certificate, and does it "
                    "name " +
                        endpoint_.host + "?";
    } else {
      text += "; if the scheduler's API serves plain HTTP here, use --endpoint http://" +
              endpoint_.host + ":" + endpoint_.port;
    }
    throw ClusterError(text);
  }

  void check(const beast::error_code& error) {
    if (!error) return;
    const bool closed = error == http::error::end_of_stream || error == asio::error::eof ||
                        error == asio::error::connection_reset;
    if (closed && !endpoint_.https) {
      throw ClusterError(where_ + " closed the connection without answering: " + errorText(error) +
                         " (if its API serves TLS, with --api-cert-file, use --endpoint https://" +
                         endpoint_.host + ":" + endpoint_.port + ")");
    }
    throw ClusterError("lost the connection to " + where_ + ": " + errorText(error));
  }

  const ClusterEndpoint& endpoint_;
  const std::string where_;
  asio::io_context io_;
  ssl::context tls_context_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

http::request<http::string_body> makeRequest(const ClusterEndpoint& endpoint,
                                             const std::string& method, const std::string& path,
                                             const std::string& body) {
  http::request<http::string_body> request(http::string_to_verb(method), path, 11);
  request.set(http::field::host, endpoint.host);
  request.set(http::field::content_type, "application/json");
  if (!endpoint.token.empty()) request.set(http::field::authorization, "Bearer " + endpoint.token);
  request.body() = body;
  request.prepare_payload();
  return request;
}

// An error answer's message: the scheduler's own, with what to do for a refused token.
ClusterError refusal(const Connection& connection, unsigned status, const std::string& body) {
  std::error_code parse_error;
  const auto answer = json::parse(body, parse_error);
  const auto* message =
      !parse_error && answer.is_object() ? answer.as_object().if_contains("error") : nullptr;
  std::string text = message != nullptr && message->is_string()
                         ? std::string(message->get_string())
                         : connection.where() + " answered " + std::to_string(status);
  if (status == 401) {
    return ClusterError(connection.where() + " refused the request: " + text +
                        " (401); pass --token-file with the token of its --api-token-file");
  }
  return ClusterError(text);
}

}  // namespace

ClusterEndpoint parseEndpoint(const std::string& text) {
  ClusterEndpoint endpoint;
  std::string rest = text;
  if (rest.starts_with("https://")) {
    endpoint.https = true;
    rest = rest.substr(8);
  } else if (rest.starts_with("http://")) {
    rest = rest.substr(7);
  }
  while (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  const auto colon = rest.rfind(':');
  if (rest.empty() || colon == std::string::npos || colon == 0 || colon + 1 == rest.size() ||
      rest.find('/') != std::string::npos) {
    throw ClusterError("endpoint \"" + text + "\": expected http://HOST:PORT or " +
                       "https://HOST:PORT, e.g. http://127.0.0.1:7480");
  }
  endpoint.host = rest.substr(0, colon);
  endpoint.port = rest.substr(colon + 1);
  return endpoint;
}

json::value callCluster(const ClusterEndpoint& endpoint, const std::string& method,
                        const std::string& path, const std::string& body) {
  Connection connection(endpoint);
  auto request = makeRequest(endpoint, method, path, body);
  connection.write(request);
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBodyBytes);
  connection.read(parser);
  const auto& response = parser.get();
  if (response.result_int() >= 400)
    throw refusal(connection, response.result_int(), response.body());
  std::error_code parse_error;
  auto answer = json::parse(response.body(), parse_error);
  if (parse_error) {
    throw ClusterError(connection.where() + " answered " + std::to_string(response.result_int()) +
                       " with something that is not JSON");
  }
  return answer;
}

void streamCluster(const ClusterEndpoint& endpoint, const std::string& path,
                   const std::function<void(std::string_view line)>& on_line) {
  Connection connection(endpoint);
  auto request = makeRequest(endpoint, "GET", path, "");
  connection.write(request);
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  connection.readHeader(parser);
  const auto status = parser.get().result_int();
  std::string pending;
  char chunk[16 * 1024];
  while (!parser.is_done()) {
    auto& body = parser.get().body();
    body.data = chunk;
    body.size = sizeof chunk;
    connection.readSome(parser);
    pending.append(chunk, sizeof chunk - body.size);
    if (status >= 400) {
      if (pending.size() > kMaxBodyBytes) break;
      continue;
    }
    for (auto newline = pending.find('\n'); newline != std::string::npos;
         newline = pending.find('\n')) {
      on_line(std::string_view(pending).substr(0, newline));
      pending.erase(0, newline + 1);
    }
  }
  if (status >= 400) throw refusal(connection, status, pending);
  if (!pending.empty()) on_line(pending);
}

}  // namespace deckhand::ctl
