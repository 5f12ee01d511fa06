// Everything fleet dropped silently is an error here, one per problem, naming the key, the value
// and what is expected; and every pair of entries fleet refused together.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/constraints_test_support.hpp"

namespace deckhand::constraints {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct ErrorCase {
  std::string name;
  std::string unit;
  std::string body;
  std::string header;  // "line N: Key=Value: " as the error shows it
  std::string detail;  // a part of the message
};

void PrintTo(const ErrorCase& param, std::ostream* out) {
  *out << param.body;
}

class Rejects : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(Rejects, WithOneClearError) {
  const auto& param = GetParam();
  const std::string error = sectionError(param.unit, param.body);
  EXPECT_THAT(error, AllOf(StartsWith(param.unit + ": [X-Fleet] "), HasSubstr(param.header),
                           HasSubstr(param.detail)));
  EXPECT_EQ(error.find('\n'), std::string::npos) << "more than one problem:\n" << error;
}

std::string caseName(const auto& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(
    Keys, Rejects,
    ::testing::Values(
        ErrorCase{"Unknown", "web.service", "Weight=10", "line 2: Weight=10: ",
                  "unknown key; [X-Fleet] accepts MachineID, MachineOf, MachineMetadata, "
                  "Conflicts, Global and Replaces"},
        ErrorCase{"WrongCase", "web.service", "machineOf=db.service",
                  "line 2: machineOf=db.service: ", "case-sensitive: did you mean MachineOf?"},
        ErrorCase{"WrongCaseAlias", "web.service", "X-conflicts=db*",
                  "line 2: X-conflicts=db*: ", "did you mean X-Conflicts?"},
        ErrorCase{"LegacyBootID", "web.service", "X-ConditionMachineBootID=0123",
                  "line 2: X-ConditionMachineBootID=0123: ",
                  "a boot ID changes at every boot, so the unit would lose its machine on the "
                  "next reboot; use MachineID"}),
    [](const auto& info) { return caseName(info); });

// fleet kept an empty value as a pattern or pair that never matched.
INSTANTIATE_TEST_SUITE_P(
    EmptyValues, Rejects,
    ::testing::Values(
        ErrorCase{"MachineID", "web.service", "MachineID=", "line 2: MachineID=: ",
                  "empty value; expected the machine's ID (32 lowercase hex digits) or its first "
                  "8 digits (an empty assignment does not reset anything in [X-Fleet])"},
        ErrorCase{"MachineOf", "web.service", "MachineOf=", "line 2: MachineOf=: ",
                  "empty value; expected a unit name, such as db.service"},
        ErrorCase{"MachineMetadata", "web.service", "MachineMetadata=", "MachineMetadata=: ",
                  "empty value; expected KEY=VALUE, or KEY with one of != < <= > >= and a value"},
        ErrorCase{"Conflicts", "web.service", "Conflicts=", "line 2: Conflicts=: ",
                  "empty value; expected a unit name or a glob over unit names"},
        ErrorCase{"Replaces", "web.service", "Replaces=", "Replaces=: ", "empty value"},
        ErrorCase{"Global", "web.service",
                  "Global=", "Global=: ", "empty value; expected true or false"},
        ErrorCase{
            "EmptyQuotedItem", "web.service", "Conflicts=\"a*\" \"\"",
            "Conflicts=\"a*\" \"\": ", "an empty quoted item; expected a unit name or a glob"},
        ErrorCase{"EmptyAfterSpecifiers", "web.service", "MachineOf=%i",
                  "MachineOf=%i: ", "\"%i\" is empty for web.service; expected a unit name"}),
    [](const auto& info) { return caseName(info); });

INSTANTIATE_TEST_SUITE_P(
    Quoting, Rejects,
    ::testing::Values(
        ErrorCase{"UnquotedPairs", "web.service", "MachineMetadata=a=1 b=2",
                  "line 2: MachineMetadata=a=1 b=2: ",
                  "contains whitespace; to give several values, quote each one: \"a=1\" \"b=2\""},
        ErrorCase{"UnquotedPatterns", "web.service", "Conflicts=a*  b*",
                  "Conflicts=a*  b*: ", "quote each one: \"a*\" \"b*\""},
        ErrorCase{"TextOutsideQuotes", "web.service", "MachineMetadata=\"a=1\" b=2",
                  "MachineMetadata=\"a=1\" b=2: ",
                  "\"b=2\" is outside quotes; once a value starts with a quote, every item must "
                  "be quoted"},
        ErrorCase{"UnclosedQuote", "web.service", "MachineMetadata=\"a=1\" \"b=2",
                  "MachineMetadata=\"a=1\" \"b=2: ", "the quote before \"b=2\" is never closed"},
        ErrorCase{"ItemsNotSeparated", "web.service", "MachineMetadata=\"a=1\"\"b=2\"",
                  "MachineMetadata=\"a=1\"\"b=2\": ",
                  "quoted items must be separated by whitespace; found \"\"\" right after \"a=1\""},
        ErrorCase{
            "QuoteInsideValue", "web.service", "MachineMetadata=a=\"1\"",
            "MachineMetadata=a=\"1\": ", "a quote inside a value; quotes surround whole items"},
        ErrorCase{"WhitespaceInsideQuotes", "web.service", "MachineMetadata=\"a=1 b=2\"",
                  "MachineMetadata=\"a=1 b=2\": ",
                  "quoted item \"a=1 b=2\" contains whitespace; quote each value on its own: "
                  "\"a=1\" \"b=2\""}),
    [](const auto& info) { return caseName(info); });

INSTANTIATE_TEST_SUITE_P(
    Specifiers, Rejects,
    ::testing::Values(
        ErrorCase{"Unknown", "web.service", "MachineOf=%H.service", "MachineOf=%H.service: ",
                  "unknown specifier %H; [X-Fleet] supports %n (full unit name), %N (name without "
                  "the type suffix), %p (prefix), %i (instance) and %% (a literal '%')"},
        ErrorCase{"Unescaped", "web@a.service", "MachineOf=%I.service",
                  "MachineOf=%I.service: ", "unknown specifier %I"},
        ErrorCase{"LonePercent", "web.service", "MachineMetadata=load=100%",
                  "MachineMetadata=load=100%: ", "ends in a lone '%'; write %% for a literal '%'"},
        ErrorCase{"ShowsTheSubstitution", "web.service", "MachineOf=%p", "MachineOf=%p: ",
                  "\"%p\" is \"web\" for web.service: unit name \"web\": has no .TYPE suffix"},
        ErrorCase{"TemplateInstanceMissing", "web.service", "MachineOf=db@%i.service",
                  "MachineOf=db@%i.service: ",
                  "\"db@%i.service\" is \"db@.service\" for web.service: db@.service is a "
                  "template, which never runs itself; name an instance, such as db@1.service"}),
    [](const auto& info) { return caseName(info); });

INSTANTIATE_TEST_SUITE_P(
    Values, Rejects,
    ::testing::Values(
        ErrorCase{"MachineIDNotHex", "web.service", "MachineID=node-1", "MachineID=node-1: ",
                  "\"node-1\" is not a machine ID; expected the machine's ID (32 lowercase hex "
                  "digits, as deckhand reports it) or its first 8 digits"},
        ErrorCase{"MachineIDUppercase", "web.service", "MachineID=0123ABCD",
                  "MachineID=0123ABCD: ", "is not a machine ID"},
        ErrorCase{"MachineIDLength", "web.service", "MachineID=0123456789",
                  "MachineID=0123456789: ", "is not a machine ID"},
        ErrorCase{"MachineIDList", "web.service", "MachineID=\"01234567\" \"89abcdef\"",
                  "MachineID=\"01234567\" \"89abcdef\": ", "MachineID takes one value, got 2"},
        ErrorCase{"TwoMachineIDs", "web.service",
                  "MachineID=01234567\nX-ConditionMachineID=89abcdef",
                  "line 3: X-ConditionMachineID=89abcdef: ",
                  "a unit runs on one machine, and MachineID already names 01234567"},
        ErrorCase{"PeerPattern", "web.service", "MachineOf=db*",
                  "MachineOf=db*: ", "\"db*\" is a pattern; MachineOf names one unit exactly"},
        ErrorCase{"PeerWithoutType", "web.service", "MachineOf=db",
                  "MachineOf=db: ", "unit name \"db\": has no .TYPE suffix"},
        ErrorCase{"PeerTemplate", "web.service", "MachineOf=db@.service", "MachineOf=db@.service: ",
                  "db@.service is a template, which never runs itself; name an instance, such as "
                  "db@1.service"},
        ErrorCase{"PeerIsSelf", "web.service", "MachineOf=%n",
                  "MachineOf=%n: ", "a unit cannot be its own peer"},
        ErrorCase{"NoOperator", "web.service", "MachineMetadata=region", "MachineMetadata=region: ",
                  "\"region\" has no operator; expected KEY=VALUE, or KEY followed by one of = != "
                  "< <= > >= and a value"},
        ErrorCase{"NoKey", "web.service", "MachineMetadata==ssd",
                  "MachineMetadata==ssd: ", "\"=ssd\" has no key before ="},
        ErrorCase{"NoValue", "web.service", "MachineMetadata=ram>=", "MachineMetadata=ram>=: ",
                  "\"ram>=\" has no value after >="},
        ErrorCase{"LoneBang", "web.service", "MachineMetadata=ram!2048",
                  "MachineMetadata=ram!2048: ", "'!' must be followed by '='"},
        ErrorCase{"TwoOperators", "web.service", "MachineMetadata=ram=>2048",
                  "MachineMetadata=ram=>2048: ",
                  "\"ram=>2048\" has more than one operator; a condition is KEY, one of"},
        ErrorCase{"EqualsInValue", "web.service", "MachineMetadata=a=b=c",
                  "MachineMetadata=a=b=c: ", "has more than one operator"},
        ErrorCase{"NotANumber", "web.service", "MachineMetadata=ram>=lots",
                  "MachineMetadata=ram>=lots: ",
                  "\"ram>=lots\": >= compares numbers, and \"lots\" is not one"},
        ErrorCase{"UnitSuffixIsNotANumber", "web.service", "MachineMetadata=ram<16G",
                  "MachineMetadata=ram<16G: ", "\"16G\" is not one"},
        ErrorCase{"BadKey", "web.service", "MachineMetadata=-ram=1", "MachineMetadata=-ram=1: ",
                  "key \"-ram\" could never be set on a machine; keys are 1-63 letters, digits, "
                  "'-', '_' or '.', starting with a letter or digit"},
        ErrorCase{"BadValue", "web.service", "MachineMetadata=zone=a\\b",
                  "MachineMetadata=zone=a\\b: ",
                  "value \"a\\b\" could never be set on a machine; values are 1-255 printable "
                  "characters without whitespace, quotes, backslashes, ',' or '='"},
        ErrorCase{"PatternWithoutType", "web.service", "Conflicts=db", "Conflicts=db: ",
                  "unit name \"db\": has no .TYPE suffix; expected NAME.TYPE, TYPE one of"},
        ErrorCase{"UnclosedSet", "web.service", "Conflicts=db[12.service",
                  "Conflicts=db[12.service: ", "the set \"[12.service\" has no closing ']'"},
        ErrorCase{"StrayCharacter", "web.service", "Replaces=web!*", "Replaces=web!*: ",
                  "'!' never appears in a unit name; a pattern is unit name characters with * ? "
                  "and [...]"},
        ErrorCase{"BadSetMember", "web.service", "Conflicts=db[/x]*", "Conflicts=db[/x]*: ",
                  "the set \"[/x]\" lists '/', which never appears in a unit name"},
        ErrorCase{
            "ConflictsWithItself", "web.service", "Conflicts=web.service",
            "Conflicts=web.service: ",
            "web.service is this unit itself; a unit never conflicts with or replaces itself"},
        ErrorCase{"ReplacesItself", "web.service", "Replaces=%n",
                  "Replaces=%n: ", "is this unit itself"},
        ErrorCase{"NotABoolean", "web.service", "Global=ture", "Global=ture: ",
                  "\"ture\" is not a boolean; expected true or false (or yes/no, on/off, 1/0)"},
        ErrorCase{"GlobalList", "web.service", "Global=\"true\" \"false\"",
                  "Global=\"true\" \"false\": ", "Global takes one value, got 2"}),
    [](const auto& info) { return caseName(info); });

// fleet's incompatible pairs, deckhand's peer-versus-Replaces, each reported on the later entry.
INSTANTIATE_TEST_SUITE_P(
    Incompatibilities, Rejects,
    ::testing::Values(
        ErrorCase{"MachineIDAndMachineOf", "web.service",
                  "MachineID=01234567\nMachineOf=db.service", "line 3: MachineOf=db.service: ",
                  "cannot be combined with MachineID=01234567 (line 2): MachineID pins the unit "
                  "to one machine, MachineOf sends it wherever its peer runs"},
        ErrorCase{"MachineIDAndConflicts", "web.service", "Conflicts=db*\nMachineID=01234567",
                  "line 3: MachineID=01234567: ",
                  "cannot be combined with Conflicts=db* (line 2): a unit pinned to one machine "
                  "cannot move away from a conflict"},
        ErrorCase{"MachineIDAndGlobal", "web.service", "MachineID=01234567\nGlobal=yes",
                  "line 3: Global=yes: ",
                  "cannot be combined with MachineID=01234567 (line 2): a global unit runs on "
                  "every machine, MachineID pins it to one"},
        ErrorCase{"MachineIDAndReplaces", "web.service",
                  "X-ConditionMachineID=01234567\nReplaces=old.service",
                  "line 3: Replaces=old.service: ",
                  "cannot be combined with X-ConditionMachineID=01234567 (line 2): Replaces takes "
                  "the machine of the unit it replaces, MachineID pins it to one machine"},
        ErrorCase{"GlobalAndMachineOf", "web.service",
                  "Global=true\nX-ConditionMachineOf=db.service",
                  "line 3: X-ConditionMachineOf=db.service: ",
                  "cannot be combined with Global=true (line 2): a global unit runs on every "
                  "machine that matches; it cannot follow a peer"},
        ErrorCase{"GlobalAndReplaces", "web.service", "Replaces=old.service\nGlobal=1",
                  "line 3: Global=1: ",
                  "cannot be combined with Replaces=old.service (line 2): a global unit runs on "
                  "every machine that matches; it cannot take another unit's place"},
        ErrorCase{"GlobalInEffectIsTheLastOne", "web.service",
                  "Global=false\nMachineOf=db.service\nGlobal=true",
                  "line 4: Global=true: ", "cannot be combined with MachineOf=db.service (line 3)"},
        ErrorCase{"ConflictsAndReplaces", "web.service", "X-Conflicts=db*\nReplaces=old.service",
                  "line 3: Replaces=old.service: ",
                  "cannot be combined with X-Conflicts=db* (line 2): Replaces already moves the "
                  "replaced unit off this unit's machine; keep one of the two"},
        ErrorCase{"PeerMatchesConflict", "web.service",
                  "MachineOf=db.service\nConflicts=d?.service", "line 3: Conflicts=d?.service: ",
                  "contradicts MachineOf=db.service (line 2): peer db.service matches pattern "
                  "d?.service, so the unit would have to run next to its peer and away from it"},
        ErrorCase{"ConflictMatchesLaterPeer", "web@1.service",
                  "Conflicts=\"cache*\" \"db@*.service\"\nMachineOf=db@%i.service",
                  "line 3: MachineOf=db@%i.service: ",
                  "contradicts Conflicts=\"cache*\" \"db@*.service\" (line 2): peer db@1.service "
                  "matches pattern db@*.service"},
        ErrorCase{"PeerMatchesReplaces", "web.service", "MachineOf=db.service\nReplaces=db*",
                  "line 3: Replaces=db*: ",
                  "contradicts MachineOf=db.service (line 2): peer db.service matches pattern "
                  "db*, so the unit would need its peer on its machine and move it away"}),
    [](const auto& info) { return caseName(info); });

TEST(ParseConstraints, GlobalFalseIsCompatibleWithEverything) {
  EXPECT_EQ(sectionError("web.service", "Global=no\nMachineOf=db.service\nReplaces=old.service"),
            "no error");
}

TEST(ParseConstraints, AllowedCombinations) {
  EXPECT_EQ(sectionError("log.service", "Global=true\nConflicts=old-log*\nMachineMetadata=a=1"),
            "no error");
  EXPECT_EQ(sectionError("web.service", "MachineID=01234567\nMachineMetadata=a=1"), "no error");
  EXPECT_EQ(sectionError("web.service", "MachineOf=db.service\nConflicts=web*"), "no error");
  EXPECT_EQ(sectionError("web.service", "MachineOf=db.service\nReplaces=old.service"), "no error");
  EXPECT_EQ(sectionError("web.service", "Global=true\nMachineOf=db.service\nGlobal=false"),
            "no error");
}

TEST(ParseConstraints, EachBadItemOfAListIsItsOwnProblem) {
  try {
    parseSection("web.service", "MachineMetadata=\"a=1\" \"ram>=x\" \"b\"");
    FAIL() << "no error";
  } catch (const ConstraintError& error) {
    ASSERT_EQ(error.problems().size(), 2U);
    EXPECT_THAT(error.problems()[0].message, HasSubstr("\"x\" is not one"));
    EXPECT_THAT(error.problems()[1].message, HasSubstr("\"b\" has no operator"));
  }
}

}  // namespace
}  // namespace deckhand::constraints
