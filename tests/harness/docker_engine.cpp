#include "tests/harness/docker_engine.hpp"

#include "tests/harness/process.hpp"

namespace deckhand::test {

std::optional<DockerEngine> findDockerEngine(std::string* why) {
  // The first caller may import the image; the others wait for it on the script's lock.
  const ProcessResult ensured = run({"bash", DECKHAND_HARNESS_DIR "/docker-engine.sh", "ensure"},
                                    {}, std::chrono::minutes(2));
  auto values = parseKeyValueLines(ensured.out);
  const std::string prefix = "unix://";
  const std::string& host = values["DOCKER_HOST"];
  if (ensured.exit_code != 0 || !host.starts_with(prefix) || values["TEST_IMAGE"].empty()) {
    if (why != nullptr) {
      *why = "docker-engine.sh ensure exited " + std::to_string(ensured.exit_code) + ": " +
             trim(ensured.err);
    }
    return std::nullopt;
  }
  return DockerEngine{host.substr(prefix.size()), values["TEST_IMAGE"]};
}

}  // namespace deckhand::test
