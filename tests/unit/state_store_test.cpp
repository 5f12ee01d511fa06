// Store: what was saved comes back after a restart; an unusable file is set aside and reported as
// lost, never fatal; a failed write is reported and retried while the state in memory stays.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "agent/state/store.hpp"
#include "systemd/unit_file.hpp"
#include "tests/harness/run_until.hpp"

namespace deckhand::state {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using TargetState = reconciler::DesiredUnit::TargetState;

constexpr const char* kWeb = "[Service]\nExecStart=/bin/sleep 300\n";

DesiredUnits oneUnit(const std::string& name) {
  const std::string hash = systemd::unitHash(systemd::parseUnitFile(kWeb, name));
  return {{name, {name, TargetState::launched, kWeb, hash}}};
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "deckhand-store-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    folder_ = root_ / "state";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // Saves and waits for the first attempt; its error, if any.
  std::optional<std::string> save(Store& store, const DesiredUnits& units) {
    std::optional<std::optional<std::string>> outcome;
    store.saveDesired(units, [&](const std::optional<std::string>& error) { outcome = error; });
    EXPECT_TRUE(test::runUntil(
        io_, [&] { return outcome.has_value(); }, 10s));
    return outcome.value_or("timed out");
  }

  std::vector<std::filesystem::path> setAside() const {
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(folder_)) {
      if (entry.path().filename().string().find(".corrupt-") != std::string::npos) {
        found.push_back(entry.path());
      }
    }
    return found;
  }

  boost::asio::io_context io_;
  std::filesystem::path root_;
  std::filesystem::path folder_;
};

TEST_F(StoreTest, NothingSavedIsNothingLost) {
  Store store(io_.get_executor(), folder_);
  EXPECT_TRUE(store.loadDesired().empty());
  EXPECT_EQ(store.loadMetadata(), std::nullopt);
  EXPECT_FALSE(store.lost().desired);
  EXPECT_FALSE(store.lost().metadata);
}

TEST_F(StoreTest, WhatWasSavedIsLoadedByTheNextAgent) {
  {
    Store store(io_.get_executor(), folder_);
    EXPECT_EQ(save(store, oneUnit("web.service")), std::nullopt);
    EXPECT_TRUE(store.desiredSaved());
    std::optional<std::optional<std::string>> outcome;
    store.saveMetadata({{"rack", "r7"}},
                       [&](const std::optional<std::string>& error) { outcome = error; });
    ASSERT_TRUE(test::runUntil(
        io_, [&] { return outcome.has_value(); }, 10s));
    EXPECT_EQ(*outcome, std::nullopt);
  }
  Store next(io_.get_executor(), folder_);
  const DesiredUnits loaded = next.loadDesired();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded.at("web.service").text, kWeb);
  EXPECT_EQ(next.loadMetadata(), (machine::Metadata{{"rack", "r7"}}));
}

TEST_F(StoreTest, SavesDuringAWriteCoalesceIntoTheNewest) {
  Store store(io_.get_executor(), folder_);
  int answered = 0;
  for (int i = 0; i < 50; ++i) {
    store.saveDesired(oneUnit("u" + std::to_string(i) + ".service"),
                      [&](const std::optional<std::string>& error) {
                        EXPECT_EQ(error, std::nullopt);
                        ++answered;
                      });
  }
  ASSERT_TRUE(test::runUntil(
      io_, [&] { return answered == 50 && store.desiredSaved(); }, 10s));
  Store next(io_.get_executor(), folder_);
  const DesiredUnits loaded = next.loadDesired();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_TRUE(loaded.contains("u49.service"));
}

TEST_F(StoreTest, ACorruptFileIsSetAsideAndReportedLost) {
  std::filesystem::create_directories(folder_);
  std::ofstream(folder_ / kDesiredFile) << R"({"version":1,"units":[{"name":"web.serv)";
  std::ofstream(folder_ / kMetadataFile) << R"({"version":7,"metadata":{}})";
  Store store(io_.get_executor(), folder_);
  EXPECT_TRUE(store.loadDesired().empty());
  EXPECT_EQ(store.loadMetadata(), std::nullopt);
  EXPECT_TRUE(store.lost().desired);
  EXPECT_TRUE(store.lost().metadata);
  EXPECT_FALSE(std::filesystem::exists(folder_ / kDesiredFile));
  EXPECT_EQ(setAside().size(), 2u);

  // The next save writes a fresh file, and a later agent loads it normally.
  EXPECT_EQ(save(store, oneUnit("web.service")), std::nullopt);
  store.desiredResent();
  EXPECT_FALSE(store.lost().desired);
  Store next(io_.get_executor(), folder_);
  EXPECT_EQ(next.loadDesired().size(), 1u);
  EXPECT_FALSE(next.lost().desired);
}

TEST_F(StoreTest, AnUnreadableFileIsLostNotFatal) {
  std::filesystem::create_directories(folder_ / kDesiredFile);  // read(2) fails: EISDIR
  Store store(io_.get_executor(), folder_);
  EXPECT_TRUE(store.loadDesired().empty());
  EXPECT_TRUE(store.lost().desired);
  EXPECT_EQ(setAside().size(), 1u);
}

TEST_F(StoreTest, AFailedWriteIsReportedAndRetriedUntilItSucceeds) {
  // The state folder's path is taken by a file: every write fails until it is gone.
  std::ofstream(folder_) << "in the way";
  Store store(io_.get_executor(), folder_);
  const auto error = save(store, oneUnit("first.service"));
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(*error, HasSubstr(folder_.string()));
  EXPECT_FALSE(store.desiredSaved());

  // A newer state while failing replaces the one waiting to be retried.
  EXPECT_TRUE(save(store, oneUnit("second.service")).has_value());
  std::filesystem::remove(folder_);
  ASSERT_TRUE(test::runUntil(
      io_, [&] { return store.desiredSaved(); }, Store::kFirstRetry * 4 + 5s));
  Store next(io_.get_executor(), folder_);
  const DesiredUnits loaded = next.loadDesired();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_TRUE(loaded.contains("second.service"));
}

TEST_F(StoreTest, AFailedMetadataWriteIsReportedOnce) {
  std::ofstream(folder_) << "in the way";
  Store store(io_.get_executor(), folder_);
  std::optional<std::optional<std::string>> outcome;
  store.saveMetadata({{"a", "1"}},
                     [&](const std::optional<std::string>& error) { outcome = error; });
  ASSERT_TRUE(test::runUntil(
      io_, [&] { return outcome.has_value(); }, 10s));
  EXPECT_TRUE(outcome->has_value());
}

}  // namespace
}  // namespace deckhand::state
