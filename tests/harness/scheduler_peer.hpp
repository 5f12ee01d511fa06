// A scheduler for tests of the agent's link: a Beast WebSocket server on loopback, on its own
// thread and io_context, speaking the transport of docs/protocol.md. It checks the bearer token
// (401 on a mismatch), selects deckhand.v1, records every frame, sends frames on demand, can be
// stopped and started again on the same port, and can go silent like a pulled cable.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace deckhand::test {

class PeerCore;  // scheduler_peer_impl.hpp

// Every member has an initializer, so designated initializers may leave any out.
struct SchedulerPeerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;                   // 0: an ephemeral one, kept across stop() and start()
  std::string token{};                      // empty: no Authorization needed
  std::string subprotocol = "deckhand.v1";  // what the upgrade answer selects; empty: none
  std::filesystem::path cert_file{};        // with key_file: wss
  std::filesystem::path key_file{};
  std::filesystem::path client_ca_file{};  // set: a client certificate signed by it is required
  std::size_t max_message_bytes = 64 << 20;
};

struct ReceivedFrame {
  int connection = 0;  // 1 for the first WebSocket connection accepted, and so on
  std::string text;
  bool binary = false;
  std::chrono::steady_clock::time_point at{};  // when the peer's read of it completed
};

struct Upgrade {  // one upgrade request, accepted or not
  std::chrono::steady_clock::time_point at;
  std::string authorization;  // the header as sent
  std::string subprotocols;   // Sec-WebSocket-Protocol as offered
  unsigned status = 0;        // 101, or the refusal
};

struct ClosedBy {  // a close frame the agent sent
  int connection = 0;
  unsigned code = 0;
  std::string reason;
};

class SchedulerPeer {
 public:
  explicit SchedulerPeer(SchedulerPeerOptions options = {});  // listening when it returns
  ~SchedulerPeer();
  SchedulerPeer(const SchedulerPeer&) = delete;
  SchedulerPeer& operator=(const SchedulerPeer&) = delete;

  void start();  // listens again, on the same port
  // Closes the listener and drops every connection without a close frame; ends any silence.
  void stop();
  // Listens on another local address from now on, same port (say the host end of a veth pair,
  // which exists only once the test made it); drops every connection, as stop() does.
  void moveTo(const std::string& address);
  std::uint16_t port() const;
  std::string url() const;  // ws://ADDRESS:PORT/v1/agent, or wss://

  // Sends to the newest connection; false if there is none.
  bool send(const std::string& frame, bool binary = false);
  // Silent: reads nothing more, so no pong answers a ping (Beast answers pings while reading).
  void setSilent(bool silent);
  std::optional<std::chrono::steady_clock::time_point> silentSince() const;  // reading stopped

  // The first frame received that matches, waiting up to timeout for it (0: just look).
  std::optional<ReceivedFrame> waitForMessage(
      const std::function<bool(const ReceivedFrame&)>& match,
      std::chrono::milliseconds timeout) const;
  bool waitForConnections(int count, std::chrono::milliseconds timeout) const;
  std::optional<ClosedBy> waitForClose(std::chrono::milliseconds timeout) const;
  std::vector<ReceivedFrame> messages() const;
  std::vector<Upgrade> upgrades() const;
  int connections() const;  // WebSocket connections accepted so far

 private:
  std::unique_ptr<PeerCore> impl_;
};

}  // namespace deckhand::test
