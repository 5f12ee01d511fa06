// Prometheus text of the agent's metrics, and the MetricsListen= setting.

#include "agent/metrics/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/config/loader.hpp"

namespace deckhand::metrics {
namespace {

using ::testing::HasSubstr;

TEST(Metrics, JobsAreCountedAndTimedInCumulativeBuckets) {
  Metrics metrics;
  metrics.jobFinished("start", "done", 0.02);
  metrics.jobFinished("start", "done", 0.3);
  metrics.jobFinished("start", "failed", 40);
  const auto text = metrics.render({});
  EXPECT_THAT(text, HasSubstr("deckhand_jobs_total{operation=\"start\",result=\"done\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("deckhand_jobs_total{operation=\"start\",result=\"failed\"} 1\n"));
  EXPECT_THAT(
      text, HasSubstr("deckhand_job_duration_seconds_bucket{operation=\"start\",le=\"0.01\"} 0\n"));
  EXPECT_THAT(
      text, HasSubstr("deckhand_job_duration_seconds_bucket{operation=\"start\",le=\"0.05\"} 1\n"));
  EXPECT_THAT(
      text, HasSubstr("deckhand_job_duration_seconds_bucket{operation=\"start\",le=\"0.5\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("deckhand_job_duration_seconds_bucket{operation=\"start\",le=\"30\"} 2\n"));
  EXPECT_THAT(
      text, HasSubstr("deckhand_job_duration_seconds_bucket{operation=\"start\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("deckhand_job_duration_seconds_sum{operation=\"start\"} 40.32\n"));
  EXPECT_THAT(text, HasSubstr("deckhand_job_duration_seconds_count{operation=\"start\"} 3\n"));
}

TEST(Metrics, LiveStateAndLinkCounters) {
  Metrics metrics;
  metrics.schedulerConnected();
  metrics.schedulerDisconnected();
  metrics.schedulerConnected();
  LiveState live;
  live.units_by_state = {{"active", 3}, {"failed", 1}};
  live.link_state = "connected";
  live.systemd_connected = true;
  live.messages_received = 7;
  live.messages_sent = 9;
  const auto text = metrics.render(live);
  EXPECT_THAT(text, HasSubstr("# TYPE deckhand_units gauge\ndeckhand_units{state=\"active\"} 3\n"
                              "deckhand_units{state=\"failed\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("deckhand_scheduler_link_state{state=\"connected\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("deckhand_scheduler_link_state{state=\"retrying\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("deckhand_scheduler_connections_total 2\n"));
  EXPECT_THAT(text, HasSubstr("deckhand_scheduler_reconnects_total 1\n"));
  EXPECT_THAT(text, HasSubstr("deckhand_scheduler_disconnections_total 1\n"));
  EXPECT_THAT(text, HasSubstr("deckhand_scheduler_messages_received_total 7\n"));
  EXPECT_THAT(text, HasSubstr("deckhand_scheduler_messages_sent_total 9\n"));
  EXPECT_THAT(text, HasSubstr("deckhand_systemd_connected 1\n"));
}

config::Config withListen(const std::string& value) {
  config::ConfigSources sources;
  sources.file = "/dev/null";
  sources.flags = {{"metrics-listen", value}};
  return config::loadConfig(sources).config;
}

TEST(MetricsListenSetting, LoopbackOnlyWithAPort) {
  EXPECT_EQ(withListen("127.0.0.1:9464").metrics_listen, "127.0.0.1:9464");
  EXPECT_EQ(withListen("[::1]:9464").metrics_listen, "[::1]:9464");
  EXPECT_EQ(withListen("").metrics_listen, "");
  for (const auto* bad : {"0.0.0.0:9464", "192.0.2.1:80", "127.0.0.1", "127.0.0.1:0",
                          "127.0.0.1:70000", "localhost:9464", "[::]:1", "127.0.0.1:http"}) {
    try {
      withListen(bad);
      ADD_FAILURE() << bad << " accepted";
    } catch (const config::ConfigError& error) {
      EXPECT_THAT(error.what(), HasSubstr("expected a loopback ADDRESS:PORT")) << bad;
    }
  }
}

}  // namespace
}  // namespace deckhand::metrics
