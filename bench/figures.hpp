#pragma once
// What every benchmark shares: the median of its samples, and the "figure value" line bench/run
// reads.

#include <algorithm>
#include <cstdio>
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

}  // namespace deckhand::bench
