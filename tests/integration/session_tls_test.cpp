// wss:// as docs/protocol.md "Transport" promises: the scheduler's chain and name are verified,
// and a client certificate is presented when configured. Certificates are made per test run.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/harness/tls_files.hpp"
#include "tests/integration/session_fixture.hpp"

namespace deckhand::link {
namespace {

using ::testing::HasSubstr;

class SessionTlsTest : public SessionTest {
 protected:
  test::SchedulerPeerOptions peerOptions() const {
    return {.token = kToken, .cert_file = tls_.serverCert(), .key_file = tls_.serverKey()};
  }

  SessionOptions trusting(const test::SchedulerPeer& peer) const {
    SessionOptions options = optionsFor(peer);
    options.ca_file = tls_.ca();
    return options;
  }

  test::TlsFiles tls_;
};

TEST_F(SessionTlsTest, ConnectsWithTheGeneratedCa) {
  test::SchedulerPeer peer(peerOptions());
  ASSERT_THAT(peer.url(), ::testing::StartsWith("wss://127.0.0.1:"));
  startSession(trusting(peer));
  const auto hello = waitForHello(peer, 1);
  ASSERT_TRUE(hello) << (states_.empty() ? "" : states_.back().why);
  EXPECT_EQ(hello->text, R"({"type":"hello","protocol":1,"n":1})");
}

TEST_F(SessionTlsTest, ConnectsByHostName) {
  test::SchedulerPeer peer(peerOptions());
  SessionOptions options = trusting(peer);
  options.url.host = "localhost";  // a DNS name in the certificate, sent as SNI
  startSession(options);
  EXPECT_TRUE(waitForHello(peer, 1)) << (states_.empty() ? "" : states_.back().why);
}

TEST_F(SessionTlsTest, UnknownCaIsRefusedByTheAgent) {
  test::SchedulerPeer peer(peerOptions());
  SessionOptions options = trusting(peer);
  options.ca_file = tls_.otherCa();
  startSession(options);
  const auto lost = waitForState(false);
  ASSERT_TRUE(lost);
  EXPECT_THAT(lost->why, HasSubstr("TLS handshake failed: certificate verify failed"));
  EXPECT_TRUE(peer.upgrades().empty());
}

TEST_F(SessionTlsTest, CertificateForAnotherAddressIsRefused) {
  test::SchedulerPeerOptions peer_options = peerOptions();
  peer_options.address = "127.0.0.2";  // the certificate names 127.0.0.1 and localhost
  test::SchedulerPeer peer(peer_options);
  startSession(trusting(peer));
  const auto lost = waitForState(false);
  ASSERT_TRUE(lost);
  EXPECT_THAT(lost->why, HasSubstr("IP address mismatch"));
  EXPECT_TRUE(peer.upgrades().empty());
}

TEST_F(SessionTlsTest, MissingCaFileIsNamed) {
  test::SchedulerPeer peer(peerOptions());
  SessionOptions options = trusting(peer);
  options.ca_file = "/nonexistent/ca.pem";
  startSession(options);
  const auto lost = waitForState(false);
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->why, "cannot read CA file /nonexistent/ca.pem: no such file");
}

TEST_F(SessionTlsTest, ClientCertificateIsPresented) {
  test::SchedulerPeerOptions peer_options = peerOptions();
  peer_options.client_ca_file = tls_.ca();
  test::SchedulerPeer peer(peer_options);
  SessionOptions options = trusting(peer);
  options.cert_file = tls_.clientCert();
  options.key_file = tls_.clientKey();
  startSession(options);
  EXPECT_TRUE(waitForHello(peer, 1)) << (states_.empty() ? "" : states_.back().why);
}

TEST_F(SessionTlsTest, SchedulerThatWantsAClientCertificateRefusesNone) {
  test::SchedulerPeerOptions peer_options = peerOptions();
  peer_options.client_ca_file = tls_.ca();
  test::SchedulerPeer peer(peer_options);
  startSession(trusting(peer));
  const auto lost = waitForState(false);
  ASSERT_TRUE(lost);
  std::cout << "without a client certificate: " << lost->why << "\n";
  EXPECT_EQ(peer.connections(), 0);
}

}  // namespace
}  // namespace deckhand::link
