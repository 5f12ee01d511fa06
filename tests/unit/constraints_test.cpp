// Reading [X-Fleet]: every key and alias, fleet's quoting rule, specifiers, and the shape of the
// error a user sees. Malformed values and incompatible pairs: constraints_errors_test.cpp.
#include "agent/constraints/constraints.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/constraints_test_support.hpp"

namespace deckhand::constraints {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Op = MetadataOperator;

constexpr std::string_view kId = "0123456789abcdef0123456789abcdef";

struct ParseCase {
  std::string name;
  std::string unit;
  std::string body;
  UnitConstraints expected;
};

void PrintTo(const ParseCase& param, std::ostream* out) {
  *out << param.body;
}

UnitConstraints with(std::string unit, auto edit) {
  UnitConstraints constraints;
  constraints.unit = std::move(unit);
  edit(constraints);
  return constraints;
}

class Parses : public ::testing::TestWithParam<ParseCase> {};

TEST_P(Parses, Section) {
  EXPECT_EQ(parseSection(GetParam().unit, GetParam().body), GetParam().expected);
}

std::string caseName(const auto& info) {
  return info.param.name;
}

// Every key and every deprecated alias fleet accepted.
INSTANTIATE_TEST_SUITE_P(
    KeysAndAliases, Parses,
    ::testing::Values(
        ParseCase{"Empty", "web.service", "", with("web.service", [](auto&) {})},
        ParseCase{"MachineID", "web.service", "MachineID=" + std::string(kId),
                  with("web.service", [](auto& c) { c.machine_id = std::string(kId); })},
        ParseCase{"MachineIDShort", "web.service", "MachineID=01234567",
                  with("web.service", [](auto& c) { c.machine_id = "01234567"; })},
        ParseCase{"XConditionMachineID", "web.service", "X-ConditionMachineID=01234567",
                  with("web.service", [](auto& c) { c.machine_id = "01234567"; })},
        ParseCase{"SameMachineIDTwice", "web.service", "MachineID=01234567\nMachineID=01234567",
                  with("web.service", [](auto& c) { c.machine_id = "01234567"; })},
        ParseCase{"MachineOf", "web.service", "MachineOf=db.service",
                  with("web.service", [](auto& c) { c.peers = {"db.service"}; })},
        ParseCase{"XConditionMachineOf", "web.service",
                  "X-ConditionMachineOf=db.service\nMachineOf=cache.socket\nMachineOf=db.service",
                  with("web.service",
                       [](auto& c) {
                         c.peers = {"db.service", "cache.socket"};
                       })},
        ParseCase{"MachineMetadata", "web.service", "MachineMetadata=region=us-east-1",
                  with("web.service",
                       [](auto& c) {
                         c.metadata = {{"region", Op::equal, "us-east-1"}};
                       })},
        ParseCase{"XConditionMachineMetadata", "web.service", "X-ConditionMachineMetadata=disk=ssd",
                  with("web.service",
                       [](auto& c) {
                         c.metadata = {{"disk", Op::equal, "ssd"}};
                       })},
        ParseCase{"Operators", "web.service",
                  "MachineMetadata=\"a!=x\" \"b<1\" \"c<=2\" \"d>3\" \"e>=-4.5\" \"f=y<z\"",
                  with("web.service",
                       [](auto& c) {
                         c.metadata = {{"a", Op::not_equal, "x"},        {"b", Op::less, "1"},
                                       {"c", Op::less_equal, "2"},       {"d", Op::greater, "3"},
                                       {"e", Op::greater_equal, "-4.5"}, {"f", Op::equal, "y<z"}};
                       })},
        ParseCase{"Conflicts", "web@1.service", "Conflicts=web@*.service",
                  with("web@1.service", [](auto& c) { c.conflicts = {"web@*.service"}; })},
        ParseCase{"XConflicts", "web.service", "X-Conflicts=monitor*\nConflicts=db.service",
                  with("web.service",
                       [](auto& c) {
                         c.conflicts = {"monitor*", "db.service"};
                       })},
        ParseCase{"Replaces", "web-v2.service", "Replaces=web-v1.service",
                  with("web-v2.service", [](auto& c) { c.replaces = {"web-v1.service"}; })},
        ParseCase{"GlobalTrue", "log.service", "Global=true",
                  with("log.service", [](auto& c) { c.global = true; })},
        ParseCase{"GlobalSpellings", "log.service", "Global=YES",
                  with("log.service", [](auto& c) { c.global = true; })},
        ParseCase{"GlobalLastWins", "log.service", "Global=on\nGlobal=0",
                  with("log.service", [](auto&) {})},
        ParseCase{"GlobalFalseWithMachineID", "log.service", "Global=false\nMachineID=01234567",
                  with("log.service", [](auto& c) { c.machine_id = "01234567"; })}),
    [](const auto& info) { return caseName(info); });

// A value splits into several only when it starts with a quote.
INSTANTIATE_TEST_SUITE_P(
    Quoting, Parses,
    ::testing::Values(
        ParseCase{
            "QuotedPairs", "web.service", "MachineMetadata=\"region=us-east-1\" \"diskType=SSD\"",
            with(
                "web.service",
                [](auto& c) {
                  c.metadata = {{"region", Op::equal, "us-east-1"}, {"diskType", Op::equal, "SSD"}};
                })},
        ParseCase{"OneQuotedItem", "web.service", "MachineOf=\"db.service\"",
                  with("web.service", [](auto& c) { c.peers = {"db.service"}; })},
        ParseCase{"TabsAndRunsOfSpaces", "web.service", "Conflicts=\"a*\"  \t \"b*\"",
                  with("web.service",
                       [](auto& c) {
                         c.conflicts = {"a*", "b*"};
                       })},
        ParseCase{"QuotedGlobal", "log.service", "Global=\"true\"",
                  with("log.service", [](auto& c) { c.global = true; })},
        ParseCase{"ContinuationLine", "web.service", "Conflicts=\"a*\" \\\n  \"b*\"",
                  with("web.service",
                       [](auto& c) {
                         c.conflicts = {"a*", "b*"};
                       })}),
    [](const auto& info) { return caseName(info); });

// %n %N %p %i and %% take the unit's own name parts, as systemd means them.
INSTANTIATE_TEST_SUITE_P(
    Specifiers, Parses,
    ::testing::Values(
        ParseCase{"PrefixOfInstance", "web@blue.service", "MachineOf=%p-db.service",
                  with("web@blue.service", [](auto& c) { c.peers = {"web-db.service"}; })},
        ParseCase{"PrefixOfPlainUnit", "web.service", "MachineOf=%p.socket",
                  with("web.service", [](auto& c) { c.peers = {"web.socket"}; })},
        ParseCase{"Instance", "web@blue.service", "MachineOf=db@%i.service",
                  with("web@blue.service", [](auto& c) { c.peers = {"db@blue.service"}; })},
        ParseCase{"EscapedInstanceStaysEscaped", "web@a\\x2db.service", "MachineOf=db@%i.service",
                  with("web@a\\x2db.service", [](auto& c) { c.peers = {"db@a\\x2db.service"}; })},
        ParseCase{"FullName", "web@blue.service", "MachineMetadata=serves=%n",
                  with("web@blue.service",
                       [](auto& c) {
                         c.metadata = {{"serves", Op::equal, "web@blue.service"}};
                       })},
        ParseCase{
            "NameWithoutSuffix", "web@blue.service", "MachineOf=%N-sidecar.service",
            with("web@blue.service", [](auto& c) { c.peers = {"web@blue-sidecar.service"}; })},
        ParseCase{"Percent", "web.service", "MachineMetadata=load=100%%",
                  with("web.service",
                       [](auto& c) {
                         c.metadata = {{"load", Op::equal, "100%"}};
                       })},
        ParseCase{"InsideQuotedItems", "web@2.service",
                  "Conflicts=\"%p@*.service\" \"cache@%i.service\"",
                  with("web@2.service",
                       [](auto& c) {
                         c.conflicts = {"web@*.service", "cache@2.service"};
                       })}),
    [](const auto& info) { return caseName(info); });

TEST(ParseConstraints, FleetDocsWorkedExample) {
  const auto constraints = parseSection("app.service",
                                        "Global=true\n"
                                        "MachineMetadata=\"region=us-east-1\" \"diskType=SSD\"\n"
                                        "MachineMetadata=region=us-west-1\n");
  EXPECT_TRUE(constraints.global);
  EXPECT_THAT(constraints.metadata,
              ElementsAre(MetadataCondition{"region", Op::equal, "us-east-1"},
                          MetadataCondition{"diskType", Op::equal, "SSD"},
                          MetadataCondition{"region", Op::equal, "us-west-1"}));
}

TEST(ParseConstraints, UnitFileWithoutXFleetHasNoConstraints) {
  const auto file = systemd::parseUnitFile("[Service]\nExecStart=/bin/true\n", "web.service");
  EXPECT_EQ(parseConstraints(systemd::parseUnitName("web.service"), file),
            with("web.service", [](auto&) {}));
}

TEST(ParseConstraints, EntriesWithoutLinesOmitTheLine) {
  const std::vector<systemd::UnitFileEntry> entries{{"Weight", "1", 0}};
  try {
    parseConstraints(systemd::parseUnitName("web.service"), entries);
    FAIL() << "no error";
  } catch (const ConstraintError& error) {
    EXPECT_THAT(error.what(), HasSubstr("web.service: [X-Fleet] Weight=1: unknown key"));
  }
}

TEST(ParseConstraints, ReportsEveryProblemInFileOrder) {
  try {
    parseSection("web.service",
                 "MachineOf=db.service\n"     // line 2
                 "Weight=10\n"                // line 3
                 "MachineMetadata=a=1 b=2\n"  // line 4
                 "MachineID=01234567\n"       // line 5, clashes with line 2
                 "Global=maybe\n");           // line 6
    FAIL() << "no error";
  } catch (const ConstraintError& error) {
    EXPECT_EQ(error.unit(), "web.service");
    ASSERT_EQ(error.problems().size(), 4U);
    EXPECT_EQ(error.problems()[0].line, 3);
    EXPECT_EQ(error.problems()[0].key, "Weight");
    EXPECT_EQ(error.problems()[1].line, 4);
    EXPECT_EQ(error.problems()[1].value, "a=1 b=2");
    EXPECT_EQ(error.problems()[2].line, 5);
    EXPECT_EQ(error.problems()[2].key, "MachineID");
    EXPECT_EQ(error.problems()[3].line, 6);
    EXPECT_EQ(std::string(error.what()),
              "web.service: [X-Fleet] line 3: Weight=10: " + error.problems()[0].message + "\n" +
                  "web.service: [X-Fleet] line 4: MachineMetadata=a=1 b=2: contains whitespace; "
                  "to give several values, quote each one: \"a=1\" \"b=2\"\n" +
                  "web.service: [X-Fleet] line 5: MachineID=01234567: cannot be combined with "
                  "MachineOf=db.service (line 2): MachineID pins the unit to one machine, "
                  "MachineOf sends it wherever its peer runs\n" +
                  "web.service: [X-Fleet] line 6: Global=maybe: \"maybe\" is not a boolean; "
                  "expected true or false (or yes/no, on/off, 1/0)");
  }
}

}  // namespace
}  // namespace deckhand::constraints
