// Hostile input: whatever a peer sends, decodeRequest answers with a ProtocolError of the right
// code and never crashes; whatever bytes go into a message, the frame is valid JSON in UTF-8.

#include <gmock/gmock.h>

#include <boost/json.hpp>
#include <chrono>
#include <random>

#include "agent/link/codec_messages.hpp"
#include "agent/link/codec_utf8.hpp"
#include "protocol_codec_test_support.hpp"

namespace deckhand::link {
namespace {

namespace json = boost::json;
using codec::validUtf8;
using ::testing::HasSubstr;

std::string nested(int depth, std::string_view inner = "1") {
  return std::string(depth, '[') + std::string(inner) + std::string(depth, ']');
}

// An unknown field holding `depth` nested arrays, inside the request object (one level more).
std::string queryWithExtra(int depth) {
  return R"({"type":"query","id":"q","what":"units","extra":)" + nested(depth) + "}";
}

TEST(ProtocolHostile, NestingIsBounded) {
  EXPECT_NO_THROW(decodeRequest(queryWithExtra(31)));
  const ProtocolError deep = errorOf(queryWithExtra(32));
  EXPECT_EQ(deep.code(), ErrorCode::bad_json);
  EXPECT_THAT(deep.what(), HasSubstr("nested deeper than 32 levels"));
  EXPECT_EQ(errorOf(nested(1000000)).code(), ErrorCode::bad_json);
  EXPECT_EQ(errorOf(std::string(100000, '{')).code(), ErrorCode::bad_json);
}

TEST(ProtocolHostile, HugeNumbers) {
  const auto lines = [](std::string_view number) {
    return R"({"type":"journal","id":"j","name":"a.service","lines":)" + std::string(number) + "}";
  };
  EXPECT_EQ(errorOf(lines("99999999999999999999999")).code(), ErrorCode::bad_message);
  EXPECT_EQ(errorOf(lines("18446744073709551615")).code(), ErrorCode::bad_message);
  EXPECT_EQ(errorOf(lines("-9223372036854775808")).code(), ErrorCode::bad_message);
  EXPECT_EQ(errorOf(lines("1e308")).code(), ErrorCode::bad_message);
  EXPECT_EQ(errorOf(lines("-0.5")).code(), ErrorCode::bad_message);
  EXPECT_EQ(errorOf(lines(std::string(5000, '9'))).code(), ErrorCode::bad_message);
  // Past double's range the number reads as infinity, which is no integer either.
  EXPECT_EQ(errorOf(lines("1e400")).code(), ErrorCode::bad_message);
  EXPECT_EQ(decodeAs<JournalRequest>(lines("5e1")).lines, 50);
}

// Every field given every kind of JSON value: each wrong one is named as bad_message (an empty
// string is a string: as a type it is unknown, as a name it breaks the naming rules).
TEST(ProtocolHostile, WrongTypesEverywhere) {
  struct Field {
    std::string_view frame;  // @ stands for the value
    std::string_view valid;  // the values from the list below that are right for the field
  };
  const Field fields[] = {
      {R"({"type":@,"id":"x"})", ""},
      {R"({"type":"desired","id":"x","units":@})", "[]"},
      {R"({"type":"desired","id":"x","units":[@]})", ""},
      {R"({"type":"desired","id":"x","units":[{"name":@,"state":"inactive"}]})", "\"\""},
      {R"({"type":"remove","id":"x","name":@})", ""},
      {R"({"type":"action","id":"x","name":"a.service","action":@})", ""},
      {R"({"type":"action","id":"x","name":"a.service","action":"kill","whom":@})", ""},
      {R"({"type":"action","id":"x","name":"a.service","action":"kill","signal":@})", ""},
      {R"({"type":"query","id":"x","what":@})", ""},
      {R"({"type":"journal","id":"x","name":"a.service","lines":@})", ""},
      {R"({"type":"journal","id":"x","name":"a.service","follow":@})", "true"},
      {R"({"type":"cancel","id":"x","target":@})", ""},
      {R"({"type":"set_metadata","id":"x","metadata":@})", "{}"},
  };
  for (const Field& field : fields) {
    for (const std::string_view value :
         {"null", "true", "0", "-1", "1.5", "\"\"", "[]", "{}", "[\"a\"]"}) {
      std::string frame(field.frame);
      frame.replace(frame.find('@'), 1, value);
      if (value == field.valid) {
        EXPECT_NO_THROW(decodeRequest(frame)) << frame;
        continue;
      }
      const ProtocolError error = errorOf(frame);
      ErrorCode expected = ErrorCode::bad_message;
      if (value == "\"\"" && frame.starts_with(R"({"type":"")")) expected = ErrorCode::unknown_type;
      if (value == "\"\"" && field.frame.find(R"("name":@)") != std::string_view::npos) {
        expected = ErrorCode::bad_unit_name;
      }
      EXPECT_EQ(error.code(), expected) << frame << ": " << error.what();
      EXPECT_EQ(error.id(), "x") << frame;
    }
  }
}

TEST(ProtocolHostile, NulBytes) {
  using namespace std::string_literals;
  EXPECT_EQ(errorOf("\0"s).code(), ErrorCode::bad_json);
  EXPECT_EQ(errorOf(R"({"type":"query","id":"q","what":"units"})"s + '\0').code(),
            ErrorCode::bad_json);
  EXPECT_EQ(errorOf("{\"type\":\"remove\",\"id\":\"r\",\"name\":\"a\0.service\"}"s).code(),
            ErrorCode::bad_json);
  // Escaped, a NUL is valid JSON, and no name or id may hold it.
  EXPECT_EQ(errorOf(R"({"type":"remove","id":"r","name":"a.service\u0000"})").code(),
            ErrorCode::bad_unit_name);
  const ProtocolError id = errorOf(R"({"type":"remove","id":"r\u0000","name":"a.service"})");
  EXPECT_EQ(id.code(), ErrorCode::bad_message);
  EXPECT_EQ(id.id(), std::nullopt);
  EXPECT_EQ(errorOf(R"({"type":"query\u0000","id":"q"})").code(), ErrorCode::unknown_type);
}

TEST(ProtocolHostile, InvalidUtf8IsNotJson) {
  for (const char* bad : {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"}) {
    const std::string frame =
        R"({"type":"remove","id":"r","name":"a)" + std::string(bad) + R"(.service"})";
    const ProtocolError error = errorOf(frame);
    EXPECT_EQ(error.code(), ErrorCode::bad_json) << frame;
    EXPECT_EQ(error.id(), std::nullopt);
  }
  // So is an escaped lone surrogate, which no UTF-8 can hold.
  EXPECT_EQ(errorOf(R"({"type":"remove","id":"r","name":"\ud800.service"})").code(),
            ErrorCode::bad_json);
}

// Duplicate keys: the last one counts, as in Go's, Python's and JavaScript's JSON readers.
TEST(ProtocolHostile, DuplicateKeysLastWins) {
  EXPECT_EQ(decodeAs<RemoveRequest>(
                R"({"type":"x","type":"remove","id":"a","id":"b","name":"c.service"})")
                .id,
            "b");
  const ProtocolError error = errorOf(R"({"type":"remove","id":"r","type":"frobnicate"})");
  EXPECT_EQ(error.code(), ErrorCode::unknown_type);
  EXPECT_EQ(error.id(), "r");
  EXPECT_EQ(decodeAs<SetMetadataRequest>(
                R"({"type":"set_metadata","id":"m","metadata":{"a":"1","a":"2"}})")
                .metadata.at("a"),
            "2");
}

TEST(ProtocolHostile, TenThousandUnits) {
  std::string units;
  for (int i = 0; i < 10000; ++i) {
    if (i > 0) units += ",";
    units += i % 2 == 0 ? desiredUnit("u" + std::to_string(i) + ".service", "launched")
                        : R"({"name":"u)" + std::to_string(i) + R"(.service","state":"inactive"})";
  }
  const auto start = std::chrono::steady_clock::now();
  const auto request = decodeAs<DesiredRequest>(desiredFrame(units));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(request.units.size(), 10000u);
  for (const auto& unit : request.units)
    ASSERT_FALSE(unit.error.has_value()) << unit.name << ": " << unit.error->what();
  EXPECT_LT(took, std::chrono::seconds(5));
}

// Random mutations of valid frames: only ProtocolError may come out (errorOf fails the test
// otherwise), and every error encodes to valid JSON.
TEST(ProtocolHostile, MutatedFramesOnlyEverGiveProtocolErrors) {
  const std::string seeds[] = {
      desiredFrame(desiredUnit("web.service", "launched") + "," +
                   R"({"name":"x.timer","state":"inactive"})"),
      R"({"type":"action","id":"a","name":"a.service","action":"kill","whom":"main","signal":9})",
      R"({"type":"journal","id":"j","name":"a.service","lines":20,"follow":true})",
      R"({"type":"set_metadata","id":"m","metadata":{"region":"us-east"}})",
      R"({"type":"query","id":"q","what":"unit","name":"a@b.service"})",
      R"({"type":"cancel","id":"c","target":"j"})",
  };
  // JSON's syntax, a backslash for escapes, and a NUL byte.
  constexpr std::string_view kSyntax("{}[]\",:\\0e-\0", 12);
  std::mt19937 random(20240601);
  int errors = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string frame = seeds[random() % std::size(seeds)];
    for (auto edits = 1 + random() % 4; edits > 0 && !frame.empty(); --edits) {
      const std::size_t at = random() % frame.size();
      switch (random() % 4) {
        case 0:
          frame[at] = static_cast<char>(random());
          break;
        case 1:
          frame.erase(at, 1 + random() % 8);
          break;
        case 2:
          frame.insert(at, 1, kSyntax[random() % kSyntax.size()]);
          break;
        default:
          frame.insert(at, frame.substr(random() % frame.size(), random() % 16));
          break;
      }
    }
    try {
      decodeRequest(frame);
    } catch (const ProtocolError& error) {
      ++errors;
      ASSERT_TRUE(json::parse(encodeError(error)).is_object());
    } catch (...) {
      FAIL() << "not a ProtocolError for " << frame;
    }
  }
  EXPECT_GT(errors, 1000);
}

TEST(ProtocolUtf8, ValidTextIsUnchanged) {
  for (const char* text : {"", "plain", "ü ß €", "\xf0\x9f\x98\x80", "\xef\xbf\xbd",
                           "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", "\x7f"}) {
    EXPECT_EQ(validUtf8(text), text);
  }
}

TEST(ProtocolUtf8, EachMaximalIllFormedPartBecomesOneReplacement) {
  const std::string r = "\xef\xbf\xbd";
  EXPECT_EQ(validUtf8("a\xff"
                      "b"),
            "a" + r + "b");
  EXPECT_EQ(validUtf8("\x80\x80"), r + r);                  // stray continuations
  EXPECT_EQ(validUtf8("\xc0\xaf"), r + r);                  // overlong '/'
  EXPECT_EQ(validUtf8("\xe0\x80\xaf"), r + r + r);          // overlong, 3 bytes
  EXPECT_EQ(validUtf8("\xed\xa0\x80"), r + r + r);          // surrogate D800
  EXPECT_EQ(validUtf8("\xf4\x90\x80\x80"), r + r + r + r);  // past U+10FFFF
  EXPECT_EQ(validUtf8("\xf0\x9f\x98"), r);                  // truncated at the end
  EXPECT_EQ(validUtf8("\xf0\x9f\x98x"), r + "x");           // truncated in the middle
  EXPECT_EQ(validUtf8("\xe2\x82"), r);
  EXPECT_EQ(validUtf8("\xc2"), r);
  EXPECT_EQ(validUtf8("\xf8\x88\x80\x80\x80"), r + r + r + r + r);
}

TEST(ProtocolEncodeHostile, AnyBytesMakeValidJson) {
  std::string every_byte;
  for (int b = 0; b < 256; ++b)
    every_byte.push_back(static_cast<char>(b));
  const std::vector<JournalLine> lines{{1, 6, every_byte}, {2, 6, "\"quoted\" \\ \n\t\r"}};
  const std::string frame = encodeJournal("j", lines, true);
  const json::value value = json::parse(frame);  // strict: throws on invalid UTF-8
  const std::string_view first = value.at("lines").at(0).at("message").as_string();
  EXPECT_EQ(first.substr(0, 128), every_byte.substr(0, 128));  // ASCII and controls survive
  EXPECT_EQ(first.substr(128), [] {
    std::string replaced;
    for (int i = 128; i < 256; ++i)
      replaced += "\xef\xbf\xbd";
    return replaced;
  }());
  EXPECT_EQ(value.at("lines").at(1).at("message"), "\"quoted\" \\ \n\t\r");
  EXPECT_THAT(frame, HasSubstr("\\u0000"));
}

TEST(ProtocolEncodeHostile, NamesAndMessagesFromTheWireAreSanitised) {
  UnitReport unit{"bad\xff.service", "launched", "\xc3", {}};
  unit.state.load_error = std::string("\0\x01", 2);
  const json::value value = json::parse(encodeUnit(unit));
  EXPECT_EQ(value.at("unit").at("name"), "bad\xef\xbf\xbd.service");
  EXPECT_EQ(value.at("unit").at("load_error").as_string(), std::string("\0\x01", 2));

  machine::MachineFacts facts;
  facts.hostname = "h\xfe";
  facts.metadata = {{"k\xff", "v\xff"}};
  EXPECT_NO_THROW(json::parse(encodeHello(facts, {})));
  EXPECT_NO_THROW(json::parse(encodeError(ProtocolError(ErrorCode::internal, "\xff\xfe", "x"))));
  EXPECT_NO_THROW(json::parse(encodeUnitRemoved("\x80")));
}

}  // namespace
}  // namespace deckhand::link
