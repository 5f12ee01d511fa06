// Encoding every agent -> scheduler message; each frame is read back with Boost.JSON (which
// refuses invalid UTF-8) and compared field by field.

#include <gmock/gmock.h>

#include <boost/json.hpp>
#include <cstdint>
#include <limits>

#include "agent/link/codec_messages.hpp"
#include "protocol_codec_test_support.hpp"

namespace deckhand::link {
namespace {

namespace json = boost::json;

json::object parsed(const std::string& frame) {
  json::error_code ec;
  json::value value = json::parse(frame, ec);
  EXPECT_FALSE(ec) << ec.message() << ": " << frame;
  EXPECT_TRUE(value.is_object()) << frame;
  return value.is_object() ? value.get_object() : json::object{};
}

UnitReport failedWeb() {
  UnitReport unit{"web@1.service", "launched", std::string(64, 'f'), {}};
  unit.state.load_state = "loaded";
  unit.state.active_state = "failed";
  unit.state.sub_state = "failed";
  unit.state.result = "exit-code";
  unit.state.exec_main_code = 1;
  unit.state.exec_main_status = 3;
  unit.state.n_restarts = 2;
  unit.state.invocation_id = "0d7b" + std::string(28, '0');
  unit.state.active_enter_usec = 1795867202000000;
  unit.state.inactive_enter_usec = std::numeric_limits<std::uint64_t>::max();
  return unit;
}

machine::MachineFacts node3() {
  machine::MachineFacts facts;
  facts.machine_id = "4d7a0c1e9f0b4f6a8d2e5c3b1a0f9e8d";
  facts.boot_id = std::string(32, 'b');
  facts.hostname = "node-3";
  facts.public_ip = "192.0.2.13";
  facts.addresses = {"192.0.2.13", "2001:db8::13"};
  facts.os_release = "Debian GNU/Linux 12 (bookworm)";
  facts.kernel = "6.1.0-27-amd64";
  facts.architecture = "x86_64";
  facts.cpus = 2;
  facts.memory_bytes = 25165824000;
  facts.systemd_version = "252.39-1~deb12u2";
  facts.agent_version = "0.1.0";
  facts.metadata = {{"region", "us-east"}, {"disk", "ssd"}};
  return facts;
}

TEST(ProtocolEncode, UnitObjectHasEveryField) {
  const json::object unit = parsed(encodeUnit(failedWeb())).at("unit").as_object();
  EXPECT_EQ(unit.at("name"), "web@1.service");
  EXPECT_EQ(unit.at("desired"), "launched");
  EXPECT_EQ(unit.at("hash").as_string(), std::string(64, 'f'));
  EXPECT_EQ(unit.at("load_state"), "loaded");
  EXPECT_FALSE(unit.contains("load_error"));
  EXPECT_EQ(unit.at("active_state"), "failed");
  EXPECT_EQ(unit.at("sub_state"), "failed");
  EXPECT_EQ(unit.at("result"), "exit-code");
  EXPECT_EQ(unit.at("exit_code"), "exited");
  EXPECT_EQ(unit.at("exit_status"), 3);
  EXPECT_EQ(unit.at("main_pid"), 0);
  EXPECT_EQ(unit.at("n_restarts"), 2);
  EXPECT_EQ(unit.at("invocation_id").as_string(), "0d7b" + std::string(28, '0'));
  EXPECT_EQ(unit.at("active_enter_usec"), 1795867202000000);
  EXPECT_EQ(unit.at("inactive_enter_usec").as_uint64(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(unit.size(), 14u);
}

TEST(ProtocolEncode, UnitMessage) {
  const json::object message = parsed(encodeUnit(failedWeb()));
  EXPECT_EQ(message.at("type"), "unit");
  EXPECT_EQ(message.size(), 2u);
}

TEST(ProtocolEncode, NullDesiredAndHashAndLoadError) {
  UnitReport unit{"gone.service", std::nullopt, std::nullopt, {}};
  unit.state.load_state = "not-found";
  unit.state.load_error = "Unit gone.service not found.";
  const json::object object = parsed(encodeUnit(unit)).at("unit").as_object();
  EXPECT_TRUE(object.at("desired").is_null());
  EXPECT_TRUE(object.at("hash").is_null());
  EXPECT_EQ(object.at("load_error"), "Unit gone.service not found.");
}

TEST(ProtocolEncode, ExitCodes) {
  const std::pair<int, const char*> cases[] = {{0, ""},       {1, "exited"}, {2, "killed"},
                                               {3, "dumped"}, {4, ""},       {-1, ""}};
  for (const auto& [code, name] : cases) {
    UnitReport unit{"a.service", {}, {}, {}};
    unit.state.exec_main_code = code;
    EXPECT_EQ(parsed(encodeUnit(unit)).at("unit").at("exit_code"), name) << code;
  }
}

TEST(ProtocolEncode, Hello) {
  const std::vector<UnitReport> units{failedWeb()};
  const json::object hello = parsed(encodeHello(node3(), units));
  EXPECT_EQ(hello.at("type"), "hello");
  EXPECT_EQ(hello.at("protocol"), 1);
  EXPECT_EQ(hello.at("containers"), json::array());
  ASSERT_EQ(hello.at("units").as_array().size(), 1u);
  EXPECT_EQ(hello.at("units").at(0).at("name"), "web@1.service");

  const json::object& machine = hello.at("machine").as_object();
  EXPECT_EQ(machine.at("machine_id"), "4d7a0c1e9f0b4f6a8d2e5c3b1a0f9e8d");
  EXPECT_EQ(machine.at("boot_id").as_string(), std::string(32, 'b'));
  EXPECT_EQ(machine.at("hostname"), "node-3");
  EXPECT_EQ(machine.at("public_ip"), "192.0.2.13");
  EXPECT_EQ(machine.at("addresses"), (json::array{"192.0.2.13", "2001:db8::13"}));
  EXPECT_EQ(machine.at("os_release"), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(machine.at("kernel"), "6.1.0-27-amd64");
  EXPECT_EQ(machine.at("architecture"), "x86_64");
  EXPECT_EQ(machine.at("cpus"), 2);
  EXPECT_EQ(machine.at("memory_bytes"), 25165824000);
  EXPECT_EQ(machine.at("systemd_version"), "252.39-1~deb12u2");
  EXPECT_EQ(machine.at("docker_version"), "");
  EXPECT_EQ(machine.at("agent_version"), "0.1.0");
  EXPECT_EQ(machine.at("metadata"), (json::object{{"disk", "ssd"}, {"region", "us-east"}}));
}

TEST(ProtocolEncode, HelloWithoutUnits) {
  const json::object hello = parsed(encodeHello(machine::MachineFacts{}, {}));
  EXPECT_EQ(hello.at("units"), json::array());
  EXPECT_EQ(hello.at("machine").at("metadata"), json::object());
  EXPECT_EQ(hello.at("lost_state"), json::array());
}

TEST(ProtocolEncode, HelloNamesTheStateTheAgentLost) {
  const std::vector<std::string> lost{"desired", "metadata"};
  const json::object hello = parsed(encodeHello(machine::MachineFacts{}, {}, {}, lost));
  EXPECT_EQ(hello.at("lost_state"), (json::array{"desired", "metadata"}));
}

// Exactly the agent's lines of the session in docs/protocol.md.
TEST(ProtocolEncode, TranscriptLines) {
  EXPECT_EQ(encodeDesiredResult("1", std::vector<UnitOutcome>{{"web.service", std::nullopt}}),
            R"({"type":"result","id":"1","ok":true,"units":[{"name":"web.service","ok":true}]})");
  const ProtocolError unmet(ErrorCode::constraint_unmet,
                            "db.service cannot run on 4d7a0c1e: metadata region=us-west "
                            "required, machine has region=us-east");
  EXPECT_EQ(encodeDesiredResult("2", std::vector<UnitOutcome>{{"db.service", unmet}}),
            R"({"type":"result","id":"2","ok":true,"units":[{"name":"db.service","ok":false,)"
            R"("error":{"code":"constraint_unmet","message":"db.service cannot run on 4d7a0c1e: )"
            R"(metadata region=us-west required, machine has region=us-east"}}]})");
  EXPECT_EQ(encodeError(errorOf(R"({"type":"frobnicate","id":"3"})")),
            R"({"type":"result","id":"3","ok":false,"error":{"code":"unknown_type","message":)"
            R"("unknown message type \"frobnicate\"; this agent speaks deckhand.v1"}})");
  EXPECT_EQ(encodeHeartbeat(1, 1), R"({"type":"heartbeat","seq":1,"units":1})");
}

TEST(ProtocolEncode, UnitRemoved) {
  EXPECT_EQ(encodeUnitRemoved("web@1.service"),
            R"({"type":"unit_removed","name":"web@1.service"})");
}

TEST(ProtocolEncode, Journal) {
  const std::vector<JournalLine> lines{{1795867202000123, 6, "started"}, {2, 3, ""}};
  const json::object message = parsed(encodeJournal("r-50", lines, false));
  EXPECT_EQ(message.at("type"), "journal");
  EXPECT_EQ(message.at("id"), "r-50");
  EXPECT_EQ(message.at("done"), false);
  ASSERT_EQ(message.at("lines").as_array().size(), 2u);
  EXPECT_EQ(message.at("lines").at(0),
            (json::object{{"usec", 1795867202000123}, {"priority", 6}, {"message", "started"}}));
  EXPECT_EQ(parsed(encodeJournal("r-50", {}, true)).at("done"), true);
}

TEST(ProtocolEncode, PlainResult) {
  EXPECT_EQ(encodeResult("r-7"), R"({"type":"result","id":"r-7","ok":true})");
}

TEST(ProtocolEncode, ActionResults) {
  const json::object done = parsed(encodeActionResult("a1", "done", failedWeb()));
  EXPECT_EQ(done.at("ok"), true);
  EXPECT_EQ(done.at("job_result"), "done");
  EXPECT_EQ(done.at("unit").at("name"), "web@1.service");
  EXPECT_FALSE(done.contains("error"));

  const json::object failed = parsed(encodeActionResult(
      "a2", "failed", failedWeb(),
      ProtocolError(ErrorCode::job_failed, "restart web@1.service: failed (exit-code, status 3)")));
  EXPECT_EQ(failed.at("ok"), false);
  EXPECT_EQ(failed.at("error").at("code"), "job_failed");
  EXPECT_EQ(failed.at("job_result"), "failed");
  EXPECT_EQ(failed.at("unit").at("exit_status"), 3);
}

TEST(ProtocolEncode, QueryResults) {
  const std::vector<UnitReport> units{failedWeb(), UnitReport{"b.service", {}, {}, {}}};
  const json::object all = parsed(encodeUnitsResult("q1", units));
  EXPECT_EQ(all.at("ok"), true);
  ASSERT_EQ(all.at("units").as_array().size(), 2u);
  EXPECT_EQ(all.at("units").at(1).at("name"), "b.service");

  EXPECT_EQ(parsed(encodeUnitResult("q2", failedWeb())).at("unit").at("sub_state"), "failed");
  EXPECT_EQ(parsed(encodeMachineResult("q3", node3())).at("machine").at("hostname"), "node-3");
}

TEST(ProtocolEncode, ErrorWithoutIdIsAnErrorMessage) {
  const ProtocolError error = errorOf("not json");
  EXPECT_EQ(error.id(), std::nullopt);
  const json::object message = parsed(encodeError(error));
  EXPECT_EQ(message.at("type"), "error");
  EXPECT_EQ(message.at("error").at("code"), "bad_json");
  EXPECT_FALSE(message.contains("id"));
  EXPECT_EQ(
      encodeError(ProtocolError(ErrorCode::bad_frame, "binary frames are not read")),
      R"({"type":"error","error":{"code":"bad_frame","message":"binary frames are not read"}})");
}

TEST(ProtocolEncode, EveryErrorCodeRoundTrips) {
  for (int code = 0; code <= static_cast<int>(ErrorCode::internal); ++code) {
    const auto error = static_cast<ErrorCode>(code);
    const json::object message = parsed(encodeError(ProtocolError(error, "why", "id-1")));
    EXPECT_EQ(message.at("error").at("code").as_string(), errorCodeName(error));
    EXPECT_EQ(message.at("id"), "id-1");
  }
}

}  // namespace
}  // namespace deckhand::link
