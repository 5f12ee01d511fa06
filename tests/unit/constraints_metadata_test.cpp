// MachineMetadata= conditions held against a machine's metadata: fleet's AND across keys and OR
// within a key, deckhand's != and numeric ranges, and the reasons a human reads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/constraints/invalid_value.hpp"
#include "agent/constraints/metadata_condition.hpp"
#include "tests/unit/constraints_test_support.hpp"

namespace deckhand::constraints {
namespace {

using ::testing::ElementsAreArray;

struct MatchCase {
  std::string name;
  std::string conditions;  // a MachineMetadata= value, quoted items as in a unit file
  std::string metadata;    // the operator's metadata, as in agent.conf
  std::vector<std::string> unmet;
};

void PrintTo(const MatchCase& param, std::ostream* out) {
  *out << param.conditions;
}

class Metadata : public ::testing::TestWithParam<MatchCase> {};

TEST_P(Metadata, Unmet) {
  const auto constraints = parseSection("web.service", "MachineMetadata=" + GetParam().conditions);
  EXPECT_THAT(unmetMetadata(constraints.metadata, machine::parseMetadata(GetParam().metadata)),
              ElementsAreArray(GetParam().unmet));
}

std::string caseName(const auto& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, Metadata,
    ::testing::Values(
        MatchCase{"EqualHolds", "region=us-east-1", "region=us-east-1", {}},
        MatchCase{"EqualFails",
                  "region=us-east-1",
                  "region=eu-west-1",
                  {"metadata region=us-east-1 required, machine has region=eu-west-1"}},
        MatchCase{"EqualMissingKey",
                  "region=us-east-1",
                  "disk=ssd",
                  {"metadata region=us-east-1 required, machine has no region"}},
        MatchCase{"NoMetadataAtAll",
                  "region=us-east-1",
                  "",
                  {"metadata region=us-east-1 required, machine has no region"}},
        MatchCase{"EqualIsExactText",
                  "ram=2048",
                  "ram=2048.0",
                  {"metadata ram=2048 required, machine has ram=2048.0"}},
        MatchCase{"EqualIsCaseSensitive",
                  "disk=SSD",
                  "disk=ssd",
                  {"metadata disk=SSD required, machine has disk=ssd"}},
        MatchCase{"AndAcrossKeys",
                  "\"region=us-east-1\" \"disk=ssd\"",
                  "region=us-east-1,disk=hdd",
                  {"metadata disk=ssd required, machine has disk=hdd"}},
        MatchCase{
            "OrWithinKey", "\"region=us-east-1\" \"region=us-west-1\"", "region=us-west-1", {}},
        MatchCase{"OrWithinKeyFails",
                  "\"region=us-east-1\" \"region=us-west-1\"",
                  "region=eu-west-1",
                  {"metadata region=us-east-1 or region=us-west-1 required, machine has "
                   "region=eu-west-1"}},
        MatchCase{"NotEqualHolds", "disk!=hdd", "disk=ssd", {}},
        MatchCase{"NotEqualHoldsWithoutKey", "disk!=hdd", "region=x", {}},
        MatchCase{"NotEqualFails",
                  "disk!=hdd",
                  "disk=hdd",
                  {"metadata disk!=hdd required, machine has disk=hdd"}},
        MatchCase{"NotEqualsAllMustHold",
                  "\"zone!=a\" \"zone!=b\"",
                  "zone=b",
                  {"metadata zone!=b required, machine has zone=b"}},
        MatchCase{"NotEqualIsNotAnAlternative",
                  "\"zone=a\" \"zone!=a\"",
                  "zone=a",
                  {"metadata zone!=a required, machine has zone=a"}},
        MatchCase{"EqualOrWithExclusion", "\"zone=a\" \"zone=b\" \"zone!=b\"", "zone=a", {}},
        MatchCase{"GreaterEqualHolds", "ram>=2048", "ram=2048", {}},
        MatchCase{"GreaterEqualFails",
                  "ram>=2048",
                  "ram=1024",
                  {"metadata ram>=2048 required, machine has ram=1024"}},
        MatchCase{"GreaterIsStrict",
                  "ram>2048",
                  "ram=2048",
                  {"metadata ram>2048 required, machine has ram=2048"}},
        MatchCase{"LessHolds", "load<0.75", "load=0.5", {}},
        MatchCase{"LessFails",
                  "load<0.75",
                  "load=0.75",
                  {"metadata load<0.75 required, machine has load=0.75"}},
        MatchCase{"LessEqualHolds", "load<=0.75", "load=0.75", {}},
        MatchCase{"NumericNotLexical", "ram>=900", "ram=1024", {}},
        MatchCase{"Negative", "temp>-10", "temp=-5", {}},
        MatchCase{"DecimalAgainstInteger", "cores>=2", "cores=2.0", {}},
        MatchCase{"RangeHolds", "\"ram>=1024\" \"ram<=4096\"", "ram=2048", {}},
        MatchCase{"RangeFailsAbove",
                  "\"ram>=1024\" \"ram<=4096\"",
                  "ram=8192",
                  {"metadata ram<=4096 required, machine has ram=8192"}},
        MatchCase{"OrderingMissingKey",
                  "ram>=2048",
                  "disk=ssd",
                  {"metadata ram>=2048 required, machine has no ram"}},
        MatchCase{"OrderingOnAWord",
                  "ram>=2048",
                  "ram=lots",
                  {"metadata ram>=2048 required, machine has ram=lots, which is not a number"}},
        MatchCase{"OrderingOnAUnitSuffix",
                  "ram>=2048",
                  "ram=4G",
                  {"metadata ram>=2048 required, machine has ram=4G, which is not a number"}},
        MatchCase{"EveryFailureReported",
                  "\"region=a\" \"ram>=2\" \"disk!=hdd\"",
                  "region=b,ram=1,disk=hdd",
                  {"metadata region=a required, machine has region=b",
                   "metadata ram>=2 required, machine has ram=1",
                   "metadata disk!=hdd required, machine has disk=hdd"}}),
    [](const auto& info) { return caseName(info); });

// fleet's documentation: diskType=SSD AND (region=us-east-1 OR region=us-west-1).
class FleetWorkedExample : public ::testing::TestWithParam<std::pair<std::string, bool>> {};

TEST_P(FleetWorkedExample, Machine) {
  const auto constraints = parseSection("app.service",
                                        "Global=true\n"
                                        "MachineMetadata=\"region=us-east-1\" \"diskType=SSD\"\n"
                                        "MachineMetadata=region=us-west-1\n");
  const auto unmet = unmetMetadata(constraints.metadata, machine::parseMetadata(GetParam().first));
  EXPECT_EQ(unmet.empty(), GetParam().second) << GetParam().first;
}

INSTANTIATE_TEST_SUITE_P(
    FromFleetDocs, FleetWorkedExample,
    ::testing::Values(std::pair<std::string, bool>{"diskType=SSD,region=us-east-1", true},
                      std::pair<std::string, bool>{"region=us-east-1", false},
                      std::pair<std::string, bool>{"diskType=SSD,region=us-west-1", true},
                      std::pair<std::string, bool>{"diskType=SSD,region=eu-west-1", false},
                      std::pair<std::string, bool>{"diskType=HDD,region=us-west-1", false}));

TEST(MetadataCondition, Numbers) {
  EXPECT_EQ(parseNumber("2048"), 2048);
  EXPECT_EQ(parseNumber("-4.5"), -4.5);
  EXPECT_EQ(parseNumber("0.75"), 0.75);
  for (const auto* text : {"", "-", "+1", "1.", ".5", "1e3", "0x10", "inf", "nan", "16G", "1,5"}) {
    EXPECT_EQ(parseNumber(text), std::nullopt) << text;
  }
}

TEST(MetadataCondition, FormatsBackToItsText) {
  for (const auto* text : {"a=1", "a!=1", "a<1", "a<=1", "a>1", "a>=1"}) {
    EXPECT_EQ(formatCondition(parseMetadataCondition(text)), text);
  }
}

// Conditions follow the operator's metadata grammar (agent/machine/metadata.hpp): whatever an
// operator can set, a condition can ask for, and a condition nothing can satisfy is an error.
TEST(MetadataCondition, GrammarAgreesWithMachineMetadata) {
  const std::vector<std::string> keys{"region",
                                      "disk-type",
                                      "a.b_c",
                                      "9lives",
                                      "-x",
                                      "_x",
                                      "a b",
                                      "a/b",
                                      "ключ",
                                      std::string(63, 'k'),
                                      std::string(64, 'k')};
  const std::vector<std::string> values{"us-east-1",
                                        "SSD",
                                        "a<b",
                                        "100%",
                                        "a\\b",
                                        "a'b",
                                        "a\"b",
                                        "a,b",
                                        std::string(255, 'v'),
                                        std::string(256, 'v')};
  const auto accepted = [](auto parse) {
    try {
      parse();
      return true;
    } catch (const std::invalid_argument&) {
      return false;
    }
  };
  for (const auto& key : keys) {
    for (const auto& value : values) {
      const std::string pair = key + "=" + value;
      EXPECT_EQ(accepted([&] { parseMetadataCondition(pair); }),
                accepted([&] { machine::parseMetadata(pair); }))
          << pair;
    }
  }
}

}  // namespace
}  // namespace deckhand::constraints
