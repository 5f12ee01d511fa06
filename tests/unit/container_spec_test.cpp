// The container spec's rules, and reading it from its JSON form.
#include "docker/container_spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "docker/container_spec_json.hpp"

namespace deckhand::docker {
namespace {

using ::testing::HasSubstr;

ContainerSpec validSpec() {
  ContainerSpec spec;
  spec.name = "web";
  spec.image = "local/busybox:latest";
  return spec;
}

std::string errorOf(const ContainerSpec& spec) {
  try {
    validateContainerSpec(spec);
  } catch (const ContainerSpecError& error) {
    return error.what();
  }
  return "";
}

std::string errorOfJson(std::string_view text) {
  try {
    containerSpecFromJson(boost::json::parse(text).as_object());
  } catch (const ContainerSpecError& error) {
    return error.what();
  }
  return "";
}

TEST(ContainerSpecTest, AcceptsAMinimalSpec) {
  EXPECT_EQ(errorOf(validSpec()), "");
}

TEST(ContainerSpecTest, ContainerNamesFollowDockersRule) {
  EXPECT_TRUE(isContainerName("web-1.blue_x"));
  EXPECT_FALSE(isContainerName("w"));
  EXPECT_FALSE(isContainerName("-web"));
  EXPECT_FALSE(isContainerName("web/1"));
  EXPECT_FALSE(isContainerName(std::string(129, 'a')));
  ContainerSpec spec = validSpec();
  spec.name = "bad name";
  EXPECT_THAT(errorOf(spec), HasSubstr("container name \"bad name\" is invalid"));
}

TEST(ContainerSpecTest, UnitNameIsDerivedFromTheContainerName) {
  EXPECT_EQ(containerUnitName("web"), "deckhand-web.service");
}

TEST(ContainerSpecTest, RefusesImagesThatCouldBeOptions) {
  ContainerSpec spec = validSpec();
  spec.image = "--privileged";
  EXPECT_THAT(errorOf(spec), HasSubstr("is not an image reference"));
  spec.image = "";
  EXPECT_THAT(errorOf(spec), HasSubstr("image is empty"));
  spec.image = "registry:5000/team/app@sha256:abc";
  EXPECT_EQ(errorOf(spec), "");
}

TEST(ContainerSpecTest, RefusesControlCharactersThatWouldBreakTheUnit) {
  ContainerSpec spec = validSpec();
  spec.command = {"sh", "-c", "echo a\nExecStartPre=/bin/evil"};
  EXPECT_THAT(errorOf(spec), HasSubstr("contains a control character"));
}

TEST(ContainerSpecTest, RefusesBadEnvKeysAndReservedLabels) {
  ContainerSpec spec = validSpec();
  spec.env = {{"1X", "v"}};
  EXPECT_THAT(errorOf(spec), HasSubstr("env key \"1X\" is invalid"));
  spec.env = {{"GOOD_KEY", "any value with spaces"}};
  EXPECT_EQ(errorOf(spec), "");
  spec.labels = {{"deckhand.unit", "other.service"}};
  EXPECT_THAT(errorOf(spec), HasSubstr("is reserved"));
}

TEST(ContainerSpecTest, RefusesBadVolumesAndPorts) {
  ContainerSpec spec = validSpec();
  spec.volumes = {{"/srv/data", "relative", false}};
  EXPECT_THAT(errorOf(spec), HasSubstr("is not an absolute path"));
  spec.volumes = {{"/srv/a:b", "/data", false}};
  EXPECT_THAT(errorOf(spec), HasSubstr("contains ':' or ','"));
  spec.volumes = {{"named-volume", "/data", true}};
  EXPECT_EQ(errorOf(spec), "");
  spec.ports = {{"", 8080, 80, "icmp"}};
  EXPECT_THAT(errorOf(spec), HasSubstr("is not tcp, udp or sctp"));
}

TEST(ContainerSpecTest, RefusesLimitsDockerWouldRefuse) {
  ContainerSpec spec = validSpec();
  spec.memory_bytes = 1024 * 1024;
  EXPECT_THAT(errorOf(spec), HasSubstr("below Docker's minimum of 6 MiB"));
  spec.memory_bytes.reset();
  spec.stop_timeout_seconds = 4000;
  EXPECT_THAT(errorOf(spec), HasSubstr("stop_timeout 4000 is out of range"));
}

TEST(ContainerSpecTest, RefusesXFleetEntriesThatAreNotAssignments) {
  ContainerSpec spec = validSpec();
  spec.x_fleet = {"MachineMetadata"};
  EXPECT_THAT(errorOf(spec), HasSubstr("is not KEY=VALUE"));
  spec.x_fleet = {"Machine Metadata=x=1"};
  EXPECT_THAT(errorOf(spec), HasSubstr("is not KEY=VALUE"));
}

TEST(ContainerSpecJsonTest, ReadsEveryField) {
  const ContainerSpec spec = containerSpecFromJson(boost::json::parse(R"({
    "name": "web", "image": "local/busybox:latest", "command": ["sleep", "300"],
    "env": {"A": "1"}, "ports": [{"host_port": 8080, "container_port": 80, "protocol": "udp"}],
    "volumes": [{"source": "/srv", "target": "/data", "read_only": true}],
    "labels": {"team": "blue"}, "network": "none", "restart": "on-failure", "pull": "never",
    "stop_timeout": 5, "memory": 67108864, "cpus": 0.5,
    "health": {"command": "true", "interval": 2, "retries": 1},
    "x_fleet": ["MachineMetadata=region=us-east"], "future_field": 1})")
                                                       .as_object());
  EXPECT_EQ(spec.command, (std::vector<std::string>{"sleep", "300"}));
  EXPECT_EQ(spec.env.at("A"), "1");
  ASSERT_EQ(spec.ports.size(), 1U);
  EXPECT_EQ(spec.ports[0].host_port, 8080);
  EXPECT_EQ(spec.ports[0].protocol, "udp");
  ASSERT_EQ(spec.volumes.size(), 1U);
  EXPECT_TRUE(spec.volumes[0].read_only);
  EXPECT_EQ(spec.restart, RestartPolicy::on_failure);
  EXPECT_EQ(spec.pull, PullPolicy::never);
  EXPECT_EQ(spec.stop_timeout_seconds, 5);
  EXPECT_EQ(spec.memory_bytes, 67108864U);
  EXPECT_EQ(spec.milli_cpus, 500U);
  ASSERT_TRUE(spec.health.has_value());
  EXPECT_EQ(spec.health->interval_seconds, 2);
  EXPECT_EQ(spec.health->timeout_seconds, 30);
  EXPECT_EQ(spec.x_fleet.size(), 1U);
}

TEST(ContainerSpecJsonTest, NamesTheFieldThatIsWrong) {
  EXPECT_THAT(errorOfJson(R"({"name": "web"})"), HasSubstr("field \"spec.image\" is missing"));
  EXPECT_THAT(errorOfJson(R"({"name": "web", "image": "x1", "command": "sleep 1"})"),
              HasSubstr("field \"spec.command\" must be an array, not a string"));
  EXPECT_THAT(errorOfJson(R"({"name": "web", "image": "x1", "ports": [{"container_port": 0}]})"),
              HasSubstr("field \"spec.ports[0].container_port\" must be an integer from 1"));
  EXPECT_THAT(errorOfJson(R"({"name": "web", "image": "x1", "restart": "sometimes"})"),
              HasSubstr("expected no, on-failure or always"));
  EXPECT_THAT(errorOfJson(R"({"name": "web", "image": "x1", "cpus": -1})"),
              HasSubstr("spec.cpus\" must be more than 0"));
  EXPECT_THAT(errorOfJson(R"({"name": "web", "image": "x1", "env": {"A": 1}})"),
              HasSubstr("field \"spec.env.A\" must be a string, not a number"));
}

}  // namespace
}  // namespace deckhand::docker
