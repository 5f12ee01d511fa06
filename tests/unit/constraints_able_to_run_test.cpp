// The placement predicate: one machine, one unit, the units already there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/constraints/able_to_run.hpp"
#include "tests/unit/constraints_test_support.hpp"

namespace deckhand::constraints {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::string_view kMachineId = "4f3c2b1a0123456789abcdef01234567";

struct Placed {
  std::string name;
  std::string section;  // its [X-Fleet] body
};

struct DecisionCase {
  std::string name;
  std::string unit;
  std::string section;
  std::string metadata;
  std::vector<Placed> placed;
  bool able;
  std::string reason;
};

void PrintTo(const DecisionCase& param, std::ostream* out) {
  *out << param.section;
}

class AbleToRun : public ::testing::TestWithParam<DecisionCase> {};

TEST_P(AbleToRun, Decides) {
  const auto& param = GetParam();
  const MachineView machine{std::string(kMachineId), machine::parseMetadata(param.metadata)};
  std::vector<PlacedUnit> placed;
  for (const auto& unit : param.placed) {
    placed.push_back(placedUnitOf(parseSection(unit.name, unit.section)));
  }
  const Decision decision = ableToRun(machine, parseSection(param.unit, param.section), placed);
  EXPECT_EQ(decision.able, param.able);
  EXPECT_EQ(decision.reason, param.reason);
}

std::string caseName(const auto& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(
    MachineID, AbleToRun,
    ::testing::Values(
        DecisionCase{"NoConstraints", "web.service", "", "", {}, true, ""},
        DecisionCase{"FullID",
                     "web.service",
                     "MachineID=4f3c2b1a0123456789abcdef01234567",
                     "",
                     {},
                     true,
                     ""},
        DecisionCase{"ShortID", "web.service", "MachineID=4f3c2b1a", "", {}, true, ""},
        DecisionCase{"OtherMachine",
                     "web.service",
                     "MachineID=99999999",
                     "",
                     {},
                     false,
                     "machine 99999999 required (MachineID), this is "
                     "4f3c2b1a0123456789abcdef01234567"},
        DecisionCase{"OtherFullID",
                     "web.service",
                     "X-ConditionMachineID=4f3c2b1a0123456789abcdef00000000",
                     "",
                     {},
                     false,
                     "machine 4f3c2b1a0123456789abcdef00000000 required (MachineID), this is "
                     "4f3c2b1a0123456789abcdef01234567"}),
    [](const auto& info) { return caseName(info); });

INSTANTIATE_TEST_SUITE_P(
    Metadata, AbleToRun,
    ::testing::Values(DecisionCase{"Matches",
                                   "web.service",
                                   "MachineMetadata=region=us-east-1",
                                   "region=us-east-1",
                                   {},
                                   true,
                                   ""},
                      DecisionCase{
                          "BriefExample",
                          "web.service",
                          "MachineMetadata=region=us-east-1",
                          "region=eu-west-1",
                          {},
                          false,
                          "metadata region=us-east-1 required, machine has region=eu-west-1"},
                      DecisionCase{"Global",
                                   "log.service",
                                   "Global=true\nMachineMetadata=disk=ssd",
                                   "disk=hdd",
                                   {},
                                   false,
                                   "metadata disk=ssd required, machine has disk=hdd"}),
    [](const auto& info) { return caseName(info); });

INSTANTIATE_TEST_SUITE_P(
    MachineOf, AbleToRun,
    ::testing::Values(
        DecisionCase{
            "PeerHere", "web.service", "MachineOf=db.service", "", {{"db.service", ""}}, true, ""},
        DecisionCase{"PeerAbsent",
                     "web.service",
                     "MachineOf=db.service",
                     "",
                     {{"cache.service", ""}},
                     false,
                     "peer db.service (MachineOf) is not on this machine"},
        DecisionCase{"EveryPeerNeeded",
                     "web.service",
                     "MachineOf=\"db.service\" \"cache.service\"",
                     "",
                     {{"cache.service", ""}},
                     false,
                     "peer db.service (MachineOf) is not on this machine"},
        DecisionCase{"ExactNameNotGlob",
                     "web.service",
                     "MachineOf=db@1.service",
                     "",
                     {{"db@12.service", ""}},
                     false,
                     "peer db@1.service (MachineOf) is not on this machine"},
        DecisionCase{"PeerFromSpecifier",
                     "web@blue.service",
                     "MachineOf=db@%i.service",
                     "",
                     {{"db@blue.service", ""}},
                     true,
                     ""}),
    [](const auto& info) { return caseName(info); });

INSTANTIATE_TEST_SUITE_P(
    Conflicts, AbleToRun,
    ::testing::Values(
        DecisionCase{"Mine",
                     "web.service",
                     "Conflicts=cache*",
                     "",
                     {{"cache@1.service", ""}},
                     false,
                     "conflicts with cache@1.service on this machine (Conflicts=cache*)"},
        DecisionCase{"Theirs",
                     "web.service",
                     "",
                     "",
                     {{"cache.service", "Conflicts=web*"}},
                     false,
                     "cache.service on this machine conflicts with it (its Conflicts=web*)"},
        DecisionCase{"NoMatch",
                     "web.service",
                     "Conflicts=cache*",
                     "",
                     {{"db.service", "Conflicts=db*"}},
                     true,
                     ""},
        DecisionCase{"SpreadInstances",
                     "web@2.service",
                     "Conflicts=web@*.service",
                     "",
                     {{"web@1.service", "Conflicts=web@*.service"}},
                     false,
                     "conflicts with web@1.service on this machine (Conflicts=web@*.service)"},
        DecisionCase{"ItselfIsSkipped",
                     "web@1.service",
                     "Conflicts=web@*.service",
                     "",
                     {{"web@1.service", "Conflicts=web@*.service"}},
                     true,
                     ""},
        DecisionCase{"GlobalConflicts",
                     "log.service",
                     "Global=true\nConflicts=old-log.service",
                     "",
                     {{"old-log.service", ""}},
                     false,
                     "conflicts with old-log.service on this machine "
                     "(Conflicts=old-log.service)"}),
    [](const auto& info) { return caseName(info); });

INSTANTIATE_TEST_SUITE_P(
    Replaces, AbleToRun,
    ::testing::Values(
        DecisionCase{"TakesThePlace",
                     "web-v2.service",
                     "Replaces=web-v1.service",
                     "",
                     {{"web-v1.service", ""}},
                     true,
                     "replaces web-v1.service, which the scheduler moves away"},
        DecisionCase{"ReplacedConflictsDoNotCount",
                     "web-v2.service",
                     "Replaces=web-v1*",
                     "",
                     {{"web-v1.service", "Conflicts=web*"}, {"web-v1b.service", ""}},
                     true,
                     "replaces web-v1.service, web-v1b.service, which the scheduler moves away"},
        DecisionCase{"ReplacedByAUnitHere",
                     "web-v1.service",
                     "",
                     "",
                     {{"web-v2.service", "Replaces=web-v1.service"}},
                     false,
                     "replaced by web-v2.service (its Replaces=web-v1.service), which is on this "
                     "machine"},
        DecisionCase{"ReplaceEachOther",
                     "a.service",
                     "Replaces=b.service",
                     "",
                     {{"b.service", "Replaces=a.service"}},
                     false,
                     "b.service is on this machine and the two replace each other "
                     "(Replaces=b.service, its Replaces=a.service); remove one of the two"},
        DecisionCase{
            "NothingToReplace", "web-v2.service", "Replaces=web-v1.service", "", {}, true, ""}),
    [](const auto& info) { return caseName(info); });

TEST(AbleToRunCombined, EveryUnmetConstraintIsReported) {
  const MachineView machine{std::string(kMachineId), machine::parseMetadata("region=eu-west-1")};
  const auto unit = parseSection("web.service",
                                 "MachineMetadata=\"region=us-east-1\" \"ram>=2048\"\n"
                                 "MachineOf=db.service\n"
                                 "Conflicts=cache*\n");
  const Decision decision = ableToRun(machine, unit, {{"cache.service", {}, {}}});
  EXPECT_FALSE(decision.able);
  EXPECT_EQ(decision.reason,
            "metadata region=us-east-1 required, machine has region=eu-west-1; "
            "metadata ram>=2048 required, machine has no ram; "
            "peer db.service (MachineOf) is not on this machine; "
            "conflicts with cache.service on this machine (Conflicts=cache*)");
  EXPECT_THAT(decision.replaced, IsEmpty());
}

TEST(AbleToRunCombined, ReplacedUnitsAreListedForTheScheduler) {
  const MachineView machine{std::string(kMachineId), {}};
  const auto unit = parseSection("web-v2.service", "Replaces=web-v1.service");
  const Decision decision = ableToRun(machine, unit, {{"web-v1.service", {}, {}}});
  EXPECT_TRUE(decision.able);
  EXPECT_THAT(decision.replaced, ElementsAre("web-v1.service"));
}

TEST(AbleToRunCombined, PlacedUnitOfCarriesNameConflictsAndReplaces) {
  const auto spread = placedUnitOf(parseSection("web@1.service", "Conflicts=web@*.service"));
  EXPECT_EQ(spread.name, "web@1.service");
  EXPECT_THAT(spread.conflicts, ElementsAre("web@*.service"));
  EXPECT_THAT(spread.replaces, IsEmpty());
  const auto successor = placedUnitOf(parseSection("web-v2.service", "Replaces=web-v1.service"));
  EXPECT_THAT(successor.replaces, ElementsAre("web-v1.service"));
}

}  // namespace
}  // namespace deckhand::constraints
