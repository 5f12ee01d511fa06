// The Engine API client and the /events stream against the real dockerd, with the tiny image.
#include "tests/harness/docker_engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <iostream>
#include <random>

#include "docker/engine.hpp"
#include "docker/event_stream.hpp"
#include "tests/harness/docker_cli.hpp"
#include "tests/harness/process.hpp"
#include "tests/harness/run_until.hpp"

namespace deckhand::docker {
namespace {

using namespace std::chrono_literals;

// tail holds a 150 MB line of zeros in memory, far past an 8 MiB limit, and is killed. The shell
// lives on a moment so that the engine surely sees the OOM event before the container dies.
constexpr const char* kHog =
    "head -c 200000000 /dev/zero | tail -c 150000000 >/dev/null; status=$?; sleep 1; "
    "exit $status";
using test::ContainerGuard;
using test::DockerCli;
using test::run;
using test::uniqueName;
using ::testing::HasSubstr;

// Runs one of the client's coroutines to its end on io; rethrows what it threw.
template <typename T>
T await(boost::asio::io_context& io, boost::asio::awaitable<T> operation) {
  std::optional<T> result;
  std::exception_ptr failure;
  bool done = false;
  boost::asio::co_spawn(io, std::move(operation), [&](std::exception_ptr error, T value) {
    failure = error;
    if (!error) result = std::move(value);
    done = true;
  });
  EXPECT_TRUE(test::runUntil(
      io, [&] { return done; }, 120s));
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

void awaitVoid(boost::asio::io_context& io, boost::asio::awaitable<void> operation) {
  std::exception_ptr failure;
  bool done = false;
  boost::asio::co_spawn(io, std::move(operation), [&](std::exception_ptr error) {
    failure = error;
    done = true;
  });
  EXPECT_TRUE(test::runUntil(
      io, [&] { return done; }, 120s));
  if (failure) std::rethrow_exception(failure);
}

// Follows the events into states, as the agent does.
struct Follower {
  Follower(boost::asio::io_context& io, const std::string& socket)
      : stream(io.get_executor(), socket,
               {[this](const ContainerEvent& event) {
                  actions.push_back(event.action);
                  applyContainerEvent(states, event);
                },
                [this](const std::string&) { ++connects; },
                [this](const std::string& why) { lost.push_back(why); }}) {
    stream.start();
  }
  // Runs io until the stream has connected once.
  bool connected(boost::asio::io_context& io) const {
    return test::runUntil(
        io, [&] { return connects == 1; }, 30s);
  }
  // The state seen for name so far; empty when none.
  ContainerState state(const std::string& name) const {
    const auto found = states.find(name);
    return found == states.end() ? ContainerState{} : found->second;
  }

  EventStream stream;
  std::map<std::string, ContainerState> states;
  std::vector<std::string> actions;
  std::vector<std::string> lost;
  int connects = 0;
};

TEST(DockerEngineTest, NegotiatesTheVersionTheDaemonOffers) {
  DECKHAND_REQUIRE_DOCKER(engine_found);
  boost::asio::io_context io;
  Engine engine(io.get_executor(), engine_found.socket_path);
  const std::string version = await(io, engine.negotiate());
  const auto cli =
      run({"curl", "-sSI", "--unix-socket", engine_found.socket_path, "http://docker/_ping"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  const auto header = cli.out.find("Api-Version: ");
  ASSERT_NE(header, std::string::npos) << cli.out;
  const std::string daemon =
      test::trim(cli.out.substr(header + 13, cli.out.find('\n', header) - header - 13));
  EXPECT_EQ(version,
            apiVersionLess(daemon, kHighestKnownApi) ? daemon : std::string(kHighestKnownApi));
  EXPECT_EQ(engine.apiVersion(), version);
}

TEST(DockerEngineTest, ComparesApiVersionsByTheirNumbers) {
  EXPECT_TRUE(apiVersionLess("1.9", "1.41"));
  EXPECT_FALSE(apiVersionLess("1.41", "1.9"));
  EXPECT_TRUE(apiVersionLess("1.41", kHighestKnownApi));
  EXPECT_FALSE(apiVersionLess("1.52", kHighestKnownApi));
  EXPECT_EQ(urlEncode(R"({"label":["a=b"]})"), "%7B%22label%22%3A%5B%22a%3Db%22%5D%7D");
}

TEST(DockerEngineTest, AnAbsentEngineIsAClearError) {
  boost::asio::io_context io;
  Engine engine(io.get_executor(), "/nonexistent/docker.sock");
  try {
    await(io, engine.negotiate());
    FAIL() << "negotiate succeeded without an engine";
  } catch (const EngineError& error) {
    EXPECT_THAT(error.what(), HasSubstr("Docker engine not reachable at /nonexistent/docker.sock"));
  }
}

TEST(DockerEngineTest, ChecksImagesAndReportsAFailedPull) {
  DECKHAND_REQUIRE_DOCKER(engine_found);
  boost::asio::io_context io;
  Engine engine(io.get_executor(), engine_found.socket_path);
  EXPECT_TRUE(await(io, engine.hasImage(engine_found.test_image)));
  EXPECT_FALSE(await(io, engine.hasImage("local/deckhand-no-such-image:1")));
  try {
    awaitVoid(io, engine.pullImage("local/deckhand-no-such-image:1"));
    FAIL() << "pulling an image that exists nowhere succeeded";
  } catch (const EngineError& error) {
    EXPECT_THAT(error.what(), HasSubstr("pulling image local/deckhand-no-such-image:1 failed: "));
  }
}

TEST(DockerEngineTest, EventsReportACrashWithItsExitCodeAndInspectAgrees) {
  DECKHAND_REQUIRE_DOCKER(engine_found);
  const DockerCli docker(engine_found);
  const ContainerGuard container(docker, uniqueName("crash"));
  boost::asio::io_context io;
  Follower follower(io, engine_found.socket_path);
  ASSERT_TRUE(follower.connected(io));

  const auto ran =
      docker({"run", "--detach", "--network", "none", "--name", container.name(), "--label",
              "deckhand.unit=crash.service", engine_found.test_image, "sh", "-c", "exit 3"});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  ASSERT_TRUE(test::runUntil(
      io, [&] { return follower.state(container.name()).status == "exited"; }, 30s));
  const ContainerState seen = follower.state(container.name());
  EXPECT_EQ(seen.unit, "crash.service");
  EXPECT_EQ(seen.exit_code, 3);
  EXPECT_FALSE(seen.oom_killed);
  EXPECT_EQ(seen.id, test::trim(ran.out));
  EXPECT_GT(seen.started_usec, 0U);
  EXPECT_GE(seen.finished_usec, seen.started_usec);

  Engine engine(io.get_executor(), engine_found.socket_path);
  const auto listed = await(io, engine.listContainers("deckhand.unit"));
  const auto mine = std::find_if(listed.begin(), listed.end(),
                                 [&](const auto& state) { return state.name == container.name(); });
  ASSERT_NE(mine, listed.end());
  EXPECT_EQ(mine->exit_code, 3);
  EXPECT_EQ(mine->status, "exited");
  EXPECT_EQ(mine->unit, "crash.service");
  EXPECT_EQ(mine->image, engine_found.test_image);

  awaitVoid(io, engine.removeContainer(container.name()));
  EXPECT_FALSE(await(io, engine.inspect(container.name())).has_value());
  ASSERT_TRUE(test::runUntil(
      io, [&] { return follower.state(container.name()).status == "removed"; }, 30s));
  EXPECT_EQ(follower.state(container.name()).exit_code, 3);  // kept after removal
  awaitVoid(io, engine.removeContainer(container.name()));   // gone already: not an error
}

TEST(DockerEngineTest, EventsIgnoreContainersWithoutTheLabel) {
  DECKHAND_REQUIRE_DOCKER(engine_found);
  const DockerCli docker(engine_found);
  const ContainerGuard foreign(docker, uniqueName("foreign"));
  const ContainerGuard mine(docker, uniqueName("mine"));
  boost::asio::io_context io;
  Follower follower(io, engine_found.socket_path);
  ASSERT_TRUE(follower.connected(io));
  ASSERT_EQ(docker({"run", "--rm", "--network", "none", "--name", foreign.name(),
                    engine_found.test_image, "true"})
                .exit_code,
            0);
  ASSERT_EQ(docker({"run", "--rm", "--network", "none", "--name", mine.name(), "--label",
                    "deckhand.unit=mine.service", engine_found.test_image, "true"})
                .exit_code,
            0);
  ASSERT_TRUE(test::runUntil(
      io, [&] { return follower.state(mine.name()).status == "removed"; }, 30s));
  EXPECT_EQ(follower.states.count(foreign.name()), 0U);
}

TEST(DockerEngineTest, ReportsAnOomKillWithinASmallMemoryLimit) {
  DECKHAND_REQUIRE_DOCKER(engine_found);
  const DockerCli docker(engine_found);
  const ContainerGuard container(docker, uniqueName("oom"));
  boost::asio::io_context io;
  Follower follower(io, engine_found.socket_path);
  ASSERT_TRUE(follower.connected(io));
  const auto ran = docker({"run", "--detach", "--network", "none", "--name", container.name(),
                           "--label", "deckhand.unit=oom.service", "--memory", "8m",
                           "--memory-swap", "8m", engine_found.test_image, "sh", "-c", kHog});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  ASSERT_TRUE(test::runUntil(
      io, [&] { return follower.state(container.name()).status == "exited"; }, 60s));
  EXPECT_EQ(follower.state(container.name()).exit_code, 137);
  // The kernel kills reliably; whether the engine notices is up to containerd (on cgroup v1 it
  // often misses the event). deckhand must report exactly what the engine knows.
  const auto inspected = docker({"inspect", "--format", "{{.State.OOMKilled}}", container.name()});
  ASSERT_EQ(inspected.exit_code, 0) << inspected.err;
  // The oom event, if any, comes before die; a last slice of the loop picks up a late one.
  test::runUntil(
      io, [] { return false; }, 200ms);
  EXPECT_EQ(follower.state(container.name()).oom_killed, test::trim(inspected.out) == "true");
  if (test::trim(inspected.out) != "true") {
    std::cout << "note: the engine did not flag this OOM kill (OOMKilled false)\n";
  }
}

TEST(DockerEngineTest, ReportsAHealthCheckTurningUnhealthy) {
  DECKHAND_REQUIRE_DOCKER(engine_found);
  const DockerCli docker(engine_found);
  const ContainerGuard container(docker, uniqueName("health"));
  boost::asio::io_context io;
  Follower follower(io, engine_found.socket_path);
  ASSERT_TRUE(follower.connected(io));
  // Healthy while /ok exists; the container removes it after 3 s.
  const auto ran =
      docker({"run", "--detach", "--network", "none", "--name", container.name(), "--label",
              "deckhand.unit=health.service", "--health-cmd", "test -f /ok", "--health-interval",
              "1s", "--health-retries", "1", engine_found.test_image, "sh", "-c",
              "touch /ok; sleep 3; rm /ok; sleep 300"});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  ASSERT_TRUE(test::runUntil(
      io, [&] { return follower.state(container.name()).health == "healthy"; }, 30s));
  ASSERT_TRUE(test::runUntil(
      io, [&] { return follower.state(container.name()).health == "unhealthy"; }, 30s));
  EXPECT_EQ(follower.state(container.name()).status, "running");
}

}  // namespace
}  // namespace deckhand::docker
