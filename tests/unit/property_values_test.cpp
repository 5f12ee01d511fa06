// Reading properties straight out of sd-bus messages, as systemd's PropertiesChanged signals and
// GetAll replies carry them. The messages are built with sd-bus on a bus that never connects: a
// message needs a bus, not a peer.

#include "dbus/property_values.hpp"

#include <gtest/gtest.h>
#include <sdbus-c++/Error.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using deckhand::dbus::findProperty;
using deckhand::dbus::PropertyMap;
using deckhand::dbus::readProperties;
using deckhand::dbus::readPropertyValue;

class PropertyValuesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets_), 0);
    ASSERT_GE(sd_bus_new(&bus_), 0);
    ASSERT_GE(sd_bus_set_fd(bus_, sockets_[0], sockets_[0]), 0);
    ASSERT_GE(sd_bus_start(bus_), 0);
    ASSERT_GE(sd_bus_message_new_signal(bus_, &message_, "/org/freedesktop/systemd1/unit/a",
                                        "org.freedesktop.DBus.Properties", "PropertiesChanged"),
              0);
  }
  void TearDown() override {
    sd_bus_message_unref(message_);
    sd_bus_close_unref(bus_);  // closes sockets_[0]
    close(sockets_[1]);
  }

  // Seals what was appended and moves the read position to its start.
  sd_bus_message* sealed() {
    EXPECT_GE(sd_bus_message_seal(message_, 1, 0), 0);
    EXPECT_GE(sd_bus_message_rewind(message_, 1), 0);
    return message_;
  }

  int sockets_[2] = {-1, -1};
  sd_bus* bus_ = nullptr;
  sd_bus_message* message_ = nullptr;
};

bool anyName(std::string_view) {
  return true;
}

TEST_F(PropertyValuesTest, ReadsEveryTypeDeckhandUses) {
  const std::uint8_t id[] = {0xde, 0xad, 0xbe, 0xef};
  ASSERT_GE(sd_bus_message_open_container(message_, 'a', "{sv}"), 0);
  ASSERT_GE(sd_bus_message_append(message_, "{sv}", "ActiveState", "s", "active"), 0);
  ASSERT_GE(sd_bus_message_append(message_, "{sv}", "ExecMainStatus", "i", -3), 0);
  ASSERT_GE(sd_bus_message_append(message_, "{sv}", "MainPID", "u", 4242u), 0);
  ASSERT_GE(sd_bus_message_append(message_, "{sv}", "ActiveEnterTimestamp", "t", UINT64_MAX), 0);
  ASSERT_GE(sd_bus_message_append(message_, "{sv}", "Transient", "b", 1), 0);
  ASSERT_GE(sd_bus_message_append(message_, "{sv}", "Job", "o", "/org/freedesktop/systemd1/job/7"),
            0);
  ASSERT_GE(sd_bus_message_append(message_, "{sv}", "LoadError", "(ss)",
                                  "org.freedesktop.systemd1.NoSuchUnit", "Unit a not found."),
            0);
  ASSERT_GE(sd_bus_message_open_container(message_, 'e', "sv"), 0);
  ASSERT_GE(sd_bus_message_append(message_, "s", "InvocationID"), 0);
  ASSERT_GE(sd_bus_message_open_container(message_, 'v', "ay"), 0);
  ASSERT_GE(sd_bus_message_append_array(message_, 'y', id, sizeof id), 0);
  ASSERT_GE(sd_bus_message_close_container(message_), 0);
  ASSERT_GE(sd_bus_message_close_container(message_), 0);
  ASSERT_GE(sd_bus_message_close_container(message_), 0);

  const PropertyMap properties = readProperties(sealed(), anyName);

  EXPECT_EQ(properties.size(), 8u);
  EXPECT_EQ(*findProperty<std::string>(properties, "ActiveState"), "active");
  EXPECT_EQ(*findProperty<std::int32_t>(properties, "ExecMainStatus"), -3);
  EXPECT_EQ(*findProperty<std::uint32_t>(properties, "MainPID"), 4242u);
  EXPECT_EQ(*findProperty<std::uint64_t>(properties, "ActiveEnterTimestamp"), UINT64_MAX);
  EXPECT_TRUE(*findProperty<bool>(properties, "Transient"));
  EXPECT_EQ(*findProperty<std::string>(properties, "Job"), "/org/freedesktop/systemd1/job/7");
  const auto* load_error =
      findProperty<std::pair<std::string, std::string>>(properties, "LoadError");
  ASSERT_NE(load_error, nullptr);
  EXPECT_EQ(load_error->second, "Unit a not found.");
  EXPECT_EQ(*findProperty<std::vector<std::uint8_t>>(properties, "InvocationID"),
            (std::vector<std::uint8_t>{0xde, 0xad, 0xbe, 0xef}));
  // Asked as another type than it has, a property is not there.
  EXPECT_EQ(findProperty<std::uint32_t>(properties, "ActiveState"), nullptr);
}

TEST_F(PropertyValuesTest, SkipsUnwantedAndUnreadableValuesAndReadsOnAfterThem) {
  ASSERT_GE(sd_bus_message_append(message_, "s", "org.freedesktop.systemd1.Service"), 0);
  ASSERT_GE(sd_bus_message_open_container(message_, 'a', "{sv}"), 0);
  ASSERT_GE(sd_bus_message_append(message_, "{sv}", "Names", "as", 2, "a.service", "b.service"), 0);
  ASSERT_GE(sd_bus_message_append(message_, "{sv}", "Result", "s", "exit-code"), 0);
  ASSERT_GE(sd_bus_message_append(message_, "{sv}", "StatusText", "s", "not wanted"), 0);
  // ExecStart's type: too deep for deckhand, skipped even when wanted.
  ASSERT_GE(sd_bus_message_append(message_, "{sv}", "ExecStart", "a(sasbttttuii)", 1, "/bin/true",
                                  1, "/bin/true", 0, 1ul, 2ul, 3ul, 4ul, 5u, 6, 7),
            0);
  ASSERT_GE(sd_bus_message_append(message_, "{sv}", "NRestarts", "u", 5u), 0);
  ASSERT_GE(sd_bus_message_close_container(message_), 0);
  ASSERT_GE(sd_bus_message_append(message_, "as", 1, "Slice"), 0);
  sd_bus_message* message = sealed();
  const char* interface = nullptr;
  ASSERT_GE(sd_bus_message_read(message, "s", &interface), 0);

  const PropertyMap properties = readProperties(
      message, [](std::string_view name) { return name != "StatusText" && name != "Names"; });

  EXPECT_EQ(properties.size(), 2u);
  EXPECT_EQ(*findProperty<std::string>(properties, "Result"), "exit-code");
  EXPECT_EQ(*findProperty<std::uint32_t>(properties, "NRestarts"), 5u);
  // The read position is right after the properties, at the invalidated names.
  const char* invalidated = nullptr;
  ASSERT_GE(sd_bus_message_enter_container(message, 'a', "s"), 0);
  ASSERT_GT(sd_bus_message_read(message, "s", &invalidated), 0);
  EXPECT_STREQ(invalidated, "Slice");
}

TEST_F(PropertyValuesTest, ReadsAPropertiesChangedSignalKeepingWantedNamesOnly) {
  ASSERT_GE(sd_bus_message_append(message_, "sa{sv}as", "org.freedesktop.systemd1.Unit", 2,
                                  "ActiveState", "s", "active", "Description", "s", "A unit", 3,
                                  "Slice", "LoadError", "Names"),
            0);

  const auto signal = deckhand::dbus::readPropertiesChanged(
      sealed(), [](std::string_view name) { return name == "ActiveState" || name == "LoadError"; });

  EXPECT_EQ(signal.changed.size(), 1u);
  EXPECT_EQ(*findProperty<std::string>(signal.changed, "ActiveState"), "active");
  EXPECT_EQ(signal.invalidated, std::vector<std::string>{"LoadError"});
}

TEST_F(PropertyValuesTest, ReadsOneValueOfAGetReply) {
  ASSERT_GE(sd_bus_message_append(message_, "v", "s", "running"), 0);
  ASSERT_GE(sd_bus_message_append(message_, "v", "as", 1, "x"), 0);
  sd_bus_message* message = sealed();

  const auto value = readPropertyValue(message);
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(std::get<std::string>(*value), "running");
  EXPECT_FALSE(readPropertyValue(message).has_value());
}

TEST_F(PropertyValuesTest, SomethingElseThanPropertiesIsAnError) {
  ASSERT_GE(sd_bus_message_append(message_, "u", 7u), 0);
  sd_bus_message* message = sealed();

  EXPECT_THROW(readProperties(message, anyName), sdbus::Error);
  EXPECT_THROW(readPropertyValue(message), sdbus::Error);
}

}  // namespace
