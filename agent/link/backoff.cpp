#include "agent/link/backoff.hpp"

#include <algorithm>

namespace deckhand::link {

Backoff::Backoff(std::uint64_t seed) : random_(seed) {}

Backoff::Duration Backoff::next() {
  std::uniform_int_distribution<Duration::rep> pick(step_.count() / 2, step_.count());
  const Duration delay(pick(random_));
  step_ = std::min(step_ * 2, kLastStep);
  return delay;
}

void Backoff::connectionEnded(std::chrono::steady_clock::duration lasted) {
  if (lasted >= kHealthyConnection) step_ = kFirstStep;
}

}  // namespace deckhand::link
