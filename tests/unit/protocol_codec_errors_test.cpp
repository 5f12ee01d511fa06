// Every error code decodeRequest gives, with a representative bad frame, the field its message
// names, and the id it carries.

#include <gmock/gmock.h>

#include "protocol_codec_test_support.hpp"

namespace deckhand::link {
namespace {

using ::testing::HasSubstr;

struct BadFrame {
  std::string frame;
  ErrorCode code;
  std::string says;               // a part of the message
  std::optional<std::string> id;  // the id the error carries
};

void PrintTo(const BadFrame& bad, std::ostream* out) {
  *out << bad.frame;
}

class ProtocolErrors : public ::testing::TestWithParam<BadFrame> {};

TEST_P(ProtocolErrors, CodeMessageAndId) {
  const BadFrame& bad = GetParam();
  const ProtocolError error = errorOf(bad.frame);
  EXPECT_EQ(error.code(), bad.code);
  EXPECT_THAT(error.what(), HasSubstr(bad.says));
  EXPECT_EQ(error.id(), bad.id);
}

INSTANTIATE_TEST_SUITE_P(
    BadJson, ProtocolErrors,
    ::testing::Values(BadFrame{"", ErrorCode::bad_json, "not JSON", {}},
                      BadFrame{"{\"type\":", ErrorCode::bad_json, "not JSON", {}},
                      BadFrame{"{\"type\":\"query\"} x", ErrorCode::bad_json, "not JSON", {}},
                      BadFrame{"[1,2]", ErrorCode::bad_json, "not an object", {}},
                      BadFrame{"\"desired\"", ErrorCode::bad_json, "not an object", {}},
                      BadFrame{"{\"type\":\"query\",}", ErrorCode::bad_json, "not JSON", {}},
                      BadFrame{"{/*c*/\"type\":\"query\"}", ErrorCode::bad_json, "not JSON", {}},
                      BadFrame{"{'type':'query'}", ErrorCode::bad_json, "not JSON", {}}));

INSTANTIATE_TEST_SUITE_P(
    BadEnvelope, ProtocolErrors,
    ::testing::Values(
        BadFrame{R"({"id":"e1"})", ErrorCode::bad_message, "field \"type\" is missing", "e1"},
        BadFrame{R"({"type":3,"id":"e2"})", ErrorCode::bad_message,
                 "field \"type\" must be a string, not a number", "e2"},
        BadFrame{R"({"type":"query","what":"units"})",
                 ErrorCode::bad_message,
                 "field \"id\" is missing",
                 {}},
        BadFrame{R"({"type":"query","what":"units","id":7})",
                 ErrorCode::bad_message,
                 "field \"id\" must be a string of 1 to 64",
                 {}},
        BadFrame{R"({"type":"query","what":"units","id":""})",
                 ErrorCode::bad_message,
                 "field \"id\" must be",
                 {}},
        BadFrame{R"({"type":"query","what":"units","id":")" + std::string(65, 'x') + "\"}",
                 ErrorCode::bad_message,
                 "field \"id\" must be",
                 {}},
        BadFrame{R"({"type":"query","what":"units","id":"a\tb"})",
                 ErrorCode::bad_message,
                 "\"a\\x09b\"",
                 {}},
        BadFrame{R"({"type":"query","what":"units","id":"é"})",
                 ErrorCode::bad_message,
                 "\"\\xc3\\xa9\"",
                 {}}));

INSTANTIATE_TEST_SUITE_P(
    UnknownType, ProtocolErrors,
    ::testing::Values(
        BadFrame{R"({"type":"frobnicate","id":"3"})", ErrorCode::unknown_type,
                 "unknown message type \"frobnicate\"; this agent speaks deckhand.v1", "3"},
        BadFrame{R"({"type":"frobnicate"})", ErrorCode::unknown_type, "frobnicate", {}},
        BadFrame{R"({"type":"hello","id":"h"})", ErrorCode::unknown_type, "\"hello\"", "h"},
        BadFrame{R"({"type":"","id":"h"})", ErrorCode::unknown_type, "\"\"", "h"}));

INSTANTIATE_TEST_SUITE_P(
    BadFields, ProtocolErrors,
    ::testing::Values(
        BadFrame{R"({"type":"desired","id":"d"})", ErrorCode::bad_message,
                 "field \"units\" is missing; expected an array", "d"},
        BadFrame{R"({"type":"desired","id":"d","units":{}})", ErrorCode::bad_message,
                 "field \"units\" must be an array, not an object", "d"},
        BadFrame{R"({"type":"desired","id":"d","units":[1]})", ErrorCode::bad_message,
                 "field \"units[0]\" must be an object, not a number", "d"},
        BadFrame{R"({"type":"desired","id":"d","units":[{"state":"inactive"}]})",
                 ErrorCode::bad_message, "field \"units[0].name\" is missing", "d"},
        BadFrame{R"({"type":"desired","id":"d","units":[{"name":null}]})", ErrorCode::bad_message,
                 "field \"units[0].name\" must be a string, not null", "d"},
        BadFrame{R"({"type":"desired","id":"d","units":[{"name":"a.service","state":"inactive"},)"
                 R"({"name":"a.service","state":"inactive"}]})",
                 ErrorCode::bad_message, "names \"a.service\" more than once", "d"},
        BadFrame{R"({"type":"remove","id":"r"})", ErrorCode::bad_message,
                 "field \"name\" is missing", "r"},
        BadFrame{R"({"type":"action","id":"a","name":"a.service"})", ErrorCode::bad_message,
                 "field \"action\" is missing; expected one of \"start\", \"stop\"", "a"},
        BadFrame{R"({"type":"action","id":"a","name":"a.service","action":"explode"})",
                 ErrorCode::bad_message, "\"reset_failed\", not \"explode\"", "a"},
        BadFrame{R"({"type":"action","id":"a","name":"a.service","action":"kill","whom":"x"})",
                 ErrorCode::bad_message, "field \"whom\" must be one of \"main\"", "a"},
        BadFrame{R"({"type":"action","id":"a","name":"a.service","action":"kill","signal":0})",
                 ErrorCode::bad_message, "field \"signal\" must be an integer from 1 to 64, not 0",
                 "a"},
        BadFrame{R"({"type":"action","id":"a","name":"a.service","action":"kill","signal":65})",
                 ErrorCode::bad_message, "not 65", "a"},
        BadFrame{R"({"type":"action","id":"a","name":"a.service","action":"kill","signal":9.5})",
                 ErrorCode::bad_message, "field \"signal\" must be an integer", "a"},
        BadFrame{R"({"type":"action","id":"a","name":"a.service","action":"kill","signal":"9"})",
                 ErrorCode::bad_message,
                 "field \"signal\" must be an integer from 1 to 64, not a "
                 "string",
                 "a"},
        BadFrame{R"({"type":"query","id":"q"})", ErrorCode::bad_message,
                 "field \"what\" is missing", "q"},
        BadFrame{R"({"type":"query","id":"q","what":"unit"})", ErrorCode::bad_message,
                 "field \"name\" is missing", "q"},
        BadFrame{R"({"type":"journal","id":"j","name":"a.service","lines":0})",
                 ErrorCode::bad_message, "field \"lines\" must be an integer from 1 to 10000", "j"},
        BadFrame{R"({"type":"journal","id":"j","name":"a.service","lines":10001})",
                 ErrorCode::bad_message, "not 10001", "j"},
        BadFrame{R"({"type":"journal","id":"j","name":"a.service","follow":"yes"})",
                 ErrorCode::bad_message, "field \"follow\" must be a boolean, not a string", "j"},
        BadFrame{R"({"type":"cancel","id":"c"})", ErrorCode::bad_message,
                 "field \"target\" is missing", "c"},
        BadFrame{R"({"type":"cancel","id":"c","target":""})", ErrorCode::bad_message,
                 "field \"target\" must be a string of 1 to 64", "c"},
        BadFrame{R"({"type":"set_metadata","id":"m"})", ErrorCode::bad_message,
                 "field \"metadata\" is missing; expected an object", "m"},
        BadFrame{R"({"type":"set_metadata","id":"m","metadata":"region=x"})",
                 ErrorCode::bad_message, "field \"metadata\" must be an object, not a string", "m"},
        BadFrame{R"({"type":"set_metadata","id":"m","metadata":{"-x":"1"}})",
                 ErrorCode::bad_message, "metadata key \"-x\" is invalid", "m"},
        BadFrame{R"({"type":"set_metadata","id":"m","metadata":{"ram":2048}})",
                 ErrorCode::bad_message, "field \"metadata.ram\" must be a string, not a number",
                 "m"},
        BadFrame{R"({"type":"set_metadata","id":"m","metadata":{"a":"x y"}})",
                 ErrorCode::bad_message, "field \"metadata.a\" is \"x y\"; expected 1-255", "m"},
        BadFrame{R"({"type":"set_metadata","id":"m","metadata":{"a":""}})", ErrorCode::bad_message,
                 "field \"metadata.a\" is \"\"", "m"}));

INSTANTIATE_TEST_SUITE_P(
    BadUnitName, ProtocolErrors,
    ::testing::Values(BadFrame{R"({"type":"remove","id":"r","name":"web"})",
                               ErrorCode::bad_unit_name, "unit name \"web\"", "r"},
                      BadFrame{R"({"type":"remove","id":"r","name":"../x.service"})",
                               ErrorCode::bad_unit_name, "unit name", "r"},
                      BadFrame{R"({"type":"action","id":"a","name":"sda.device","action":"start"})",
                               ErrorCode::bad_unit_name, "sda.device", "a"},
                      BadFrame{R"({"type":"journal","id":"j","name":""})", ErrorCode::bad_unit_name,
                               "unit name", "j"},
                      BadFrame{
                          R"({"type":"query","id":"q","what":"unit","name":"a\u0000.service"})",
                          ErrorCode::bad_unit_name, "\\x00", "q"}));

// Units of a desired request are refused one by one: the request itself is read.
struct BadUnit {
  std::string unit;
  ErrorCode code;
  std::string says;
};

void PrintTo(const BadUnit& bad, std::ostream* out) {
  *out << bad.unit;
}

class DesiredUnitErrors : public ::testing::TestWithParam<BadUnit> {};

TEST_P(DesiredUnitErrors, RefusesThatUnitOnly) {
  const BadUnit& bad = GetParam();
  const auto request = decodeAs<DesiredRequest>(
      desiredFrame(desiredUnit("good.service", "launched") + "," + bad.unit));
  ASSERT_EQ(request.units.size(), 2u);
  EXPECT_FALSE(request.units[0].error.has_value());
  ASSERT_TRUE(request.units[1].error.has_value());
  EXPECT_EQ(request.units[1].error->code(), bad.code);
  EXPECT_THAT(request.units[1].error->what(), HasSubstr(bad.says));
  EXPECT_FALSE(request.units[1].file.has_value());
  EXPECT_TRUE(request.units[1].text.empty());
}

const std::string kHugeText = "[Service]\nExecStart=/bin/true\n# " + std::string(1 << 20, 'x');

INSTANTIATE_TEST_SUITE_P(
    PerUnit, DesiredUnitErrors,
    ::testing::Values(
        BadUnit{R"({"name":"web","state":"launched"})", ErrorCode::bad_unit_name,
                "unit name \"web\""},
        BadUnit{R"({"name":"x.scope","state":"inactive"})", ErrorCode::bad_unit_name, "x.scope"},
        BadUnit{R"({"name":"b.service"})", ErrorCode::bad_message,
                "field \"units[1].state\" is missing; expected one of \"inactive\", \"loaded\", "
                "\"launched\""},
        BadUnit{R"({"name":"b.service","state":"running"})", ErrorCode::bad_message,
                "not \"running\""},
        BadUnit{R"({"name":"b.service","state":"launched","hash":"00"})", ErrorCode::bad_message,
                "field \"units[1].text\" is missing"},
        BadUnit{R"({"name":"b.service","state":"loaded","text":"[Service]\n"})",
                ErrorCode::bad_message, "field \"units[1].hash\" is missing"},
        BadUnit{R"({"name":"b.service","state":"loaded","text":"[Service]\n","hash":1})",
                ErrorCode::bad_message, "field \"units[1].hash\" must be a string, not a number"},
        BadUnit{R"({"name":"b.service","state":"loaded","text":"ExecStart=/x\n","hash":"00"})",
                ErrorCode::bad_unit_text, "b.service"},
        BadUnit{R"({"name":"b.service","state":"loaded","text":"","hash":"00"})",
                ErrorCode::bad_unit_text, "no [Section]"},
        BadUnit{R"({"name":"b.service","state":"loaded","text":"[Service\n","hash":"00"})",
                ErrorCode::bad_unit_text, "b.service:1"},
        BadUnit{R"({"name":"b.service","state":"launched","hash":"00","text":)" +
                    jsonString(kHugeText) + "}",
                ErrorCode::bad_unit_text, "the limit is 1 MiB"},
        BadUnit{R"({"name":"b.service","state":"launched","text":"[Service]\nExecStart=/x\n",)"
                R"("hash":"deadbeef"})",
                ErrorCode::hash_mismatch,
                "hash \"deadbeef\" is not the hash of its text; the agent "
                "computed " +
                    hashOf("[Service]\nExecStart=/x\n")},
        // The hash is hex as unitHash writes it: lowercase.
        BadUnit{R"({"name":"b.service","state":"launched","text":"[Service]\n","hash":")" +
                    [] {
                      std::string upper = hashOf("[Service]\n");
                      for (char& c : upper)
                        c = static_cast<char>(std::toupper(c));
                      return upper;
                    }() +
                    "\"}",
                ErrorCode::hash_mismatch, "computed " + hashOf("[Service]\n")}));

TEST(ProtocolErrorsLimits, TooManyUnits) {
  std::string units;
  for (int i = 0; i <= 10000; ++i) {
    if (i > 0) units += ",";
    units += R"({"name":"u)" + std::to_string(i) + R"(.service","state":"inactive"})";
  }
  const ProtocolError error = errorOf(desiredFrame(units, "big"));
  EXPECT_EQ(error.code(), ErrorCode::bad_message);
  EXPECT_THAT(error.what(), HasSubstr("has 10001 entries; at most 10000"));
  EXPECT_EQ(error.id(), "big");
}

TEST(ProtocolErrorsLimits, LongValuesAreCutInMessages) {
  const ProtocolError error = errorOf(R"({"type":")" + std::string(5000, 'q') + R"(","id":"1"})");
  EXPECT_EQ(error.code(), ErrorCode::unknown_type);
  EXPECT_LT(std::string(error.what()).size(), 200u);
  EXPECT_THAT(error.what(), HasSubstr("qqq\"..."));
}

}  // namespace
}  // namespace deckhand::link
