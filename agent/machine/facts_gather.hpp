#pragma once
// Gathering the machine's facts at start, and refreshing those that change while it runs.

#include <functional>
#include <string>

#include "agent/machine/facts.hpp"
#include "agent/machine/metadata.hpp"

namespace deckhand::dbus {
class BusConnection;
}

namespace deckhand::machine {

struct FactsOptions {
  std::string public_ip;        // configured; empty: detect from the default route
  bool raw_machine_id = false;  // report /etc/machine-id itself, not deckhand's app-specific ID
  Metadata metadata;
};

// Everything that can be read on the spot. hostname is the kernel's until hostname1 answers
// (refreshFacts); systemd_version and docker_version stay empty: they come from their services.
// Throws std::runtime_error naming the fact and the cause when one can't be read.
MachineFacts gatherFacts(const FactsOptions& options);

// Re-reads what changes while the agent runs: the addresses, and the host name from hostname1
// over bus (the kernel's when bus is null or hostname1 does not answer). done gets facts with
// those updated and whether any of them changed: on bus's executor, or before refreshFacts
// returns when bus is null. Throws like gatherFacts if the addresses can't be read.
void refreshFacts(dbus::BusConnection* bus, const FactsOptions& options, MachineFacts facts,
                  std::function<void(MachineFacts facts, bool changed)> done);

}  // namespace deckhand::machine
