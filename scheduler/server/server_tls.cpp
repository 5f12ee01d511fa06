#include "scheduler/server/server_tls.hpp"

#include <functional>
#include <stdexcept>

namespace deckhand::scheduler {
namespace {

namespace ssl = boost::asio::ssl;

// OpenSSL's reason for a missing file is a vague "system lib", so that case is named first.
void load(const std::string& option, const std::filesystem::path& file,
          const std::function<void(boost::system::error_code&)>& use) {
  std::error_code missing;
  if (!std::filesystem::exists(file, missing)) {
    throw std::runtime_error(option + " " + file.string() + ": no such file");
  }
  boost::system::error_code error;
  use(error);
  if (error) throw std::runtime_error(option + " " + file.string() + ": " + error.message());
}

}  // namespace

ssl::context makeServerTls(const std::string& option_prefix, const std::filesystem::path& cert_file,
                           const std::filesystem::path& key_file) {
  ssl::context context(ssl::context::tls_server);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  load("--" + option_prefix + "cert-file", cert_file,
       [&](auto& error) { context.use_certificate_chain_file(cert_file.string(), error); });
  load("--" + option_prefix + "key-file", key_file, [&](auto& error) {
    context.use_private_key_file(key_file.string(), ssl::context::pem, error);
  });
  return context;
}

}  // namespace deckhand::scheduler
