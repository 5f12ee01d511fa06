#pragma once
// A listener's TLS: its certificate chain and key, TLS 1.2 or newer.

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <string>

namespace deckhand::scheduler {

// option_prefix names the options in errors: "" for --cert-file, "api-" for --api-cert-file.
// Throws std::runtime_error naming the option and the file that cannot be used.
boost::asio::ssl::context makeServerTls(const std::string& option_prefix,
                                        const std::filesystem::path& cert_file,
                                        const std::filesystem::path& key_file);

}  // namespace deckhand::scheduler
