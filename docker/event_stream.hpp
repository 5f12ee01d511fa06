#pragma once
// Follows the Docker engine's /events stream for the container events that change what deckhand
// reports (create, start, die, oom, health, pause, destroy), of every container: some events, the
// health checks' among them, carry no labels, so picking the agent's own is the receiver's job:
// chunked and endless, so read without a body limit, one JSON object per line. When the stream
// breaks (dockerd restarts, the socket is gone) it reconnects every second, asking for the events
// it missed with since=; on_connected then tells the owner to read state afresh.

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <string>

#include "docker/container_state.hpp"

namespace deckhand::docker {

class EventStream {
 public:
  struct Handlers {
    std::function<void(const ContainerEvent&)> on_event{};
    // The stream is subscribed: events from here on arrive, so state read now misses nothing.
    std::function<void(const std::string& api_version)> on_connected{};
    // The stream broke or could not be opened; why names the socket and the cause.
    std::function<void(const std::string& why)> on_lost{};
  };

  EventStream(const boost::asio::any_io_executor& executor, std::string socket_path,
              Handlers handlers);
  ~EventStream();  // stops
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  void start();  // once
  void stop();   // no handler runs after it

 private:
  struct Core;
  std::shared_ptr<Core> core_;
};

}  // namespace deckhand::docker
