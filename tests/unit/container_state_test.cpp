// Container state from the Engine API's inspect and list answers and its /events lines.
#include "docker/container_state.hpp"

#include <gtest/gtest.h>

namespace deckhand::docker {
namespace {

std::string eventLine(const std::string& action, const std::string& id, std::int64_t nano,
                      const std::string& extra_attributes = "") {
  return R"({"Type":"container","Action":")" + action + R"(","Actor":{"ID":")" + id +
         R"(","Attributes":{"name":"web","image":"local/busybox:latest",)" +
         R"("deckhand.unit":"deckhand-web.service")" + extra_attributes + R"(}},"time":1,)" +
         R"("timeNano":)" + std::to_string(nano) + "}";
}

ContainerEvent event(const std::string& action, const std::string& id, std::int64_t nano,
                     const std::string& extra_attributes = "") {
  auto parsed = parseContainerEvent(eventLine(action, id, nano, extra_attributes));
  EXPECT_TRUE(parsed.has_value());
  return parsed.value_or(ContainerEvent{});
}

TEST(ContainerStateTest, ParsesRfc3339AsDockerWritesIt) {
  EXPECT_EQ(usecFromRfc3339("1970-01-01T00:00:01.5Z"), 1'500'000U);
  EXPECT_EQ(usecFromRfc3339("2026-11-28T18:02:03.123456789Z"), 1795888923'123456U);
  EXPECT_EQ(usecFromRfc3339("0001-01-01T00:00:00Z"), 0U);
  EXPECT_EQ(usecFromRfc3339("yesterday"), 0U);
}

TEST(ContainerStateTest, IgnoresLinesThatAreNotContainerEvents) {
  EXPECT_FALSE(parseContainerEvent("not json").has_value());
  EXPECT_FALSE(parseContainerEvent(R"({"Type":"network","Action":"connect"})").has_value());
}

TEST(ContainerStateTest, FollowsARunThatCrashes) {
  std::map<std::string, ContainerState> states;
  EXPECT_EQ(applyContainerEvent(states, event("create", "a1", 1'000'000'000)), "web");
  EXPECT_EQ(applyContainerEvent(states, event("start", "a1", 2'000'000'000)), "web");
  EXPECT_EQ(states["web"].status, "running");
  EXPECT_EQ(states["web"].started_usec, 2'000'000U);
  applyContainerEvent(states, event("die", "a1", 3'000'000'000, R"(,"exitCode":"3")"));
  EXPECT_EQ(states["web"].status, "exited");
  EXPECT_EQ(states["web"].exit_code, 3);
  EXPECT_EQ(states["web"].finished_usec, 3'000'000U);
  applyContainerEvent(states, event("destroy", "a1", 4'000'000'000));
  EXPECT_EQ(states["web"].status, "removed");
  EXPECT_EQ(states["web"].exit_code, 3);
  EXPECT_EQ(states["web"].unit, "deckhand-web.service");
  EXPECT_EQ(states["web"].restart_count, 0);
}

TEST(ContainerStateTest, CountsRestartsAcrossContainersOfOneName) {
  std::map<std::string, ContainerState> states;
  applyContainerEvent(states, event("start", "a1", 1'000'000'000));
  applyContainerEvent(states, event("die", "a1", 2'000'000'000, R"(,"exitCode":"1")"));
  applyContainerEvent(states, event("destroy", "a1", 3'000'000'000));
  applyContainerEvent(states, event("create", "b2", 4'000'000'000));
  EXPECT_FALSE(states["web"].exit_code.has_value());
  applyContainerEvent(states, event("start", "b2", 5'000'000'000));
  EXPECT_EQ(states["web"].restart_count, 1);
  EXPECT_EQ(states["web"].id, "b2");
  // The old container's late destroy does not mark the new one removed.
  EXPECT_FALSE(applyContainerEvent(states, event("destroy", "a1", 6'000'000'000)).has_value());
  EXPECT_EQ(states["web"].status, "running");
}

TEST(ContainerStateTest, RecordsOomAndHealth) {
  std::map<std::string, ContainerState> states;
  applyContainerEvent(states, event("start", "a1", 1));
  applyContainerEvent(states, event("health_status: unhealthy", "a1", 2));
  EXPECT_EQ(states["web"].health, "unhealthy");
  applyContainerEvent(states, event("oom", "a1", 3));
  applyContainerEvent(states, event("die", "a1", 4, R"(,"exitCode":"137")"));
  EXPECT_TRUE(states["web"].oom_killed);
  EXPECT_EQ(states["web"].exit_code, 137);
}

TEST(ContainerStateTest, UnlabelledEventsApplyOnlyToTheKnownContainer) {
  std::map<std::string, ContainerState> states;
  applyContainerEvent(states, event("start", "a1", 1));
  const auto health = [](const std::string& id) {
    return parseContainerEvent(R"({"Type":"container","Action":"health_status: unhealthy",)"
                               R"("Actor":{"ID":")" +
                               id + R"(","Attributes":{"name":"web"}},"timeNano":2})");
  };
  EXPECT_FALSE(applyContainerEvent(states, *health("other")).has_value());
  EXPECT_EQ(states["web"].health, "");
  EXPECT_EQ(applyContainerEvent(states, *health("a1")), "web");
  EXPECT_EQ(states["web"].health, "unhealthy");
}

TEST(ContainerStateTest, ContainersWithoutTheLabelAreNotTracked) {
  std::map<std::string, ContainerState> states;
  const auto foreign = parseContainerEvent(
      R"({"Type":"container","Action":"start","Actor":{"ID":"f","Attributes":{"name":"x"}},)"
      R"("timeNano":1})");
  ASSERT_TRUE(foreign.has_value());
  EXPECT_FALSE(applyContainerEvent(states, *foreign).has_value());
  EXPECT_TRUE(states.empty());
}

TEST(ContainerStateTest, ReadsInspectAndList) {
  const ContainerState state = containerStateFromInspect(R"({
    "Id": "abc", "Name": "/web", "RestartCount": 0,
    "Config": {"Image": "local/busybox:latest", "Labels": {"deckhand.unit": "deckhand-web.service"}},
    "State": {"Status": "exited", "ExitCode": 3, "OOMKilled": false,
              "StartedAt": "1970-01-01T00:00:01Z", "FinishedAt": "1970-01-01T00:00:02Z",
              "Health": {"Status": "unhealthy"}}})");
  EXPECT_EQ(state.name, "web");
  EXPECT_EQ(state.unit, "deckhand-web.service");
  EXPECT_EQ(state.exit_code, 3);
  EXPECT_EQ(state.health, "unhealthy");
  EXPECT_EQ(state.started_usec, 1'000'000U);
  EXPECT_EQ(state.finished_usec, 2'000'000U);
  EXPECT_EQ(containerNamesFromList(R"([{"Names":["/a"]},{"Names":["/b"]}])"),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_THROW(containerStateFromInspect("[]"), std::runtime_error);
}

}  // namespace
}  // namespace deckhand::docker
