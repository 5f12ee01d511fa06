// Containers end to end: deckhand inside a sandboxed systemd that sees the host's dockerd, driven
// by a test scheduler. Containers run from the tiny local image, without network.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "systemd/unit_file.hpp"
#include "tests/e2e/agent_fixture.hpp"
#include "tests/harness/docker_cli.hpp"
#include "tests/harness/docker_engine.hpp"
#include "tests/harness/process.hpp"
#include "tests/harness/scheduler_peer.hpp"
#include "tests/harness/systemd_sandbox.hpp"

namespace deckhand::test {
namespace {

using namespace std::chrono_literals;

using ::testing::HasSubstr;
namespace json = boost::json;

// Stops on docker stop's SIGTERM: a shell as PID 1 has no default handler for it.
constexpr const char* kServe = "trap 'exit 0' TERM; while true; do sleep 1; done";

// A dockerd of this test's own, on a private socket, data root and exec root under /var/lib (which
// the sandbox shares): it can be restarted without disturbing anyone else's containers. The test
// image is copied in from the shared engine.
class PrivateDockerd {
 public:
  explicit PrivateDockerd(const DockerEngine& shared)
      : dir_("/var/lib/dh-dockerd-" + std::to_string(::getpid()) + "-" +
             std::to_string(std::random_device()() % 100000)) {
    std::filesystem::create_directories(dir_);
    start();
    const auto loaded =
        run({"bash", "-c", "docker save " + shared.test_image + " | docker -H " + host() + " load"},
            {{"DOCKER_HOST", shared.dockerHost()}}, 120s);
    if (loaded.exit_code != 0) throw std::runtime_error("loading the image: " + loaded.err);
  }
  ~PrivateDockerd() {
    run({"bash", "-c",
         "ids=$(docker -H " + host() + " ps -aq); [ -z \"$ids\" ] || docker -H " + host() +
             " rm -f $ids"},
        {}, 60s);
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  PrivateDockerd(const PrivateDockerd&) = delete;
  PrivateDockerd& operator=(const PrivateDockerd&) = delete;

  std::string socket() const { return dir_ + "/docker.sock"; }
  std::string host() const { return "unix://" + socket(); }

  void start() {
    process_.emplace(std::vector<std::string>{"dockerd", "--iptables=false", "--bridge=none", "-H",
                                              host(), "--data-root", dir_ + "/data", "--exec-root",
                                              dir_ + "/exec", "--pidfile", dir_ + "/docker.pid"});
    for (int i = 0; i < 300; ++i) {
      if (run({"curl", "-fsS", "--unix-socket", socket(), "http://docker/_ping"}, {}, 5s)
              .exit_code == 0) {
        return;
      }
      std::this_thread::sleep_for(100ms);
    }
    throw std::runtime_error("private dockerd did not answer: " + process_->output());
  }

  // SIGTERM, as a service manager stops it; it stops its containers first.
  void stop() {
    if (!process_) return;
    process_->signal(SIGTERM);
    if (!process_->wait(30s)) process_->signal(SIGKILL);
    process_->wait(10s);
    process_.reset();
  }

 private:
  std::string dir_;
  std::optional<BackgroundProcess> process_;
};

class ContainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DECKHAND_REQUIRE_ROOT();
    std::string why;
    engine_ = findDockerEngine(&why);
    if (!engine_) GTEST_SKIP() << "needs a Docker engine: " << why;
    SandboxOptions options;
    options.docker = true;
    sandbox_.emplace(options);
    agent_path_ = sandbox_->installFile(agentBinary());
    startAgent();
  }

  void TearDown() override {
    agent_.reset();
    sandbox_.reset();  // kills the units' docker CLIs, not the containers: those go below
    for (const auto& name : names_)
      docker({"rm", "--force", name});
  }

  void startAgent(const std::string& socket = "/run/docker.sock") {
    agent_.emplace(sandbox_->execArgv({agent_path_, "--config", "/dev/null", "--scheduler-url",
                                       peer_.url(), "--heartbeat-interval", "1s",
                                       "--state-directory", "/run/deckhand/state",
                                       "--docker-socket", socket, "--log-level", "debug"}));
    hello_ = waitFor("hello");
    ASSERT_TRUE(hello_) << agent_->output();
    machine_id_ = hello_->at("machine").as_object().at("machine_id").as_string();
  }

  // SIGTERM to the agent itself (nsenter, the launcher, does not pass signals on), by its PID.
  void stopAgent() {
    std::ifstream children("/proc/" + std::to_string(agent_->pid()) + "/task/" +
                           std::to_string(agent_->pid()) + "/children");
    pid_t agent = 0;
    ASSERT_TRUE(children >> agent) << "no agent under launcher " << agent_->pid();
    ::kill(agent, SIGTERM);
    EXPECT_EQ(agent_->wait(10s), 0) << agent_->output();
    agent_.reset();
  }

  ProcessResult docker(std::vector<std::string> args) const {
    args.insert(args.begin(), "docker");
    return run(args, {{"DOCKER_HOST", engine_->dockerHost()}}, 60s);
  }

  // A name this test owns; removed at the end whatever happened.
  std::string name(const std::string& purpose) {
    names_.push_back(uniqueName(purpose));
    return names_.back();
  }

  json::object spec(const std::string& command) const {
    return json::object{{"image", engine_->test_image},
                        {"command", json::array{"sh", "-c", command}},
                        {"network", "none"},
                        {"pull", "never"},
                        {"stop_timeout", 5}};
  }

  void request(const std::string& id, const std::string& container, const std::string& state,
               const json::object& body = {}) {
    json::object message{{"type", "container"}, {"id", id}, {"name", container}, {"state", state}};
    if (state != "inactive") message["spec"] = body;
    peer_.send(json::serialize(message));
  }

  // The first message of type since the last mark() that match accepts.
  std::optional<json::object> waitFor(std::string_view type,
                                      const std::function<bool(const json::object&)>& match = {},
                                      std::chrono::milliseconds timeout = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (std::size_t seen = mark_;;) {
      const auto frames = peer_.messages();
      for (; seen < frames.size(); ++seen) {
        if (isType(frames[seen], type) && (!match || match(parse(frames[seen].text)))) {
          return parse(frames[seen].text);
        }
      }
      if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
      std::this_thread::sleep_for(20ms);
    }
  }

  // Later waits look only at messages from now on.
  void mark() { mark_ = peer_.messages().size(); }

  std::optional<json::object> result(const std::string& id) {
    return waitFor("result", [&](const json::object& m) { return m.at("id").as_string() == id; });
  }

  // The first container delta for name that match accepts, as its CONTAINER object.
  std::optional<json::object> container(const std::string& container,
                                        const std::function<bool(const json::object&)>& match,
                                        std::chrono::milliseconds timeout = 30s) {
    const auto message = waitFor(
        "container",
        [&](const json::object& m) {
          const auto& c = m.at("container").as_object();
          return c.at("name").as_string() == container && match(c);
        },
        timeout);
    if (!message) return std::nullopt;
    return message->at("container").as_object();
  }

  static bool inStatus(const json::object& c, std::string_view status) {
    return c.at("status").as_string() == status;
  }

  std::optional<DockerEngine> engine_;
  SchedulerPeer peer_;
  std::optional<SystemdSandbox> sandbox_;
  std::string agent_path_;
  std::optional<BackgroundProcess> agent_;
  std::optional<json::object> hello_;
  std::string machine_id_;
  std::vector<std::string> names_;
  std::size_t mark_ = 0;
};

TEST_F(ContainerTest, RunsReportsStopsAndLeavesNothingBehind) {
  const std::string web = name("web");
  request("1", web, "launched", spec(kServe));
  const auto accepted = result("1");
  ASSERT_TRUE(accepted) << agent_->output();
  ASSERT_TRUE(accepted->at("ok").as_bool()) << json::serialize(*accepted);
  const std::string unit = "deckhand-" + web + ".service";
  EXPECT_EQ(accepted->at("unit").as_string(), unit);
  EXPECT_EQ(accepted->at("hash").as_string().size(), 64U);

  const auto running = container(web, [](const auto& c) { return inStatus(c, "running"); });
  ASSERT_TRUE(running) << agent_->output();
  EXPECT_EQ(running->at("unit").as_string(), unit);
  EXPECT_EQ(running->at("image").as_string(), engine_->test_image);
  EXPECT_EQ(running->at("id").as_string().size(), 64U);
  EXPECT_GT(running->at("started_usec").to_number<std::uint64_t>(), 0U);
  EXPECT_EQ(sandbox_->systemctl({"is-active", unit}), "active");
  const auto labels = docker({"inspect", "--format",
                              "{{index .Config.Labels \"deckhand.unit\"}} "
                              "{{index .Config.Labels \"deckhand.owner\"}}",
                              web});
  EXPECT_EQ(trim(labels.out), unit + " " + machine_id_);

  peer_.send(R"({"type":"query","id":"m","what":"machine"})");
  const auto machine = result("m");
  ASSERT_TRUE(machine);
  const auto version = docker({"version", "--format", "{{.Server.Version}}"});
  EXPECT_EQ(machine->at("machine").as_object().at("docker_version").as_string(), trim(version.out));

  request("2", web, "inactive");
  ASSERT_TRUE(result("2"));
  EXPECT_TRUE(waitFor("container_removed", [&](const json::object& m) {
    return m.at("name").as_string() == web;
  })) << agent_->output();
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "LoadState", unit}), "not-found");
  EXPECT_NE(docker({"inspect", web}).exit_code, 0) << "the container is left behind";
}

TEST_F(ContainerTest, ReportsACrashWithItsExitCode) {
  const std::string crash = name("crash");
  request("1", crash, "launched", spec("sleep 1; exit 3"));
  ASSERT_TRUE(result("1"));
  const auto exited = container(
      crash, [](const auto& c) { return c.at("exit_code").is_int64() && !inStatus(c, "running"); });
  ASSERT_TRUE(exited) << agent_->output();
  EXPECT_EQ(exited->at("exit_code").as_int64(), 3);
  EXPECT_FALSE(exited->at("oom_killed").as_bool());
  EXPECT_TRUE(waitFor("unit", [](const json::object& m) {
    const auto& unit = m.at("unit").as_object();
    return unit.at("active_state").as_string() == "failed" &&
           unit.at("exit_status").as_int64() == 3;
  })) << agent_->output();
}

TEST_F(ContainerTest, ReportsAHealthCheckTurningUnhealthy) {
  const std::string sick = name("sick");
  json::object body = spec("touch /ok; sleep 3; rm /ok; " + std::string(kServe));
  body["health"] = json::object{{"command", "test -f /ok"}, {"interval", 1}, {"retries", 1}};
  request("1", sick, "launched", body);
  ASSERT_TRUE(result("1"));
  EXPECT_TRUE(container(sick, [](const auto& c) { return c.at("health") == "healthy"; }))
      << agent_->output();
  const auto unhealthy =
      container(sick, [](const auto& c) { return c.at("health") == "unhealthy"; });
  ASSERT_TRUE(unhealthy) << agent_->output();
  EXPECT_EQ(unhealthy->at("status").as_string(), "running");
}

TEST_F(ContainerTest, ALaterRequestWinsOverOneStillBeingChecked) {
  const std::string late = name("late");
  request("1", late, "launched", spec(kServe));
  request("2", late, "inactive");  // while the first still waits for the engine's answers
  const auto launched = result("1");
  const auto removed = result("2");
  ASSERT_TRUE(launched && removed) << agent_->output();
  EXPECT_TRUE(launched->at("ok").as_bool());
  EXPECT_TRUE(removed->at("ok").as_bool());
  // Whichever order the engine's answers and the second request meet in, the end is the same:
  // no unit, no container (a launch applied after the removal would stay).
  // A stop that meets the container still being created waits for the unit's TimeoutStopSec
  // (stop_timeout + 30 s): docker run's client loses a SIGTERM that comes before its container
  // runs. Slow, but the end is the same.
  const std::string unit = "deckhand-" + late + ".service";
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  bool gone = false;
  while (!gone && std::chrono::steady_clock::now() < deadline) {
    gone = sandbox_->systemctl({"show", "-P", "LoadState", unit}) == "not-found" &&
           docker({"inspect", late}).exit_code != 0;
    if (!gone) std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(gone) << agent_->output();
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "LoadState", unit}), "not-found");
}

TEST_F(ContainerTest, AMissingImageIsRefusedAndNothingIsLeftBehind) {
  const std::string ghost = name("noimage");
  json::object body = spec("true");
  body["image"] = "local/deckhand-no-such-image:1";
  request("1", ghost, "launched", body);
  const auto never = result("1");
  ASSERT_TRUE(never);
  EXPECT_FALSE(never->at("ok").as_bool());
  EXPECT_EQ(never->at("error").as_object().at("code").as_string(), "image_missing");
  EXPECT_THAT(std::string(never->at("error").as_object().at("message").as_string()),
              HasSubstr("local/deckhand-no-such-image:1 is not on this machine"));

  body["pull"] = "missing";  // no registry answers here: the pull fails
  request("2", ghost, "launched", body);
  const auto pulled = result("2");
  ASSERT_TRUE(pulled);
  EXPECT_EQ(pulled->at("error").as_object().at("code").as_string(), "image_missing");
  EXPECT_THAT(std::string(pulled->at("error").as_object().at("message").as_string()),
              HasSubstr("pulling image local/deckhand-no-such-image:1 failed"));

  const std::string unit = "deckhand-" + ghost + ".service";
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "LoadState", unit}), "not-found");
  EXPECT_NE(docker({"inspect", ghost}).exit_code, 0);
}

TEST_F(ContainerTest, ANameTakenByAForeignContainerIsRefusedAndLeftAlone) {
  const std::string taken = name("taken");
  const auto foreign = docker({"run", "--detach", "--network", "none", "--name", taken,
                               engine_->test_image, "sleep", "300"});
  ASSERT_EQ(foreign.exit_code, 0) << foreign.err;
  request("1", taken, "launched", spec(kServe));
  const auto refused = result("1");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->at("error").as_object().at("code").as_string(), "name_taken");
  EXPECT_THAT(std::string(refused->at("error").as_object().at("message").as_string()),
              HasSubstr("that this agent does not manage"));
  const auto still = docker({"inspect", "--format", "{{.Id}} {{.State.Status}}", taken});
  EXPECT_EQ(trim(still.out), trim(foreign.out) + " running");
}

TEST_F(ContainerTest, OrphansAreRemovedAfterARestartAndOwnContainersKept) {
  const std::string kept = name("kept");
  request("1", kept, "launched", spec(kServe));
  ASSERT_TRUE(result("1"));
  const auto running = container(kept, [](const auto& c) { return inStatus(c, "running"); });
  ASSERT_TRUE(running) << agent_->output();
  stopAgent();

  // Left by a unit that is gone: this agent's label, no unit of its own any more.
  const std::string orphan = name("orphan");
  const auto left = docker({"run", "--detach", "--network", "none", "--name", orphan, "--label",
                            "deckhand.unit=deckhand-" + orphan + ".service", "--label",
                            "deckhand.owner=" + machine_id_, engine_->test_image, "sleep", "300"});
  ASSERT_EQ(left.exit_code, 0) << left.err;
  // Another agent's container sharing this engine is not this agent's business.
  const std::string other = name("other");
  ASSERT_EQ(docker({"run", "--detach", "--network", "none", "--name", other, "--label",
                    "deckhand.unit=deckhand-" + other + ".service", "--label",
                    "deckhand.owner=someone-else", engine_->test_image, "sleep", "300"})
                .exit_code,
            0);

  mark();
  startAgent();
  const auto containers = hello_->at("containers").as_array();
  const auto listed = [&](const std::string& wanted) {
    return std::any_of(containers.begin(), containers.end(), [&](const json::value& c) {
      return c.as_object().at("name").as_string() == wanted;
    });
  };
  // The hello may come before the engine's state is read; the deltas follow it.
  if (!listed(kept)) {
    EXPECT_TRUE(container(kept, [](const auto& c) { return inStatus(c, "running"); }));
  }
  bool orphan_gone = false;
  for (int i = 0; i < 100 && !orphan_gone; ++i) {
    orphan_gone = docker({"inspect", orphan}).exit_code != 0;
    if (!orphan_gone) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(orphan_gone) << agent_->output();
  EXPECT_EQ(trim(docker({"inspect", "--format", "{{.Id}}", kept}).out),
            running->at("id").as_string());
  EXPECT_EQ(trim(docker({"inspect", "--format", "{{.State.Status}}", other}).out), "running");
}

TEST_F(ContainerTest, WithoutAnEngineUnitsStillRunAndContainersGetAClearError) {
  stopAgent();
  mark();
  startAgent("/run/deckhand-no-docker.sock");
  request("1", name("nodocker"), "launched", spec(kServe));
  const auto refused = result("1");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->at("error").as_object().at("code").as_string(), "docker_unavailable");
  EXPECT_THAT(std::string(refused->at("error").as_object().at("message").as_string()),
              HasSubstr("Docker engine not reachable at /run/deckhand-no-docker.sock"));

  const std::string text = "[Service]\nExecStart=/bin/sleep 300\n";
  peer_.send(json::serialize(json::object{
      {"type", "desired"},
      {"id", "2"},
      {"units", json::array{json::object{
                    {"name", "plain.service"},
                    {"state", "launched"},
                    {"text", text},
                    {"hash", systemd::unitHash(systemd::parseUnitFile(text, "test"))}}}}}));
  ASSERT_TRUE(result("2"));
  EXPECT_TRUE(waitFor("unit", [](const json::object& m) {
    const auto& unit = m.at("unit").as_object();
    return unit.at("name").as_string() == "plain.service" &&
           unit.at("active_state").as_string() == "active";
  })) << agent_->output();
}

TEST_F(ContainerTest, FollowsTheEngineThroughADockerdRestart) {
  std::optional<PrivateDockerd> dockerd;
  try {
    dockerd.emplace(*engine_);
  } catch (const std::exception& error) {
    GTEST_SKIP() << "cannot run a private dockerd here: " << error.what();
  }
  stopAgent();
  mark();
  startAgent(dockerd->socket());
  const std::string web = name("restarted");
  json::object body = spec(kServe);
  body["restart"] = "always";
  request("1", web, "launched", body);
  ASSERT_TRUE(result("1"));
  const auto first = container(web, [](const auto& c) { return inStatus(c, "running"); });
  ASSERT_TRUE(first) << agent_->output();

  mark();
  dockerd->stop();
  ASSERT_TRUE(agent_->waitForOutput("containers are not watched", 30s)) << agent_->output();
  dockerd->start();
  // Back on the stream, the agent reads its containers again, and systemd's Restart= brings the
  // container back as a new one.
  const auto again = container(
      web,
      [&](const auto& c) {
        return inStatus(c, "running") && c.at("id").as_string() != first->at("id").as_string();
      },
      60s);
  ASSERT_TRUE(again) << agent_->output();
  EXPECT_GE(again->at("restart_count").as_int64(), 1);
  const std::string log = agent_->output();
  const auto followed = [&] {
    std::size_t count = 0;
    for (auto at = log.find("following the Docker engine"); at != std::string::npos;
         at = log.find("following the Docker engine", at + 1)) {
      ++count;
    }
    return count;
  }();
  EXPECT_GE(followed, 2U) << log;
  request("2", web, "inactive");
  ASSERT_TRUE(result("2"));
  EXPECT_TRUE(waitFor("container_removed", [&](const json::object& m) {
    return m.at("name").as_string() == web;
  })) << agent_->output();
}

}  // namespace
}  // namespace deckhand::test
