#pragma once
// The docker CLI against the test engine, and a guard that removes a container a test named,
// whether or not the test got that far.

#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tests/harness/docker_engine.hpp"
#include "tests/harness/process.hpp"

namespace deckhand::test {

// A container name no other test run uses: dh-PURPOSE-PID-RANDOM.
inline std::string uniqueName(const std::string& purpose) {
  std::random_device random;
  return "dh-" + purpose + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(random() % 1000000);
}

class DockerCli {
 public:
  explicit DockerCli(const DockerEngine& engine) : env_{{"DOCKER_HOST", engine.dockerHost()}} {}
  ProcessResult operator()(std::vector<std::string> args) const {
    args.insert(args.begin(), "docker");
    return run(args, env_, std::chrono::seconds(60));
  }

 private:
  std::map<std::string, std::string> env_;
};

class ContainerGuard {
 public:
  ContainerGuard(const DockerCli& docker, std::string name)
      : docker_(docker), name_(std::move(name)) {}
  ~ContainerGuard() { docker_({"rm", "-f", name_}); }
  ContainerGuard(const ContainerGuard&) = delete;
  ContainerGuard& operator=(const ContainerGuard&) = delete;
  const std::string& name() const { return name_; }

 private:
  const DockerCli& docker_;
  std::string name_;
};

}  // namespace deckhand::test
