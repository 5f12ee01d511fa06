#include "tests/harness/tls_files.hpp"

#include <stdlib.h>

#include <cerrno>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "tests/harness/process.hpp"

namespace deckhand::test {
namespace {

namespace fs = std::filesystem;

void openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult result = run(argv);
  if (result.exit_code != 0) {
    std::string command;
    for (const auto& arg : argv)
      command += arg + " ";
    throw std::runtime_error("TLS test files: " + command + "failed (" +
                             std::to_string(result.exit_code) + "): " + result.err);
  }
}

// P-256 keys: as good as RSA for a test and made in milliseconds.
std::vector<std::string> newKey(const fs::path& key) {
  return {"-newkey", "ec",      "-pkeyopt",  "ec_paramgen_curve:prime256v1",
          "-nodes",  "-keyout", key.string()};
}

void makeCa(const fs::path& dir, const std::string& name, const std::string& subject) {
  std::vector<std::string> args{"req",     "-x509",
                                "-days",   "2",
                                "-subj",   subject,
                                "-out",    (dir / (name + ".crt")).string(),
                                "-addext", "basicConstraints=critical,CA:TRUE",
                                "-addext", "keyUsage=critical,keyCertSign,cRLSign"};
  const auto key = newKey(dir / (name + ".key"));
  args.insert(args.end(), key.begin(), key.end());
  openssl(args);
}

// A leaf certificate signed by the CA "ca", with extensions given one per line.
void makeLeaf(const fs::path& dir, const std::string& name, const std::string& subject,
              const std::string& extensions) {
  const fs::path ext_file = dir / (name + ".ext");
  std::ofstream(ext_file) << extensions;
  std::vector<std::string> request{"req", "-subj", subject, "-out",
                                   (dir / (name + ".csr")).string()};
  const auto key = newKey(dir / (name + ".key"));
  request.insert(request.end(), key.begin(), key.end());
  openssl(request);
  openssl({"x509", "-req", "-days", "2", "-in", (dir / (name + ".csr")).string(), "-CA",
           (dir / "ca.crt").string(), "-CAkey", (dir / "ca.key").string(), "-CAcreateserial",
           "-extfile", ext_file.string(), "-out", (dir / (name + ".crt")).string()});
}

}  // namespace

TlsFiles::TlsFiles() {
  // /var/tmp, like the harness's other files: a systemd started carelessly may empty /tmp.
  std::string dir = "/var/tmp/deckhand-tls-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + dir);
  }
  dir_ = dir;
  try {
    makeCa(dir_, "ca", "/CN=deckhand test CA");
    makeCa(dir_, "other-ca", "/CN=deckhand unrelated test CA");
    makeLeaf(dir_, "server", "/CN=127.0.0.1",
             "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
    makeLeaf(dir_, "client", "/CN=deckhand test agent", "extendedKeyUsage=clientAuth\n");
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
    throw;
  }
}

TlsFiles::~TlsFiles() {
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

}  // namespace deckhand::test
