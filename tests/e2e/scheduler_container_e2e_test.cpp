// The scheduler places a Docker container like a unit: by its spec's [X-Fleet] constraints, on
// the one agent that matches, through the container request; destroy removes it everywhere. Runs
// on the host's dockerd (shared by the three agents, each owning only its own containers).

#include <gmock/gmock.h>
#include <unistd.h>

#include "tests/e2e/scheduler_e2e_fixture.hpp"
#include "tests/harness/docker_cli.hpp"
#include "tests/harness/docker_engine.hpp"

namespace deckhand::test {
namespace {

namespace json = boost::json;

// Stops on docker stop's SIGTERM: a shell as PID 1 has no default handler for it.
constexpr const char* kServe = "trap 'exit 0' TERM; while true; do sleep 1; done";

class SchedulerContainerE2eTest : public SchedulerE2eTest {
 protected:
  void SetUp() override {
    DECKHAND_REQUIRE_DOCKER(engine);
    engine_.emplace(engine);
    docker_ = true;
    SchedulerE2eTest::SetUp();
  }

  // "RUNNING OWNER" of the named container, or "" when there is none.
  std::string runningAs(const DockerCli& docker, const std::string& name) {
    const auto inspected = docker(
        {"inspect", "-f", "{{.State.Running}} {{index .Config.Labels \"deckhand.owner\"}}", name});
    if (inspected.exit_code != 0) return "";
    auto out = inspected.out;
    while (!out.empty() && out.back() == '\n')
      out.pop_back();
    return out;
  }

  ProcessResult ctl(std::vector<std::string> args) const {
    args.insert(args.begin(), {binary("CTL_BINARY", "deckhandctl"), "cluster"});
    args.insert(args.end(), {"--endpoint", "127.0.0.1:" + std::to_string(api_port_)});
    return run(args, {}, std::chrono::seconds(90));
  }

  std::optional<DockerEngine> engine_;
};

TEST_F(SchedulerContainerE2eTest, ContainerRunsOnTheMatchingMachineOnlyAndDestroyRemovesIt) {
  DockerCli docker(*engine_);
  const std::string name = "dh-sched-" + std::to_string(::getpid());
  const std::string unit = "deckhand-" + name + ".service";
  ContainerGuard guard(docker, name);
  const json::object spec{{"image", engine_->test_image},
                          {"command", json::array{"sh", "-c", kServe}},
                          {"network", "none"},
                          {"x_fleet", json::array{"MachineMetadata=disk=hdd"}}};
  const auto answer =
      api("POST", "/v1/containers",
          json::serialize(json::object{{"name", name}, {"spec", spec}, {"target", "launched"}}));
  ASSERT_FALSE(answer.contains("error")) << json::serialize(answer);
  EXPECT_EQ(answer.at("name").as_string(), unit);
  EXPECT_EQ(answer.at("container").as_string(), name);

  // Only node-c has disk=hdd.
  ASSERT_TRUE(eventually([&] { return runningOn(unit) == "node-c"; }, std::chrono::seconds(60)))
      << runningOn(unit) << "\n"
      << scheduler_->output();
  EXPECT_EQ(placedOn(unit), "node-c");
  ASSERT_TRUE(eventually([&] { return runningAs(docker, name) == "true " + ids_.at("node-c"); }))
      << runningAs(docker, name);
  // The scheduler hears of it from node-c's agent, and lists it with its machine and state.
  ASSERT_TRUE(eventually([&] {
    const auto states = api("GET", "/v1/units/" + unit).at("states").as_object();
    const auto* on_c = states.if_contains(ids_.at("node-c"));
    return states.size() == 1 && on_c != nullptr &&
           on_c->at("active_state").as_string() == "active";
  }));
  for (const auto& host : {"node-a", "node-b"}) {
    EXPECT_EQ(nodes_.at(host).sandbox->systemctl({"show", "-p", "LoadState", "--value", unit}),
              "not-found")
        << host;
  }

  const auto destroyed = api("DELETE", "/v1/units/" + unit);
  ASSERT_FALSE(destroyed.contains("error")) << json::serialize(destroyed);
  ASSERT_TRUE(eventually([&] { return runningAs(docker, name).empty(); }, std::chrono::seconds(60)))
      << runningAs(docker, name);
  ASSERT_TRUE(eventually([&] {
    return nodes_.at("node-c").sandbox->systemctl({"show", "-p", "LoadState", "--value", unit}) ==
           "not-found";
  }));
  ASSERT_TRUE(eventually([&] {
    return api("GET", "/v1/units/" + unit + "/states").at("states").as_object().empty();
  })) << json::serialize(api("GET", "/v1/units/" + unit + "/states"));
  EXPECT_TRUE(api("GET", "/v1/units/" + unit).contains("error"));
}

// deckhandctl: submit-container, then the unit verbs under the generated unit's name. A container
// whose image the only able machine lacks stays pending with the agent's reason.
TEST_F(SchedulerContainerE2eTest, DeckhandctlSubmitsStartsListsAndDestroysAContainer) {
  DockerCli docker(*engine_);
  const std::string name = "dh-ctl-" + std::to_string(::getpid());
  const std::string unit = "deckhand-" + name + ".service";
  ContainerGuard guard(docker, name);
  const auto spec_file = state_dir_ / (name + ".json");
  std::ofstream(spec_file) << json::serialize(json::object{
      {"image", engine_->test_image},
      {"command", json::array{"sh", "-c", kServe}},
      {"network", "none"},
      {"x_fleet", json::array{"MachineMetadata=region=east", "MachineMetadata=disk=ssd"}}});
  const auto submitted = ctl({"submit-container", spec_file.string()});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
  EXPECT_THAT(submitted.out, ::testing::HasSubstr("submitted " + unit + " (container " + name));
  const auto started = ctl({"start", unit});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err << scheduler_->output();
  EXPECT_EQ(runningOn(unit), "node-a");
  EXPECT_EQ(runningAs(docker, name), "true " + ids_.at("node-a"));
  const auto units = ctl({"list-units"});
  EXPECT_THAT(units.out, ::testing::ContainsRegex(unit + " +" + ids_.at("node-a").substr(0, 8) +
                                                  "/[^ ]+ +active +running"))
      << units.out;

  const auto missing_file = state_dir_ / "dh-missing.json";
  std::ofstream(missing_file) << R"({"name": ")" << name << R"(-missing",)"
                              << R"( "image": "local/not-here:1", "pull": "never",)"
                              << R"( "x_fleet": ["MachineMetadata=disk=hdd"]})";
  ASSERT_EQ(ctl({"submit-container", missing_file.string()}).exit_code, 0);
  const std::string missing_unit = "deckhand-" + name + "-missing.service";
  ASSERT_EQ(ctl({"start", missing_unit, "--no-block"}).exit_code, 0);
  ASSERT_TRUE(eventually([&] {
    return ctl({"status", missing_unit, "--json"}).out.find("image_missing") != std::string::npos;
  })) << ctl({"status", missing_unit}).out;
  EXPECT_EQ(runningOn(missing_unit), "");

  const auto destroyed = ctl({"destroy", unit, missing_unit});
  ASSERT_EQ(destroyed.exit_code, 0) << destroyed.out << destroyed.err;
  EXPECT_EQ(runningOn(unit), "");
  ASSERT_TRUE(eventually([&] { return runningAs(docker, name).empty(); }))
      << runningAs(docker, name);
}

TEST_F(SchedulerContainerE2eTest, BadSpecIsRefusedWithTheFieldAndNothingIsSubmitted) {
  const auto answer =
      api("POST", "/v1/containers",
          json::serialize(json::object{{"name", "dh-bad"},
                                       {"spec", json::object{{"image", "x"}, {"memory", 1}}}}));
  ASSERT_TRUE(answer.contains("error")) << json::serialize(answer);
  EXPECT_NE(std::string(answer.at("error").as_string()).find("memory"), std::string::npos)
      << answer.at("error").as_string();
  EXPECT_TRUE(api("GET", "/v1/units").at("units").as_array().empty());
}

}  // namespace
}  // namespace deckhand::test
