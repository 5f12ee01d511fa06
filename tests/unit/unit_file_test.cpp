#include "systemd/unit_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace deckhand::systemd {
namespace {

using ::testing::HasSubstr;

std::string normalised(std::string_view text) {
  return writeUnitFile(parseUnitFile(text, "test.service"));
}

std::string hashOf(std::string_view text) {
  return unitHash(parseUnitFile(text, "test.service"));
}

struct RoundTrip {
  std::string what;
  std::string text;
  std::string expected;  // the normalised text
};

std::vector<RoundTrip> trickyUnitFiles() {
  return {
      {"comments, blank lines and whitespace go",
       "# header comment\n"
       "; another\n"
       "\n"
       "[Unit]\n"
       "  Description = Web server   \n"
       "   # indented comment\n"
       "\n\n"
       "[Service]\n"
       "\tExecStart=/usr/bin/web --port 80\t\n",
       "[Unit]\nDescription=Web server\n\n[Service]\nExecStart=/usr/bin/web --port 80\n"},
      {"continuations join with one space",
       "[Service]\n"
       "ExecStart=/bin/sh -c \\\n"
       "    'echo one; \\\n"
       "     echo two'\n"
       "After=a.service\\\n"
       "b.service\n",
       "[Service]\nExecStart=/bin/sh -c 'echo one; echo two'\nAfter=a.service b.service\n"},
      {"comments inside a continuation are skipped",
       "[Service]\n"
       "ExecStart=/bin/echo \\\n"
       "# a comment\n"
       "  ; another \\\n"
       "  hello\n",
       "[Service]\nExecStart=/bin/echo hello\n"},
      {"a blank line ends a continuation", "[Service]\nExecStart=/bin/echo \\\n\nType=oneshot\n",
       "[Service]\nExecStart=/bin/echo\nType=oneshot\n"},
      {"a continuation at the end of the text ends the value", "[Service]\nExecStart=/bin/true \\",
       "[Service]\nExecStart=/bin/true\n"},
      {"repeated keys and empty assignments stay, in order",
       "[Service]\nExecStart=/bin/a\nExecStart=\nExecStart=/bin/b\nEnvironment=A=1\n"
       "Environment=B=2\nEnvironment=\n",
       "[Service]\nExecStart=/bin/a\nExecStart=\nExecStart=/bin/b\nEnvironment=A=1\n"
       "Environment=B=2\nEnvironment=\n"},
      {"quotes, escapes and specifiers stay raw",
       "[Service]\n"
       "Environment=\"GREETING=hello   world\" 'X=a b'\n"
       "ExecStart=/bin/echo \"a   b\" \\\"c\\\" %i %%\n"
       "ExecStart=/bin/echo a\\\\\n",
       "[Service]\n"
       "Environment=\"GREETING=hello   world\" 'X=a b'\n"
       "ExecStart=/bin/echo \"a   b\" \\\"c\\\" %i %%\n"
       "ExecStart=/bin/echo a\\\\\n"},
      {"'#' and '=' inside a value are not special",
       "[Service]\nExecStart=/bin/echo #not a comment ;nor this\nEnvironment=A=B=C\n",
       "[Service]\nExecStart=/bin/echo #not a comment ;nor this\nEnvironment=A=B=C\n"},
      {"unicode in values stays byte for byte", "[Unit]\nDescription=Ünïcödé — 日本語 🚀 \u00a0x\n",
       "[Unit]\nDescription=Ünïcödé — 日本語 🚀 \u00a0x\n"},
      {"CRLF line endings become LF",
       "[Unit]\r\nDescription=x\r\n\r\n[Service]\r\nExecStart=/bin/echo \\\r\n  y\r\n",
       "[Unit]\nDescription=x\n\n[Service]\nExecStart=/bin/echo y\n"},
      {"a lone CR ends a line, as in systemd", "[Unit]\rA=1\rB=2", "[Unit]\nA=1\nB=2\n"},
      {"a missing final newline is added", "[Service]\nExecStart=/bin/true",
       "[Service]\nExecStart=/bin/true\n"},
      {"a byte order mark goes", "\xEF\xBB\xBF[Unit]\nA=1\n", "[Unit]\nA=1\n"},
      {"empty sections stay", "[Unit]\n[Service]\nType=oneshot\n[Install]\n",
       "[Unit]\n\n[Service]\nType=oneshot\n\n[Install]\n"},
      {"a repeated section is one, where it first appears",
       "[Service]\nA=1\n[Unit]\nB=2\n[Service]\nC=3\n[Unit]\n",
       "[Service]\nA=1\nC=3\n\n[Unit]\nB=2\n"},
      {"the [X-Fleet] section keeps its entries in order",
       "[Service]\nExecStart=/bin/web\n\n[X-Fleet]\nMachineMetadata=region=us-east\n"
       "MachineMetadata=disk=ssd\nConflicts=web@*.service\nGlobal=false\n",
       "[Service]\nExecStart=/bin/web\n\n[X-Fleet]\nMachineMetadata=region=us-east\n"
       "MachineMetadata=disk=ssd\nConflicts=web@*.service\nGlobal=false\n"},
  };
}

TEST(UnitFile, NormalisesTrickyFiles) {
  for (const auto& [what, text, expected] : trickyUnitFiles()) {
    EXPECT_EQ(normalised(text), expected) << what;
  }
}

TEST(UnitFile, NormalisedTextIsAFixedPointWithTheSameHash) {
  for (const auto& [what, text, expected] : trickyUnitFiles()) {
    EXPECT_EQ(normalised(expected), expected) << what;
    EXPECT_EQ(hashOf(text), hashOf(expected)) << what;
  }
}

TEST(UnitFile, KeepsSectionsAndEntriesWithTheirLines) {
  const UnitFile file = parseUnitFile(
      "# comment\r\n"
      "[Unit]\r\n"
      "Description=Web \\\r\n"
      "  server\r\n"
      "[Install]\r\n"
      "[X-Fleet]\r\n"
      "MachineOf=db.service\r\n"
      "Conflicts=web@*.service\r\n",
      "web.service");
  EXPECT_EQ(file.origin, "web.service");
  ASSERT_EQ(file.sections.size(), 3u);
  EXPECT_EQ(file.sections[0].name, "Unit");
  EXPECT_EQ(file.sections[1].name, "Install");
  EXPECT_TRUE(file.sections[1].entries.empty());
  const UnitFileSection* fleet = file.section(kFleetSection);
  ASSERT_NE(fleet, nullptr);
  ASSERT_EQ(fleet->entries.size(), 2u);
  EXPECT_EQ(fleet->entries[0].key, "MachineOf");
  EXPECT_EQ(fleet->entries[0].value, "db.service");
  EXPECT_EQ(fleet->entries[0].line, 7);
  EXPECT_EQ(fleet->entries[1].key, "Conflicts");
  EXPECT_EQ(fleet->entries[1].line, 8);
  const UnitFileEntry& description = file.section("Unit")->entries.at(0);
  EXPECT_EQ(description.value, "Web server");
  EXPECT_EQ(description.line, 3);
}

TEST(UnitFile, SectionNamesAreCaseSensitive) {
  const UnitFile file = parseUnitFile("[X-Fleet]\nGlobal=true\n", "t");
  EXPECT_NE(file.section("X-Fleet"), nullptr);
  EXPECT_EQ(file.section("x-fleet"), nullptr);
  EXPECT_EQ(file.section("Service"), nullptr);
}

TEST(UnitFile, ValuesApplyEmptyAssignmentResets) {
  const UnitFile file = parseUnitFile(
      "[Service]\n"
      "ExecStartPre=/bin/a\nExecStartPre=/bin/b\nExecStartPre=\n"
      "ExecStartPre=/bin/c\nExecStartPre=/bin/d\n"
      "Environment=A=1\nEnvironment=\n"
      "After=x.service y.service\n"
      "[Unit]\n"
      "ExecStartPre=/bin/other-section\n",
      "t");
  using Values = std::vector<std::string>;
  EXPECT_EQ(file.values("Service", "ExecStartPre"), (Values{"/bin/c", "/bin/d"}));
  EXPECT_EQ(file.values("Service", "Environment"), Values{});
  EXPECT_EQ(file.values("Service", "After"), Values{"x.service y.service"});  // not split
  EXPECT_EQ(file.values("Service", "Missing"), Values{});
  EXPECT_EQ(file.values("Missing", "ExecStartPre"), Values{});
}

TEST(UnitFile, LastValueDecidesSingleSettings) {
  const UnitFile file =
      parseUnitFile("[Service]\nType=simple\nType=oneshot\nRestart=always\nRestart=\n", "t");
  EXPECT_EQ(file.lastValue("Service", "Type"), "oneshot");
  EXPECT_EQ(file.lastValue("Service", "Restart"), "");  // reset to systemd's default
  EXPECT_EQ(file.lastValue("Service", "User"), std::nullopt);
  EXPECT_EQ(file.lastValue("Unit", "Type"), std::nullopt);
}

std::string unitFileError(std::string_view text) {
  try {
    parseUnitFile(text, "web.service");
  } catch (const UnitFileError& error) {
    return error.what();
  }
  return "no error";
}

TEST(UnitFile, RejectsWhatCannotBeInstalledSayingWhere) {
  EXPECT_EQ(unitFileError(""),
            "web.service: unit file has no [Section]; expected at least one, such as [Service]");
  EXPECT_THAT(unitFileError("# only a comment\n\n"), HasSubstr("has no [Section]"));
  EXPECT_THAT(unitFileError("[Service]\nExecStart /bin/true\n"),
              HasSubstr("web.service:2: \"ExecStart /bin/true\" is not KEY=VALUE"));
  EXPECT_THAT(unitFileError("Description=x\n[Unit]\n"),
              HasSubstr("web.service:1: assignment to Description outside of any [Section]"));
  EXPECT_THAT(unitFileError("[Service\n"), HasSubstr("web.service:1: section header"));
  EXPECT_THAT(unitFileError("[Service]\nExec Start=x\n"), HasSubstr("invalid key \"Exec Start\""));
  EXPECT_THAT(unitFileError(std::string("[Service]\nA=\0\n", 13)), HasSubstr("NUL"));
  // Written back, "x\" would continue onto the next line, which systemd's reading of it does not.
  EXPECT_THAT(unitFileError("[Service]\nA=x\\ \nB=y\n"),
              HasSubstr("web.service:2: line ends in a '\\' that does not continue it"));
  EXPECT_THAT(unitFileError("[Service]\nA=x\\ \\\n\nB=y\n"),
              HasSubstr("web.service:2: line ends in a '\\'"));
}

TEST(UnitFile, RejectsTextOverOneMebibyte) {
  const std::string head = "[Service]\nExecStart=/bin/true\n";
  std::string at_limit = head + "#" + std::string(kUnitFileMaxBytes - head.size() - 2, 'x') + "\n";
  ASSERT_EQ(at_limit.size(), kUnitFileMaxBytes);
  EXPECT_NO_THROW(parseUnitFile(at_limit, "web.service"));
  EXPECT_EQ(unitFileError(at_limit + "\n"),
            "web.service: unit file is 1048577 bytes; the limit is 1 MiB (1048576 bytes)");
}

// ---- the content hash ----------------------------------------------------------------------

constexpr std::string_view kWebUnit =
    "[Unit]\n"
    "Description=Web server\n"
    "\n"
    "[Service]\n"
    "ExecStart=/usr/bin/web --port 80\n"
    "Restart=always\n"
    "\n"
    "[X-Fleet]\n"
    "MachineMetadata=region=us-east\n";

TEST(UnitHash, IsLowercaseHexSha256OfTheNormalisedText) {
  // Pinned: schedulers compute this hash too, so it must never change for the same text.
  // printf '[Unit]\nDescription=Web server\n\n[Service]\n...' | sha256sum
  EXPECT_EQ(hashOf(kWebUnit), "7ae2d8b04b03db5f3b6675ca739857a01b404f8fee62f2ae9c7155d65fb967eb");
  EXPECT_EQ(unitHash(UnitFile{}),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(UnitHash, IgnoresLayout) {
  const std::vector<std::string> same_meaning = {
      "# Web server, managed by deckhand\n"
      "[Unit]\n"
      "Description=Web server   \n"
      "\n\n"
      "[Service]\n"
      "; how to start it\n"
      "ExecStart=/usr/bin/web \\\n"
      "# the port\n"
      "    --port 80\n"
      "Restart = always\n"
      "[X-Fleet]\n"
      "MachineMetadata=region=us-east",
      "[Unit]\r\nDescription=Web server\r\n[Service]\r\nExecStart=/usr/bin/web --port 80\r\n"
      "Restart=always\r\n[X-Fleet]\r\nMachineMetadata=region=us-east\r\n",
      "\xEF\xBB\xBF[Unit]\n\tDescription\t=\tWeb server\n[Service]\nExecStart=/usr/bin/web\\\n"
      "--port\\\n80\nRestart=always\n[X-Fleet]\nMachineMetadata=region=us-east\n",
      "[Unit]\nDescription=Web server\n[Service]\nExecStart=/usr/bin/web --port 80\n[X-Fleet]\n"
      "MachineMetadata=region=us-east\n[Service]\nRestart=always\n",
  };
  const std::string expected = hashOf(kWebUnit);
  for (const auto& text : same_meaning)
    EXPECT_EQ(hashOf(text), expected) << text;
  EXPECT_EQ(unitHash(parseUnitFile(kWebUnit, "other-origin.service")), expected);
}

TEST(UnitHash, ChangesWithMeaning) {
  const std::vector<std::string> different_meanings = {
      std::string(kWebUnit),
      // key order
      "[Unit]\nDescription=Web server\n\n[Service]\nRestart=always\n"
      "ExecStart=/usr/bin/web --port 80\n\n[X-Fleet]\nMachineMetadata=region=us-east\n",
      // a repeated key
      std::string(kWebUnit) + "MachineMetadata=region=us-east\n",
      // an empty assignment
      "[Unit]\nDescription=Web server\n\n[Service]\nExecStart=\nExecStart=/usr/bin/web --port 80\n"
      "Restart=always\n\n[X-Fleet]\nMachineMetadata=region=us-east\n",
      // a value
      "[Unit]\nDescription=Web server\n\n[Service]\nExecStart=/usr/bin/web --port 81\n"
      "Restart=always\n\n[X-Fleet]\nMachineMetadata=region=us-east\n",
      // whitespace inside a value
      "[Unit]\nDescription=Web  server\n\n[Service]\nExecStart=/usr/bin/web --port 80\n"
      "Restart=always\n\n[X-Fleet]\nMachineMetadata=region=us-east\n",
      // case of a key
      "[Unit]\ndescription=Web server\n\n[Service]\nExecStart=/usr/bin/web --port 80\n"
      "Restart=always\n\n[X-Fleet]\nMachineMetadata=region=us-east\n",
      // the section an entry is in
      "[Unit]\nDescription=Web server\nRestart=always\n\n[Service]\n"
      "ExecStart=/usr/bin/web --port 80\n\n[X-Fleet]\nMachineMetadata=region=us-east\n",
      // section order
      "[Service]\nExecStart=/usr/bin/web --port 80\nRestart=always\n\n[Unit]\n"
      "Description=Web server\n\n[X-Fleet]\nMachineMetadata=region=us-east\n",
      // an empty section
      std::string(kWebUnit) + "[Install]\n",
  };
  std::set<std::string> hashes;
  for (const auto& text : different_meanings)
    hashes.insert(hashOf(text));
  EXPECT_EQ(hashes.size(), different_meanings.size());
}

}  // namespace
}  // namespace deckhand::systemd
