#pragma once
// The machine's addresses: the one it is reached at (public_ip) and every global one. As fleet
// did, the public IP is the configured one, else the first global address of the interface the
// default route leaves through.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deckhand::machine {

struct InterfaceAddress {
  std::string interface;
  std::string address;  // numeric, as inet_ntop writes it
};

// The interfaces the default routes leave through; nullopt when there is none.
struct DefaultRoutes {
  std::optional<std::string> ipv4_interface;
  std::optional<std::string> ipv6_interface;
};

// The interface of the default route in the text of /proc/net/route (IPv4) or /proc/net/ipv6_route
// (IPv6): a route to 0/0 that is up and not a reject route (the kernel keeps an "unreachable"
// IPv6 default on lo), with the lowest metric, as the kernel picks it; the first on a tie.
std::optional<std::string> defaultRouteInterfaceIPv4(std::string_view proc_net_route);
std::optional<std::string> defaultRouteInterfaceIPv6(std::string_view proc_net_ipv6_route);

// An address others can reach this machine at: IPv4 or IPv6 and not unspecified, loopback,
// link-local, site-local or multicast. Private ranges (10/8, fd00::/8, ...) count: clusters live on
// them.
bool isGlobalAddress(std::string_view address);

struct NetworkFacts {
  std::string public_ip;               // empty when nothing qualifies
  std::vector<std::string> addresses;  // every global address, once, in interface order
};

// public_ip: configured_public_ip if set, else the first global IPv4 address on the IPv4 default
// route's interface, else the first global IPv6 address on the IPv6 one (IPv4 first, as fleet
// reported IPv4 and schedulers of mixed clusters reach nodes over it).
NetworkFacts selectNetworkFacts(const std::string& configured_public_ip,
                                const DefaultRoutes& routes,
                                const std::vector<InterfaceAddress>& addresses);

// The same from this machine's routes (/proc/net/route, /proc/net/ipv6_route: a missing file
// means no such route, e.g. IPv6 disabled) and interfaces (getifaddrs). Throws
// std::runtime_error naming what could not be read.
NetworkFacts readNetworkFacts(const std::string& configured_public_ip);

}  // namespace deckhand::machine
