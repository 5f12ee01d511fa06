// Conflicts= and Replaces= globs over unit names.
#include <gtest/gtest.h>

#include "agent/constraints/glob.hpp"
#include "agent/constraints/invalid_value.hpp"

namespace deckhand::constraints {
namespace {

struct MatchCase {
  std::string pattern;
  std::string name;
  bool matches;
};

void PrintTo(const MatchCase& param, std::ostream* out) {
  *out << param.pattern;
}

class GlobMatch : public ::testing::TestWithParam<MatchCase> {};

TEST_P(GlobMatch, AgainstUnitName) {
  EXPECT_EQ(globMatches(GetParam().pattern, GetParam().name), GetParam().matches)
      << GetParam().pattern << " vs " << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, GlobMatch,
    ::testing::Values(
        MatchCase{"web.service", "web.service", true},
        MatchCase{"web.service", "web.socket", false},
        MatchCase{"web.service", "web.service2", false},
        MatchCase{"monitor*", "monitor.service", true},
        MatchCase{"monitor*", "monitor@1.service", true},
        MatchCase{"monitor*", "my-monitor.service", false},
        MatchCase{"*", "anything.service", true}, MatchCase{"*.socket", "web.service", false},
        MatchCase{"web@*.service", "web@1.service", true},
        MatchCase{"web@*.service", "web@.service", true},
        MatchCase{"web@*.service", "web.service", false}, MatchCase{"*@*.*", "a@b.service", true},
        MatchCase{"a*b*c.service", "aXbYbZc.service", true},
        MatchCase{"a*b*c.service", "aXcYb.service", false},
        MatchCase{"**.service", "x.service", true}, MatchCase{"web?.service", "web1.service", true},
        MatchCase{"web?.service", "web.service", false},
        MatchCase{"web?.service", "web12.service", false},
        MatchCase{"db[12].service", "db2.service", true},
        MatchCase{"db[12].service", "db3.service", false},
        MatchCase{"db[0-9].service", "db7.service", true},
        MatchCase{"db[a-c0-2].service", "db1.service", true},
        MatchCase{"db[a-c0-2].service", "dbd.service", false},
        MatchCase{"db[!0-9].service", "dbx.service", true},
        MatchCase{"db[!0-9].service", "db5.service", false},
        MatchCase{"db[^0-9].service", "db5.service", false},
        MatchCase{"db[-x].service", "db-.service", true},
        MatchCase{"db[x-].service", "db-.service", true},
        // Backslash is a character of escaped names, not an escape.
        MatchCase{"foo\\x2d*", "foo\\x2dbar.service", true},
        MatchCase{"foo\\x2d*", "foox2dbar.service", false},
        // Unclosed sets are literal, and no unit name has a '['.
        MatchCase{"db[1.service", "db1.service", false},
        MatchCase{"db[1.service", "db[1.service", true}));

TEST(Glob, IsGlob) {
  EXPECT_TRUE(isGlob("web*"));
  EXPECT_TRUE(isGlob("web?.service"));
  EXPECT_TRUE(isGlob("db[12].service"));
  EXPECT_FALSE(isGlob("web@1.service"));
  EXPECT_FALSE(isGlob("foo\\x2dbar.service"));
}

class GlobAccepted : public ::testing::TestWithParam<std::string> {};

TEST_P(GlobAccepted, ByCheck) {
  EXPECT_NO_THROW(checkUnitGlob(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Table, GlobAccepted,
                         ::testing::Values("web.service", "web@1.service", "foo\\x2dbar.service",
                                           "monitor*", "*", "web@*.service", "db[0-9].service",
                                           "db[!a].service", "db[^a-c]*", "a:b_c-d.e*"));

struct RejectCase {
  std::string pattern;
  std::string message;
};

void PrintTo(const RejectCase& param, std::ostream* out) {
  *out << param.pattern;
}

class GlobRejected : public ::testing::TestWithParam<RejectCase> {};

TEST_P(GlobRejected, ByCheck) {
  try {
    checkUnitGlob(GetParam().pattern);
    FAIL() << GetParam().pattern << " accepted";
  } catch (const InvalidValue& error) {
    EXPECT_EQ(std::string(error.what()), GetParam().message);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, GlobRejected,
    ::testing::Values(
        RejectCase{"web",
                   "unit name \"web\": has no .TYPE suffix; expected NAME.TYPE, TYPE one of "
                   "service, socket, target, device, mount, automount, swap, timer, path, "
                   "slice, scope; a pattern without * ? or [...] is one exact unit name"},
        RejectCase{"web[", "the set \"[\" has no closing ']'"},
        RejectCase{"web[]*", "the set \"[]*\" has no closing ']'"},
        RejectCase{"web[!]*", "the set \"[!]*\" has no closing ']'"},
        RejectCase{"web[]]*", "the set \"[]]\" lists ']', which never appears in a unit name"},
        RejectCase{"web/*",
                   "'/' never appears in a unit name; a pattern is unit name characters "
                   "with * ? and [...]"},
        RejectCase{"web]*",
                   "']' never appears in a unit name; a pattern is unit name characters "
                   "with * ? and [...]"},
        RejectCase{"^web*",
                   "'^' never appears in a unit name; a pattern is unit name characters "
                   "with * ? and [...]"}));

}  // namespace
}  // namespace deckhand::constraints
