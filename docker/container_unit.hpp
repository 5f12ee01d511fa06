#pragma once
// The systemd unit that runs a container (the mapping is documented in docs/protocol.md,
// "Containers"). systemd stays in charge, so constraints, dependencies and restarts work as for any
// unit; the docker CLI in the unit is only the container's launcher:
//   ExecStartPre=-  removes a leftover container of the same name (a crash, a lost stop)
//   ExecStart=      docker run --rm --name, in the foreground (never -d: systemd must see it exit)
//   ExecStop=       docker stop with the spec's timeout
//   ExecStopPost=-  removes the container whatever happened, so nothing is left behind
// Pure and deterministic: the same spec and options give the same text, and so the same hash.

#include <string>

#include "docker/container_spec.hpp"
#include "systemd/unit_file.hpp"

namespace deckhand::docker {

inline constexpr std::string_view kDefaultDockerSocket = "/run/docker.sock";

struct UnitOptions {
  // Found in systemd's executable search path unless absolute.
  std::string docker_cli = "docker";
  // The engine's socket, given to the CLI as DOCKER_HOST: the one the agent watches.
  std::string docker_socket = std::string(kDefaultDockerSocket);
  // The deckhand.owner label: the machine ID of the agent that runs the container, so that agents
  // sharing one engine (tests, nested nodes) each clean up only their own. Empty: no such label.
  std::string owner;
};

struct ContainerUnit {
  std::string name;  // containerUnitName(spec.name)
  systemd::UnitFile file;
  std::string text;  // systemd::writeUnitFile(file): what the agent installs
  std::string hash;  // systemd::unitHash(file)
};

// Throws ContainerSpecError when the spec is invalid (validateContainerSpec).
ContainerUnit containerUnit(const ContainerSpec& spec, const UnitOptions& options = {});

// One word as systemd reads it on an Exec line: double-quoted, with '\' and '"' escaped, '%' and
// '$' doubled so that neither specifiers nor variables are expanded.
std::string execWord(std::string_view word);

}  // namespace deckhand::docker
