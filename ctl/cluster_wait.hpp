#pragma once
// What the cluster verbs wait for unless --no-block: units reaching their target state on their
// machines, and destroyed units leaving every connected machine. Polls the scheduler's API.

#include <chrono>
#include <string>
#include <vector>

#include "ctl/cluster_client.hpp"

namespace deckhand::ctl {

// "/v1/units/NAME"
std::string unitPath(const std::string& name);

// 0 once every unit reports its target state on every machine it is placed on; 1 if one does
// not within the timeout, after printing its status to stderr.
int waitForTargets(const ClusterEndpoint& endpoint, const std::vector<std::string>& names,
                   std::chrono::seconds timeout);

// The machines that still hold a unit (submitted or not), connected ones and the others apart.
struct Holders {
  std::vector<std::string> connected;
  std::vector<std::string> disconnected;
};
Holders holdersOf(const ClusterEndpoint& endpoint, const std::string& name);

// Waits until no connected machine holds the unit, or the deadline; returns the holders then.
Holders waitUntilGone(const ClusterEndpoint& endpoint, const std::string& name,
                      std::chrono::steady_clock::time_point deadline);

// Tells on stderr which disconnected machines still hold the unit (they remove it on return).
void noteDisconnected(const std::string& name, const Holders& holders);

// "4d7a0c1e, 9f0b4f6a"
std::string shortIds(const std::vector<std::string>& ids);

}  // namespace deckhand::ctl
