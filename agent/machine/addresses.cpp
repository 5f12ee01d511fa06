#include "agent/machine/addresses.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/route.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "agent/machine/facts_files.hpp"

namespace deckhand::machine {
namespace {

constexpr std::string_view kIPv4AnyDestination = "00000000";
constexpr std::string_view kIPv6AnyDestination = "00000000000000000000000000000000";

std::vector<std::string_view> fieldsOf(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) return fields;
    line.remove_prefix(start);
    const auto end = std::min(line.find_first_of(" \t"), line.size());
    fields.push_back(line.substr(0, end));
    line.remove_prefix(end);
  }
}

std::optional<std::uint64_t> numberOf(std::string_view text, int base) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool usable(std::uint64_t flags) {
  return (flags & RTF_UP) != 0 && (flags & RTF_REJECT) == 0;
}

// The interface of the best default route in a route table: candidate() tells whether a line's
// fields are a usable default route and gives its interface and metric. The lowest metric wins.
template <typename Candidate>
std::optional<std::string> bestDefaultRoute(std::string_view table, Candidate candidate) {
  std::optional<std::string> best;
  std::uint64_t best_metric = std::numeric_limits<std::uint64_t>::max();
  std::size_t at = 0;
  while (at < table.size()) {
    const std::size_t end = std::min(table.find('\n', at), table.size());
    const auto fields = fieldsOf(table.substr(at, end - at));
    at = end + 1;
    std::string_view interface;
    std::uint64_t metric = 0;
    if (!candidate(fields, interface, metric)) continue;
    if (!best || metric < best_metric) {
      best = std::string(interface);
      best_metric = metric;
    }
  }
  return best;
}

bool isGlobalIPv4(const in_addr& address) {
  const std::uint32_t host = ntohl(address.s_addr);
  const std::uint32_t first = host >> 24;
  const bool unspecified = first == 0;              // 0.0.0.0/8
  const bool loopback = first == 127;               // 127.0.0.0/8
  const bool link_local = (host >> 16) == 0xa9fe;   // 169.254.0.0/16
  const bool multicast_or_reserved = first >= 224;  // 224.0.0.0/4, 240.0.0.0/4, broadcast
  return !unspecified && !loopback && !link_local && !multicast_or_reserved;
}

bool isGlobalIPv6(const in6_addr& address) {
  // Site-local (fec0::/10) is deprecated (RFC 3879) and scoped like link-local by the kernel.
  return !IN6_IS_ADDR_UNSPECIFIED(&address) && !IN6_IS_ADDR_LOOPBACK(&address) &&
         !IN6_IS_ADDR_LINKLOCAL(&address) && !IN6_IS_ADDR_SITELOCAL(&address) &&
         !IN6_IS_ADDR_MULTICAST(&address);
}

std::optional<std::string> numericAddress(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET) {
    const auto* ipv4 = reinterpret_cast<const sockaddr_in*>(address);
    if (::inet_ntop(AF_INET, &ipv4->sin_addr, text, sizeof text) != nullptr) return text;
  } else if (address->sa_family == AF_INET6) {
    const auto* ipv6 = reinterpret_cast<const sockaddr_in6*>(address);
    if (::inet_ntop(AF_INET6, &ipv6->sin6_addr, text, sizeof text) != nullptr) return text;
  }
  return std::nullopt;
}

std::vector<InterfaceAddress> readInterfaceAddresses() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    throw std::runtime_error(
        std::string("listing network interface addresses (getifaddrs) failed: ") +
        std::strerror(errno));
  }
  std::vector<InterfaceAddress> addresses;
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr) continue;
    if (auto address = numericAddress(entry->ifa_addr)) {
      addresses.push_back({entry->ifa_name, std::move(*address)});
    }
  }
  ::freeifaddrs(list);
  return addresses;
}

bool isIPv4(std::string_view address) {
  return address.find(':') == std::string_view::npos;
}

}  // namespace

std::optional<std::string> defaultRouteInterfaceIPv4(std::string_view proc_net_route) {
  // Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT; Flags in hex, Metric
  // in decimal. The header line has no hex flags and drops out.
  return bestDefaultRoute(proc_net_route, [](const auto& fields, std::string_view& interface,
                                             std::uint64_t& metric) {
    if (fields.size() < 8 || fields[1] != kIPv4AnyDestination || fields[7] != kIPv4AnyDestination) {
      return false;
    }
    const auto flags = numberOf(fields[3], 16);
    const auto route_metric = numberOf(fields[6], 10);
    if (!flags || !route_metric || !usable(*flags)) return false;
    interface = fields[0];
    metric = *route_metric;
    return true;
  });
}

std::optional<std::string> defaultRouteInterfaceIPv6(std::string_view proc_net_ipv6_route) {
  // Destination, its prefix length, source, its prefix length, next hop, then metric, reference
  // count, use count and flags (all hex), and the interface.
  return bestDefaultRoute(proc_net_ipv6_route, [](const auto& fields, std::string_view& interface,
                                                  std::uint64_t& metric) {
    if (fields.size() < 10 || fields[0] != kIPv6AnyDestination || fields[1] != "00") return false;
    const auto route_metric = numberOf(fields[5], 16);
    const auto flags = numberOf(fields[8], 16);
    if (!flags || !route_metric || !usable(*flags)) return false;
    interface = fields[9];
    metric = *route_metric;
    return true;
  });
}

bool isGlobalAddress(std::string_view address) {
  const std::string text(address);
  in_addr ipv4{};
  if (::inet_pton(AF_INET, text.c_str(), &ipv4) == 1) return isGlobalIPv4(ipv4);
  in6_addr ipv6{};
  if (::inet_pton(AF_INET6, text.c_str(), &ipv6) == 1) return isGlobalIPv6(ipv6);
  return false;
}

NetworkFacts selectNetworkFacts(const std::string& configured_public_ip,
                                const DefaultRoutes& routes,
                                const std::vector<InterfaceAddress>& addresses) {
  NetworkFacts facts;
  const auto firstGlobal = [&](const std::optional<std::string>& interface,
                               bool ipv4) -> std::string {
    if (!interface) return {};
    for (const auto& entry : addresses) {
      if (entry.interface == *interface && isIPv4(entry.address) == ipv4 &&
          isGlobalAddress(entry.address)) {
        return entry.address;
      }
    }
    return {};
  };
  facts.public_ip = configured_public_ip;
  if (facts.public_ip.empty()) facts.public_ip = firstGlobal(routes.ipv4_interface, true);
  if (facts.public_ip.empty()) facts.public_ip = firstGlobal(routes.ipv6_interface, false);
  for (const auto& entry : addresses) {
    if (isGlobalAddress(entry.address) && std::find(facts.addresses.begin(), facts.addresses.end(),
                                                    entry.address) == facts.addresses.end()) {
      facts.addresses.push_back(entry.address);
    }
  }
  return facts;
}

NetworkFacts readNetworkFacts(const std::string& configured_public_ip) {
  DefaultRoutes routes;
  if (const auto table = readFileIfExists("/proc/net/route")) {
    routes.ipv4_interface = defaultRouteInterfaceIPv4(*table);
  }
  if (const auto table = readFileIfExists("/proc/net/ipv6_route")) {
    routes.ipv6_interface = defaultRouteInterfaceIPv6(*table);
  }
  return selectNetworkFacts(configured_public_ip, routes, readInterfaceAddresses());
}

}  // namespace deckhand::machine
