#include "tests/harness/veth_link.hpp"

#include <unistd.h>

#include <iostream>
#include <stdexcept>
#include <thread>

namespace deckhand::test {
namespace {

void check(const ProcessResult& result, const std::vector<std::string>& argv,
           const std::string& where) {
  if (result.exit_code == 0) return;
  std::string command;
  for (const auto& arg : argv)
    command += (command.empty() ? "" : " ") + arg;
  throw std::runtime_error("VethLink: `" + command + "` failed " + where + "(exit " +
                           std::to_string(result.exit_code) + "): " + result.err);
}

void mustRun(const std::vector<std::string>& argv) {
  check(run(argv), argv, "");
}

// The /30 number `block` of 198.18.0.0/15, address `host` (1 or 2) in it.
std::string addressIn(unsigned block, unsigned host) {
  const unsigned offset = block * 4 + host;
  return "198." + std::to_string(18 + (offset >> 16)) + "." + std::to_string((offset >> 8) & 255) +
         "." + std::to_string(offset & 255);
}

bool exists(const std::string& link) {
  return run({"ip", "link", "show", "dev", link}).exit_code == 0;
}

}  // namespace

VethLink::VethLink() {
  const std::string tag = "dh" + std::to_string(::getpid());  // interface names: 15 bytes at most
  host_end_ = tag + "h";
  sandbox_end_ = tag + "s";
  const unsigned block = static_cast<unsigned>(::getpid()) % (1u << 15);
  host_address_ = addressIn(block, 1);
  sandbox_address_ = addressIn(block, 2);
  mustRun({"ip", "link", "add", host_end_, "type", "veth", "peer", "name", sandbox_end_});
  try {
    mustRun({"ip", "address", "add", host_address_ + "/30", "dev", host_end_});
    mustRun({"ip", "link", "set", "dev", host_end_, "up"});
  } catch (...) {
    run({"ip", "link", "delete", host_end_});
    throw;
  }
}

VethLink::~VethLink() {
  run({"ip", "link", "delete", host_end_});
  // A pair whose namespace is being torn down may linger a moment before the kernel removes it.
  for (int tries = 0; tries < 50 && exists(host_end_); ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    run({"ip", "link", "delete", host_end_});
  }
  if (exists(host_end_)) std::cerr << "[harness] could not delete veth " << host_end_ << "\n";
}

void VethLink::plugInto(const SystemdSandbox& sandbox) {
  mustRun({"ip", "link", "set", "dev", sandbox_end_, "netns", std::to_string(sandbox.pid())});
  sandbox_ = &sandbox;
  mustRunInside({"ip", "address", "add", sandbox_address_ + "/30", "dev", sandbox_end_});
  setSandboxEndUp(true);
}

void VethLink::setSandboxEndUp(bool up) {
  if (sandbox_ == nullptr) throw std::logic_error("VethLink: plugInto() a sandbox first");
  mustRunInside({"ip", "link", "set", "dev", sandbox_end_, up ? "up" : "down"});
}

void VethLink::mustRunInside(const std::vector<std::string>& argv) const {
  check(sandbox_->exec(argv), argv, "in the sandbox ");
}

}  // namespace deckhand::test
