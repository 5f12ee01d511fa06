#pragma once
// TLS for wss:// as docs/protocol.md "Transport" promises: the scheduler's chain is verified
// (system trust store, or CAFile=), its certificate must name the URL's host, SNI is sent, and a
// client certificate is presented when one is configured.

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <boost/system/error_code.hpp>
#include <filesystem>
#include <functional>
#include <string>

#include "agent/link/session.hpp"

namespace deckhand::link::detail {

// Made at each connect, so renewed files are used. Throws LinkError naming the unusable file.
boost::asio::ssl::context makeTlsContext(const SessionOptions& options);

// ssl::host_name_verification, but a mismatch is recorded in the verify result, so the handshake
// error says "hostname mismatch" instead of a bare "certificate verify failed".
class VerifyHost {
 public:
  explicit VerifyHost(const std::string& host);
  bool operator()(bool preverified, boost::asio::ssl::verify_context& context) const;

 private:
  boost::asio::ssl::host_name_verification check_;
  bool is_address_;
};

// SNI for a host name; RFC 6066 leaves IP addresses out.
void sendServerName(SSL* ssl, const std::string& host);

// "TLS handshake failed: certificate verify failed (unable to get local issuer certificate)".
std::string describeTlsFailure(const boost::system::error_code& error, SSL* ssl);

}  // namespace deckhand::link::detail
