#pragma once
// The Docker Engine API over its unix socket (Beast HTTP; one connection per request, the events
// stream excepted), on the agent's io_context. The API version is read from GET /_ping at every
// negotiate() and never assumed. Coroutines: callers co_spawn them on the agent's executor.
//
// Every failure is an EngineError whose message names the socket or the operation and the cause:
// "Docker engine not reachable at /run/docker.sock: No such file or directory".

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "docker/container_state.hpp"

namespace deckhand::docker {

// The highest API version whose fields deckhand reads (unchanged from 1.41, Debian's dockerd
// 20.10, to 1.47); a newer daemon is spoken to at this version.
inline constexpr std::string_view kHighestKnownApi = "1.47";

class EngineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct EngineResponse {
  unsigned status = 0;
  std::string body;
};

// "1.41" < "1.9" is false: versions compare by their numbers.
bool apiVersionLess(std::string_view a, std::string_view b);

class Engine {
 public:
  Engine(boost::asio::any_io_executor executor, std::string socket_path);

  const std::string& socketPath() const { return socket_path_; }
  // Empty until a negotiate() succeeded.
  const std::string& apiVersion() const { return api_version_; }

  // GET /_ping: min(daemon's Api-Version, kHighestKnownApi). Throws EngineError.
  boost::asio::awaitable<std::string> negotiate();

  // The engine's own version ("20.10.24+dfsg1"), from GET /version.
  boost::asio::awaitable<std::string> version();
  // Every container, running or not, carrying label ("deckhand.owner=ID", or a key alone),
  // inspected.
  boost::asio::awaitable<std::vector<ContainerState>> listContainers(std::string label);
  // nullopt when no container has that name or ID.
  boost::asio::awaitable<std::optional<ContainerState>> inspect(std::string name);
  boost::asio::awaitable<bool> hasImage(std::string reference);
  // POST /images/create; the daemon reports a failed pull inside its 200 response, so the
  // progress stream is read for an error. Throws EngineError with the daemon's message.
  boost::asio::awaitable<void> pullImage(std::string reference);
  // Force-removes; a container already gone is not an error.
  boost::asio::awaitable<void> removeContainer(std::string name);

  // A request under the negotiated version ("/containers/json" becomes "/v1.41/containers/json").
  boost::asio::awaitable<EngineResponse> request(std::string method, std::string target,
                                                 std::string body = {});

 private:
  boost::asio::any_io_executor executor_;
  std::string socket_path_;
  std::string api_version_;
};

// Percent-encodes text for a query string.
std::string urlEncode(std::string_view text);

}  // namespace deckhand::docker
