// Decoding every request type of docs/protocol.md, and the transcript's frames.

#include <gmock/gmock.h>

#include "protocol_codec_test_support.hpp"

namespace deckhand::link {
namespace {

using ::testing::HasSubstr;

TEST(ProtocolDecode, DesiredUnitsInEveryState) {
  const std::string frame =
      desiredFrame(desiredUnit("web.service", "launched") + "," +
                   desiredUnit("db@1.service", "loaded", "[Unit]\nDescription=db\n") + "," +
                   R"({"name":"old.timer","state":"inactive"})");
  const auto request = decodeAs<DesiredRequest>(frame);
  EXPECT_EQ(request.id, "d1");
  ASSERT_EQ(request.units.size(), 3u);

  const DesiredUnit& web = request.units[0];
  EXPECT_EQ(web.name, "web.service");
  EXPECT_EQ(web.state, DesiredState::launched);
  EXPECT_EQ(web.text, kWebText);
  EXPECT_EQ(web.hash, hashOf(kWebText));
  ASSERT_TRUE(web.file.has_value());
  EXPECT_EQ(web.file->lastValue("Service", "ExecStart"), "/usr/bin/web");
  EXPECT_EQ(web.file->origin, "web.service");
  EXPECT_FALSE(web.error.has_value());

  EXPECT_EQ(request.units[1].state, DesiredState::loaded);
  EXPECT_FALSE(request.units[1].error.has_value());

  const DesiredUnit& old = request.units[2];
  EXPECT_EQ(old.state, DesiredState::inactive);
  EXPECT_TRUE(old.text.empty());
  EXPECT_FALSE(old.file.has_value());
  EXPECT_FALSE(old.error.has_value());
}

TEST(ProtocolDecode, InactiveIgnoresTextAndHash) {
  const auto request =
      decodeAs<DesiredRequest>(desiredFrame(R"({"name":"a.service","state":"inactive",)"
                                            R"("text":7,"hash":"not checked"})"));
  ASSERT_EQ(request.units.size(), 1u);
  EXPECT_FALSE(request.units[0].error.has_value());
}

TEST(ProtocolDecode, EmptyDesiredIsAccepted) {
  EXPECT_TRUE(decodeAs<DesiredRequest>(desiredFrame("")).units.empty());
}

TEST(ProtocolDecode, Remove) {
  const auto request =
      decodeAs<RemoveRequest>(R"({"type":"remove","id":"r","name":"web.service"})");
  EXPECT_EQ(request.id, "r");
  EXPECT_EQ(request.name, "web.service");
}

TEST(ProtocolDecode, EveryAction) {
  for (const Action action : {Action::start, Action::stop, Action::restart, Action::reload,
                              Action::kill, Action::reset_failed}) {
    const std::string frame = R"({"type":"action","id":"a","name":"web.service","action":")" +
                              std::string(actionName(action)) + "\"}";
    const auto request = decodeAs<ActionRequest>(frame);
    EXPECT_EQ(request.action, action) << frame;
    EXPECT_EQ(request.name, "web.service");
  }
}

TEST(ProtocolDecode, KillDefaultsAndValues) {
  const auto plain =
      decodeAs<ActionRequest>(R"({"type":"action","id":"k","name":"a.service","action":"kill"})");
  EXPECT_EQ(plain.whom, KillWhom::all);
  EXPECT_EQ(plain.signal, 15);

  const auto explicit_ = decodeAs<ActionRequest>(
      R"({"type":"action","id":"k","name":"a.service","action":"kill","whom":"main","signal":9})");
  EXPECT_EQ(explicit_.whom, KillWhom::main);
  EXPECT_EQ(explicit_.signal, 9);
  EXPECT_EQ(killWhomName(KillWhom::control), "control");

  // A whole number written as a float is still that number.
  EXPECT_EQ(decodeAs<ActionRequest>(R"({"type":"action","id":"k","name":"a.service",)"
                                    R"("action":"kill","signal":64.0})")
                .signal,
            64);
}

TEST(ProtocolDecode, WhomAndSignalMatterOnlyForKill) {
  const auto request = decodeAs<ActionRequest>(
      R"({"type":"action","id":"s","name":"a.service","action":"stop","whom":7,"signal":"x"})");
  EXPECT_EQ(request.action, Action::stop);
}

TEST(ProtocolDecode, Queries) {
  EXPECT_EQ(decodeAs<QueryRequest>(R"({"type":"query","id":"q","what":"units"})").what,
            QueryWhat::units);
  EXPECT_EQ(decodeAs<QueryRequest>(R"({"type":"query","id":"q","what":"machine"})").what,
            QueryWhat::machine);
  const auto unit =
      decodeAs<QueryRequest>(R"({"type":"query","id":"q","what":"unit","name":"web.service"})");
  EXPECT_EQ(unit.what, QueryWhat::unit);
  EXPECT_EQ(unit.name, "web.service");
  EXPECT_EQ(queryWhatName(QueryWhat::machine), "machine");
}

TEST(ProtocolDecode, JournalDefaultsAndLimits) {
  const auto plain = decodeAs<JournalRequest>(R"({"type":"journal","id":"j","name":"a.service"})");
  EXPECT_EQ(plain.name, "a.service");
  EXPECT_EQ(plain.lines, 50);
  EXPECT_FALSE(plain.follow);

  const auto most = decodeAs<JournalRequest>(
      R"({"type":"journal","id":"j","name":"a.service","lines":10000,"follow":true})");
  EXPECT_EQ(most.lines, 10000);
  EXPECT_TRUE(most.follow);
  EXPECT_EQ(
      decodeAs<JournalRequest>(R"({"type":"journal","id":"j","name":"a.service","lines":1})").lines,
      1);
}

TEST(ProtocolDecode, Cancel) {
  const auto request = decodeAs<CancelRequest>(R"({"type":"cancel","id":"c","target":"j-7"})");
  EXPECT_EQ(request.id, "c");
  EXPECT_EQ(request.target, "j-7");
}

TEST(ProtocolDecode, SetMetadata) {
  const auto request = decodeAs<SetMetadataRequest>(
      R"({"type":"set_metadata","id":"m","metadata":{"region":"us-east","disk":"ssd"}})");
  const machine::Metadata expected{{"region", "us-east"}, {"disk", "ssd"}};
  EXPECT_EQ(request.metadata, expected);
  EXPECT_TRUE(decodeAs<SetMetadataRequest>(R"({"type":"set_metadata","id":"m","metadata":{}})")
                  .metadata.empty());
}

TEST(ProtocolDecode, SchedulerHeartbeatNeedsNoId) {
  EXPECT_TRUE(std::holds_alternative<SchedulerHeartbeat>(
      decodeRequest(R"({"type":"heartbeat","seq":3,"units":0})")));
}

TEST(ProtocolDecode, UnknownFieldsAreIgnored) {
  const auto request = decodeAs<RemoveRequest>(
      R"({"type":"remove","id":"r","name":"a.service","v2":{"deep":[1,2,{"x":null}]},"z":1e300})");
  EXPECT_EQ(request.name, "a.service");
}

TEST(ProtocolDecode, IdsAtTheLimits) {
  const std::string longest(64, '~');
  EXPECT_EQ(decodeAs<QueryRequest>(R"({"type":"query","what":"units","id":")" + longest + "\"}").id,
            longest);
  EXPECT_EQ(decodeAs<QueryRequest>(R"({"type":"query","what":"units","id":" "})").id, " ");
}

TEST(ProtocolDecode, EnumNamesMatchTheWire) {
  EXPECT_EQ(desiredStateName(DesiredState::launched), "launched");
  EXPECT_EQ(actionName(Action::reset_failed), "reset_failed");
  EXPECT_EQ(errorCodeName(ErrorCode::hash_mismatch), "hash_mismatch");
  EXPECT_EQ(errorCodeName(ErrorCode::systemd_unavailable), "systemd_unavailable");
}

// The scheduler's lines of the session in docs/protocol.md. Its hashes are shortened ("1b7e…"),
// so its units are refused with hash_mismatch, which is what the agent would answer.
TEST(ProtocolDecode, TranscriptFrames) {
  const auto first = decodeAs<DesiredRequest>(
      R"({"type":"desired","id":"1","units":[{"name":"web.service","state":"launched","text":"[Service]\nExecStart=/usr/bin/web\n","hash":"1b7e…"}]})");
  ASSERT_EQ(first.units.size(), 1u);
  EXPECT_EQ(first.units[0].name, "web.service");
  ASSERT_TRUE(first.units[0].error.has_value());
  EXPECT_EQ(first.units[0].error->code(), ErrorCode::hash_mismatch);

  const auto second = decodeAs<DesiredRequest>(
      R"({"type":"desired","id":"2","units":[{"name":"db.service","state":"launched","text":"[Service]\nExecStart=/usr/bin/db\n[X-Fleet]\nMachineMetadata=region=us-west\n","hash":"77aa…"}]})");
  ASSERT_EQ(second.units.size(), 1u);
  EXPECT_EQ(second.units[0].error->code(), ErrorCode::hash_mismatch);
  EXPECT_THAT(second.units[0].error->what(),
              HasSubstr(hashOf("[Service]\nExecStart=/usr/bin/db\n[X-Fleet]\n"
                               "MachineMetadata=region=us-west\n")));

  const ProtocolError third = errorOf(R"({"type":"frobnicate","id":"3"})");
  EXPECT_EQ(third.code(), ErrorCode::unknown_type);
  EXPECT_EQ(third.id(), "3");
}

// The same frames with real hashes are accepted.
TEST(ProtocolDecode, TranscriptFramesWithRealHashes) {
  const std::string db =
      "[Service]\nExecStart=/usr/bin/db\n[X-Fleet]\nMachineMetadata=region=us-west\n";
  const auto request =
      decodeAs<DesiredRequest>(desiredFrame(desiredUnit("db.service", "launched", db), "2"));
  ASSERT_EQ(request.units.size(), 1u);
  EXPECT_FALSE(request.units[0].error.has_value());
  ASSERT_NE(request.units[0].file->section("X-Fleet"), nullptr);
}

}  // namespace
}  // namespace deckhand::link
