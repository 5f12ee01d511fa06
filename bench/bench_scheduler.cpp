// bench_scheduler: the reference scheduler with 1,000 agents. The real deckhand-scheduler binary
// runs on loopback; this process plays 1,000 lightweight agents, each a WebSocket connection that
// speaks the protocol with the agent's own codec (hello with a machine and metadata, a result for
// every desired request), all on one io_context. Figures:
//   sched_idle_rss_mib         the scheduler's RSS with no agent (for scale)
//   sched_agents_1000_rss_mib  its RSS holding 1,000 connected agents
//   sched_place_10000_s        10,000 units with mixed constraints, from the submission (one API
//                              request) until the agents have received every placement decision
//   sched_place_10000_cpu_s    the scheduler's CPU time for it (user and system), which other
//                              load on the machine does not change as it changes the wall time
//   sched_units_10000_rss_mib  its RSS afterwards
// Prints "figure value" lines for bench/run; exits non-zero on any failure. Needs no root.

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "agent/link/codec_messages.hpp"
#include "agent/link/codec_requests.hpp"
#include "bench/figures.hpp"

#ifndef SCHEDULER_PATH
#error "SCHEDULER_PATH (deckhand-scheduler built by meson) must be defined; see bench/meson.build"
#endif

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kAgents = 1000;
constexpr int kUnits = 10000;
constexpr auto kBudget = 120s;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

std::string machineId(int agent) {
  char id[33];
  std::snprintf(id, sizeof id, "%08x%024x", 0x10000000 + agent * 7919, agent);
  return id;
}

// The CPU time the process has used, user and system, from /proc/PID/stat.
double cpuSeconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), {});
  // Fields after the command, which is in parentheses and may hold spaces: utime is the 12th.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 1; i <= 13 && fields >> field; ++i) {
    if (i >= 12) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double rssMib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::stod(line.substr(6)) / 1024.0;
  }
  throw std::runtime_error("no VmRSS for the scheduler (PID " + std::to_string(pid) + ")");
}

// The scheduler, started and stopped by its PID; its log goes to a private file.
class SchedulerProcess {
 public:
  explicit SchedulerProcess(const std::filesystem::path& folder) : log_(folder / "scheduler.log") {
    const auto state = (folder / "state.json").string();
    const auto log = log_.string();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      std::freopen(log.c_str(), "w", stderr);
      ::execl(SCHEDULER_PATH, SCHEDULER_PATH, "--listen-agents", "127.0.0.1:0", "--listen-api",
              "127.0.0.1:0", "--state-file", state.c_str(), "--log-level", "info",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const auto deadline = Clock::now() + 10s;
    std::smatch match;
    const std::regex ports(R"(agents on ws://[^:]+:(\d+), API on http://[^:]+:(\d+))");
    for (;;) {
      std::ifstream in(log_);
      const std::string text((std::istreambuf_iterator<char>(in)), {});
      if (std::regex_search(text, match, ports)) {
        agent_port = match[1];
        api_port = match[2];
        return;
      }
      if (Clock::now() > deadline) throw std::runtime_error("the scheduler did not start: " + text);
      std::this_thread::sleep_for(20ms);
    }
  }
  ~SchedulerProcess() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  pid_t pid() const { return pid_; }
  std::string agent_port;
  std::string api_port;

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

struct Counters {
  int connected = 0;
  int units_received = 0;
  Clock::time_point last_unit{};
};

// One simulated agent: hello, then a result for each desired request; it holds what it is told.
asio::awaitable<void> agent(int number, std::string port, Counters& counters) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  websocket::stream<beast::tcp_stream> ws(executor);
  const auto [resolve_error, endpoints] = co_await resolver.async_resolve("127.0.0.1", port, kUse);
  if (resolve_error) co_return;
  const auto [connect_error, connected] =
      co_await beast::get_lowest_layer(ws).async_connect(endpoints, kUse);
  if (connect_error) co_return;
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
    request.set(http::field::sec_websocket_protocol, "deckhand.v1");
  }));
  const auto [handshake_error] = co_await ws.async_handshake("127.0.0.1", "/v1/agent", kUse);
  if (handshake_error) co_return;
  deckhand::machine::MachineFacts facts;
  facts.machine_id = machineId(number);
  facts.hostname = "sim-" + std::to_string(number);
  facts.public_ip = "192.0.2.1";
  facts.metadata = {{"region", "r" + std::to_string(number % 5)},
                    {"disk", number % 3 == 0 ? "ssd" : "hdd"},
                    {"rack", std::to_string(number % 40)}};
  co_await ws.async_write(asio::buffer(deckhand::link::encodeHello(facts, {})), kUse);
  ++counters.connected;
  beast::flat_buffer buffer;
  for (;;) {
    buffer.clear();
    const auto [read_error, bytes] = co_await ws.async_read(buffer, kUse);
    if (read_error) co_return;
    const auto request = deckhand::link::decodeRequest(beast::buffers_to_string(buffer.data()));
    const auto* desired = std::get_if<deckhand::link::DesiredRequest>(&request);
    if (desired == nullptr) continue;
    std::vector<deckhand::link::UnitOutcome> outcomes;
    for (const auto& unit : desired->units) {
      outcomes.push_back({unit.name, unit.error});
      if (unit.error)
        throw std::runtime_error("agent refused " + unit.name + ": " + unit.error->what());
    }
    counters.units_received += static_cast<int>(desired->units.size());
    counters.last_unit = Clock::now();
    co_await ws.async_write(
        asio::buffer(deckhand::link::encodeDesiredResult(desired->id, outcomes)), kUse);
  }
}

// One HTTP request to the API, synchronously (the agents' io_context is not running then).
json::value callApi(const std::string& port, http::verb verb, const std::string& target,
                    const std::string& body = "") {
  asio::io_context io;
  beast::tcp_stream stream(io);
  asio::ip::tcp::resolver resolver(io);
  stream.connect(resolver.resolve("127.0.0.1", port));
  http::request<http::string_body> request(verb, target, 11);
  request.set(http::field::host, "127.0.0.1");
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1024 * 1024 * 1024);
  http::read(stream, buffer, parser);
  const auto response = parser.release();
  if (response.result_int() != 200) {
    throw std::runtime_error(target + ": " + std::to_string(response.result_int()) + " " +
                             response.body().substr(0, 500));
  }
  try {
    return json::parse(response.body());
  } catch (const std::exception& error) {
    throw std::runtime_error(target + ": the answer is not JSON: " + error.what());
  }
}

// 10,000 units with fleet's constraints mixed: plain, metadata (AND across keys, OR within one,
// and a numeric range), MachineOf followers, instances of a template that conflict with each
// other, MachineID pins, a few global units and one-way conflicts.
std::string mixedUnits() {
  json::array units;
  const auto add = [&](const std::string& name, const std::string& fleet) {
    std::string text = "[Service]\nExecStart=/bin/sleep infinity\n";
    if (!fleet.empty()) text += "[X-Fleet]\n" + fleet;
    units.push_back(json::object{{"name", name}, {"text", text}, {"target", "launched"}});
  };
  for (int i = 0; i < 4000; ++i)
    add("plain-" + std::to_string(i) + ".service", "");
  for (int i = 0; i < 2000; ++i) {
    add("regional-" + std::to_string(i) + ".service",
        "MachineMetadata=region=r" + std::to_string(i % 5) + "\nMachineMetadata=region=r" +
            std::to_string((i + 1) % 5) + "\n");
  }
  for (int i = 0; i < 1000; ++i) {
    add("fast-" + std::to_string(i) + ".service",
        "MachineMetadata=\"disk=ssd\" \"rack>=10\" \"rack<30\"\n");
  }
  for (int i = 0; i < 1000; ++i) {
    add("side-" + std::to_string(i) + ".service",
        "MachineOf=plain-" + std::to_string(i) + ".service\n");
  }
  for (int i = 0; i < 1000; ++i) {
    add("web@" + std::to_string(i) + ".service", "Conflicts=web@*.service\n");
  }
  for (int i = 0; i < 500; ++i) {
    add("pinned-" + std::to_string(i) + ".service",
        "MachineID=" + machineId((i * 37) % kAgents).substr(0, 8) + "\n");
  }
  for (int i = 0; i < 5; ++i) {
    add("global-" + std::to_string(i) + ".service",
        "Global=true\nMachineMetadata=region=r" + std::to_string(i) + "\n");
  }
  for (int i = 0; i < 495; ++i) {
    add("apart-" + std::to_string(i) + ".service",
        "Conflicts=plain-" + std::to_string(i) + ".service\n");
  }
  if (units.size() != kUnits) throw std::logic_error("the mix is not 10000 units");
  return json::serialize(json::object{{"units", units}});
}

// Every decision the agents must receive: one per unit, and one per matching machine for each
// global unit (global-N runs where region=rN, on every fifth agent).
constexpr int kGlobalUnits = 5;
constexpr int kExpectedDecisions = kUnits - kGlobalUnits + kGlobalUnits * (kAgents / 5);

template <typename Predicate>
void runUntil(asio::io_context& io, Predicate done, const char* what) {
  const auto deadline = Clock::now() + kBudget;
  while (!done()) {
    if (Clock::now() > deadline) throw std::runtime_error(std::string("timed out: ") + what);
    io.run_for(5ms);
    io.restart();
  }
}

int run() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < kAgents + 64) throw std::runtime_error("the open file limit is too low");

  const auto folder = std::filesystem::temp_directory_path() /
                      ("deckhand-bench-scheduler-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  struct RemoveFolder {
    std::filesystem::path path;
    ~RemoveFolder() { std::filesystem::remove_all(path); }
  } remove_folder{folder};

  SchedulerProcess scheduler(folder);
  std::this_thread::sleep_for(200ms);
  const double idle_mib = rssMib(scheduler.pid());

  asio::io_context io(1);
  Counters counters;
  for (int i = 0; i < kAgents; ++i) {
    asio::co_spawn(io, agent(i, scheduler.agent_port, counters), [](std::exception_ptr error) {
      if (error) std::rethrow_exception(error);
    });
  }
  runUntil(
      io, [&] { return counters.connected == kAgents; }, "1000 agents connecting");
  // Until the scheduler has read every hello.
  const auto deadline = Clock::now() + kBudget;
  for (;;) {
    int seen = 0;
    const auto machines = callApi(scheduler.api_port, http::verb::get, "/v1/machines");
    for (const auto& machine : machines.at("machines").as_array()) {
      seen += machine.at("connected").as_bool() ? 1 : 0;
    }
    if (seen == kAgents) break;
    if (Clock::now() > deadline)
      throw std::runtime_error("the scheduler saw only " + std::to_string(seen));
    runUntil(
        io, [&, until = Clock::now() + 50ms] { return Clock::now() > until; }, "idle");
  }
  const double agents_mib = rssMib(scheduler.pid());

  const auto body = mixedUnits();
  const double cpu_before = cpuSeconds(scheduler.pid());
  const auto start = Clock::now();
  callApi(scheduler.api_port, http::verb::post, "/v1/units", body);
  runUntil(
      io, [&] { return counters.units_received >= kExpectedDecisions; }, "placement decisions");
  const double place_s = std::chrono::duration<double>(counters.last_unit - start).count();
  const double place_cpu_s = cpuSeconds(scheduler.pid()) - cpu_before;
  const auto units = callApi(scheduler.api_port, http::verb::get, "/v1/units");
  for (const auto& unit : units.at("units").as_array()) {
    if (unit.at("machines").as_array().empty()) {
      throw std::runtime_error(std::string(unit.at("name").as_string()) + " was not placed: " +
                               json::serialize(unit.at("pending")).substr(0, 300));
    }
  }
  runUntil(
      io, [&, until = Clock::now() + 500ms] { return Clock::now() > until; }, "settling");
  const double units_mib = rssMib(scheduler.pid());

  deckhand::bench::printFigure("sched_idle_rss_mib", idle_mib, 1);
  deckhand::bench::printFigure("sched_agents_1000_rss_mib", agents_mib, 1);
  deckhand::bench::printFigure("sched_place_10000_s", place_s, 3);
  deckhand::bench::printFigure("sched_place_10000_cpu_s", place_cpu_s, 3);
  deckhand::bench::printFigure("sched_units_10000_rss_mib", units_mib, 1);
  return 0;
}

}  // namespace

int main() {
  return deckhand::bench::benchmarkMain("bench_scheduler", run);
}
