// The container request and the container messages of docs/protocol.md.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "agent/link/codec_messages.hpp"
#include "agent/link/codec_requests.hpp"

namespace deckhand::link {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;

ProtocolError errorOf(std::string_view frame) {
  try {
    decodeRequest(frame);
  } catch (const ProtocolError& error) {
    return error;
  }
  return ProtocolError(ErrorCode::internal, "decoded without an error");
}

TEST(ProtocolCodecContainerTest, DecodesALaunchedContainer) {
  const auto request = decodeRequest(
      R"({"type":"container","id":"9","name":"web","state":"launched",)"
      R"("spec":{"image":"local/busybox:latest","command":["sleep","300"],"memory":8388608}})");
  const auto* container = std::get_if<ContainerRequest>(&request);
  ASSERT_NE(container, nullptr);
  EXPECT_EQ(container->id, "9");
  EXPECT_EQ(container->state, DesiredState::launched);
  ASSERT_TRUE(container->spec.has_value());
  EXPECT_EQ(container->spec->name, "web");  // taken from the request
  EXPECT_EQ(container->spec->memory_bytes, 8388608U);
}

TEST(ProtocolCodecContainerTest, InactiveNeedsNoSpec) {
  const auto request =
      decodeRequest(R"({"type":"container","id":"1","name":"web","state":"inactive"})");
  const auto& container = std::get<ContainerRequest>(request);
  EXPECT_EQ(container.state, DesiredState::inactive);
  EXPECT_FALSE(container.spec.has_value());
}

TEST(ProtocolCodecContainerTest, RefusesBadNamesAndSpecsWithTheField) {
  const auto bad_name = errorOf(R"({"type":"container","id":"1","name":"-x","state":"inactive"})");
  EXPECT_EQ(bad_name.code(), ErrorCode::bad_container_spec);
  EXPECT_EQ(bad_name.id(), "1");

  const auto no_spec = errorOf(R"({"type":"container","id":"2","name":"web","state":"launched"})");
  EXPECT_EQ(no_spec.code(), ErrorCode::bad_message);
  EXPECT_THAT(no_spec.what(), HasSubstr("spec"));

  const auto bad_port = errorOf(R"({"type":"container","id":"3","name":"web","state":"launched",)"
                                R"("spec":{"image":"x1","ports":[{"container_port":70000}]}})");
  EXPECT_EQ(bad_port.code(), ErrorCode::bad_container_spec);
  EXPECT_THAT(bad_port.what(), HasSubstr("spec.ports[0].container_port"));

  const auto other_name = errorOf(R"({"type":"container","id":"4","name":"web","state":"loaded",)"
                                  R"("spec":{"name":"db","image":"x1"}})");
  EXPECT_EQ(other_name.code(), ErrorCode::bad_container_spec);
  EXPECT_THAT(other_name.what(), HasSubstr("leave spec.name out or make them equal"));
}

TEST(ProtocolCodecContainerTest, EncodesContainersInHelloAndDeltas) {
  docker::ContainerState state;
  state.name = "web";
  state.unit = "deckhand-web.service";
  state.status = "exited";
  state.exit_code = 3;
  state.started_usec = 5;
  const json::object delta = json::parse(encodeContainer(state)).as_object();
  EXPECT_EQ(delta.at("type"), "container");
  const auto& object = delta.at("container").as_object();
  EXPECT_EQ(object.at("unit"), "deckhand-web.service");
  EXPECT_EQ(object.at("exit_code"), 3);
  EXPECT_TRUE(object.at("health").is_null());
  EXPECT_EQ(object.at("oom_killed"), false);

  const std::vector<docker::ContainerState> containers{state};
  const json::object hello =
      json::parse(encodeHello(machine::MachineFacts{}, {}, containers)).as_object();
  EXPECT_EQ(hello.at("containers").as_array().size(), 1U);

  const json::object removed =
      json::parse(encodeContainerRemoved("web", "deckhand-web.service")).as_object();
  EXPECT_EQ(removed.at("type"), "container_removed");
  EXPECT_EQ(removed.at("unit"), "deckhand-web.service");

  const json::object result =
      json::parse(encodeContainerResult("9", "deckhand-web.service", "ab")).as_object();
  EXPECT_EQ(result.at("ok"), true);
  EXPECT_EQ(result.at("hash"), "ab");
}

TEST(ProtocolCodecContainerTest, NewErrorCodesHaveStableNames) {
  EXPECT_EQ(errorCodeName(ErrorCode::bad_container_spec), "bad_container_spec");
  EXPECT_EQ(errorCodeName(ErrorCode::docker_unavailable), "docker_unavailable");
  EXPECT_EQ(errorCodeName(ErrorCode::image_missing), "image_missing");
  EXPECT_EQ(errorCodeName(ErrorCode::name_taken), "name_taken");
}

}  // namespace
}  // namespace deckhand::link
