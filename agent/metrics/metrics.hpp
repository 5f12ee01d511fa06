#pragma once
// The agent's Prometheus metrics (docs/packaging.md "Metrics"): counters kept as events happen
// (job outcomes and durations, scheduler connections), and a snapshot of the live state read at
// scrape time (units by state, link state, messages in and out), rendered in Prometheus's text
// exposition format.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace deckhand::metrics {

struct LiveState {
  std::map<std::string, std::uint64_t> units_by_state;  // ActiveState → count
  std::string link_state;                               // standalone, connecting, ...
  bool systemd_connected = false;
  std::uint64_t messages_received = 0;
  std::uint64_t messages_sent = 0;
};

class Metrics {
 public:
  // Upper bounds of the job-duration histogram's buckets, in seconds (+Inf follows).
  static constexpr std::array kDurationBuckets{0.01, 0.05, 0.1, 0.25, 0.5,
                                               1.0,  2.5,  5.0, 10.0, 30.0};

  void jobFinished(const std::string& operation, const std::string& result, double seconds);
  void schedulerConnected();
  void schedulerDisconnected();

  std::string render(const LiveState& live) const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kDurationBuckets.size()> buckets{};  // cumulative on render
    std::uint64_t count = 0;
    double sum = 0;
  };

  std::map<std::pair<std::string, std::string>, std::uint64_t> jobs_;  // (operation, result)
  std::map<std::string, Histogram> durations_;                         // by operation
  std::uint64_t connections_ = 0;
  std::uint64_t disconnections_ = 0;
};

}  // namespace deckhand::metrics
