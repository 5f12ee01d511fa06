#include "agent/link/tls_context.hpp"

#include <openssl/x509_vfy.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <functional>
#include <system_error>

#include "agent/link/session_core.hpp"

namespace deckhand::link::detail {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

bool isAddress(const std::string& host) {
  boost::system::error_code error;
  asio::ip::make_address(host, error);
  return !error;
}

// OpenSSL's reasons for a missing file are vague ("system lib"), so that case is named first.
void load(const std::filesystem::path& file, const char* what,
          const std::function<void(boost::system::error_code&)>& use) {
  std::error_code missing;
  if (!std::filesystem::exists(file, missing)) {
    throw LinkError(std::string("cannot read ") + what + " " + file.string() + ": no such file");
  }
  boost::system::error_code error;
  use(error);
  if (error) {
    throw LinkError(std::string("cannot use ") + what + " " + file.string() + ": " +
                    error.message());
  }
}

}  // namespace

ssl::context makeTlsContext(const SessionOptions& options) {
  ssl::context context(ssl::context::tls_client);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  context.set_verify_mode(ssl::verify_peer);
  if (options.ca_file.empty()) {
    context.set_default_verify_paths();
  } else {
    load(options.ca_file, "CA file",
         [&](auto& error) { context.load_verify_file(options.ca_file.string(), error); });
  }
  if (!options.cert_file.empty()) {
    load(options.cert_file, "certificate file", [&](auto& error) {
      context.use_certificate_chain_file(options.cert_file.string(), error);
    });
    // A key kept in the certificate's own PEM file is common enough not to need KeyFile=.
    const auto& key_file = options.key_file.empty() ? options.cert_file : options.key_file;
    load(key_file, "key file", [&](auto& error) {
      context.use_private_key_file(key_file.string(), ssl::context::pem, error);
    });
  }
  return context;
}

VerifyHost::VerifyHost(const std::string& host) : check_(host), is_address_(isAddress(host)) {}

bool VerifyHost::operator()(bool preverified, ssl::verify_context& context) const {
  if (check_(preverified, context)) return true;
  X509_STORE_CTX* store = context.native_handle();
  if (preverified && X509_STORE_CTX_get_error(store) == X509_V_OK) {
    X509_STORE_CTX_set_error(
        store, is_address_ ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH);
  }
  return false;
}

void sendServerName(SSL* ssl, const std::string& host) {
  if (!isAddress(host)) SSL_set_tlsext_host_name(ssl, host.c_str());
}

std::string describeTlsFailure(const boost::system::error_code& error, SSL* ssl) {
  std::string text = errorText(error);
  const long verify_result = SSL_get_verify_result(ssl);
  if (error.category() == asio::error::get_ssl_category() && verify_result != X509_V_OK) {
    text += std::string(" (") + X509_verify_cert_error_string(verify_result) + ")";
  }
  return "TLS handshake failed: " + text;
}

}  // namespace deckhand::link::detail
