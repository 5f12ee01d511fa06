#pragma once
// A streaming answer between the API, which writes chunks, and the listener's connection, which
// sends them. Private to scheduler/server/listener.cpp.

#include <spdlog/spdlog.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <string>

#include "scheduler/server/http_api.hpp"

namespace deckhand::scheduler {

class StreamChannel : public HttpStream {
 public:
  // An operator's stream (a followed journal) that falls this far behind is ended.
  static constexpr std::size_t kMaxQueuedChunks = 4096;

  explicit StreamChannel(const boost::asio::any_io_executor& executor)
      : wake_(executor, boost::asio::steady_timer::time_point::max()) {}

  void write(std::string chunk) override {
    if (ended_ || gone_ || chunk.empty()) return;
    if (queue_.size() >= kMaxQueuedChunks) {
      spdlog::warn("an operator reads a stream too slowly ({} chunks waiting); ending it",
                   queue_.size());
      peerGone();
      return;
    }
    queue_.push_back(std::move(chunk));
    wake_.cancel();
  }

  void end() override {
    ended_ = true;
    wake_.cancel();
  }

  void onGone(std::function<void()> callback) override { on_gone_ = std::move(callback); }

  void peerGone() {
    if (ended_ || gone_) return;
    gone_ = true;
    wake_.cancel();
    if (auto callback = std::move(on_gone_)) callback();
  }

  bool finished() const { return ended_ || gone_; }
  bool gone() const { return gone_; }
  std::deque<std::string>& queue() { return queue_; }
  boost::asio::steady_timer& wake() { return wake_; }

 private:
  boost::asio::steady_timer wake_;
  std::deque<std::string> queue_;
  std::function<void()> on_gone_;
  bool ended_ = false;
  bool gone_ = false;
};

}  // namespace deckhand::scheduler
