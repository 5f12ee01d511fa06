// Machine facts: the parsers on fixtures (real files from a Debian 12 VM, plus edge cases), and
// the identity and gathering functions on this machine.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/utsname.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <string>

#include "agent/machine/addresses.hpp"
#include "agent/machine/facts_gather.hpp"
#include "agent/machine/facts_hardware.hpp"
#include "agent/machine/facts_identity.hpp"
#include "agent/machine/facts_os_release.hpp"
#include "dbus/hostname1.hpp"

namespace deckhand::machine {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kRouteHeader[] =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT       \n";

constexpr char kRoute[] =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT       \n"
    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0                 \n"
    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                 \n";

constexpr char kIPv6Route[] =
    "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
    "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n"
    "00000000000000000000000000000001 80 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n";

std::string ipv4Route(const std::string& interface, const std::string& flags, int metric,
                      const std::string& mask = "00000000") {
  return interface + "\t00000000\t010200C0\t" + flags + "\t0\t0\t" + std::to_string(metric) + "\t" +
         mask + "\t0\t0\t0\n";
}

std::string ipv6DefaultRoute(const std::string& interface, const std::string& metric,
                             const std::string& flags) {
  return "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
         "fe800000000000000000000000000001 " +
         metric + " 00000001 00000000 " + flags + " " + interface + "\n";
}

bool isHex32(const std::string& id) {
  return std::regex_match(id, std::regex("[0-9a-f]{32}"));
}

std::string firstLineWithoutDashes(const std::string& path) {
  std::ifstream file(path);
  std::string line;
  std::getline(file, line);
  std::erase(line, '-');
  return line;
}

// Routes

TEST(DefaultRoute, IPv4FromTheKernelsTable) {
  EXPECT_EQ(defaultRouteInterfaceIPv4(kRoute), "eth0");
}

TEST(DefaultRoute, IPv4LowestMetricWinsAndTheFirstOnATie) {
  EXPECT_EQ(
      defaultRouteInterfaceIPv4(std::string(kRouteHeader) + ipv4Route("wlan0", "0003", 600) +
                                ipv4Route("eth1", "0003", 100) + ipv4Route("eth0", "0003", 100)),
      "eth1");
}

TEST(DefaultRoute, IPv4SkipsRoutesThatAreDownRejectOrNotDefault) {
  EXPECT_EQ(defaultRouteInterfaceIPv4(std::string(kRouteHeader) + ipv4Route("down0", "0002", 0) +
                                      ipv4Route("reject0", "0201", 0) +
                                      ipv4Route("half0", "0003", 0, "00000080") +
                                      ipv4Route("eth0", "0003", 100)),
            "eth0");
}

TEST(DefaultRoute, IPv4NoneWithoutADefaultRoute) {
  EXPECT_EQ(defaultRouteInterfaceIPv4(kRouteHeader), std::nullopt);
  EXPECT_EQ(defaultRouteInterfaceIPv4(""), std::nullopt);
  EXPECT_EQ(
      defaultRouteInterfaceIPv4(std::string(kRouteHeader) +
                                "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"),
      std::nullopt);
}

TEST(DefaultRoute, IPv4IgnoresMalformedLines) {
  EXPECT_EQ(defaultRouteInterfaceIPv4(std::string(kRouteHeader) + "eth9\t00000000\n" +
                                      ipv4Route("bad0", "zz", 0) + ipv4Route("eth0", "0003", 5)),
            "eth0");
}

TEST(DefaultRoute, IPv6FromTheKernelsTableSkipsTheUnreachableDefaultOnLo) {
  EXPECT_EQ(defaultRouteInterfaceIPv6(kIPv6Route), "eth0");
}

TEST(DefaultRoute, IPv6NoneWhenOnlyTheRejectRouteIsThere) {
  EXPECT_EQ(defaultRouteInterfaceIPv6(ipv6DefaultRoute("lo", "ffffffff", "00200200")),
            std::nullopt);
  EXPECT_EQ(defaultRouteInterfaceIPv6(""), std::nullopt);
}

TEST(DefaultRoute, IPv6LowestMetricWinsWithHexMetrics) {
  EXPECT_EQ(defaultRouteInterfaceIPv6(ipv6DefaultRoute("wlan0", "00000258", "00000003") +
                                      ipv6DefaultRoute("eth0", "00000064", "00000003") +
                                      ipv6DefaultRoute("down0", "00000001", "00000002")),
            "eth0");
}

// Addresses

TEST(GlobalAddress, ClassifiesIPv4AndIPv6) {
  for (const char* global :
       {"192.0.2.2", "10.1.2.3", "172.16.0.1", "8.8.8.8", "fd00::2", "2001:db8::1"}) {
    EXPECT_TRUE(isGlobalAddress(global)) << global;
  }
  for (const char* local :
       {"127.0.0.1", "127.1.2.3", "169.254.1.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1",
        "::", "fe80::1", "febf::1", "fec0::1", "ff02::1", "eth0", "", "192.0.2.300"}) {
    EXPECT_FALSE(isGlobalAddress(local)) << local;
  }
}

const std::vector<InterfaceAddress> kAddresses = {
    {"lo", "127.0.0.1"},
    {"eth0", "169.254.7.7"},
    {"eth0", "192.0.2.2"},
    {"eth0", "192.0.2.3"},
    {"eth1", "10.0.0.5"},
    {"lo", "::1"},
    {"eth0", "fe80::fc:ff:fe00:1"},
    {"eth0", "fd00::2"},
    {"eth1", "2001:db8::5"},
    {"eth2", "10.0.0.5"},
};

TEST(NetworkFacts, FirstGlobalIPv4OnTheDefaultRouteInterface) {
  const auto facts = selectNetworkFacts("", {"eth0", "eth0"}, kAddresses);
  EXPECT_EQ(facts.public_ip, "192.0.2.2");
}

TEST(NetworkFacts, ConfiguredPublicIpWins) {
  EXPECT_EQ(selectNetworkFacts("203.0.113.9", {"eth0", "eth0"}, kAddresses).public_ip,
            "203.0.113.9");
}

TEST(NetworkFacts, IPv6WhenThereIsNoIPv4DefaultRoute) {
  EXPECT_EQ(selectNetworkFacts("", {std::nullopt, "eth1"}, kAddresses).public_ip, "2001:db8::5");
  EXPECT_EQ(selectNetworkFacts("", {std::nullopt, "eth0"}, kAddresses).public_ip, "fd00::2");
}

TEST(NetworkFacts, IPv6WhenTheIPv4RouteInterfaceHasNoGlobalIPv4) {
  const std::vector<InterfaceAddress> addresses = {{"eth0", "169.254.7.7"},
                                                   {"eth0", "2001:db8::1"}};
  EXPECT_EQ(selectNetworkFacts("", {"eth0", "eth0"}, addresses).public_ip, "2001:db8::1");
}

TEST(NetworkFacts, NothingWithoutADefaultRoute) {
  const auto facts = selectNetworkFacts("", {}, kAddresses);
  EXPECT_EQ(facts.public_ip, "");
  EXPECT_EQ(facts.addresses.size(), 5u);
}

TEST(NetworkFacts, ListsEveryGlobalAddressOnce) {
  EXPECT_THAT(selectNetworkFacts("", {"eth0", "eth0"}, kAddresses).addresses,
              ElementsAre("192.0.2.2", "192.0.2.3", "10.0.0.5", "fd00::2", "2001:db8::5"));
  EXPECT_THAT(selectNetworkFacts("", {}, {{"lo", "127.0.0.1"}}).addresses, IsEmpty());
}

// /proc/meminfo

TEST(MemTotal, InBytes) {
  EXPECT_EQ(parseMemTotal("MemTotal:       24683652 kB\n"
                          "MemFree:        22540812 kB\n"),
            24683652ull * 1024);
  EXPECT_EQ(parseMemTotal("MemFree:        22540812 kB\nMemTotal: 1024 kB"), 1024u * 1024);
}

TEST(MemTotal, NoneWhenMissingOrMalformed) {
  EXPECT_EQ(parseMemTotal(""), std::nullopt);
  EXPECT_EQ(parseMemTotal("MemFree:        22540812 kB\n"), std::nullopt);
  EXPECT_EQ(parseMemTotal("MemTotal:       lots kB\n"), std::nullopt);
  EXPECT_EQ(parseMemTotal("MemTotal:       24683652 MB\n"), std::nullopt);
  EXPECT_EQ(parseMemTotal("MemTotal:       24683652\n"), std::nullopt);
  EXPECT_EQ(parseMemTotal("MemTotal:       99999999999999999999999 kB\n"), std::nullopt);
}

TEST(MemTotal, ThisMachineHasSome) {
  EXPECT_GT(readMemTotal(), 0u);
}

// os-release

TEST(OsRelease, DebianFile) {
  const char* debian =
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
      "NAME=\"Debian GNU/Linux\"\n"
      "VERSION_ID=\"12\"\n"
      "VERSION_CODENAME=bookworm\n"
      "ID=debian\n";
  const auto fields = parseOsRelease(debian);
  EXPECT_EQ(fields.at("PRETTY_NAME"), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(fields.at("VERSION_CODENAME"), "bookworm");
  EXPECT_EQ(fields.size(), 5u);
  EXPECT_EQ(prettyName(debian), "Debian GNU/Linux 12 (bookworm)");
}

TEST(OsRelease, QuotingRules) {
  const std::map<std::string, std::string> cases = {
      {"A='Fedora Linux 39 (Cloud Edition)'", "Fedora Linux 39 (Cloud Edition)"},
      {"A=Arch", "Arch"},
      {R"(A="say \"hi\" \$HOME \\ \` \x")", R"(say "hi" $HOME \ ` \x)"},
      {R"(A='no \escapes in "single" quotes')", R"(no \escapes in "single" quotes)"},
      {R"(A=unquoted\ escaped\"x)", R"(unquoted escaped"x)"},
      {R"(A="a"'b'c)", "abc"},
      {"A=  trimmed value  \t", "trimmed value"},
      {"A=\"  kept inside quotes  \"", "  kept inside quotes  "},
      {"  A = spaced", "spaced"},
      {"A=", ""},
      {"A=\"two\nlines\"", "two\nlines"},
      {"A=\"joined \\\nline\"", "joined line"},
      {"A=unquoted \\\ncontinued", "unquoted continued"},
      {"A=\"unterminated", "unterminated"},
  };
  for (const auto& [text, value] : cases) {
    const auto fields = parseOsRelease(text);
    ASSERT_TRUE(fields.contains("A")) << text;
    EXPECT_EQ(fields.at("A"), value) << text;
  }
}

TEST(OsRelease, CommentsBlankAndBrokenLinesAreSkippedAndLaterWins) {
  const auto fields = parseOsRelease(
      "# PRETTY_NAME=\"commented\"\n"
      "\n"
      "   \n"
      "not an assignment\n"
      "  # indented comment\n"
      "ID=first\n"
      "ID=second\n"
      "=no key\n"
      "VERSION=\"1 # not a comment\"\n");
  EXPECT_EQ(fields, (std::map<std::string, std::string>{{"ID", "second"},
                                                        {"VERSION", "1 # not a comment"}}));
}

TEST(OsRelease, PrettyNameDefaultsToLinux) {
  EXPECT_EQ(prettyName(""), "Linux");
  EXPECT_EQ(prettyName("ID=debian\n"), "Linux");
  EXPECT_EQ(prettyName("PRETTY_NAME=\"\"\n"), "Linux");
}

TEST(OsRelease, ThisMachinesName) {
  EXPECT_FALSE(readPrettyName().empty());
}

// Identity

class ThisMachine : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/etc/machine-id")) GTEST_SKIP() << "no /etc/machine-id here";
  }
};

TEST_F(ThisMachine, AppIdIsAValidId) {
  EXPECT_TRUE(isHex32(kDeckhandAppId));
}

TEST_F(ThisMachine, AppSpecificMachineIdIsNotTheRawOne) {
  const std::string reported = machineId(false);
  const std::string raw = machineId(true);
  EXPECT_TRUE(isHex32(reported)) << reported;
  EXPECT_TRUE(isHex32(raw)) << raw;
  EXPECT_EQ(raw, firstLineWithoutDashes("/etc/machine-id"));
  EXPECT_NE(reported, raw);
}

TEST_F(ThisMachine, StableAcrossCalls) {
  EXPECT_EQ(machineId(false), machineId(false));
  EXPECT_EQ(bootId(), bootId());
}

TEST_F(ThisMachine, BootIdIsAppSpecific) {
  const std::string boot = bootId();
  EXPECT_TRUE(isHex32(boot)) << boot;
  EXPECT_NE(boot, firstLineWithoutDashes("/proc/sys/kernel/random/boot_id"));
  EXPECT_NE(boot, machineId(false));
}

// Gathering

TEST(Hardware, KernelAndCpus) {
  utsname names{};
  ASSERT_EQ(uname(&names), 0);
  const KernelRelease kernel = readKernelRelease();
  EXPECT_EQ(kernel.release, names.release);
  EXPECT_EQ(kernel.architecture, names.machine);
  EXPECT_GE(cpuCount(), 1u);
}

TEST_F(ThisMachine, GatherFactsFillsWhatCanBeReadNow) {
  const FactsOptions options{
      .public_ip = "203.0.113.9", .raw_machine_id = false, .metadata = {{"region", "us-east"}}};
  const MachineFacts facts = gatherFacts(options);
  EXPECT_EQ(facts.machine_id, machineId(false));
  EXPECT_EQ(facts.boot_id, bootId());
  EXPECT_EQ(facts.hostname, dbus::kernelHostname());
  EXPECT_EQ(facts.public_ip, "203.0.113.9");
  EXPECT_EQ(facts.os_release, readPrettyName());
  EXPECT_EQ(facts.kernel, readKernelRelease().release);
  EXPECT_EQ(facts.architecture, readKernelRelease().architecture);
  EXPECT_EQ(facts.cpus, cpuCount());
  EXPECT_EQ(facts.memory_bytes, readMemTotal());
  EXPECT_EQ(facts.agent_version, DECKHAND_VERSION);
  EXPECT_EQ(facts.metadata, options.metadata);
  EXPECT_EQ(facts.systemd_version, "");
  EXPECT_EQ(facts.docker_version, "");
  for (const auto& address : facts.addresses)
    EXPECT_TRUE(isGlobalAddress(address)) << address;
}

TEST_F(ThisMachine, GatherFactsReportsTheRawMachineIdWhenConfigured) {
  EXPECT_EQ(gatherFacts({.public_ip = "", .raw_machine_id = true, .metadata = {}}).machine_id,
            machineId(true));
}

TEST_F(ThisMachine, RefreshWithoutABusTakesTheKernelsHostname) {
  const FactsOptions options;
  MachineFacts facts = gatherFacts(options);
  std::optional<bool> changed;
  refreshFacts(nullptr, options, facts, [&](const MachineFacts& refreshed, bool differs) {
    EXPECT_EQ(refreshed.hostname, facts.hostname);
    changed = differs;
  });
  EXPECT_EQ(changed, false);

  facts.hostname = "renamed-meanwhile";
  changed.reset();
  refreshFacts(nullptr, options, facts, [&](const MachineFacts& refreshed, bool differs) {
    EXPECT_EQ(refreshed.hostname, dbus::kernelHostname());
    changed = differs;
  });
  EXPECT_EQ(changed, true);
}

}  // namespace
}  // namespace deckhand::machine
