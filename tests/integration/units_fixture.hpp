#pragma once
// The agent's systemd pieces (UnitWatcher, UnitManager, SystemdLink) wired as in the daemon, on the
// test thread's io_context, talking to a real systemd booted in a sandbox for each test.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "systemd/systemd_link.hpp"
#include "systemd/unit_manager.hpp"
#include "systemd/unit_watcher.hpp"
#include "tests/harness/run_until.hpp"
#include "tests/harness/systemd_sandbox.hpp"

namespace deckhand::systemd {

using namespace std::chrono_literals;

inline constexpr const char* kSleeper = "[Service]\nExecStart=/bin/sleep 300\n";

// The agent's pieces wired as in the daemon, on this thread's io_context, talking to a sandbox.
// The units folder lives under /var/lib (not /run, /tmp or /var/tmp, which the sandbox hides), so
// systemd inside sees the same files.
class UnitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DECKHAND_REQUIRE_ROOT();
    sandbox_.emplace();
    setenv("DBUS_SYSTEM_BUS_ADDRESS", sandbox_->busAddress().c_str(), 1);
    std::string pattern = "/var/lib/deckhand-units-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    units_dir_ = pattern;
    chmod(units_dir_.c_str(), 0755);
    watcher_.emplace(io_.get_executor(), [this](const std::string& unit, const UnitState& state) {
      changes_[unit].push_back(state);
    });
    units_.emplace(io_.get_executor(), units_dir_, *watcher_);
    link_.emplace(io_.get_executor(), *watcher_, *units_,
                  SystemdLink::Events{[this](const std::string&) { ++ready_count_; },
                                      [this] { ++lost_count_; }});
    link_->start();
    ASSERT_TRUE(runUntil([this] { return link_->ready(); }, 10s)) << "systemd link not ready";
  }

  void TearDown() override {
    link_.reset();
    units_.reset();
    watcher_.reset();
    sandbox_.reset();
    if (!units_dir_.empty()) std::filesystem::remove_all(units_dir_);
    unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
  }

  template <typename Predicate>
  bool runUntil(Predicate done, std::chrono::milliseconds timeout) {
    return test::runUntil(io_, done, timeout);
  }

  std::optional<std::string> install(const std::string& name, const std::string& text) {
    std::optional<std::optional<std::string>> result;
    units_->install(name, text, [&](const std::optional<std::string>& error) { result = error; });
    EXPECT_TRUE(runUntil([&] { return result.has_value(); }, 10s)) << "install " << name;
    return result.value_or("timed out");
  }

  // Installs prefix0.service … prefix<count-1>.service in one turn, as a desired batch does.
  void installTogether(const std::string& prefix, int count, const std::string& text) {
    int installed = 0;
    for (int i = 0; i < count; ++i) {
      units_->install(prefix + std::to_string(i) + ".service", text,
                      [&](const std::optional<std::string>& error) {
                        EXPECT_EQ(error, std::nullopt);
                        ++installed;
                      });
    }
    ASSERT_TRUE(runUntil([&] { return installed == count; }, 20s)) << "installing " << prefix;
  }

  std::optional<std::string> remove(const std::string& name) {
    std::optional<std::optional<std::string>> result;
    units_->remove(name, [&](const std::optional<std::string>& error) { result = error; });
    EXPECT_TRUE(runUntil([&] { return result.has_value(); }, 10s)) << "remove " << name;
    return result.value_or("timed out");
  }

  template <typename Operation>
  JobResult job(Operation operation, const std::string& name) {
    std::optional<JobResult> result;
    (*units_.*operation)(name, [&](const JobResult& outcome) { result = outcome; });
    EXPECT_TRUE(runUntil([&] { return result.has_value(); }, 20s)) << name;
    return result.value_or(JobResult{name, "?", "timed out", "", {}});
  }

  bool waitForState(const std::string& unit, const std::string& active_state,
                    std::chrono::milliseconds timeout = 10s) {
    return runUntil(
        [&] {
          const UnitState* state = watcher_->state(unit);
          return state != nullptr && state->active_state == active_state;
        },
        timeout);
  }

  boost::asio::io_context io_;
  std::optional<test::SystemdSandbox> sandbox_;
  std::filesystem::path units_dir_;
  std::optional<UnitWatcher> watcher_;
  std::optional<UnitManager> units_;
  std::optional<SystemdLink> link_;
  std::map<std::string, std::vector<UnitState>> changes_;
  int ready_count_ = 0;
  int lost_count_ = 0;
};

}  // namespace deckhand::systemd
