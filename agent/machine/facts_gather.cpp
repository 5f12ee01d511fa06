#include "agent/machine/facts_gather.hpp"

#include "agent/machine/addresses.hpp"
#include "agent/machine/facts_hardware.hpp"
#include "agent/machine/facts_identity.hpp"
#include "agent/machine/facts_os_release.hpp"
#include "dbus/hostname1.hpp"

namespace deckhand::machine {
namespace {

// Sets the network facts; true if they differ from before.
bool updateNetwork(MachineFacts& facts, const FactsOptions& options) {
  NetworkFacts network = readNetworkFacts(options.public_ip);
  const bool changed = network.public_ip != facts.public_ip || network.addresses != facts.addresses;
  facts.public_ip = std::move(network.public_ip);
  facts.addresses = std::move(network.addresses);
  return changed;
}

}  // namespace

MachineFacts gatherFacts(const FactsOptions& options) {
  MachineFacts facts;
  facts.machine_id = machineId(options.raw_machine_id);
  facts.boot_id = bootId();
  facts.hostname = dbus::kernelHostname();
  updateNetwork(facts, options);
  facts.os_release = readPrettyName();
  KernelRelease kernel = readKernelRelease();
  facts.kernel = std::move(kernel.release);
  facts.architecture = std::move(kernel.architecture);
  facts.cpus = cpuCount();
  facts.memory_bytes = readMemTotal();
  facts.agent_version = DECKHAND_VERSION;
  facts.metadata = options.metadata;
  return facts;
}

void refreshFacts(dbus::BusConnection* bus, const FactsOptions& options, MachineFacts facts,
                  std::function<void(MachineFacts facts, bool changed)> done) {
  const bool network_changed = updateNetwork(facts, options);
  auto finish = [facts = std::move(facts), network_changed,
                 done = std::move(done)](std::string hostname) mutable {
    const bool hostname_changed = hostname != facts.hostname;
    facts.hostname = std::move(hostname);
    done(std::move(facts), network_changed || hostname_changed);
  };
  if (bus == nullptr) return finish(dbus::kernelHostname());
  dbus::readHostname(*bus, std::move(finish));
}

}  // namespace deckhand::machine
