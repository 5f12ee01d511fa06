#pragma once
// What every benchmark shares: the median of its samples, and the "figure value" line bench/run
// reads.

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

namespace deckhand::bench {

// The median of an odd number of samples (the upper middle one otherwise).
inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

inline void printFigure(std::string_view name, double value, int decimals) {
  std::printf("%.*s %.*f\n", static_cast<int>(name.size()), name.data(), decimals, value);
}

// main() of every benchmark: run it, and turn an exception into a message and exit code 1.
template <typename Run>
int benchmarkMain(const char* name, Run run) {
  try {
    return run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: %s\n", name, error.what());
    return 1;
  }
}

}  // namespace deckhand::bench
