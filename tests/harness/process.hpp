// Child processes for tests: run one to completion, or keep one running in the background.
// Children are only ever signalled by the PID this code started, never looked up by name.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deckhand::test {

struct ProcessResult {
  int exit_code = -1;  // 128+signal if killed by a signal; -1 if the harness killed it on timeout
  std::string out;
  std::string err;
};

// Runs argv (argv[0] searched in PATH) with extra_env added to the current environment and stdin
// from /dev/null. After the timeout it is killed with SIGKILL and err says so. A program that
// can't be started reports exit code 127, as a shell would.
ProcessResult run(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& extra_env = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A child running in the background, stdout and stderr both going to one private temp file.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& extra_env = {});
  ~BackgroundProcess();  // SIGKILL if still running, reap, remove the temp file
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  std::string output() const;  // everything written so far
  bool waitForOutput(std::string_view needle, std::chrono::milliseconds timeout) const;
  void signal(int signo) const;  // no-op once the child has been reaped by wait()
  // Exit code (128+signal if killed by one), or nullopt if still running at the timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::string output_path_;
  std::optional<int> exit_code_;
};

// "KEY=VALUE" lines, as the harness scripts print them; other lines are ignored.
std::map<std::string, std::string> parseKeyValueLines(std::string_view text);

// text without leading and trailing white space.
std::string trim(std::string_view text);

}  // namespace deckhand::test
