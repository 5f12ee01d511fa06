// The systemd link under load and under faults: pipelined bulk starts, a burst of external
// changes, dbus-daemon restarted mid-operation, systemd re-executed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/integration/units_fixture.hpp"

namespace deckhand::systemd {
namespace {

constexpr const char* kOneShot =
    "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n";

std::string instance(const std::string& prefix, int i) {
  return prefix + "@" + std::to_string(i) + ".service";
}

class UnitsResilienceTest : public UnitsTest {
 protected:
  // Starts count instances of template at once; returns how many jobs ended "done".
  int startAll(const std::string& prefix, int count, std::size_t* most_unfinished = nullptr) {
    int done = 0;
    int finished = 0;
    for (int i = 0; i < count; ++i) {
      units_->start(instance(prefix, i), [&](const JobResult& result) {
        ++finished;
        if (result.ok()) {
          ++done;
        } else {
          ADD_FAILURE() << result.describe();
        }
      });
    }
    std::size_t most = 0;
    EXPECT_TRUE(runUntil(
        [&] {
          most = std::max(most, units_->unfinishedJobs());
          return finished == count;
        },
        120s));
    if (most_unfinished != nullptr) *most_unfinished = most;
    return done;
  }

  // systemd still answers on its bus.
  bool systemdAnswers() {
    return test::run({"busctl", "--timeout=5", "call", "org.freedesktop.systemd1",
                      "/org/freedesktop/systemd1", "org.freedesktop.DBus.Peer", "Ping"},
                     {{"DBUS_SYSTEM_BUS_ADDRESS", sandbox_->busAddress()}})
               .exit_code == 0;
  }
};

TEST_F(UnitsResilienceTest, ThousandPipelinedStartsKeepSystemdOnTheBus) {
  ASSERT_EQ(install("bulk@.service", kOneShot), std::nullopt);
  std::size_t most_unfinished = 0;
  EXPECT_EQ(startAll("bulk", 1000, &most_unfinished), 1000);
  EXPECT_LE(most_unfinished, UnitManager::kMaxUnfinishedJobs);
  EXPECT_GT(most_unfinished, 1u) << "starts were not pipelined";
  EXPECT_EQ(lost_count_, 0);
  EXPECT_TRUE(systemdAnswers());
  EXPECT_EQ(sandbox_->systemctl({"is-active", "bulk@999.service"}), "active");
}

TEST_F(UnitsResilienceTest, BurstOfTwoHundredExternalChangesIsSeenWhole) {
  ASSERT_EQ(install("burst@.service", kSleeper), std::nullopt);
  for (int i = 0; i < 200; ++i)
    watcher_->watch(instance("burst", i));
  ASSERT_EQ(startAll("burst", 200), 200);
  ASSERT_TRUE(runUntil(
      [&] {
        for (int i = 0; i < 200; ++i) {
          const UnitState* state = watcher_->state(instance("burst", i));
          if (state == nullptr || state->active_state != "active") return false;
        }
        return true;
      },
      30s));
  changes_.clear();

  // Someone else stops them all at once, behind deckhand's back.
  const auto stopped = sandbox_->exec({"systemctl", "stop", "burst@*.service"}, 60s);
  ASSERT_EQ(stopped.exit_code, 0) << stopped.err;

  EXPECT_TRUE(runUntil(
      [&] {
        for (int i = 0; i < 200; ++i) {
          const UnitState* state = watcher_->state(instance("burst", i));
          if (state == nullptr || state->active_state != "inactive") return false;
        }
        return true;
      },
      30s));
  for (int i = 0; i < 200; ++i) {
    const auto& seen = changes_[instance("burst", i)];
    ASSERT_FALSE(seen.empty()) << instance("burst", i) << " changed unnoticed";
    EXPECT_EQ(seen.back().active_state, "inactive");
    for (std::size_t j = 1; j < seen.size(); ++j) {
      EXPECT_NE(seen[j - 1], seen[j]) << instance("burst", i) << ": reported a non-change";
    }
  }
}

TEST_F(UnitsResilienceTest, DbusDaemonRestartMidOperationIsSurvived) {
  ASSERT_EQ(install("steady@.service", kSleeper), std::nullopt);
  for (int i = 0; i < 20; ++i)
    watcher_->watch(instance("steady", i));
  ASSERT_EQ(startAll("steady", 10), 10);

  int finished = 0;
  for (int i = 10; i < 20; ++i) {
    units_->start(instance("steady", i), [&](const JobResult&) { ++finished; });
  }
  const auto restarted = sandbox_->exec({"systemctl", "restart", "dbus.service"});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.err;

  // Every request ends (done, or an error saying the bus was lost), and the link comes back.
  ASSERT_TRUE(runUntil([&] { return finished == 10; }, 30s));
  ASSERT_TRUE(runUntil([&] { return lost_count_ == 1 && link_->ready(); }, 30s));
  EXPECT_EQ(ready_count_, 2);

  // The re-read state matches systemd's, and new work goes through.
  EXPECT_EQ(startAll("steady", 20), 20);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(waitForState(instance("steady", i), "active")) << instance("steady", i);
  }
  const JobResult stopped = job(&UnitManager::stop, instance("steady", 0));
  EXPECT_TRUE(stopped.ok()) << stopped.describe();
  EXPECT_TRUE(waitForState(instance("steady", 0), "inactive"));
}

TEST_F(UnitsResilienceTest, AListingAskedForJustAfterTheBusWentAwayIsAnswered) {
  ASSERT_EQ(install("present.service", kSleeper), std::nullopt);
  const auto restarted = sandbox_->exec({"systemctl", "restart", "dbus.service"});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.err;
  ASSERT_TRUE(runUntil([&] { return lost_count_ == 1; }, 30s));
  std::optional<std::map<std::string, dbus::ListedUnit>> listed;
  watcher_->listNow({"present.service", "absent.service"},
                    [&](const auto& error, const auto& units) {
                      EXPECT_EQ(error, std::nullopt);
                      listed = units;
                    });
  ASSERT_TRUE(runUntil([&] { return listed.has_value(); }, 30s));
  EXPECT_EQ(listed->at("present.service").load_state, "loaded");
  EXPECT_EQ(listed->at("absent.service").load_state, "not-found");
}

TEST_F(UnitsResilienceTest, DaemonReexecIsFollowedByAResync) {
  ASSERT_EQ(install("survivor.service", kSleeper), std::nullopt);
  watcher_->watch("survivor.service");
  ASSERT_TRUE(job(&UnitManager::start, "survivor.service").ok());
  ASSERT_TRUE(waitForState("survivor.service", "active"));

  const auto reexec = sandbox_->exec({"systemctl", "daemon-reexec"});
  ASSERT_EQ(reexec.exit_code, 0) << reexec.err;

  // Changes after the re-exec still arrive as signals (Subscribe was renewed).
  const auto stopped = sandbox_->exec({"systemctl", "stop", "survivor.service"});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_TRUE(waitForState("survivor.service", "inactive"));
  const JobResult started = job(&UnitManager::start, "survivor.service");
  EXPECT_TRUE(started.ok()) << started.describe();
  EXPECT_TRUE(waitForState("survivor.service", "active"));
}

}  // namespace
}  // namespace deckhand::systemd
