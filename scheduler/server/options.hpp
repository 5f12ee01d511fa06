#pragma once
// deckhand-scheduler's command line.

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace deckhand::scheduler {

struct Address {
  std::string host;
  std::uint16_t port = 0;
};

struct SchedulerOptions {
  Address agents{"0.0.0.0", 7443};
  Address api{"127.0.0.1", 7480};
  std::filesystem::path state_file = "/var/lib/deckhand-scheduler/state.json";
  std::filesystem::path token_file;      // agents' bearer token; empty: none needed
  std::filesystem::path api_token_file;  // operators' bearer token; empty: none needed
  std::filesystem::path cert_file;       // with key_file: TLS for agents (wss://)
  std::filesystem::path key_file;
  std::filesystem::path api_cert_file;  // with api_key_file: TLS for operators (https://)
  std::filesystem::path api_key_file;
  std::chrono::milliseconds machine_grace = std::chrono::seconds(30);
  std::chrono::seconds agent_timeout{30};
  std::string log_level = "info";
  bool help = false;
  bool version = false;
};

// Bad usage: the message names the option and what it takes.
class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

SchedulerOptions parseOptions(int argc, char** argv);  // throws UsageError
std::string usageText();

}  // namespace deckhand::scheduler
