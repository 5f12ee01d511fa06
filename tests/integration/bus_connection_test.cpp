// BusConnection on a real dbus-daemon (a sandbox's system bus): a call nobody answers ends at its
// own deadline, which only BusConnection's timer can reach, since nothing arrives to wake it.

#include "dbus/bus_connection.hpp"

#include <gtest/gtest.h>
#include <sdbus-c++/sdbus-c++.h>
#include <stdlib.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "tests/harness/run_until.hpp"
#include "tests/harness/systemd_sandbox.hpp"

namespace deckhand::dbus {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSilentName = "org.deckhand.test.Silent";
constexpr const char* kSilentPolicy = R"(<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <policy user="root">
    <allow own="org.deckhand.test.Silent"/>
    <allow send_destination="org.deckhand.test.Silent"/>
  </policy>
</busconfig>
)";

// A connection owning kSilentName that never reads what is sent to it.
std::unique_ptr<sdbus::IConnection> ownSilentName(const test::SystemdSandbox& sandbox) {
  std::ofstream(sandbox.root() / "run/dbus/system.d/org.deckhand.test.Silent.conf")
      << kSilentPolicy;
  // dbus-daemon notices new policy files by itself; this makes sure it has before the name is
  // asked.
  sandbox.exec({"busctl", "call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus", "ReloadConfig"});
  return sdbus::createSystemBusConnection(kSilentName);
}

TEST(BusConnectionTest, AnUnansweredCallEndsAtItsDeadlineThoughAnEarlierCallsIsLater) {
  DECKHAND_REQUIRE_ROOT();
  const test::SystemdSandbox sandbox;
  setenv("DBUS_SYSTEM_BUS_ADDRESS", sandbox.busAddress().c_str(), 1);
  const auto silent = ownSilentName(sandbox);
  boost::asio::io_context io(1);
  BusConnection bus(io.get_executor(), sdbus::createSystemBusConnection(), [] {});
  const auto proxy = sdbus::createProxy(bus.connection(), kSilentName, "/org/deckhand/test");
  const auto call = [&](std::chrono::milliseconds timeout, std::optional<std::string>& outcome) {
    proxy->callMethodAsync("Wait")
        .onInterface("org.deckhand.test.Silent")
        .withTimeout(timeout)
        .uponReplyInvoke([&outcome](const sdbus::Error* error) {
          outcome = error ? error->getName() : "reply";
        });
    bus.kick();
  };
  std::optional<std::string> first, second;
  call(60'000ms, first);
  // Long enough for the connection to arm its timer for the first call's deadline.
  EXPECT_FALSE(test::runUntil(
      io, [&] { return first.has_value(); }, 100ms));
  call(300ms, second);
  ASSERT_TRUE(test::runUntil(
      io, [&] { return second.has_value(); }, 10s))
      << "the second call did not time out after 300 ms";
  EXPECT_EQ(*second, "org.freedesktop.DBus.Error.NoReply");
  EXPECT_FALSE(first.has_value());
  unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}

}  // namespace
}  // namespace deckhand::dbus
