// The units on a machine as ableToRun reads them: by name, one entry each.
#include "agent/constraints/placed_units.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace deckhand::constraints {
namespace {

using ::testing::UnorderedElementsAre;

std::vector<std::string> namesOf(const PlacedUnits& units) {
  std::vector<std::string> names;
  for (const auto& unit : units.list())
    names.push_back(unit.name + (unit.conflicts.empty() ? "" : ":" + unit.conflicts.front()));
  return names;
}

TEST(PlacedUnits, PlacingANameAgainReplacesItsEntry) {
  PlacedUnits units;
  units.place({"a.service", {}, {}});
  units.place({"b.service", {}, {}});
  units.place({"a.service", {"web*"}, {}});
  EXPECT_THAT(namesOf(units), UnorderedElementsAre("a.service:web*", "b.service"));
}

TEST(PlacedUnits, RemovingKeepsTheOthersFindable) {
  PlacedUnits units;
  for (const char* name : {"a.service", "b.service", "c.service", "d.service"})
    units.place({name, {}, {}});
  units.remove("a.service");  // the last entry moves into its place
  units.remove("missing.service");
  units.place({"d.service", {"x*"}, {}});
  units.remove("c.service");
  EXPECT_THAT(namesOf(units), UnorderedElementsAre("b.service", "d.service:x*"));
  units.remove("b.service");
  units.remove("d.service");
  EXPECT_TRUE(units.list().empty());
}

}  // namespace
}  // namespace deckhand::constraints
