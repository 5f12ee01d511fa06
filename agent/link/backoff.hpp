#pragma once
// Reconnect delays as docs/protocol.md "Liveness" promises schedulers: capped exponential backoff
// with jitter, so agents that lost the scheduler together do not all come back in the same
// instant, and a scheduler that refuses them is not hammered.

#include <chrono>
#include <cstdint>
#include <random>

namespace deckhand::link {

class Backoff {
 public:
  using Duration = std::chrono::milliseconds;
  static constexpr Duration kFirstStep{500};
  static constexpr Duration kLastStep{30000};
  // A connection that lasted this long was healthy: the next failure starts over.
  static constexpr std::chrono::minutes kHealthyConnection{1};

  explicit Backoff(std::uint64_t seed = std::random_device{}());

  // The delay before the next attempt, uniform in [step/2, step]; the step then doubles, up to
  // the cap.
  Duration next();
  // Tells how long the connection that just ended had been up (zero if it never came up).
  void connectionEnded(std::chrono::steady_clock::duration lasted);
  Duration step() const { return step_; }

 private:
  Duration step_ = kFirstStep;
  std::mt19937_64 random_;
};

}  // namespace deckhand::link
