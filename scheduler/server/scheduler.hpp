#pragma once
// The scheduler's heart on its one io_context: agents' messages go into the engine, the engine's
// orders go out to the agents, the desired state goes to the store (written off the loop), and
// machines' grace periods run on a timer. Knows nothing of WebSocket or HTTP: connections reach
// it through AgentChannel.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "scheduler/agent_link/agent_codec.hpp"
#include "scheduler/engine/engine.hpp"
#include "scheduler/store/store.hpp"

namespace deckhand::scheduler {

// One agent's connection, as the scheduler sees it.
class AgentChannel {
 public:
  virtual ~AgentChannel() = default;
  virtual void send(std::string frame) = 0;
  virtual void close() = 0;
  virtual const std::string& peer() const = 0;  // "192.0.2.7:51234", for logs
};

// Called with each result (and journal message) for a request sent through request().
using ResultHandler = std::function<void(const AgentMessage&)>;

class Scheduler {
 public:
  Scheduler(boost::asio::any_io_executor executor, Store& store, EngineOptions options);
  ~Scheduler();

  // Loads the stored desired state; throws StoreError.
  void start();
  // Stops timers and waits for the last write of the state.
  void stop();

  void agentFrame(const std::shared_ptr<AgentChannel>& channel, const std::string& frame);
  void agentClosed(const AgentChannel& channel);

  // For operators: read and change the desired state; call changed() after a change so the
  // orders go out and the state is saved.
  Engine& engine() { return engine_; }
  void changed();
  // Sends a request built from a fresh id to a connected machine and returns the id; nullopt if
  // the machine is not connected. The handler gets the result; for a journal request (streaming)
  // also every journal message, until the one that is done.
  std::optional<std::string> request(const std::string& machine,
                                     const std::function<std::string(const std::string&)>& build,
                                     ResultHandler handler, bool streaming = false);
  // Stops a following journal request: its handler is dropped and the agent told to cancel it.
  void cancel(const std::string& request_id);
  bool connected(const std::string& machine) const;

 private:
  struct Connection {
    std::shared_ptr<AgentChannel> channel;
    std::string machine;  // empty until hello
  };

  void onHello(Connection& connection, const Hello& hello);
  void onResult(const std::string& machine, const Result& result);
  void flush();
  void dispatch(const Dispatch& orders);
  void armDeadline();
  void save();

  boost::asio::any_io_executor executor_;
  Store& store_;
  Engine engine_;
  boost::asio::steady_timer deadline_;
  boost::asio::thread_pool writer_{1};
  bool flush_posted_ = false;
  bool writing_ = false;
  bool write_again_ = false;
  std::map<const AgentChannel*, Connection> connections_;
  std::map<std::string, std::shared_ptr<AgentChannel>> by_machine_;
  std::uint64_t next_id_ = 1;
  std::map<std::string, std::string> desired_requests_;  // request id -> machine
  // container request id -> (machine, the container's unit)
  std::map<std::string, std::pair<std::string, std::string>> container_requests_;
  struct Waiting {
    std::string machine;
    ResultHandler handler;
    bool streaming = false;
  };
  std::map<std::string, Waiting> handlers_;  // request id -> who waits for its result
};

}  // namespace deckhand::scheduler
