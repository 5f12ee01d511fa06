#include "agent/link/scheduler_url.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace deckhand::link {
namespace {

using ::testing::HasSubstr;

std::string errorOf(std::string_view text) {
  try {
    parseSchedulerUrl(text);
  } catch (const UrlError& error) {
    return error.what();
  }
  return "no error";
}

TEST(SchedulerUrl, ParsesWsAndWssWithDefaults) {
  const auto plain = parseSchedulerUrl("ws://sched.example");
  EXPECT_FALSE(plain.tls);
  EXPECT_EQ(plain.host, "sched.example");
  EXPECT_EQ(plain.port, 80);
  EXPECT_EQ(plain.target, "/");

  const auto secure = parseSchedulerUrl("wss://10.0.0.1:7443/v1/agent?x=1");
  EXPECT_TRUE(secure.tls);
  EXPECT_EQ(secure.host, "10.0.0.1");
  EXPECT_EQ(secure.port, 7443);
  EXPECT_EQ(secure.target, "/v1/agent?x=1");
  EXPECT_EQ(secure.text(), "wss://10.0.0.1:7443/v1/agent?x=1");
}

TEST(SchedulerUrl, ParsesBracketedIpv6) {
  const auto url = parseSchedulerUrl("wss://[::1]:9000/agent");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 9000);
  EXPECT_EQ(url.text(), "wss://[::1]:9000/agent");
  EXPECT_EQ(parseSchedulerUrl("ws://[fe80::1]").port, 80);
}

TEST(SchedulerUrl, RejectsWithTheReason) {
  EXPECT_THAT(errorOf("http://x"), HasSubstr("scheme must be ws:// or wss://"));
  EXPECT_THAT(errorOf("ws://"), HasSubstr("host \"\""));
  EXPECT_THAT(errorOf("ws://a b/"), HasSubstr("host \"a b\""));
  EXPECT_THAT(errorOf("ws://x:0/"), HasSubstr("port \"0\""));
  EXPECT_THAT(errorOf("ws://x:70000"), HasSubstr("port \"70000\""));
  EXPECT_THAT(errorOf("ws://x:"), HasSubstr("port \"\""));
  EXPECT_THAT(errorOf("ws://x:8a"), HasSubstr("port \"8a\""));
  EXPECT_THAT(errorOf("ws://user:pw@x/"), HasSubstr("credentials"));
  EXPECT_THAT(errorOf("ws://[::1/"), HasSubstr("closing ']'"));
  EXPECT_THAT(errorOf("ws://[nope]/"), HasSubstr("not an IPv6 address"));
  EXPECT_THAT(errorOf("ws://x/a b"), HasSubstr("path"));
  EXPECT_THAT(errorOf("ws://x/#frag"), HasSubstr("fragment"));
  EXPECT_THAT(errorOf("ws://x..y/"), HasSubstr("not a host name"));
}

}  // namespace
}  // namespace deckhand::link
