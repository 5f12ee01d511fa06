// The scheduler link's rate limit: a burst passes, then frames are paced, and idle time refills.
#include "agent/link/rate_limit.hpp"

#include <gtest/gtest.h>

namespace deckhand::link {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimit::Clock;

TEST(RateLimit, ABurstPassesThenFramesArePaced) {
  const Clock::time_point start{};
  RateLimit rate(100, 10, start);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(rate.take(start), Clock::duration::zero()) << i;
  // The 11th waits one interval, the 12th two: reading pauses, nothing is dropped.
  EXPECT_EQ(std::chrono::round<std::chrono::milliseconds>(rate.take(start)), 10ms);
  EXPECT_EQ(std::chrono::round<std::chrono::milliseconds>(rate.take(start)), 20ms);
}

TEST(RateLimit, IdleTimeRefillsUpToTheBurst) {
  const Clock::time_point start{};
  RateLimit rate(100, 10, start);
  for (int i = 0; i < 12; ++i)
    rate.take(start);
  const auto later = start + 1h;
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(rate.take(later), Clock::duration::zero()) << i;
  EXPECT_GT(rate.take(later), Clock::duration::zero());
}

TEST(RateLimit, ASteadyRateUnderTheLimitNeverWaits) {
  Clock::time_point now{};
  RateLimit rate(100, 1, now);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(rate.take(now), Clock::duration::zero()) << i;
    now += 10ms;
  }
}

}  // namespace
}  // namespace deckhand::link
