// A network cable a test can pull: a veth pair from the host to a sandbox started with
// SandboxOptions::private_network, made with iproute2. Each side gets an address of a /30 in
// 198.18.0.0/15 (RFC 2544's range for tests), chosen from the test's PID so that concurrent tests
// don't collide.
#pragma once

#include <string>
#include <vector>

#include "tests/harness/systemd_sandbox.hpp"

namespace deckhand::test {

class VethLink {
 public:
  // Both ends on the host for now, the host end addressed and up. Throws with ip's error.
  VethLink();
  // Deletes the pair (one end takes the other with it), wherever its ends are. Should the test
  // die before, the sandbox's namespace still takes the pair with it when the sandbox stops.
  ~VethLink();
  VethLink(const VethLink&) = delete;
  VethLink& operator=(const VethLink&) = delete;

  const std::string& hostAddress() const { return host_address_; }
  const std::string& sandboxAddress() const { return sandbox_address_; }
  const std::string& hostEnd() const { return host_end_; }  // interface names
  const std::string& sandboxEnd() const { return sandbox_end_; }

  // Moves the other end into the sandbox's network namespace, addresses it and brings it up.
  void plugInto(const SystemdSandbox& sandbox);
  // ip link set dev END up|down, inside the sandbox: the node's side of the cable.
  void setSandboxEndUp(bool up);

 private:
  void mustRunInside(const std::vector<std::string>& argv) const;

  std::string host_end_;
  std::string sandbox_end_;
  std::string host_address_;
  std::string sandbox_address_;
  const SystemdSandbox* sandbox_ = nullptr;
};

}  // namespace deckhand::test
