#include "agent/config/command_line.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace deckhand::config {
namespace {

using ::testing::HasSubstr;

CommandLine parse(std::vector<const char*> args) {
  args.insert(args.begin(), "deckhand");
  return parseCommandLine(static_cast<int>(args.size()), args.data());
}

std::string errorOf(std::vector<const char*> args) {
  try {
    parse(std::move(args));
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "no error";
}

TEST(CommandLine, NoArgumentsRunsTheAgent) {
  const auto command_line = parse({});
  EXPECT_EQ(command_line.action, Action::run);
  EXPECT_FALSE(command_line.config_file);
  EXPECT_TRUE(command_line.flags.empty());
}

TEST(CommandLine, ActionsAndConfigFile) {
  EXPECT_EQ(parse({"--help"}).action, Action::help);
  EXPECT_EQ(parse({"-h"}).action, Action::help);
  EXPECT_EQ(parse({"--version"}).action, Action::version);
  EXPECT_EQ(parse({"--check-config", "--help"}).action, Action::help);
  const auto command_line = parse({"--check-config", "--config", "/etc/other.conf"});
  EXPECT_EQ(command_line.action, Action::check_config);
  EXPECT_EQ(command_line.config_file, "/etc/other.conf");
}

TEST(CommandLine, SettingsKeepTheirOrderInBothSpellings) {
  const auto command_line =
      parse({"--metadata=a=1", "--log-level", "debug", "--metadata", "b=2", "--scheduler-url", ""});
  ASSERT_EQ(command_line.flags.size(), 4u);
  EXPECT_EQ(command_line.flags[0].flag, "metadata");
  EXPECT_EQ(command_line.flags[0].value, "a=1");
  EXPECT_EQ(command_line.flags[1].flag, "log-level");
  EXPECT_EQ(command_line.flags[2].value, "b=2");
  EXPECT_EQ(command_line.flags[3].flag, "scheduler-url");
  EXPECT_EQ(command_line.flags[3].value, "");
}

TEST(CommandLine, RejectsWithAHint) {
  EXPECT_THAT(errorOf({"--bogus"}), HasSubstr("--bogus"));
  EXPECT_THAT(errorOf({"--sched", "ws://x/"}), HasSubstr("--sched"));  // no guessing
  EXPECT_THAT(errorOf({"--log-level"}), HasSubstr("log-level"));
  EXPECT_THAT(errorOf({"stray"}), HasSubstr("stray"));
  EXPECT_THAT(errorOf({"--bogus"}), HasSubstr("deckhand --help"));
}

TEST(CommandLine, UsageListsEveryFlagWithItsFileKeyAndVariable) {
  const std::string text = usage();
  EXPECT_THAT(text, HasSubstr("--scheduler-url"));
  EXPECT_THAT(text, HasSubstr("[Scheduler] URL="));
  EXPECT_THAT(text, HasSubstr("$DECKHAND_SCHEDULER_URL"));
  EXPECT_THAT(text, HasSubstr("--check-config"));
}

}  // namespace
}  // namespace deckhand::config
