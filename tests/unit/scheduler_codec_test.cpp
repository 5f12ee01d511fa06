// The scheduler's side of the protocol against the agent's: what one encodes, the other reads.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/link/codec_messages.hpp"
#include "agent/link/codec_requests.hpp"
#include "scheduler/agent_link/agent_codec.hpp"
#include "scheduler/store/store.hpp"
#include "systemd/unit_file.hpp"

namespace deckhand::scheduler {
namespace {

using ::testing::HasSubstr;

const std::string kText = "[Service]\nExecStart=/bin/sleep 300\n";

std::string hashOf(const std::string& text) {
  return systemd::unitHash(systemd::parseUnitFile(text, "t"));
}

TEST(SchedulerCodec, ReadsTheAgentsHello) {
  machine::MachineFacts facts;
  facts.machine_id = std::string(32, 'a');
  facts.hostname = "node-1";
  facts.public_ip = "192.0.2.1";
  facts.metadata = {{"region", "east"}};
  link::UnitReport report{"web.service", "launched", hashOf(kText), {}};
  report.state.active_state = "active";
  report.state.sub_state = "running";
  report.state.invocation_id = "0123";
  const link::UnitReport bare{"other.service", std::nullopt, std::nullopt, {}};
  const auto message =
      decodeAgentMessage(link::encodeHello(facts, std::vector<link::UnitReport>{report, bare}));
  const auto& hello = std::get<Hello>(message);
  EXPECT_EQ(hello.protocol, 1);
  EXPECT_EQ(hello.machine.id, facts.machine_id);
  EXPECT_EQ(hello.machine.hostname, "node-1");
  EXPECT_EQ(hello.machine.metadata, facts.metadata);
  ASSERT_EQ(hello.units.size(), 2u);
  EXPECT_EQ(hello.units[0].desired, TargetState::launched);
  EXPECT_EQ(hello.units[0].hash, hashOf(kText));
  EXPECT_EQ(hello.units[0].invocation_id, "0123");
  EXPECT_FALSE(hello.units[1].desired);
  EXPECT_FALSE(hello.units[1].hash);
}

TEST(SchedulerCodec, ReadsUnitsRemovalsAndDesiredVerdicts) {
  link::UnitReport report{"web.service", "loaded", hashOf(kText), {}};
  report.state.active_state = "inactive";
  const auto unit = std::get<UnitMessage>(decodeAgentMessage(link::encodeUnit(report)));
  EXPECT_EQ(unit.unit.desired, TargetState::loaded);
  EXPECT_EQ(unit.unit.active_state, "inactive");
  EXPECT_EQ(std::get<UnitRemoved>(decodeAgentMessage(link::encodeUnitRemoved("x.service"))).name,
            "x.service");
  const std::vector<link::UnitOutcome> outcomes = {
      {"a.service", std::nullopt},
      {"b.service", link::ProtocolError(link::ErrorCode::constraint_unmet, "region")}};
  const auto result =
      std::get<Result>(decodeAgentMessage(link::encodeDesiredResult("d-1", outcomes)));
  EXPECT_EQ(result.id, "d-1");
  EXPECT_TRUE(result.ok);
  ASSERT_EQ(result.units.size(), 2u);
  EXPECT_FALSE(result.units[0].error);
  EXPECT_EQ(result.units[1].error->code, "constraint_unmet");
}

TEST(SchedulerCodec, TheAgentReadsTheSchedulersRequests) {
  std::vector<UnitOrder> orders = {{"gone.service", TargetState::inactive, "", ""},
                                   {"web.service", TargetState::launched, kText, hashOf(kText)}};
  std::uint64_t next = 7;
  std::vector<std::string> ids;
  const auto frames = encodeDesired(orders, "d", next, &ids);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(ids, std::vector<std::string>{"d-7"});
  const auto request = std::get<link::DesiredRequest>(link::decodeRequest(frames[0]));
  ASSERT_EQ(request.units.size(), 2u);
  EXPECT_EQ(request.units[0].state, link::DesiredState::inactive);
  EXPECT_FALSE(request.units[1].error);
  EXPECT_EQ(request.units[1].hash, hashOf(kText));
  EXPECT_NO_THROW(link::decodeRequest(encodeJournal("j-1", "web.service", 20, false)));
  const auto metadata = std::get<link::SetMetadataRequest>(
      link::decodeRequest(encodeSetMetadata("m-1", {{"disk", "ssd"}})));
  EXPECT_EQ(metadata.metadata.at("disk"), "ssd");
}

TEST(SchedulerCodec, TheAgentReadsTheSchedulersContainerRequests) {
  UnitOrder order{"deckhand-box.service", TargetState::launched, "", ""};
  order.container = "box";
  order.spec = R"({"name":"box","image":"local/busybox:latest","x_fleet":["Global=true"]})";
  const auto request =
      std::get<link::ContainerRequest>(link::decodeRequest(encodeContainer("c-3", order)));
  EXPECT_EQ(request.id, "c-3");
  EXPECT_EQ(request.name, "box");
  EXPECT_EQ(request.state, link::DesiredState::launched);
  ASSERT_TRUE(request.spec);
  EXPECT_EQ(request.spec->image, "local/busybox:latest");
  EXPECT_EQ(request.spec->x_fleet, std::vector<std::string>{"Global=true"});
  order.state = TargetState::inactive;
  const auto removal =
      std::get<link::ContainerRequest>(link::decodeRequest(encodeContainer("c-4", order)));
  EXPECT_EQ(removal.state, link::DesiredState::inactive);
  EXPECT_FALSE(removal.spec);
}

TEST(SchedulerCodec, LargeDesiredStatesAreSplitUnderTheFrameLimit) {
  const std::string big =
      "[Service]\nExecStart=/bin/sleep 300\nDescription=" + std::string(100 * 1024, 'x') + "\n";
  std::vector<UnitOrder> orders;
  for (int i = 0; i < 20; ++i) {
    orders.push_back({"u" + std::to_string(i) + ".service", TargetState::launched, big, "h"});
  }
  std::uint64_t next = 1;
  const auto frames = encodeDesired(orders, "d", next, nullptr);
  EXPECT_GT(frames.size(), 1u);
  for (const auto& frame : frames)
    EXPECT_LT(frame.size(), 1024u * 1024u);
}

TEST(SchedulerCodec, BadFramesAreErrorsThatSayWhy) {
  EXPECT_THROW(decodeAgentMessage("{nope"), AgentMessageError);
  EXPECT_THROW(decodeAgentMessage("[1]"), AgentMessageError);
  try {
    decodeAgentMessage(R"({"type":"hello","protocol":1,"units":[]})");
    FAIL();
  } catch (const AgentMessageError& error) {
    EXPECT_THAT(error.what(), HasSubstr("machine"));
  }
  EXPECT_THROW(decodeAgentMessage(R"({"kind":"hello"})"), AgentMessageError);
}

TEST(SchedulerCodec, MessageTypesItDoesNotHandleAreIgnoredNotErrors) {
  const auto other = decodeAgentMessage(R"({"type":"container","container":{"name":"web"}})");
  EXPECT_EQ(std::get<OtherMessage>(other).type, "container");
}

TEST(SchedulerStoreFormat, RoundTripsAndRefusesWhatItCannotRead) {
  StoredState state;
  state.templates.push_back({"web@.service", kText, TargetState::inactive});
  state.units.push_back({"web@1.service", kText, TargetState::launched});
  state.placements["web@1.service"] = std::string(32, 'b');
  state.destroyed.push_back("old.service");
  StoredUnit box{"deckhand-box.service", "", TargetState::loaded};
  box.container = "box";
  box.spec = R"({"image":"x"})";
  state.units.push_back(box);
  const auto back = storedStateFromJson(storedStateToJson(state), "test");
  ASSERT_EQ(back.units.size(), 2u);
  EXPECT_EQ(back.units[1].container, "box");
  EXPECT_EQ(back.units[1].spec, box.spec);
  EXPECT_TRUE(back.units[0].container.empty());
  state.units.pop_back();
  EXPECT_EQ(back.destroyed, state.destroyed);
  // A file from before destroyed units were kept reads as none pending.
  EXPECT_TRUE(storedStateFromJson(R"({"version":1,"units":[]})", "old.json").destroyed.empty());
  EXPECT_EQ(back.units[0].target, TargetState::launched);
  EXPECT_EQ(back.units[0].text, kText);
  EXPECT_EQ(back.placements, state.placements);
  EXPECT_EQ(back.templates.at(0).name, "web@.service");
  try {
    storedStateFromJson("{\"units\":", "state.json");
    FAIL();
  } catch (const StoreError& error) {
    EXPECT_THAT(error.what(), HasSubstr("move it away"));
  }
  EXPECT_THROW(storedStateFromJson(R"({"version":2})", "state.json"), StoreError);
}

TEST(SchedulerStoreFile, SavesAtomicallyAndLoadsBack) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("deckhand-store-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto store = openFileStore(dir / "state.json");
  EXPECT_TRUE(store->load().units.empty());
  StoredState state;
  state.units.push_back({"a.service", kText, TargetState::loaded});
  store->save(state);
  EXPECT_FALSE(std::filesystem::exists(dir / "state.json.tmp"));
  EXPECT_EQ(store->load().units.at(0).name, "a.service");
  const auto missing_folder = openFileStore(dir / "nope" / "state.json");
  EXPECT_THROW(missing_folder->save(state), StoreError);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace deckhand::scheduler
