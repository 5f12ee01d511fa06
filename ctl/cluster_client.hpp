#pragma once
// deckhandctl's client for the scheduler's HTTP API (docs/scheduler-api.md), over http:// or
// https:// (the scheduler's certificate verified against --ca-file or the system's trust store,
// and its host name checked). Only cluster_client.cpp includes Beast.

#include <boost/json/value.hpp>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace deckhand::ctl {

// The scheduler cannot be reached, or answered with an error: the message says which.
class ClusterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ClusterEndpoint {
  std::string host = "127.0.0.1";
  std::string port = "7480";
  bool https = false;
  std::filesystem::path ca_file;  // https: the CA to trust; empty: the system's trust store
  std::string token;              // empty: no Authorization header
};

// "http://HOST:PORT", "https://HOST:PORT" or "HOST:PORT" (http); throws ClusterError for
// anything else.
ClusterEndpoint parseEndpoint(const std::string& text);

// Sends the request and returns the answer's JSON; throws ClusterError for a connection or TLS
// failure and for an error status, with the scheduler's own message.
boost::json::value callCluster(const ClusterEndpoint& endpoint, const std::string& method,
                               const std::string& path, const std::string& body = "");

// GETs a streaming route and hands each complete line of the answer to on_line until the
// scheduler ends the stream. Errors as for callCluster.
void streamCluster(const ClusterEndpoint& endpoint, const std::string& path,
                   const std::function<void(std::string_view line)>& on_line);

}  // namespace deckhand::ctl
