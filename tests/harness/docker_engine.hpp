// The real Docker engine tests run containers on, and the tiny image they run (docker-engine.sh).
// The harness never starts dockerd for a test: tools/dev (or CI) starts one around the test run.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>
#include <string>

namespace deckhand::test {

struct DockerEngine {
  std::string socket_path;  // /run/docker.sock
  std::string test_image;   // local/busybox:latest: busybox's applets, no network needed
  std::string dockerHost() const { return "unix://" + socket_path; }  // for DOCKER_HOST
};

// A dockerd answering on /run/docker.sock, with the test image present (imported if missing).
// nullopt, and *why (if given) filled, when there is none.
std::optional<DockerEngine> findDockerEngine(std::string* why);

}  // namespace deckhand::test

// Skips the current test unless running as root with a Docker engine; otherwise declares
// `DockerEngine engine_var`.
#define DECKHAND_REQUIRE_DOCKER(engine_var)                                                     \
  if (::geteuid() != 0) {                                                                       \
    GTEST_SKIP() << "needs root: runs containers on the host's dockerd; run as root (CI does)"; \
  }                                                                                             \
  std::string engine_var##_missing_because;                                                     \
  const std::optional<::deckhand::test::DockerEngine> engine_var##_found =                      \
      ::deckhand::test::findDockerEngine(&engine_var##_missing_because);                        \
  if (!engine_var##_found) {                                                                    \
    GTEST_SKIP() << "needs a Docker engine: " << engine_var##_missing_because;                  \
  }                                                                                             \
  ::deckhand::test::DockerEngine engine_var = *engine_var##_found
