#include "systemd/ini_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace deckhand::systemd {
namespace {

using ::testing::HasSubstr;

TEST(IniFile, KeepsAssignmentsInOrderWithSectionsAndLines) {
  const auto file = parseIni(
      "# comment\n"
      "; another\n"
      "[Unit]\n"
      "Description = a service \n"
      "\n"
      "[Service]\n"
      "ExecStart=/bin/true\n"
      "ExecStart=\n"
      "ExecStart=/bin/false\n",
      "test.service");
  ASSERT_EQ(file.assignments.size(), 4u);
  EXPECT_EQ(file.assignments[0].section, "Unit");
  EXPECT_EQ(file.assignments[0].key, "Description");
  EXPECT_EQ(file.assignments[0].value, "a service");
  EXPECT_EQ(file.assignments[0].line, 4);
  EXPECT_EQ(file.assignments[2].value, "");  // an empty assignment stays, to reset a list
  EXPECT_EQ(file.assignments[3].section, "Service");
  EXPECT_EQ(file.assignments[3].line, 9);
}

TEST(IniFile, JoinsContinuationLinesAndSkipsCommentsInside) {
  const auto file = parseIni(
      "[Service]\n"
      "ExecStart=/bin/echo \\\n"
      "# not part of it\n"
      "  one \\\n"
      "  two\n"
      "After=x\n",
      "t");
  ASSERT_EQ(file.assignments.size(), 2u);
  EXPECT_EQ(file.assignments[0].value, "/bin/echo  one  two");
  EXPECT_EQ(file.assignments[0].line, 2);
  EXPECT_EQ(file.assignments[1].line, 6);
}

TEST(IniFile, EscapedBackslashDoesNotContinue) {
  const auto file = parseIni("[S]\nA=x\\\\\nB=y\n", "t");
  ASSERT_EQ(file.assignments.size(), 2u);
  EXPECT_EQ(file.assignments[0].value, "x\\\\");
}

TEST(IniFile, ContinuationAtEndOfFileEndsTheValue) {
  const auto file = parseIni("[S]\nA=x \\", "t");
  ASSERT_EQ(file.assignments.size(), 1u);
  EXPECT_EQ(file.assignments[0].value, "x");
}

TEST(IniFile, ValueMayContainEqualsSigns) {
  const auto file = parseIni("[Machine]\nMetadata=region=us-east,disk=ssd\n", "t");
  EXPECT_EQ(file.assignments.at(0).value, "region=us-east,disk=ssd");
}

TEST(IniFile, ErrorsNameFileAndLine) {
  const auto message = [](std::string_view text) {
    try {
      parseIni(text, "agent.conf");
    } catch (const IniSyntaxError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(message("[S]\nno equals sign\n"), HasSubstr("agent.conf:2: "));
  EXPECT_THAT(message("[S\nA=1\n"), HasSubstr("agent.conf:1: section header"));
  EXPECT_THAT(message("A=1\n"), HasSubstr("outside of any [Section]"));
  EXPECT_THAT(message("[S]\nbad key=1\n"), HasSubstr("invalid key \"bad key\""));
  EXPECT_THAT(message("[]\n"), HasSubstr("invalid section name"));
  EXPECT_THAT(message(std::string_view("[S]\nA=\0\n", 7)), HasSubstr("NUL"));
}

TEST(IniFile, UnreadableFileIsAnError) {
  EXPECT_THROW(readIni("/nonexistent/deckhand/agent.conf"), IniSyntaxError);
  EXPECT_THROW(readIni("/"), IniSyntaxError);
}

}  // namespace
}  // namespace deckhand::systemd
