// bench_docker: what running a container through deckhand costs against Docker alone. The real
// agent runs in a sandboxed systemd that sees the host's dockerd (tests/harness) and talks to the
// test scheduler over loopback WebSocket. In alternating rounds, in the same run:
// - docker_start_ratio: a container request sent until deckhand reports it running, over
//   `docker run -d` of the same image and command until it returns (running);
// - docker_event_added_ms: the engine's die event (its time, which deckhand reports as
//   finished_usec) until deckhand's report of it reaches the scheduler.
// Needs root and a Docker engine with the test image (tests/harness/docker-engine.sh). Prints
// "figure value" lines for bench/run; every container and sandbox is removed on the way out.

#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/figures.hpp"
#include "tests/harness/docker_engine.hpp"
#include "tests/harness/process.hpp"
#include "tests/harness/scheduler_peer.hpp"
#include "tests/harness/systemd_sandbox.hpp"

#ifndef DECKHAND_PATH
#error "DECKHAND_PATH (the agent built by meson) must be defined; see bench/meson.build"
#endif

namespace {

using namespace std::chrono_literals;
using namespace deckhand;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr int kWarmUps = 2;
constexpr int kSamples = 11;
constexpr auto kWait = 60s;
// Runs long enough to be seen running, then fails (so that "launched" does not start it again).
constexpr const char* kCommand = "sleep 1; exit 3";

double ms(Clock::duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

std::string uniqueName(const std::string& purpose) {
  return "dh-bench-" + purpose + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::random_device()() % 1000000);
}

class Bench {
 public:
  explicit Bench(test::DockerEngine engine)
      : engine_(std::move(engine)),
        sandbox_(test::SandboxOptions{.docker = true}),
        // The sandbox shares the host's /var/lib: the agent keeps its state in the private /run.
        agent_(sandbox_.execArgv({sandbox_.installFile(DECKHAND_PATH), "--config", "/dev/null",
                                  "--scheduler-url", peer_.url(), "--state-directory",
                                  "/run/deckhand/state"})) {
    waitFor([](const json::object& m) { return m.at("type") == "hello"; }, "the agent's hello");
  }

  ~Bench() {
    for (const auto& name : names_)
      docker({"rm", "--force", name});
  }

  // Request to reported running; then the die event to its report; then removal.
  std::pair<Clock::duration, double> throughDeckhand() {
    const std::string name = uniqueName("deckhand");
    names_.push_back(name);
    json::object spec{{"image", engine_.test_image},
                      {"command", json::array{"sh", "-c", kCommand}},
                      {"network", "none"},
                      {"pull", "never"}};
    const auto start = Clock::now();
    send(json::object{{"type", "container"},
                      {"id", name},
                      {"name", name},
                      {"state", "launched"},
                      {"spec", spec}});
    const auto running =
        waitFor([&](const json::object& m) { return isContainer(m, name, "running"); }, "running");
    const Clock::duration started = running.second - start;

    const auto exited = waitFor(
        [&](const json::object& m) {
          // A waiting "exited" frame may be replaced by "removed" (--rm): both tell the end.
          return (isContainer(m, name, "exited") || isContainer(m, name, "removed")) &&
                 m.at("container").as_object().at("exit_code").is_int64();
        },
        "exited");
    // The die event's time is the engine's wall clock; the frame's arrival is mapped onto it.
    const auto finished_usec =
        exited.first.at("container").as_object().at("finished_usec").to_number<std::int64_t>();
    const auto arrived_usec =
        std::chrono::duration_cast<std::chrono::microseconds>(
            (std::chrono::system_clock::now() - (Clock::now() - exited.second)).time_since_epoch())
            .count();
    const double event_ms = static_cast<double>(arrived_usec - finished_usec) / 1000.0;

    send(json::object{
        {"type", "container"}, {"id", name + "-off"}, {"name", name}, {"state", "inactive"}});
    waitFor(
        [&](const json::object& m) {
          return m.at("type") == "container_removed" && m.at("name").as_string() == name;
        },
        "removed");
    return {started, event_ms};
  }

  // docker run -d until it returns, when the container is running.
  Clock::duration throughDocker() {
    const std::string name = uniqueName("docker");
    names_.push_back(name);
    const auto start = Clock::now();
    const auto ran = docker({"run", "--detach", "--rm", "--network", "none", "--name", name,
                             engine_.test_image, "sh", "-c", kCommand});
    const auto took = Clock::now() - start;
    if (ran.exit_code != 0) throw std::runtime_error("docker run -d failed: " + ran.err);
    docker({"rm", "--force", name});
    return took;
  }

 private:
  static bool isContainer(const json::object& m, const std::string& name, std::string_view status) {
    if (m.at("type") != "container") return false;
    const auto& container = m.at("container").as_object();
    return container.at("name").as_string() == name && container.at("status").as_string() == status;
  }

  test::ProcessResult docker(std::vector<std::string> args) const {
    args.insert(args.begin(), "docker");
    return test::run(args, {{"DOCKER_HOST", engine_.dockerHost()}}, 60s);
  }

  void send(const json::object& message) {
    if (!peer_.send(json::serialize(message))) {
      throw std::runtime_error("the agent is not connected:\n" + agent_.output());
    }
  }

  // The first message since the last one taken that match accepts, and when it arrived.
  template <typename Match>
  std::pair<json::object, Clock::time_point> waitFor(Match match, std::string_view what) {
    const auto deadline = Clock::now() + kWait;
    while (Clock::now() < deadline) {
      const auto frames = peer_.messages();
      for (; seen_ < frames.size(); ++seen_) {
        if (frames[seen_].binary) continue;
        auto message = json::parse(frames[seen_].text).as_object();
        if (match(message)) return {std::move(message), frames[seen_++].at};
      }
      std::this_thread::sleep_for(1ms);
    }
    throw std::runtime_error("no " + std::string(what) + " report from the agent:\n" +
                             agent_.output());
  }

  test::DockerEngine engine_;
  test::SchedulerPeer peer_;
  test::SystemdSandbox sandbox_;
  test::BackgroundProcess agent_;
  std::size_t seen_ = 0;
  std::vector<std::string> names_;
};

}  // namespace

int main() {
  return bench::benchmarkMain("bench_docker", [] {
    std::string why;
    const auto engine = test::findDockerEngine(&why);
    if (!engine) throw std::runtime_error("needs a Docker engine: " + why);
    Bench bench(*engine);
    std::vector<double> deckhand_ms, docker_ms, event_ms;
    for (int round = 0; round < kWarmUps + kSamples; ++round) {
      const auto [started, event] = bench.throughDeckhand();
      const auto baseline = bench.throughDocker();
      if (round < kWarmUps) continue;
      deckhand_ms.push_back(ms(started));
      docker_ms.push_back(ms(baseline));
      event_ms.push_back(event);
    }
    bench::printFigure("docker_start_ms", bench::median(deckhand_ms), 1);
    bench::printFigure("docker_run_baseline_ms", bench::median(docker_ms), 1);
    bench::printFigure("docker_start_ratio", bench::median(deckhand_ms) / bench::median(docker_ms),
                       2);
    bench::printFigure("docker_event_added_ms", bench::median(event_ms), 2);
    return 0;
  });
}
