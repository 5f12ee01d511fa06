// SchedulerPeer's insides: scheduler_peer.cpp runs the thread, the listener and the records;
// scheduler_peer_link.cpp serves one connection. Private to the harness.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "tests/harness/scheduler_peer.hpp"

namespace deckhand::test {

// One accepted socket, whatever its stream type.
class PeerLink {
 public:
  virtual ~PeerLink() = default;
  virtual void send(std::string frame, bool binary) = 0;
  virtual void drop() = 0;  // closes the socket: no close frame, like a crashed scheduler
  int number = 0;           // set once the WebSocket upgrade is accepted
};

class PeerCore {
 public:
  explicit PeerCore(SchedulerPeerOptions options);
  ~PeerCore();

  // Runs f on the peer's thread and waits for it.
  void onThread(const std::function<void()>& f);
  void listen();   // on the thread
  void stopAll();  // on the thread

  // For the links, on the thread.
  const SchedulerPeerOptions& options() const { return options_; }
  boost::asio::ssl::context* tls() { return tls_ ? &*tls_ : nullptr; }
  int accepted();  // counts an upgraded connection and returns its number
  boost::asio::awaitable<void> whileSilent();
  void recordUpgrade(Upgrade upgrade);
  void recordFrame(ReceivedFrame frame);
  void recordClose(ClosedBy close);

  // Shared with the test's thread, under mutex_.
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<ReceivedFrame> frames_;
  std::vector<Upgrade> upgrades_;
  std::vector<ClosedBy> closes_;
  int connections_ = 0;
  std::optional<std::chrono::steady_clock::time_point> silent_since_;
  std::uint16_t port_ = 0;

  // The thread's own.
  SchedulerPeerOptions options_;
  boost::asio::io_context io_;
  std::optional<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer resume_;  // cancelled when the peer speaks again
  bool silent_ = false;
  std::vector<std::weak_ptr<PeerLink>> links_;  // every socket accepted, upgraded or not
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;

 private:
  boost::asio::awaitable<void> acceptLoop();
};

// Serves one accepted socket: TLS, the upgrade request, then reading until it ends.
// Returns the link, for PeerCore::links_.
std::shared_ptr<PeerLink> serveConnection(PeerCore& peer, boost::asio::ip::tcp::socket socket);

}  // namespace deckhand::test
