#pragma once
// A token bucket for the frames the scheduler sends: a burst of up to `burst` frames passes at
// once, then one frame per 1/rate. The session pauses reading for the delay it returns, so a
// flooding scheduler is slowed by TCP's own back-pressure and no request is dropped. Pure: the
// caller passes the time.

#include <chrono>
#include <cstddef>

namespace deckhand::link {

class RateLimit {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimit(double per_second, std::size_t burst, Clock::time_point now);

  // Takes one token; how long to wait before acting on the frame it stands for (zero: at once).
  Clock::duration take(Clock::time_point now);

 private:
  double per_second_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace deckhand::link
