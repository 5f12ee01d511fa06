#pragma once
// The agent's WebSocket line to the scheduler (docs/protocol.md "Transport" and "Liveness"):
// connects, sends hello first, hands every text frame to on_message, sends what it is given and a
// heartbeat each interval, and reconnects with capped, jittered backoff whenever the line breaks.
// Runs on the agent's one io_context thread; every member is called there too.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "agent/link/scheduler_url.hpp"

namespace deckhand::link {

// The files are read at each connect, so renewed certificates are picked up without a restart.
struct SessionOptions {
  SchedulerUrl url;
  std::string token;                // empty: no Authorization header
  std::filesystem::path ca_file;    // empty: the system's trust store
  std::filesystem::path cert_file;  // client certificate, with key_file; empty: none
  std::filesystem::path key_file;   // empty: the key is in cert_file
  std::chrono::milliseconds heartbeat{10000};
  std::size_t max_message_bytes = 1 << 20;  // a bigger frame closes the connection with 1009
  std::size_t max_queued = 4096;  // frames waiting to be written; more resets the connection
  // Frames read from the scheduler: a burst of max_burst, then max_per_second; past that reading
  // pauses (nothing is dropped, the scheduler's writes slow down).
  double max_per_second = 1000;
  std::size_t max_burst = 1000;
};

namespace detail {
class SessionCore;
}

class Session {
 public:
  // Initialized members, so designated initializers may leave any out; hello is required.
  struct Handlers {
    std::function<std::string()> hello{};                       // built at each connect
    std::function<void(std::string frame)> on_message{};        // each text frame received
    std::function<std::string(std::uint64_t seq)> heartbeat{};  // seq from 1 per connection
    // Up (why is empty), or down: why names what failed, e.g. "refused the token (HTTP 401)".
    std::function<void(bool connected, const std::string& why)> on_state{};
    // After a failed attempt or a dropped connection: the next attempt is due in delay.
    std::function<void(std::chrono::milliseconds delay)> on_retry{};
  };

  Session(boost::asio::any_io_executor executor, SessionOptions options, Handlers handlers);
  ~Session();  // stops; safe at any point, also with a connection attempt in flight
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();  // once
  void stop();   // final: cancels the attempt, the connection and the backoff; no handler after
  // The daemon's goodbye: writes the frames already queued, then a close frame (1001, going
  // away), and stops. closed runs once the scheduler answered the close, or the connection
  // failed, or (not connected) at once; within 2 s in every case.
  void close(std::function<void()> closed);

  // Queues a frame behind those already waiting. Dropped while disconnected: the hello of the
  // next connection carries the truth. Past max_queued the connection is reset for that reason.
  void send(std::string frame);
  // Like send, but replaces the frame still waiting under the same key (a unit's deltas coalesce;
  // its last state always arrives).
  void sendLatest(const std::string& key, std::string frame);

  bool connected() const;
  std::size_t queued() const;  // frames waiting, not counting the one being written
  // Text frames delivered to on_message, and frames written, over the session's life.
  std::uint64_t framesReceived() const;
  std::uint64_t framesSent() const;

 private:
  std::shared_ptr<detail::SessionCore> core_;
};

}  // namespace deckhand::link
