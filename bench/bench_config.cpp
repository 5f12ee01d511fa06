// bench_config: what loading the agent's configuration costs, compared with only reading the same
// files. The ratio is the figure to compare: it cancels out how fast this machine's disk cache and
// CPU happen to be, which the raw microseconds do not.
//
// Prints "figure value" lines for bench/run; exits non-zero if the config does not load as written.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "agent/config/loader.hpp"
#include "bench/figures.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using deckhand::bench::median;
using deckhand::bench::printFigure;

// 21 rounds of 200 operations each: about 0.3 s on a 2-core VM; odd for the median.
constexpr int kRounds = 21;
constexpr int kOpsPerRound = 200;

// A fresh folder under /var/tmp, removed with everything in it when this goes out of scope.
class TempFolder {
 public:
  TempFolder() {
    std::string pattern = "/var/tmp/deckhand-bench-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot create a folder like " + pattern);
    }
    path_ = pattern;
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  ~TempFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }

  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A config as an operator would write it: every setting in the main file, and drop-ins that
// override some of them, so the loader does all of its work (parse, validate, check files, merge).
class ConfigFolder {
 public:
  ConfigFolder() {
    for (const char* name : {"token", "ca.pem", "client.pem", "client.key"}) {
      write(dir() / name, "placeholder\n");  // the loader only checks that these are readable
    }
    write(file(), mainFile());
    fs::create_directory(dropInDir());
    write(dropInDir() / "10-region.conf",
          "# Set by provisioning for this rack.\n[Machine]\nMetadata=region=eu-west,zone=b,"
          "rack=r12,disk=ssd,gpu=none\n");
    write(dropInDir() / "20-debug.conf",
          "# Temporary: chasing a heartbeat problem.\n[Agent]\nLogLevel=debug\n\n"
          "[Scheduler]\nHeartbeatInterval=5s\n");
  }

  const fs::path& dir() const { return temp_.path(); }
  fs::path file() const { return dir() / "agent.conf"; }
  fs::path dropInDir() const { return dir() / "agent.conf.d"; }
  std::vector<fs::path> allFiles() const {
    return {file(), dropInDir() / "10-region.conf", dropInDir() / "20-debug.conf"};
  }

 private:
  std::string mainFile() const {
    const std::string folder = dir().string();
    std::string text =
        "# deckhand agent configuration\n"
        "[Scheduler]\n"
        "URL=wss://scheduler.example.net:8443/agent\n";
    text += "TokenFile=" + folder + "/token\n";
    text += "CAFile=" + folder + "/ca.pem\n";
    text += "CertFile=" + folder + "/client.pem\n";
    text += "KeyFile=" + folder + "/client.key\n";
    text +=
        "HeartbeatInterval=15s\n"
        "\n"
        "[Machine]\n"
        "Metadata=region=eu-west,disk=ssd\n"
        "PublicIP=203.0.113.7\n"
        "\n"
        "[Agent]\n"
        "UnitsDirectory=/run/deckhand/units\n"
        "StateDirectory=/var/lib/deckhand\n"
        "LogLevel=info\n";
    return text;
  }

  static void write(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out.flush()) {
      throw std::runtime_error("cannot write " + path.string());
    }
  }

  TempFolder temp_;  // a member, so the folder is removed even if the constructor throws
};

// The same way systemd/ini_file.cpp reads a file, so the baseline is the loader's own I/O.
std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Microseconds per call of op, over one round.
template <typename Op>
double timeRound(Op op) {
  const auto start = Clock::now();
  for (int i = 0; i < kOpsPerRound; ++i) {
    op();
  }
  const std::chrono::duration<double, std::micro> elapsed = Clock::now() - start;
  return elapsed.count() / kOpsPerRound;
}

// Fails loudly if a drop-in was not applied: the benchmark would be measuring a smaller job.
void checkLoaded(const deckhand::config::LoadedConfig& loaded) {
  const auto& config = loaded.config;
  if (config.log_level != deckhand::config::LogLevel::debug ||
      config.heartbeat_interval != std::chrono::seconds(5) || config.metadata.size() != 5 ||
      !config.scheduler || config.key_file.empty()) {
    throw std::runtime_error("the benchmark config did not load as written");
  }
}

int run() {
  const ConfigFolder folder;
  deckhand::config::ConfigSources sources;
  sources.file = folder.file();
  sources.file_required = true;
  // No environment: DECKHAND_* variables of whoever runs the benchmark must not change the work.
  checkLoaded(deckhand::config::loadConfig(sources));

  const auto files = folder.allFiles();
  std::size_t sink = 0;  // uses every result, so no call can be optimised away
  const auto load = [&] { sink += deckhand::config::loadConfig(sources).origins.size(); };
  const auto read = [&] {
    for (const auto& path : files) {
      sink += readFile(path).size();
    }
  };

  std::vector<double> load_us, read_us, ratios;
  for (int round = 0; round < kRounds; ++round) {
    // Alternating which goes first keeps cache and frequency effects from favouring one side.
    const bool load_first = round % 2 == 0;
    const double first = load_first ? timeRound(load) : timeRound(read);
    const double second = load_first ? timeRound(read) : timeRound(load);
    load_us.push_back(load_first ? first : second);
    read_us.push_back(load_first ? second : first);
    ratios.push_back(load_us.back() / read_us.back());
  }
  if (sink == 0) {
    throw std::runtime_error("nothing was loaded");
  }

  printFigure("config_load_us", median(load_us), 2);
  printFigure("config_read_files_us", median(read_us), 2);
  // Median of the per-round ratios: each compares two measurements taken moments apart.
  printFigure("config_load_vs_read_ratio", median(ratios), 3);
  return 0;
}

}  // namespace

int main() {
  return deckhand::bench::benchmarkMain("bench_config", [&] { return run(); });
}
