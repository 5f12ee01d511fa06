#include "agent/link/rate_limit.hpp"

#include <algorithm>

namespace deckhand::link {

RateLimit::RateLimit(double per_second, std::size_t burst, Clock::time_point now)
    : per_second_(per_second),
      burst_(static_cast<double>(std::max<std::size_t>(burst, 1))),
      tokens_(burst_),
      last_(now) {}

RateLimit::Clock::duration RateLimit::take(Clock::time_point now) {
  if (now > last_) {
    const std::chrono::duration<double> elapsed = now - last_;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * per_second_);
    last_ = now;
  }
  tokens_ -= 1;
  if (tokens_ >= 0) return Clock::duration::zero();
  // In debt: the frame waits until the bucket has refilled to zero.
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(-tokens_ / per_second_));
}

}  // namespace deckhand::link
