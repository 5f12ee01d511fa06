#pragma once
// A listening socket of the scheduler: agents' WebSocket connections (docs/protocol.md's
// transport: deckhand.v1, bearer token, TLS) and operators' HTTP API requests, each listener
// serving one or both. The only Beast user of the scheduler is listener.cpp.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "scheduler/server/http_api.hpp"
#include "scheduler/server/scheduler.hpp"

namespace deckhand::scheduler {

struct ListenerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;                    // 0: an ephemeral one
  bool agents = true;                        // WebSocket upgrades on /v1/agent
  bool api = false;                          // HTTP requests on /v1/...
  std::string agent_token;                   // empty: agents need none
  std::string api_token;                     // empty: operators need none
  boost::asio::ssl::context* tls = nullptr;  // set: TLS on this listener
  // No frame (or pong) from an agent for this long: it is gone. Pings go out at half of it.
  std::chrono::seconds agent_timeout{30};
};

class Listener {
 public:
  // Binds and listens; throws boost::system::system_error naming the address.
  Listener(boost::asio::io_context& io, ListenerOptions options, Scheduler& scheduler,
           ApiHandler api);
  ~Listener();
  void close();
  std::uint16_t port() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace deckhand::scheduler
