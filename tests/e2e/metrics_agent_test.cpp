// The agent's Prometheus listener (MetricsListen=), scraped over loopback with curl while the
// agent runs in a sandbox and works for a test scheduler.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <regex>

#include "tests/e2e/agent_bus_fixture.hpp"

namespace deckhand::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace json = boost::json;

// A loopback port nobody listens on right now (the kernel picks it; it is closed again at once).
int freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class MetricsAgentTest : public AgentBusTest {
 protected:
  MetricsAgentTest() : port_(freePort()) {
    extra_agent_args_ = {"--metrics-listen", "127.0.0.1:" + std::to_string(port_)};
  }

  ProcessResult curl(const std::string& path) const {
    return run(
        {"curl", "-s", "-w", "\n%{http_code}", "http://127.0.0.1:" + std::to_string(port_) + path});
  }

  // The scrape's body once it contains needle (metrics change as the agent works).
  std::string scrapeUntil(const std::string& needle) const {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    std::string body;
    do {
      body = curl("/metrics").out;
      if (body.find(needle) != std::string::npos) break;
      std::this_thread::sleep_for(100ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return body;
  }

  int port_;
};

TEST_F(MetricsAgentTest, ScrapeShowsUnitsJobsAndTheLink) {
  const auto first = scrapeUntil("deckhand_scheduler_link_state{state=\"connected\"} 1");
  EXPECT_THAT(first, HasSubstr("# TYPE deckhand_units gauge\n"));
  EXPECT_THAT(first, HasSubstr("deckhand_systemd_connected 1\n"));
  EXPECT_THAT(first, HasSubstr("deckhand_scheduler_connections_total 1\n"));
  EXPECT_THAT(first, HasSubstr("deckhand_scheduler_reconnects_total 0\n"));
  EXPECT_THAT(first, HasSubstr("\n200"));

  launchWeb();
  const auto after = scrapeUntil("deckhand_units{state=\"active\"} 1");
  EXPECT_THAT(after, HasSubstr("deckhand_units{state=\"active\"} 1\n"));
  const auto jobs = scrapeUntil("deckhand_jobs_total{operation=\"start\",result=\"done\"} 1");
  EXPECT_THAT(jobs, HasSubstr("deckhand_jobs_total{operation=\"start\",result=\"done\"} 1\n"));
  EXPECT_THAT(jobs, HasSubstr("deckhand_job_duration_seconds_count{operation=\"start\"} 1\n"));
  EXPECT_THAT(
      jobs, HasSubstr("deckhand_job_duration_seconds_bucket{operation=\"start\",le=\"+Inf\"} 1\n"));
  // The desired request came in; hello, results and unit states went out.
  EXPECT_THAT(jobs, ::testing::ContainsRegex("deckhand_scheduler_messages_received_total [1-9]"));
  EXPECT_THAT(jobs, ::testing::ContainsRegex("deckhand_scheduler_messages_sent_total [1-9]"));

  peer_.stop();
  const auto down = scrapeUntil("deckhand_scheduler_link_state{state=\"retrying\"} 1");
  EXPECT_THAT(down, ::testing::ContainsRegex("deckhand_scheduler_disconnections_total [1-9]"));
}

TEST_F(MetricsAgentTest, OnlyMetricsIsServed) {
  ASSERT_TRUE(agent_->waitForOutput("serving Prometheus metrics at http://127.0.0.1:", 10s));
  EXPECT_THAT(curl("/").out, HasSubstr("\n404"));
  const auto post = run({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                         "http://127.0.0.1:" + std::to_string(port_) + "/metrics"});
  EXPECT_EQ(post.out, "405");
}

// Off unless configured: the plain fixture's agent serves nothing.
TEST_F(AgentBusTest, MetricsAreOffByDefault) {
  EXPECT_THAT(agent_->output(), Not(HasSubstr("serving Prometheus metrics")));
}

}  // namespace
}  // namespace deckhand::test
