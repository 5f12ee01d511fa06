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
  EXPECT_EQ(file.assignments[0].value, "/bin/echo one two");
  EXPECT_EQ(file.assignments[0].line, 2);
  EXPECT_EQ(file.assignments[1].line, 6);
}

TEST(IniFile, ContinuationJoinsWithOneSpaceWhateverTheWrapping) {
  for (const std::string_view text :
       {"[S]\nA=a b c\n", "[S]\nA=a\\\nb\\\n c\n", "[S]\nA=a   \\\n    b \\\n\t\tc\n",
        "[S]\nA=\\\na b c\n", "[S]\nA=a \\\n\\\nb c\n"}) {
    EXPECT_EQ(parseIni(text, "t").assignments.at(0).value, "a b c") << text;
  }
}

TEST(IniFile, KeepsEverySectionInOrderOfFirstAppearance) {
  const auto file = parseIni("[Unit]\n[Service]\nA=1\n[Unit]\nB=2\n[Install]\n", "t");
  EXPECT_EQ(file.sections, (std::vector<std::string>{"Unit", "Service", "Install"}));
  ASSERT_EQ(file.assignments.size(), 2u);
  EXPECT_EQ(file.assignments[1].section, "Unit");
}

TEST(IniFile, LineEndingsAreThoseSystemdReads) {
  const auto file = parseIni("\xEF\xBB\xBF[S]\r\nA=1\r\n\r\nB=2\rC=3\nD=4", "t");
  ASSERT_EQ(file.assignments.size(), 4u);
  EXPECT_EQ(file.assignments[0].value, "1");
  EXPECT_EQ(file.assignments[0].line, 2);
  EXPECT_EQ(file.assignments[1].value, "2");
  EXPECT_EQ(file.assignments[1].line, 4);
  EXPECT_EQ(file.assignments[2].line, 5);
  EXPECT_EQ(file.assignments[3].line, 6);
  EXPECT_EQ(file.sections.at(0), "S");
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
  // systemd does not continue "x\ ", and "x\" written back would continue.
  EXPECT_THAT(message("[S]\nA=x\\ \nB=y\n"),
              HasSubstr("agent.conf:2: line ends in a '\\' that does not continue it"));
}

TEST(IniFile, UnreadableFileIsAnError) {
  EXPECT_THROW(readIni("/nonexistent/deckhand/agent.conf"), IniSyntaxError);
  EXPECT_THROW(readIni("/"), IniSyntaxError);
}

}  // namespace
}  // namespace deckhand::systemd
