#include "agent/metrics/metrics.hpp"

#include <fmt/format.h>

namespace deckhand::metrics {
namespace {

// Label values are unit states and job results, but escape as the format asks anyway.
std::string escaped(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

void Metrics::jobFinished(const std::string& operation, const std::string& result, double seconds) {
  ++jobs_[{operation, result}];
  auto& histogram = durations_[operation];
  for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
    if (seconds <= kDurationBuckets[i]) {
      ++histogram.buckets[i];
      break;
    }
  }
  ++histogram.count;
  histogram.sum += seconds;
}

void Metrics::schedulerConnected() {
  ++connections_;
}

void Metrics::schedulerDisconnected() {
  ++disconnections_;
}

std::string Metrics::render(const LiveState& live) const {
  std::string out;
  header(out, "deckhand_units", "gauge", "The agent's units by ActiveState.");
  for (const auto& [state, count] : live.units_by_state)
    out += fmt::format("deckhand_units{{state=\"{}\"}} {}\n", escaped(state), count);

  header(out, "deckhand_jobs_total", "counter",
         "Jobs the agent asked systemd for, by operation and result.");
  for (const auto& [key, count] : jobs_) {
    out += fmt::format("deckhand_jobs_total{{operation=\"{}\",result=\"{}\"}} {}\n",
                       escaped(key.first), escaped(key.second), count);
  }

  header(out, "deckhand_job_duration_seconds", "histogram",
         "From a job's request to its result, by operation.");
  for (const auto& [operation, histogram] : durations_) {
    const auto label = escaped(operation);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
      cumulative += histogram.buckets[i];
      out += fmt::format("deckhand_job_duration_seconds_bucket{{operation=\"{}\",le=\"{}\"}} {}\n",
                         label, kDurationBuckets[i], cumulative);
    }
    out += fmt::format("deckhand_job_duration_seconds_bucket{{operation=\"{}\",le=\"+Inf\"}} {}\n",
                       label, histogram.count);
    out += fmt::format("deckhand_job_duration_seconds_sum{{operation=\"{}\"}} {}\n", label,
                       histogram.sum);
    out += fmt::format("deckhand_job_duration_seconds_count{{operation=\"{}\"}} {}\n", label,
                       histogram.count);
  }

  header(out, "deckhand_systemd_connected", "gauge",
         "1 while the agent is connected to systemd and has read its units.");
  out += fmt::format("deckhand_systemd_connected {}\n", live.systemd_connected ? 1 : 0);

  header(out, "deckhand_scheduler_link_state", "gauge",
         "1 for the scheduler link's current state, 0 for the others.");
  for (const char* state : {"standalone", "connecting", "connected", "retrying"}) {
    out += fmt::format("deckhand_scheduler_link_state{{state=\"{}\"}} {}\n", state,
                       live.link_state == state ? 1 : 0);
  }
  header(out, "deckhand_scheduler_connections_total", "counter",
         "WebSocket connections to the scheduler established.");
  out += fmt::format("deckhand_scheduler_connections_total {}\n", connections_);
  header(out, "deckhand_scheduler_reconnects_total", "counter",
         "Connections established after the first one.");
  out += fmt::format("deckhand_scheduler_reconnects_total {}\n",
                     connections_ > 0 ? connections_ - 1 : 0);
  header(out, "deckhand_scheduler_disconnections_total", "counter",
         "Failed connection attempts and dropped connections.");
  out += fmt::format("deckhand_scheduler_disconnections_total {}\n", disconnections_);
  header(out, "deckhand_scheduler_messages_received_total", "counter",
         "Text frames received from the scheduler.");
  out += fmt::format("deckhand_scheduler_messages_received_total {}\n", live.messages_received);
  header(out, "deckhand_scheduler_messages_sent_total", "counter", "Frames sent to the scheduler.");
  out += fmt::format("deckhand_scheduler_messages_sent_total {}\n", live.messages_sent);
  return out;
}

}  // namespace deckhand::metrics
