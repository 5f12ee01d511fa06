#pragma once
// deckhandctl's client for the scheduler's HTTP API (docs/scheduler-api.md): one request, one
// JSON answer. Only cluster_client.cpp includes Beast.

#include <boost/json/value.hpp>
#include <stdexcept>
#include <string>

namespace deckhand::ctl {

// The scheduler cannot be reached, or answered with an error: the message says which.
class ClusterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ClusterEndpoint {
  std::string host = "127.0.0.1";
  std::string port = "7480";
  std::string token;  // empty: no Authorization header
};

// "http://HOST:PORT" (or "HOST:PORT"); throws ClusterError for anything else.
ClusterEndpoint parseEndpoint(const std::string& text);

// Sends the request and returns the answer's JSON; throws ClusterError for a connection failure
// and for an error status, with the scheduler's own message.
boost::json::value callCluster(const ClusterEndpoint& endpoint, const std::string& method,
                               const std::string& path, const std::string& body = "");

}  // namespace deckhand::ctl
