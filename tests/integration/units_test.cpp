// UnitManager, UnitWatcher and SystemdLink against a real systemd and dbus-daemon in a sandbox.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sdbus-c++/IConnection.h>

#include <csignal>
#include <fstream>
#include <map>
#include <set>
#include <string_view>

#include "dbus/bus_connection.hpp"
#include "dbus/unit_properties.hpp"
#include "tests/integration/units_fixture.hpp"

namespace deckhand::systemd {
namespace {

using ::testing::HasSubstr;

TEST_F(UnitsTest, InstallStartStopRemove) {
  ASSERT_EQ(install("web.service", kSleeper), std::nullopt);
  EXPECT_TRUE(units_->owns("web.service"));
  EXPECT_EQ(std::filesystem::read_symlink(sandbox_->unitDir() / "web.service"),
            units_dir_ / "web.service");
  watcher_->watch("web.service");

  const JobResult started = job(&UnitManager::start, "web.service");
  EXPECT_TRUE(started.ok()) << started.describe();
  EXPECT_EQ(started.state.active_state, "active");
  EXPECT_GT(started.state.main_pid, 0u);
  ASSERT_TRUE(waitForState("web.service", "active"));
  EXPECT_EQ(watcher_->state("web.service")->sub_state, "running");
  EXPECT_EQ(watcher_->state("web.service")->invocation_id.size(), 32u);

  const JobResult stopped = job(&UnitManager::stop, "web.service");
  EXPECT_TRUE(stopped.ok()) << stopped.describe();
  ASSERT_TRUE(waitForState("web.service", "inactive"));

  ASSERT_EQ(remove("web.service"), std::nullopt);
  EXPECT_FALSE(units_->owns("web.service"));
  EXPECT_FALSE(std::filesystem::exists(sandbox_->unitDir() / "web.service"));
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "LoadState", "web.service"}), "not-found");
}

TEST_F(UnitsTest, RestartAndReloadReportTheirJobs) {
  ASSERT_EQ(
      install("reloadable.service", "[Service]\nExecStart=/bin/sleep 300\nExecReload=/bin/true\n"),
      std::nullopt);
  ASSERT_TRUE(job(&UnitManager::start, "reloadable.service").ok());
  const std::uint32_t first_pid = job(&UnitManager::reload, "reloadable.service").state.main_pid;
  const JobResult restarted = job(&UnitManager::restart, "reloadable.service");
  EXPECT_TRUE(restarted.ok()) << restarted.describe();
  EXPECT_NE(restarted.state.main_pid, first_pid);
  EXPECT_EQ(restarted.state.active_state, "active");
}

TEST_F(UnitsTest, FailingUnitReportsItsExitStatus) {
  ASSERT_EQ(install("exit3.service", "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'exit 3'\n"),
            std::nullopt);
  watcher_->watch("exit3.service");
  const JobResult result = job(&UnitManager::start, "exit3.service");
  EXPECT_EQ(result.result, "failed");
  EXPECT_EQ(result.state.active_state, "failed");
  EXPECT_EQ(result.state.result, "exit-code");
  EXPECT_EQ(result.state.exec_main_code, 1);  // CLD_EXITED
  EXPECT_EQ(result.state.exec_main_status, 3);
  EXPECT_THAT(result.describe(), HasSubstr("status 3"));
  ASSERT_TRUE(waitForState("exit3.service", "failed"));

  std::optional<std::optional<std::string>> reset;
  units_->resetFailed("exit3.service", [&](const auto& error) { reset = error; });
  ASSERT_TRUE(runUntil([&] { return reset.has_value(); }, 5s));
  EXPECT_EQ(*reset, std::nullopt);
  EXPECT_TRUE(waitForState("exit3.service", "inactive"));
}

TEST_F(UnitsTest, RestartAlwaysUnitCountsRestarts) {
  ASSERT_EQ(install("flappy.service",
                    "[Unit]\nStartLimitIntervalSec=0\n[Service]\nRestart=always\n"
                    "RestartSec=50ms\nExecStart=/bin/sh -c 'sleep 0.1; exit 1'\n"),
            std::nullopt);
  watcher_->watch("flappy.service");
  ASSERT_TRUE(job(&UnitManager::start, "flappy.service").ok());
  EXPECT_TRUE(runUntil(
      [&] {
        const UnitState* state = watcher_->state("flappy.service");
        return state != nullptr && state->n_restarts >= 3;
      },
      10s));
  ASSERT_TRUE(job(&UnitManager::stop, "flappy.service").ok());
}

TEST_F(UnitsTest, UnitKilledBySignalIsReportedSo) {
  ASSERT_EQ(install("victim.service", kSleeper), std::nullopt);
  watcher_->watch("victim.service");
  ASSERT_TRUE(job(&UnitManager::start, "victim.service").ok());
  std::optional<std::optional<std::string>> killed;
  units_->kill("victim.service", "main", SIGKILL, [&](const auto& error) { killed = error; });
  ASSERT_TRUE(runUntil([&] { return killed.has_value(); }, 5s));
  EXPECT_EQ(*killed, std::nullopt);
  ASSERT_TRUE(waitForState("victim.service", "failed"));
  const UnitState* state = watcher_->state("victim.service");
  EXPECT_EQ(state->result, "signal");
  EXPECT_EQ(state->exec_main_code, 2);  // CLD_KILLED
  EXPECT_EQ(state->exec_main_status, SIGKILL);
}

TEST_F(UnitsTest, InvalidUnitFileReportsLoadErrorWithReason) {
  ASSERT_EQ(install("broken.service", "[Service]\nExecStart=relative/path\n"), std::nullopt);
  watcher_->watch("broken.service");
  const JobResult result = job(&UnitManager::start, "broken.service");
  EXPECT_EQ(result.result, "error");
  EXPECT_THAT(result.error, HasSubstr("broken.service"));
  ASSERT_TRUE(runUntil([&] { return watcher_->state("broken.service") != nullptr; }, 5s));
  EXPECT_EQ(watcher_->state("broken.service")->load_state, "bad-setting");
  EXPECT_FALSE(watcher_->state("broken.service")->load_error.empty());
}

TEST_F(UnitsTest, InstallWritesTheNormalisedTextAndRefusesGarbage) {
  ASSERT_EQ(install("tidy.service", "# comment\n[Service]\nExecStart=/bin/sleep \\\n  300\n"),
            std::nullopt);
  std::ifstream file(units_dir_ / "tidy.service");
  const std::string written((std::istreambuf_iterator<char>(file)), {});
  EXPECT_EQ(written, "[Service]\nExecStart=/bin/sleep 300\n");

  EXPECT_THAT(install("junk.service", "this is not a unit file").value_or(""),
              HasSubstr("install junk.service: "));
  EXPECT_FALSE(std::filesystem::exists(units_dir_ / "junk.service"));
  EXPECT_THAT(install("big.service", "[Service]\n" + std::string(2 << 20, '#')).value_or(""),
              HasSubstr("big.service"));
}

TEST_F(UnitsTest, RefusesUnitsItDidNotInstall) {
  std::ofstream(sandbox_->unitDir() / "foreign.service") << kSleeper;
  const JobResult start = job(&UnitManager::start, "foreign.service");
  EXPECT_EQ(start.result, "refused");
  EXPECT_THAT(start.error, HasSubstr("deckhand did not install foreign.service"));
  EXPECT_THAT(remove("foreign.service").value_or(""), HasSubstr("foreign.service"));
  EXPECT_TRUE(std::filesystem::exists(sandbox_->unitDir() / "foreign.service"));

  const JobResult unknown = job(&UnitManager::stop, "nonexistent.service");
  EXPECT_EQ(unknown.result, "refused");
  EXPECT_THAT(units_->owns("../etc.service") ? "" : install("../x.service", kSleeper).value_or(""),
              HasSubstr("'/'"));
}

TEST_F(UnitsTest, AUnitNewToSystemdIsInstalledAndStartedWithoutAReload) {
  const std::size_t reloads_before = units_->reloadsDone();
  ASSERT_EQ(install("fresh.service", kSleeper), std::nullopt);
  EXPECT_EQ(units_->reloadsDone(), reloads_before);
  ASSERT_TRUE(job(&UnitManager::start, "fresh.service").ok());
  EXPECT_NE(sandbox_->systemctl({"show", "-P", "ExecMainPID", "fresh.service"}), "0");
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "NeedDaemonReload", "fresh.service"}), "no");
}

TEST_F(UnitsTest, AUnitRemovedAndInstalledAgainRunsItsNewText) {
  ASSERT_EQ(install("again.service", kSleeper), std::nullopt);
  ASSERT_TRUE(job(&UnitManager::start, "again.service").ok());
  ASSERT_EQ(remove("again.service"), std::nullopt);
  watcher_->unwatch("again.service");
  ASSERT_EQ(install("again.service", "[Service]\nExecStart=/bin/sleep 302\n"), std::nullopt);
  ASSERT_TRUE(job(&UnitManager::start, "again.service").ok());
  EXPECT_THAT(sandbox_->systemctl({"show", "-P", "ExecStart", "again.service"}),
              HasSubstr("sleep 302"));
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "NeedDaemonReload", "again.service"}), "no");
}

TEST_F(UnitsTest, ChangesRequestedTogetherShareOneReload) {
  installTogether("batch", 20, kSleeper);
  const std::size_t reloads_before = units_->reloadsDone();
  // systemd holds these now: a new text needs a reload, one for them all.
  installTogether("batch", 20, "[Service]\nExecStart=/bin/sleep 301\n");
  EXPECT_GE(units_->reloadsDone() - reloads_before, 1u);
  EXPECT_LE(units_->reloadsDone() - reloads_before, 2u);
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "NeedDaemonReload", "batch19.service"}), "no");
  EXPECT_THAT(sandbox_->systemctl({"show", "-P", "ExecStart", "batch19.service"}),
              HasSubstr("sleep 301"));
}

TEST_F(UnitsTest, FilesInstalledTogetherShareOneLinkCall) {
  const std::size_t links_before = units_->linkCallsMade();
  installTogether("linked", 20, kSleeper);
  EXPECT_EQ(units_->linkCallsMade() - links_before, 1u);
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "LoadState", "linked0.service"}), "loaded");
}

TEST_F(UnitsTest, InstalledUnitsAreKnownFromOneListingNotReadOneByOne) {
  const std::size_t reads_before = watcher_->unitReadsMade();
  const std::size_t listed_before = watcher_->installedUnitsListed();
  installTogether("listed", 20, kSleeper);
  bool settled = false;
  watcher_->whenSettled([&] { settled = true; });
  ASSERT_TRUE(runUntil([&] { return settled; }, 10s));
  EXPECT_EQ(watcher_->unitReadsMade(), reads_before);
  EXPECT_EQ(watcher_->installedUnitsListed() - listed_before, 20u);
  const UnitState* state = watcher_->state("listed7.service");
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(describeUnitState(*state), "inactive (dead)");
  EXPECT_EQ(state->load_state, "loaded");
  EXPECT_EQ(state->result, "success");
}

// One match rule hears every unit's PropertiesChanged, also those of the targets and slices each
// loaded unit changes; only the watched units' signals are read.
TEST_F(UnitsTest, SignalsOfUnitsNotWatchedAreDroppedUnread) {
  dbus::BusConnection bus(io_.get_executor(), sdbus::createSystemBusConnection(), [] {});
  std::string asked;                    // the unit the last signal was about
  std::set<std::string> signalled;      // every unit a signal was about
  std::set<std::string> read_for;       // the units whose signals had a property read
  std::set<std::string> changes_about;  // the units whose signals were handed over
  dbus::UnitProperties properties(
      bus,
      [&](std::string_view) {
        read_for.insert(asked);
        return true;
      },
      [&](const std::string& unit) {
        asked = unit;
        signalled.insert(unit);
        return unit == "heard.service";
      },
      [&](const std::string& unit, const dbus::PropertiesChanged&) { changes_about.insert(unit); });
  ASSERT_EQ(install("heard.service", kSleeper), std::nullopt);
  ASSERT_EQ(install("unheard.service", kSleeper), std::nullopt);
  ASSERT_TRUE(job(&UnitManager::start, "unheard.service").ok());
  ASSERT_TRUE(job(&UnitManager::start, "heard.service").ok());
  ASSERT_TRUE(runUntil([&] { return changes_about.contains("heard.service"); }, 10s));
  EXPECT_TRUE(signalled.contains("unheard.service"));
  EXPECT_EQ(read_for, std::set<std::string>{"heard.service"});
  EXPECT_EQ(changes_about, std::set<std::string>{"heard.service"});
}

TEST_F(UnitsTest, UnitsStartedAsTheyAreInstalledAreKnownFromTheirJobsNotReadOrListed) {
  // More than the bound on unfinished jobs: some starts wait in deckhand while others run.
  constexpr int kCount = static_cast<int>(UnitManager::kMaxUnfinishedJobs) + 22;
  const auto name = [](int i) { return "started" + std::to_string(i) + ".service"; };
  const std::size_t reads_before = watcher_->unitReadsMade();
  const std::size_t listed_before = watcher_->installedUnitsListed();
  std::vector<JobResult> results;
  int installed = 0;
  // As a desired batch runs: the starts are queued in the turn the installs end, before the
  // watcher has listed the new units.
  for (int i = 0; i < kCount; ++i) {
    units_->install(name(i), kSleeper, [&](const std::optional<std::string>& error) {
      EXPECT_EQ(error, std::nullopt);
      if (++installed < kCount) return;
      for (int j = 0; j < kCount; ++j)
        units_->start(name(j), [&](const JobResult& result) { results.push_back(result); });
    });
  }
  ASSERT_TRUE(runUntil([&] { return results.size() == kCount; }, 30s));
  bool settled = false;
  watcher_->whenSettled([&] { settled = true; });
  ASSERT_TRUE(runUntil([&] { return settled; }, 10s));

  EXPECT_EQ(watcher_->unitReadsMade(), reads_before);
  // A listing would have loaded every unit still waiting for its turn to start, which systemd
  // then collects, and loads again for its job.
  EXPECT_EQ(watcher_->installedUnitsListed(), listed_before);
  for (const JobResult& result : results) {
    EXPECT_TRUE(result.ok()) << result.describe();
    EXPECT_EQ(result.state.load_state, "loaded") << result.unit;
    EXPECT_EQ(describeUnitState(result.state), "active (running)") << result.unit;
    EXPECT_GT(result.state.main_pid, 0u) << result.unit;
  }
  const UnitState* state = watcher_->state(name(kCount - 1));
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(describeUnitState(*state), "active (running)");
  EXPECT_EQ(state->result, "success");
  EXPECT_EQ(state->invocation_id.size(), 32u);
  EXPECT_EQ(std::to_string(state->main_pid),
            sandbox_->systemctl({"show", "-P", "MainPID", name(kCount - 1)}));
  // No change is reported before the unit is known in full.
  for (int i = 0; i < kCount; ++i) {
    ASSERT_FALSE(changes_[name(i)].empty()) << name(i);
    for (const UnitState& change : changes_[name(i)])
      EXPECT_EQ(change.load_state, "loaded") << name(i);
  }
}

TEST_F(UnitsTest, AJobThatChangesNothingRightAfterTheInstallStillReportsTheUnit) {
  std::optional<JobResult> stopped;
  units_->install("idle.service", kSleeper, [&](const std::optional<std::string>& error) {
    EXPECT_EQ(error, std::nullopt);
    units_->stop("idle.service", [&](const JobResult& result) { stopped = result; });
  });
  ASSERT_TRUE(runUntil([&] { return stopped.has_value(); }, 10s));
  EXPECT_TRUE(stopped->ok()) << stopped->describe();
  EXPECT_EQ(stopped->state.load_state, "loaded");
  EXPECT_EQ(describeUnitState(stopped->state), "inactive (dead)");
  ASSERT_TRUE(waitForState("idle.service", "inactive"));
  EXPECT_EQ(watcher_->state("idle.service")->load_state, "loaded");
}

TEST_F(UnitsTest, InstallingAUnitSystemdAlreadyRunsReadsItInFull) {
  ASSERT_EQ(install("running.service", kSleeper), std::nullopt);
  ASSERT_TRUE(job(&UnitManager::start, "running.service").ok());
  const std::string pid = sandbox_->systemctl({"show", "-P", "MainPID", "running.service"});
  watcher_->unwatch("running.service");
  ASSERT_EQ(install("running.service", kSleeper), std::nullopt);
  ASSERT_TRUE(runUntil([&] { return watcher_->state("running.service") != nullptr; }, 5s));
  const UnitState* state = watcher_->state("running.service");
  EXPECT_EQ(describeUnitState(*state), "active (running)");
  EXPECT_EQ(std::to_string(state->main_pid), pid);
  EXPECT_FALSE(state->invocation_id.empty());
}

// systemd loads a unit it found missing once its file appears and someone starts it, with no
// reload; LoadState is never signalled, so the watcher reads it when the unit's first signal comes.
TEST_F(UnitsTest, AWatchedUnitNotFoundIsSeenLoadedOnceSomeoneElseInstallsAndStartsIt) {
  watcher_->watch("late.service");
  const auto load_state = [&] {
    const UnitState* state = watcher_->state("late.service");
    return state == nullptr ? "" : state->load_state;
  };
  ASSERT_TRUE(runUntil([&] { return load_state() == "not-found"; }, 5s)) << load_state();
  std::ofstream(sandbox_->unitDir() / "late.service") << kSleeper;
  sandbox_->systemctl({"start", "late.service"});
  ASSERT_TRUE(waitForState("late.service", "active"));
  EXPECT_TRUE(runUntil([&] { return load_state() == "loaded"; }, 5s)) << load_state();
  EXPECT_EQ(changes_["late.service"].back().load_state, "loaded");
}

TEST_F(UnitsTest, ListNowTellsTheLoadStateOfManyUnitsInOneAnswer) {
  ASSERT_EQ(install("mine.service", kSleeper), std::nullopt);
  std::ofstream(sandbox_->unitDir() / "foreign.service") << kSleeper;
  std::vector<std::string> names{"mine.service", "foreign.service", "nowhere.service"};
  for (int i = 0; i < 300; ++i)  // more than one call's worth
    names.push_back("absent" + std::to_string(i) + ".service");
  std::optional<std::map<std::string, dbus::ListedUnit>> listed;
  watcher_->listNow(names, [&](const auto& error, const auto& units) {
    EXPECT_EQ(error, std::nullopt);
    listed = units;
  });
  ASSERT_TRUE(runUntil([&] { return listed.has_value(); }, 10s));
  EXPECT_EQ(listed->size(), names.size());
  EXPECT_EQ(listed->at("mine.service").load_state, "loaded");
  EXPECT_EQ(listed->at("foreign.service").load_state, "loaded");
  EXPECT_EQ(listed->at("nowhere.service").load_state, "not-found");
  EXPECT_EQ(listed->at("absent299.service").load_state, "not-found");
}

TEST_F(UnitsTest, OneFileSystemdWillNotLinkFailsAloneInItsBatch) {
  // A regular file of the same name in systemd's runtime folder is not the agent's to replace.
  ASSERT_EQ(sandbox_
                ->exec({"sh", "-c",
                        "printf '[Service]\\nExecStart=/bin/true\\n' > "
                        "/run/systemd/system/occupied.service"})
                .exit_code,
            0);
  std::map<std::string, std::optional<std::string>> results;
  for (const std::string name : {"free1.service", "occupied.service", "free2.service"}) {
    units_->install(name, kSleeper, [&results, name](const std::optional<std::string>& error) {
      results[name] = error;
    });
  }
  ASSERT_TRUE(runUntil([&] { return results.size() == 3; }, 20s));
  EXPECT_EQ(results["free1.service"], std::nullopt);
  EXPECT_EQ(results["free2.service"], std::nullopt);
  EXPECT_THAT(results["occupied.service"].value_or(""),
              HasSubstr("install occupied.service: linking failed"));
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "LoadState", "free2.service"}), "loaded");
}

TEST_F(UnitsTest, TransientUnitRunsAOneOffCommand) {
  std::optional<JobResult> result;
  units_->runTransient("deckhand-once.service", {"/bin/sh", "-c", "echo ran > /dev/null"},
                       [&](const JobResult& outcome) { result = outcome; });
  ASSERT_TRUE(runUntil([&] { return result.has_value(); }, 10s));
  EXPECT_TRUE(result->ok()) << result->describe();

  std::optional<JobResult> refused;
  units_->runTransient("deckhand-bad.service", {"sh", "-c", "true"},
                       [&](const JobResult& outcome) { refused = outcome; });
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->result, "refused");
}

}  // namespace
}  // namespace deckhand::systemd
