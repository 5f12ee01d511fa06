#include "systemd/timespan.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>

namespace deckhand::systemd {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t micros;
};

constexpr std::int64_t kSecond = 1'000'000;

// Longest names first, so that "ms" is not read as "m" followed by garbage.
constexpr std::array kUnits = {
    Unit{"minutes", 60 * kSecond},
    Unit{"minute", 60 * kSecond},
    Unit{"seconds", kSecond},
    Unit{"second", kSecond},
    Unit{"months", 2'629'800 * kSecond},
    Unit{"month", 2'629'800 * kSecond},
    Unit{"hours", 3600 * kSecond},
    Unit{"hour", 3600 * kSecond},
    Unit{"days", 86400 * kSecond},
    Unit{"day", 86400 * kSecond},
    Unit{"weeks", 604800 * kSecond},
    Unit{"week", 604800 * kSecond},
    Unit{"years", 31'557'600 * kSecond},
    Unit{"year", 31'557'600 * kSecond},
    Unit{"msec", 1000},
    Unit{"usec", 1},
    Unit{"min", 60 * kSecond},
    Unit{"sec", kSecond},
    Unit{"hr", 3600 * kSecond},
    Unit{"ms", 1000},
    Unit{"us", 1},
    Unit{"µs", 1},
    Unit{"M", 2'629'800 * kSecond},
    Unit{"s", kSecond},
    Unit{"m", 60 * kSecond},
    Unit{"h", 3600 * kSecond},
    Unit{"d", 86400 * kSecond},
    Unit{"w", 604800 * kSecond},
    Unit{"y", 31'557'600 * kSecond},
};

constexpr std::array kFormatUnits = {
    Unit{"d", 86400 * kSecond}, Unit{"h", 3600 * kSecond}, Unit{"min", 60 * kSecond},
    Unit{"s", kSecond},         Unit{"ms", 1000},          Unit{"us", 1},
};

bool isSpace(char c) {
  return c == ' ' || c == '\t';
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::optional<std::chrono::microseconds> parseTimespan(std::string_view text) {
  std::int64_t total = 0;
  bool any = false;
  std::size_t at = 0;
  while (true) {
    while (at < text.size() && isSpace(text[at]))
      ++at;
    if (at == text.size()) break;
    if (!isDigit(text[at])) return std::nullopt;
    std::int64_t number = 0;
    const auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), number);
    if (error != std::errc{}) return std::nullopt;
    at = static_cast<std::size_t>(end - text.data());
    while (at < text.size() && isSpace(text[at]))
      ++at;
    std::int64_t scale = kSecond;
    for (const auto& unit : kUnits) {
      if (text.substr(at).starts_with(unit.name)) {
        const auto next = at + unit.name.size();
        if (next < text.size() && !isSpace(text[next]) && !isDigit(text[next])) continue;
        scale = unit.micros;
        at = next;
        break;
      }
    }
    if (at < text.size() && !isSpace(text[at]) && !isDigit(text[at])) return std::nullopt;
    if (number > (std::numeric_limits<std::int64_t>::max() - total) / scale) return std::nullopt;
    total += number * scale;
    any = true;
  }
  if (!any) return std::nullopt;
  return std::chrono::microseconds(total);
}

std::string formatTimespan(std::chrono::microseconds span) {
  std::int64_t left = span.count();
  if (left <= 0) return "0";
  std::string text;
  for (const auto& unit : kFormatUnits) {
    if (left < unit.micros) continue;
    if (!text.empty()) text.push_back(' ');
    text += std::to_string(left / unit.micros);
    text += unit.name;
    left %= unit.micros;
  }
  return text;
}

}  // namespace deckhand::systemd
