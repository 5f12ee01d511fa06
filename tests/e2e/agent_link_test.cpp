// The whole agent through its link: deckhand runs inside a sandboxed systemd and talks to a test
// scheduler over a real WebSocket, as on a node.

#include <filesystem>

#include "tests/e2e/agent_fixture.hpp"

namespace deckhand::test {
namespace {

using ::testing::HasSubstr;

using AgentLinkTest = AgentTest;

TEST_F(AgentLinkTest, HelloDescribesTheMachine) {
  const auto& machine = hello_->at("machine").as_object();
  EXPECT_EQ(hello_->at("protocol").as_int64(), 1);
  EXPECT_EQ(machine.at("machine_id").as_string().size(), 32u);
  EXPECT_EQ(machine.at("metadata").as_object().at("region").as_string(), "test");
  EXPECT_EQ(machine.at("hostname").as_string(), "e2e-node");
  EXPECT_THAT(std::string(machine.at("systemd_version").as_string()), HasSubstr("252"));
  EXPECT_EQ(peer_.upgrades().front().subprotocols, "deckhand.v1");
}

TEST_F(AgentLinkTest, DesiredUnitIsRunReportedAndRemoved) {
  peer_.send(desired("1", "web.service", "launched", kWeb));
  const auto accepted = result("1");
  ASSERT_TRUE(accepted) << agent_->output();
  EXPECT_TRUE(accepted->at("ok").as_bool());
  EXPECT_TRUE(accepted->at("units").as_array().at(0).as_object().at("ok").as_bool());

  const auto running = unitIn("web.service", "active");
  ASSERT_TRUE(running) << agent_->output();
  EXPECT_EQ(running->at("unit").as_object().at("desired").as_string(), "launched");
  EXPECT_EQ(running->at("unit").as_object().at("hash").as_string(), hashOf(kWeb));
  EXPECT_EQ(sandbox_->systemctl({"is-active", "web.service"}), "active");

  // The same desired state again changes nothing.
  peer_.send(desired("2", "web.service", "launched", kWeb));
  ASSERT_TRUE(result("2"));
  const auto pid = sandbox_->systemctl({"show", "-P", "MainPID", "web.service"});
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "MainPID", "web.service"}), pid);

  peer_.send(desired("3", "web.service", "inactive", ""));
  ASSERT_TRUE(result("3"));
  EXPECT_TRUE(waitFor("unit_removed", [](const json::object& m) {
    return m.at("name").as_string() == "web.service";
  })) << agent_->output();
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "LoadState", "web.service"}), "not-found");

  // Removed means gone: no report of the unit follows its unit_removed.
  std::this_thread::sleep_for(300ms);
  const auto units = queryUnits();
  ASSERT_TRUE(units);
  EXPECT_TRUE(units->empty()) << json::serialize(*units);
  bool removed = false;
  for (const auto& frame : peer_.messages()) {
    if (isType(frame, "unit_removed")) removed = true;
    if (removed && isType(frame, "unit")) {
      ADD_FAILURE() << "reported after its removal: " << frame.text;
    }
  }
}

TEST_F(AgentLinkTest, UnitThatCannotRunHereIsRefusedWithTheReason) {
  const std::string text = std::string(kWeb) + "[X-Fleet]\nMachineMetadata=region=elsewhere\n";
  peer_.send(desired("7", "picky.service", "launched", text));
  const auto refused = result("7");
  ASSERT_TRUE(refused);
  const auto& unit = refused->at("units").as_array().at(0).as_object();
  EXPECT_FALSE(unit.at("ok").as_bool());
  EXPECT_EQ(unit.at("error").as_object().at("code").as_string(), "constraint_unmet");
  EXPECT_THAT(std::string(unit.at("error").as_object().at("message").as_string()),
              HasSubstr("region=elsewhere"));
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "LoadState", "picky.service"}), "not-found");
}

TEST_F(AgentLinkTest, BadInputGetsAnErrorAndNothingRunningIsLost) {
  peer_.send(desired("1", "web.service", "launched", kWeb));
  ASSERT_TRUE(unitIn("web.service", "active"));

  peer_.send("{not json");
  const auto bad_json = waitFor("error");
  ASSERT_TRUE(bad_json);
  EXPECT_EQ(bad_json->at("error").as_object().at("code").as_string(), "bad_json");

  peer_.send(R"({"type":"frobnicate","id":"x1"})");
  const auto unknown = result("x1");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->at("error").as_object().at("code").as_string(), "unknown_type");

  peer_.send(R"({"type":"action","id":"x2","name":"../etc.service","action":"start"})");
  ASSERT_TRUE(result("x2"));
  peer_.send(R"({"type":"action","id":"x3","name":"dbus.service","action":"stop"})");
  const auto foreign = result("x3");
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->at("error").as_object().at("code").as_string(), "not_owned");
  peer_.send("binary!", true);
  EXPECT_TRUE(waitFor("error", [](const json::object& m) {
    return m.at("error").as_object().at("code").as_string() == "bad_frame";
  }));

  EXPECT_EQ(sandbox_->systemctl({"is-active", "web.service"}), "active");
  EXPECT_EQ(sandbox_->systemctl({"is-active", "dbus.service"}), "active");
  peer_.send(R"({"type":"query","id":"q","what":"units"})");
  const auto units = result("q");
  ASSERT_TRUE(units);
  EXPECT_EQ(units->at("units").as_array().size(), 1u);
}

// Names built to climb out of the units folder, or to reach units that are not the agent's, are
// refused one by one; nothing is written anywhere and nothing foreign is touched.
TEST_F(AgentLinkTest, HostileNamesNeverLeaveTheUnitsFolder) {
  const std::vector<std::string> hostile = {"../../etc/evil.service",
                                            "/etc/systemd/system/evil.service",
                                            "units/../../evil.service",
                                            "evil.service/..",
                                            ".service",
                                            "evil\n.service",
                                            std::string("evil\0.service", 13),
                                            "evil.device",
                                            std::string(300, 'a') + ".service"};
  json::array units;
  for (const auto& name : hostile)
    units.push_back(desiredUnit(name, "launched", kWeb));
  peer_.send(desired("h1", std::move(units)));
  const auto answer = result("h1");
  ASSERT_TRUE(answer) << agent_->output();
  const auto& verdicts = answer->at("units").as_array();
  ASSERT_EQ(verdicts.size(), hostile.size());
  for (const auto& verdict : verdicts) {
    EXPECT_FALSE(verdict.as_object().at("ok").as_bool()) << json::serialize(verdict);
    EXPECT_EQ(verdict.as_object().at("error").as_object().at("code").as_string(), "bad_unit_name")
        << json::serialize(verdict);
  }
  EXPECT_EQ(sandbox_->exec({"ls", "-A", "/run/deckhand/units"}).out, "");
  EXPECT_NE(sandbox_->exec({"test", "-e", "/run/evil.service"}).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists("/etc/evil.service"));

  // The same names in every other request get an error and touch nothing.
  for (const std::string type : {"remove", "journal", "query"}) {
    json::object request{{"type", type}, {"id", type}, {"name", "../../etc/evil.service"}};
    if (type == "query") request["what"] = "unit";
    peer_.send(json::serialize(request));
    const auto refused = result(type);
    ASSERT_TRUE(refused) << type;
    EXPECT_FALSE(refused->at("ok").as_bool()) << type;
  }
  // A unit that is not the agent's cannot be removed, stopped or killed.
  peer_.send(R"({"type":"remove","id":"r2","name":"dbus.service"})");
  peer_.send(R"({"type":"action","id":"k2","name":"dbus.service","action":"kill","signal":9})");
  for (const std::string id : {"r2", "k2"}) {
    const auto refused = result(id);
    ASSERT_TRUE(refused) << id;
    EXPECT_EQ(refused->at("error").as_object().at("code").as_string(), "not_owned") << id;
  }
  EXPECT_EQ(sandbox_->systemctl({"is-active", "dbus.service"}), "active");
}

// A desired unit named like one systemd already has from elsewhere would shadow it with a runtime
// link: refused. Instances of the agent's own templates are the agent's.
TEST_F(AgentLinkTest, UnitsFromElsewhereAreNeverShadowed) {
  const auto fragment = sandbox_->systemctl({"show", "-P", "FragmentPath", "dbus.service"});
  peer_.send(desired("s1", "dbus.service", "launched", kWeb));
  const auto refused = result("s1");
  ASSERT_TRUE(refused) << agent_->output();
  const auto& verdict = refused->at("units").as_array().at(0).as_object();
  EXPECT_FALSE(verdict.at("ok").as_bool());
  EXPECT_EQ(verdict.at("error").as_object().at("code").as_string(), "not_owned");
  EXPECT_THAT(std::string(verdict.at("error").as_object().at("message").as_string()),
              HasSubstr("dbus.service is already on this machine"));
  EXPECT_EQ(sandbox_->exec({"ls", "-A", "/run/deckhand/units"}).out, "");
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "FragmentPath", "dbus.service"}), fragment);
  EXPECT_EQ(sandbox_->systemctl({"is-active", "dbus.service"}), "active");

  peer_.send(desired("s2", "tpl@.service", "loaded", kWeb));
  ASSERT_TRUE(result("s2"));
  peer_.send(desired("s3", "tpl@1.service", "launched", kWeb));
  const auto instance = result("s3");
  ASSERT_TRUE(instance);
  EXPECT_TRUE(instance->at("units").as_array().at(0).as_object().at("ok").as_bool())
      << json::serialize(*instance);
  EXPECT_TRUE(unitIn("tpl@1.service", "active")) << agent_->output();
}

TEST_F(AgentLinkTest, ActionsReportTheirJobs) {
  peer_.send(desired("1", "web.service", "launched", kWeb));
  ASSERT_TRUE(unitIn("web.service", "active"));
  peer_.send(R"({"type":"action","id":"a1","name":"web.service","action":"restart"})");
  const auto restarted = result("a1");
  ASSERT_TRUE(restarted);
  EXPECT_TRUE(restarted->at("ok").as_bool());
  EXPECT_EQ(restarted->at("job_result").as_string(), "done");

  peer_.send(
      R"({"type":"action","id":"a2","name":"web.service","action":"kill","whom":"main","signal":9})");
  ASSERT_TRUE(result("a2"));
  const auto killed = unitIn("web.service", "failed");
  ASSERT_TRUE(killed);
  EXPECT_EQ(killed->at("unit").as_object().at("result").as_string(), "signal");
  EXPECT_EQ(killed->at("unit").as_object().at("exit_status").as_int64(), 9);

  peer_.send(R"({"type":"query","id":"m","what":"machine"})");
  const auto machine = result("m");
  ASSERT_TRUE(machine);
  EXPECT_THAT(json::serialize(*machine), HasSubstr("systemd_version"));
}

TEST_F(AgentLinkTest, JournalOfAUnitIsReadBackAndFollowed) {
  const std::string ticker =
      "[Service]\nExecStart=/bin/sh -c 'echo hello-journal; i=0; while true; do echo tick $i; "
      "i=$((i+1)); sleep 0.2; done'\n";
  peer_.send(desired("1", "ticker.service", "launched", ticker));
  ASSERT_TRUE(unitIn("ticker.service", "active"));
  std::this_thread::sleep_for(500ms);

  peer_.send(R"({"type":"journal","id":"j1","name":"ticker.service","lines":1000})");
  ASSERT_TRUE(result("j1"));
  const auto lines =
      waitFor("journal", [](const json::object& m) { return m.at("id").as_string() == "j1"; });
  ASSERT_TRUE(lines);
  EXPECT_TRUE(lines->at("done").as_bool());
  EXPECT_THAT(json::serialize(lines->at("lines")), HasSubstr("hello-journal"));

  peer_.send(R"({"type":"journal","id":"j2","name":"ticker.service","lines":1,"follow":true})");
  ASSERT_TRUE(result("j2"));
  const auto followed = waitFor("journal", [](const json::object& m) {
    return m.at("id").as_string() == "j2" && !m.at("done").as_bool() &&
           json::serialize(m.at("lines")).find("tick") != std::string::npos &&
           m.at("lines").as_array().size() == 1 &&
           m.at("lines").as_array()[0].as_object().at("usec").as_int64() > 0;
  });
  ASSERT_TRUE(followed) << agent_->output();
  // New lines keep coming until cancelled.
  const auto count = [&] {
    int n = 0;
    for (const auto& frame : peer_.messages())
      n += frame.text.find("\"j2\"") != std::string::npos;
    return n;
  };
  const int before = count();
  std::this_thread::sleep_for(700ms);
  EXPECT_GT(count(), before);
  peer_.send(R"({"type":"cancel","id":"c1","target":"j2"})");
  ASSERT_TRUE(result("c1"));
  EXPECT_TRUE(waitFor("journal", [](const json::object& m) {
    return m.at("id").as_string() == "j2" && m.at("done").as_bool();
  }));

  peer_.send(R"({"type":"journal","id":"j3","name":"dbus.service"})");
  const auto foreign = result("j3");
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->at("error").as_object().at("code").as_string(), "not_owned");
}

TEST_F(AgentLinkTest, MetadataSetByTheSchedulerIsAppliedKeptAndReported) {
  peer_.send(R"({"type":"set_metadata","id":"s1","metadata":{"region":"moved","rack":"r7"}})");
  const auto set = result("s1");
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->at("ok").as_bool());
  peer_.send(R"({"type":"query","id":"q1","what":"machine"})");
  const auto machine = result("q1");
  ASSERT_TRUE(machine);
  EXPECT_THAT(json::serialize(*machine), HasSubstr(R"("rack":"r7")"));

  // Constraints see it at once.
  const std::string text = std::string(kWeb) + "[X-Fleet]\nMachineMetadata=rack=r7\n";
  peer_.send(desired("d1", "racked.service", "launched", text));
  const auto accepted = result("d1");
  ASSERT_TRUE(accepted);
  EXPECT_TRUE(accepted->at("units").as_array().at(0).as_object().at("ok").as_bool());

  // And it survives a restart of the agent, over the configured region=test.
  stopAgent();
  startAgent();
  const auto hello = waitFor("hello", [](const json::object& m) {
    return m.at("machine").as_object().at("metadata").as_object().contains("rack");
  });
  ASSERT_TRUE(hello) << agent_->output();
  EXPECT_EQ(hello->at("machine").as_object().at("metadata").as_object().at("region").as_string(),
            "moved");
}

// A stopped agent leaves its units running, and the next one holds the same desired state (kept in
// the state folder) without touching them.
TEST_F(AgentLinkTest, AgentRestartLeavesItsUnitsRunning) {
  peer_.send(desired("1", "web.service", "launched", kWeb));
  ASSERT_TRUE(unitIn("web.service", "active"));
  const auto pid = sandbox_->systemctl({"show", "-P", "MainPID", "web.service"});
  stopAgent();
  const auto goodbye = peer_.waitForClose(1s);
  ASSERT_TRUE(goodbye) << "the stopping agent sent no close frame";
  EXPECT_EQ(goodbye->code, 1001u);
  EXPECT_EQ(sandbox_->systemctl({"is-active", "web.service"}), "active");
  startAgent();
  const auto hello =
      waitFor("hello", [](const json::object& m) { return !m.at("units").as_array().empty(); });
  ASSERT_TRUE(hello) << agent_->output();
  const auto& unit = hello->at("units").as_array().at(0).as_object();
  EXPECT_EQ(unit.at("name").as_string(), "web.service");
  EXPECT_EQ(unit.at("desired").as_string(), "launched");
  EXPECT_EQ(unit.at("active_state").as_string(), "active");
  EXPECT_TRUE(hello->at("lost_state").as_array().empty());
  std::this_thread::sleep_for(500ms);  // a wrong reconciler pass would have restarted it by now
  EXPECT_EQ(sandbox_->systemctl({"show", "-P", "MainPID", "web.service"}), pid);
}

TEST_F(AgentLinkTest, SchedulerRestartIsFollowedByAFreshHello) {
  peer_.send(desired("1", "web.service", "launched", kWeb));
  ASSERT_TRUE(unitIn("web.service", "active"));
  peer_.stop();
  peer_.start();
  ASSERT_TRUE(peer_.waitForConnections(2, 15s)) << agent_->output();
  const auto again =
      waitFor("hello", [](const json::object& m) { return !m.at("units").as_array().empty(); });
  ASSERT_TRUE(again);
  const auto& unit = again->at("units").as_array().at(0).as_object();
  EXPECT_EQ(unit.at("name").as_string(), "web.service");
  EXPECT_EQ(unit.at("desired").as_string(), "launched");
  EXPECT_EQ(unit.at("active_state").as_string(), "active");
  EXPECT_EQ(sandbox_->systemctl({"is-active", "web.service"}), "active");
}

}  // namespace
}  // namespace deckhand::test
