#include "systemd/timespan.hpp"

#include <gtest/gtest.h>

namespace deckhand::systemd {
namespace {

using namespace std::chrono_literals;

TEST(Timespan, ParsesSystemdSpellings) {
  EXPECT_EQ(parseTimespan("10"), 10s);
  EXPECT_EQ(parseTimespan("10s"), 10s);
  EXPECT_EQ(parseTimespan("500ms"), 500ms);
  EXPECT_EQ(parseTimespan("1min 30s"), 90s);
  EXPECT_EQ(parseTimespan("1min30s"), 90s);
  EXPECT_EQ(parseTimespan("2 h"), 2h);
  EXPECT_EQ(parseTimespan("1d"), 24h);
  EXPECT_EQ(parseTimespan("3minutes"), 3min);
  EXPECT_EQ(parseTimespan("55s500ms"), 55500ms);
  EXPECT_EQ(parseTimespan("7us"), 7us);
  EXPECT_EQ(parseTimespan(" 5 sec "), 5s);
}

TEST(Timespan, RejectsWhatIsNotATimespan) {
  EXPECT_EQ(parseTimespan(""), std::nullopt);
  EXPECT_EQ(parseTimespan("s"), std::nullopt);
  EXPECT_EQ(parseTimespan("5x"), std::nullopt);
  EXPECT_EQ(parseTimespan("-5s"), std::nullopt);
  EXPECT_EQ(parseTimespan("5 mins"), std::nullopt);
  EXPECT_EQ(parseTimespan("99999999999999999999"), std::nullopt);
  EXPECT_EQ(parseTimespan("9223372036854775807d"), std::nullopt);
}

TEST(Timespan, FormatsShortestSpellingThatParsesBack) {
  EXPECT_EQ(formatTimespan(0us), "0");
  EXPECT_EQ(formatTimespan(10s), "10s");
  EXPECT_EQ(formatTimespan(90s), "1min 30s");
  EXPECT_EQ(formatTimespan(1500ms), "1s 500ms");
  for (const std::chrono::microseconds span : {1us, 999000us, 61000000us, 90003000000us}) {
    EXPECT_EQ(parseTimespan(formatTimespan(span)), span) << formatTimespan(span);
  }
}

}  // namespace
}  // namespace deckhand::systemd
