// The Docker engine runs real containers from the test image, without network or registry.
#include <gtest/gtest.h>
#include <unistd.h>

#include <random>
#include <sstream>

#include "tests/harness/docker_cli.hpp"
#include "tests/harness/docker_engine.hpp"
#include "tests/harness/process.hpp"

namespace deckhand::test {
namespace {

using namespace std::chrono_literals;

std::string uniqueContainerName(const std::string& purpose) {
  std::random_device random;
  return "deckhand-smoke-" + purpose + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(random() % 1000000);
}

bool hasLine(const std::string& text, const std::string& wanted) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line == wanted) return true;
  }
  return false;
}

TEST(DockerSmokeTest, RunsAContainerThatSaysHello) {
  DECKHAND_REQUIRE_DOCKER(engine);
  const DockerCli docker(engine);
  const ContainerGuard container(docker, uniqueContainerName("hello"));

  const ProcessResult ran = docker({"run", "--rm", "--network", "none", "--name", container.name(),
                                    engine.test_image, "echo", "hello"});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(trim(ran.out), "hello");
}

TEST(DockerSmokeTest, ForceRemovesADetachedLabelledContainer) {
  DECKHAND_REQUIRE_DOCKER(engine);
  const DockerCli docker(engine);
  const ContainerGuard container(docker, uniqueContainerName("sleep"));
  const std::string label = "deckhand.test=" + container.name();

  const ProcessResult started =
      docker({"run", "--detach", "--network", "none", "--name", container.name(), "--label", label,
              engine.test_image, "sleep", "300"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const ProcessResult labelled =
      docker({"ps", "--filter", "label=" + label, "--format", "{{.Names}}"});
  ASSERT_EQ(labelled.exit_code, 0) << labelled.err;
  EXPECT_TRUE(hasLine(labelled.out, container.name())) << labelled.out;

  const ProcessResult removed = docker({"rm", "--force", container.name()});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  const ProcessResult listed =
      docker({"ps", "--all", "--filter", "name=" + container.name(), "--format", "{{.Names}}"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_FALSE(hasLine(listed.out, container.name())) << listed.out;
}

}  // namespace
}  // namespace deckhand::test
