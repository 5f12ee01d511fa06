#include "agent/machine/metadata.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace deckhand::machine {
namespace {

using ::testing::HasSubstr;

std::string errorOf(std::string_view text) {
  try {
    parseMetadata(text);
  } catch (const MetadataError& error) {
    return error.what();
  }
  return "no error";
}

TEST(Metadata, ParsesPairs) {
  const Metadata expected{{"region", "us-east"}, {"disk", "ssd"}, {"ram", "2048"}};
  EXPECT_EQ(parseMetadata("region=us-east,disk=ssd,ram=2048"), expected);
  EXPECT_EQ(parseMetadata(" region=us-east , disk=ssd,ram=2048 "), expected);
}

TEST(Metadata, EmptyTextIsNoMetadata) {
  EXPECT_TRUE(parseMetadata("").empty());
  EXPECT_TRUE(parseMetadata("  ").empty());
}

TEST(Metadata, RejectsWhatFleetSilentlyDropped) {
  EXPECT_THAT(errorOf("a=1 b=2"), HasSubstr("value \"1 b=2\" of key \"a\" is invalid"));
  EXPECT_THAT(errorOf("ram>=2048"), HasSubstr("key \"ram>\""));
  EXPECT_THAT(errorOf("region"), HasSubstr("\"region\" is not KEY=VALUE"));
  EXPECT_THAT(errorOf("a=1,,b=2"), HasSubstr("empty entry"));
  EXPECT_THAT(errorOf("a=1,"), HasSubstr("empty entry"));
  EXPECT_THAT(errorOf("=1"), HasSubstr("key \"\""));
  EXPECT_THAT(errorOf("a="), HasSubstr("value \"\" of key \"a\""));
  EXPECT_THAT(errorOf("a=1,a=2"), HasSubstr("key \"a\" is given twice"));
  EXPECT_THAT(errorOf("-a=1"), HasSubstr("starting with a letter or digit"));
  EXPECT_THAT(errorOf("a=\"x\""), HasSubstr("quotes"));
  EXPECT_THAT(errorOf(std::string(64, 'k') + "=1"), HasSubstr("1-63"));
}

TEST(Metadata, FormatIsCanonicalAndParsesBack) {
  const auto metadata = parseMetadata("zone=b,az=1");
  EXPECT_EQ(formatMetadata(metadata), "az=1,zone=b");
  EXPECT_EQ(parseMetadata(formatMetadata(metadata)), metadata);
}

}  // namespace
}  // namespace deckhand::machine
