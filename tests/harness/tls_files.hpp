// Certificates for TLS tests, made fresh by the openssl CLI in a private temp folder that goes
// away with the object: a CA, a server certificate it signed for 127.0.0.1 and localhost, a
// client certificate it signed, and an unrelated CA that trusts neither.
#pragma once

#include <filesystem>

namespace deckhand::test {

class TlsFiles {
 public:
  TlsFiles();   // throws std::runtime_error with openssl's output if a step fails
  ~TlsFiles();  // removes the folder
  TlsFiles(const TlsFiles&) = delete;
  TlsFiles& operator=(const TlsFiles&) = delete;

  std::filesystem::path ca() const { return dir_ / "ca.crt"; }
  std::filesystem::path serverCert() const {
    return dir_ / "server.crt";
  }  // IP 127.0.0.1, DNS localhost
  std::filesystem::path serverKey() const { return dir_ / "server.key"; }
  std::filesystem::path clientCert() const { return dir_ / "client.crt"; }
  std::filesystem::path clientKey() const { return dir_ / "client.key"; }
  std::filesystem::path otherCa() const { return dir_ / "other-ca.crt"; }

 private:
  std::filesystem::path dir_;
};

}  // namespace deckhand::test
