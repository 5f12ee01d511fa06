#pragma once
// An HTTP listener for Prometheus on a loopback address, on the agent's io_context: GET /metrics
// answers with render()'s text; anything else gets 404 or 405. One request per connection, each
// bounded in time and size, so a stuck scraper cannot hold the agent.

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <string>

namespace deckhand::metrics {

class MetricsServer {
 public:
  // listen: "127.0.0.1:9464" or "[::1]:9464" (checked by the configuration). Throws
  // std::runtime_error naming the address when it cannot listen there.
  MetricsServer(boost::asio::any_io_executor executor, const std::string& listen,
                std::function<std::string()> render);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace deckhand::metrics
