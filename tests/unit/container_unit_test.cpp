// The unit generated for a container: its exact text, and that the same spec gives the same hash.
#include "docker/container_unit.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace deckhand::docker {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ContainerSpec minimalSpec() {
  ContainerSpec spec;
  spec.name = "web";
  spec.image = "local/busybox:latest";
  spec.command = {"sleep", "300"};
  return spec;
}

TEST(ContainerUnitTest, MinimalSpecMakesThisExactUnit) {
  const ContainerUnit unit = containerUnit(minimalSpec());
  EXPECT_EQ(unit.name, "deckhand-web.service");
  EXPECT_EQ(unit.text,
            "[Unit]\n"
            "Description=deckhand container web (local/busybox:latest)\n"
            "After=docker.service docker.socket\n"
            "\n"
            "[Service]\n"
            "Type=simple\n"
            "Environment=\"DOCKER_HOST=unix:///run/docker.sock\"\n"
            "ExecStartPre=-\"docker\" \"rm\" \"--force\" \"web\"\n"
            "ExecStart=\"docker\" \"run\" \"--rm\" \"--name\" \"web\" "
            "\"--label=deckhand.unit=deckhand-web.service\" \"--pull=missing\" "
            "\"local/busybox:latest\" \"sleep\" \"300\"\n"
            "ExecStop=\"docker\" \"stop\" \"--time\" \"10\" \"web\"\n"
            "ExecStopPost=-\"docker\" \"rm\" \"--force\" \"web\"\n"
            "SuccessExitStatus=143\n"
            "TimeoutStopSec=40s\n"
            "Restart=no\n"
            "RestartSec=1s\n");
}

TEST(ContainerUnitTest, NeverDetaches) {
  const ContainerUnit unit = containerUnit(minimalSpec());
  EXPECT_THAT(unit.text, Not(HasSubstr("-d\"")));
  EXPECT_THAT(unit.text, Not(HasSubstr("--detach")));
}

TEST(ContainerUnitTest, SameSpecSameTextAndHashAndTheTextParsesBackToIt) {
  ContainerSpec spec = minimalSpec();
  spec.env = {{"B", "2"}, {"A", "1"}};
  spec.x_fleet = {"MachineMetadata=region=us-east"};
  const ContainerUnit first = containerUnit(spec);
  const ContainerUnit second = containerUnit(spec);
  EXPECT_EQ(first.text, second.text);
  EXPECT_EQ(first.hash, second.hash);
  EXPECT_EQ(first.hash, systemd::unitHash(systemd::parseUnitFile(first.text, first.name)));
  EXPECT_EQ(first.hash.size(), 64U);

  spec.command.push_back("extra");
  EXPECT_NE(containerUnit(spec).hash, first.hash);
}

TEST(ContainerUnitTest, MapsEveryOptionToDockerRun) {
  ContainerSpec spec = minimalSpec();
  spec.env = {{"GREETING", "hello world"}};
  spec.ports = {{"", 8080, 80, "tcp"}, {"::1", 0, 53, "udp"}};
  spec.volumes = {{"/srv/data", "/data", true}};
  spec.labels = {{"team", "blue"}};
  spec.network = "none";
  spec.pull = PullPolicy::never;
  spec.restart = RestartPolicy::on_failure;
  spec.stop_timeout_seconds = 3;
  spec.memory_bytes = 16 * 1024 * 1024;
  spec.milli_cpus = 1250;
  spec.health = HealthCheck{"test -f /tmp/ok", 2, 1, 3, 0};
  const std::string text = containerUnit(spec).text;
  for (const char* word :
       {"\"--env=GREETING=hello world\"", "\"--publish=8080:80/tcp\"",
        "\"--publish=[::1]::53/udp\"", "\"--volume=/srv/data:/data:ro\"", "\"--label=team=blue\"",
        "\"--network=none\"", "\"--pull=never\"", "\"--memory=16777216\"",
        "\"--memory-swap=16777216\"", "\"--cpus=1.25\"", "\"--health-cmd=test -f /tmp/ok\"",
        "\"--health-interval=2s\"", "\"--health-retries=3\"", "\"--time\" \"3\"",
        "TimeoutStopSec=33s", "Restart=on-failure", "StartLimitIntervalSec=0"}) {
    EXPECT_THAT(text, HasSubstr(word));
  }
}

TEST(ContainerUnitTest, QuotesSoSystemdExpandsNothing) {
  EXPECT_EQ(execWord("a b"), "\"a b\"");
  EXPECT_EQ(execWord("say \"hi\" \\ now"), "\"say \\\"hi\\\" \\\\ now\"");
  EXPECT_EQ(execWord("%n $HOME ${X}"), "\"%%n $$HOME $${X}\"");
}

TEST(ContainerUnitTest, CarriesXFleetConstraints) {
  ContainerSpec spec = minimalSpec();
  spec.x_fleet = {"MachineMetadata = region=us-east", "Conflicts=deckhand-db*.service"};
  const ContainerUnit unit = containerUnit(spec);
  EXPECT_EQ(unit.file.values("X-Fleet", "MachineMetadata"),
            std::vector<std::string>{"region=us-east"});
  EXPECT_THAT(unit.text, HasSubstr("\n[X-Fleet]\nMachineMetadata=region=us-east\n"
                                   "Conflicts=deckhand-db*.service\n"));
}

TEST(ContainerUnitTest, UsesTheConfiguredSocketAndCli) {
  const ContainerUnit unit =
      containerUnit(minimalSpec(), {"/usr/bin/docker", "/var/run/other/docker.sock", "4d7a0c1e"});
  EXPECT_THAT(unit.text, HasSubstr("\"--label=deckhand.owner=4d7a0c1e\""));
  EXPECT_THAT(unit.text,
              HasSubstr("Environment=\"DOCKER_HOST=unix:///var/run/other/docker.sock\""));
  EXPECT_THAT(unit.text, HasSubstr("ExecStart=\"/usr/bin/docker\" \"run\""));
}

TEST(ContainerUnitTest, InvalidSpecThrows) {
  ContainerSpec spec = minimalSpec();
  spec.image = "";
  EXPECT_THROW(containerUnit(spec), ContainerSpecError);
}

}  // namespace
}  // namespace deckhand::docker
