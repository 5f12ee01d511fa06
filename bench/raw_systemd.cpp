#include "bench/raw_systemd.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <stdexcept>

#include "bench/figures.hpp"
#include "dbus/unit_properties.hpp"

namespace deckhand::bench {
namespace {

constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
// Generous, as a Reload of 1,000 units takes seconds on a loaded 2-core VM; still, a blocking call
// that hangs fails after this, which the time budget alone could not make it do.
constexpr std::uint64_t kCallTimeoutUsec = 30'000'000;
// How long one wait for the bus lasts before the deadline is checked again.
constexpr std::uint64_t kWaitSliceUsec = 100'000;

std::atomic<Clock::rep> deadline_ticks{Clock::time_point::max().time_since_epoch().count()};
std::atomic<bool> stopped{false};
static_assert(std::atomic<Clock::rep>::is_always_lock_free, "stopNow must be async-signal-safe");

struct MessageUnref {
  void operator()(sd_bus_message* message) const { sd_bus_message_unref(message); }
};
using Message = std::unique_ptr<sd_bus_message, MessageUnref>;

void check(int result, const std::string& what) {
  if (result < 0) throw std::runtime_error(what + ": " + std::strerror(-result));
}

Bus connect(const std::string& address) {
  sd_bus* raw = nullptr;
  check(sd_bus_new(&raw), "sd_bus_new");
  Bus bus(raw);
  const std::string what = "cannot connect to " + address;
  check(sd_bus_set_address(raw, address.c_str()), what);
  check(sd_bus_set_bus_client(raw, 1), what);
  check(sd_bus_set_method_call_timeout(raw, kCallTimeoutUsec), what);
  check(sd_bus_start(raw), what);
  return bus;
}

Message newCall(sd_bus* bus, const char* method) {
  sd_bus_message* request = nullptr;
  check(sd_bus_message_new_method_call(bus, &request, kService, kManagerPath, kManager, method),
        method);
  return Message(request);
}

// Sends request and waits for its reply; throws systemd's error.
Message call(sd_bus* bus, sd_bus_message* request, const std::string& what) {
  sd_bus_error error = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  const int result = sd_bus_call(bus, request, 0, &error, &reply);
  if (result < 0) {
    const std::string text =
        what + ": " + (error.message != nullptr ? error.message : std::strerror(-result));
    sd_bus_error_free(&error);
    throw std::runtime_error(text);
  }
  return Message(reply);
}

void subscribe(sd_bus* bus) {
  call(bus, newCall(bus, "Subscribe").get(), "Subscribe");
}

}  // namespace

void setDeadline(Clock::time_point deadline) {
  deadline_ticks = deadline.time_since_epoch().count();
}

void stopNow() {
  stopped = true;
  // The clock's epoch (boot), long past; time_point::min() would overflow timeLeft's subtraction.
  deadline_ticks = 0;
}

Clock::duration timeLeft() {
  const Clock::time_point deadline{Clock::duration(deadline_ticks.load())};
  return std::max(deadline - Clock::now(), Clock::duration::zero());
}

void checkDeadline(std::string_view waiting_for) {
  if (timeLeft() > Clock::duration::zero()) return;
  throw std::runtime_error(std::string(stopped ? "interrupted" : "out of time") +
                           " while waiting for " + std::string(waiting_for));
}

// The state of one startAll.
struct RawSystemd::Pipeline {
  std::size_t pending = 0;     // calls not yet answered
  std::size_t unfinished = 0;  // jobs asked for and not yet removed
  std::size_t finished = 0;
  std::set<std::string> running;  // jobs answered and not yet removed
  std::string failure;            // the first call or job that did not end "done"

  void finish(const std::string& result) {
    --unfinished;
    ++finished;
    if (result != "done" && failure.empty()) failure = "a job ended " + result;
  }
};

RawSystemd::RawSystemd(const std::string& address) : bus_(connect(address)) {
  sd_bus_slot* slot = nullptr;
  check(sd_bus_match_signal(bus_.get(), &slot, kService, kManagerPath, kManager, "JobRemoved",
                            onJobRemoved, this),
        "adding a match for JobRemoved");
  job_removed_.reset(slot);
  subscribe(bus_.get());
}

int RawSystemd::onJobRemoved(sd_bus_message* message, void* self_pointer, sd_bus_error*) {
  auto& self = *static_cast<RawSystemd*>(self_pointer);
  std::uint32_t id = 0;
  const char* job = nullptr;
  const char* unit = nullptr;
  const char* result = nullptr;
  if (sd_bus_message_read(message, "uoss", &id, &job, &unit, &result) < 0) return 0;
  if (self.pipeline_ != nullptr && self.pipeline_->running.erase(job) > 0) {
    self.pipeline_->finish(result);
  } else {
    self.removed_jobs_[job] = result;  // ours before its reply, or another client's
  }
  return 0;
}

int RawSystemd::onStartReply(sd_bus_message* message, void* self_pointer, sd_bus_error*) {
  auto& self = *static_cast<RawSystemd*>(self_pointer);
  if (self.pipeline_ == nullptr) return 0;
  Pipeline& pipeline = *self.pipeline_;
  --pipeline.pending;
  const char* job = nullptr;
  if (sd_bus_message_is_method_error(message, nullptr) ||
      sd_bus_message_read(message, "o", &job) < 0) {
    const sd_bus_error* error = sd_bus_message_get_error(message);
    if (pipeline.failure.empty()) {
      pipeline.failure = std::string("StartUnit failed: ") +
                         (error != nullptr && error->message != nullptr ? error->message : "?");
    }
    pipeline.finish("error");
    return 0;
  }
  const auto early = self.removed_jobs_.find(job);
  if (early != self.removed_jobs_.end()) {
    pipeline.finish(early->second);
    self.removed_jobs_.erase(early);
  } else {
    pipeline.running.insert(job);
  }
  return 0;
}

template <typename Done>
void RawSystemd::processUntil(Done done, std::string_view waiting_for) {
  while (!done()) {
    checkDeadline(waiting_for);
    int result = sd_bus_process(bus_.get(), nullptr);
    if (result == 0) result = sd_bus_wait(bus_.get(), kWaitSliceUsec);
    if (result < 0 && result != -EINTR) check(result, std::string(waiting_for));
  }
}

void RawSystemd::runJob(const char* method, const std::string& unit) {
  const Message request = newCall(bus_.get(), method);
  check(sd_bus_message_append(request.get(), "ss", unit.c_str(), "replace"), method);
  const std::string what = std::string(method) + " " + unit;
  const Message reply = call(bus_.get(), request.get(), what);
  const char* job_path = nullptr;
  check(sd_bus_message_read(reply.get(), "o", &job_path), what);
  const std::string job = job_path;
  processUntil([&] { return removed_jobs_.contains(job); }, "JobRemoved of " + what);
  const auto removed = removed_jobs_.extract(job);
  if (removed.mapped() != "done") throw std::runtime_error(what + ": " + removed.mapped());
}

void RawSystemd::link(const std::vector<std::string>& paths) {
  const Message request = newCall(bus_.get(), "LinkUnitFiles");
  std::vector<char*> strv;
  strv.reserve(paths.size() + 1);
  for (const auto& path : paths)
    strv.push_back(const_cast<char*>(path.c_str()));
  strv.push_back(nullptr);
  check(sd_bus_message_append_strv(request.get(), strv.data()), "LinkUnitFiles");
  check(sd_bus_message_append(request.get(), "bb", 1, 1), "LinkUnitFiles");
  call(bus_.get(), request.get(), "LinkUnitFiles");
}

void RawSystemd::reload() {
  call(bus_.get(), newCall(bus_.get(), "Reload").get(), "Reload");
}

void RawSystemd::startAll(const std::vector<std::string>& units, std::size_t max_unfinished,
                          std::size_t max_pending) {
  Pipeline pipeline;
  pipeline_ = &pipeline;
  struct Reset {
    RawSystemd& self;
    ~Reset() { self.pipeline_ = nullptr; }
  } reset{*this};
  std::size_t next = 0;
  // Checked after every message: each answer or removed job may make room for the next call.
  const auto sendMoreUntilAllFinished = [&] {
    while (next < units.size() && pipeline.unfinished < max_unfinished &&
           pipeline.pending < max_pending) {
      check(sd_bus_call_method_async(bus_.get(), nullptr, kService, kManagerPath, kManager,
                                     "StartUnit", onStartReply, this, "ss", units[next].c_str(),
                                     "replace"),
            "StartUnit " + units[next]);
      ++next;
      ++pipeline.pending;
      ++pipeline.unfinished;
    }
    return pipeline.finished == units.size();
  };
  processUntil(sendMoreUntilAllFinished, "the jobs of " + std::to_string(units.size()) + " starts");
  if (!pipeline.failure.empty()) throw std::runtime_error(pipeline.failure);
}

void RawSystemd::installAndStartAll(const std::filesystem::path& folder,
                                    const std::vector<std::string>& units, std::string_view text,
                                    std::size_t max_unfinished, std::size_t max_pending) {
  std::vector<std::string> paths;
  paths.reserve(units.size());
  for (const auto& unit : units) {
    paths.push_back(folder / unit);
    std::ofstream file(paths.back());
    file << text;
    if (!file.flush()) throw std::runtime_error("cannot write " + paths.back());
  }
  link(paths);
  reload();
  startAll(units, max_unfinished, max_pending);
}

void RawSystemd::hearUnitChanges() {
  sd_bus_slot* slot = nullptr;
  check(sd_bus_add_match(bus_.get(), &slot, dbus::kUnitsChangedRule, onUnitChanged, this),
        "adding a match for units' PropertiesChanged");
  unit_changes_.reset(slot);
}

int RawSystemd::onUnitChanged(sd_bus_message*, void*, sd_bus_error*) {
  return 0;
}

void RawSystemd::drain() {
  int result = 0;
  while ((result = sd_bus_process(bus_.get(), nullptr)) > 0) {
  }
  check(result, "processing the bus");
  removed_jobs_.clear();
}

ActivationClock::ActivationClock(const std::string& address, const std::string& unit)
    : bus_(connect(address)) {
  char* path = nullptr;
  check(sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit.c_str(), &path), unit);
  sd_bus_slot* slot = nullptr;
  const int added =
      sd_bus_match_signal(bus_.get(), &slot, kService, path, "org.freedesktop.DBus.Properties",
                          "PropertiesChanged", onPropertiesChanged, this);
  std::free(path);
  check(added, "adding a match for " + unit);
  match_.reset(slot);
  subscribe(bus_.get());
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

std::vector<Clock::time_point> ActivationClock::activations() const {
  const std::lock_guard lock(mutex_);
  if (!failure_.empty()) throw std::runtime_error(failure_);
  return activations_;
}

std::vector<std::uint64_t> ActivationClock::enteredActiveUsec() const {
  const std::lock_guard lock(mutex_);
  if (!failure_.empty()) throw std::runtime_error(failure_);
  return entered_active_usec_;
}

void ActivationClock::run(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    int result = sd_bus_process(bus_.get(), nullptr);
    if (result == 0) result = sd_bus_wait(bus_.get(), kWaitSliceUsec);
    if (result < 0 && result != -EINTR) {
      const std::lock_guard lock(mutex_);
      failure_ = std::string("the direct subscriber lost its bus: ") + std::strerror(-result);
      return;
    }
  }
}

int ActivationClock::onPropertiesChanged(sd_bus_message* message, void* self_pointer,
                                         sd_bus_error*) {
  // First, so that reading the message counts as the subscriber's work, as it does for deckhand.
  const Clock::time_point now = Clock::now();
  auto& self = *static_cast<ActivationClock*>(self_pointer);
  const char* interface = nullptr;
  if (sd_bus_message_read(message, "s", &interface) < 0 ||
      std::string_view(interface) != "org.freedesktop.systemd1.Unit" ||
      sd_bus_message_enter_container(message, 'a', "{sv}") < 0) {
    return 0;
  }
  const char* state = nullptr;  // points into message, which outlives this handler
  std::uint64_t entered_usec = 0;
  while (sd_bus_message_enter_container(message, 'e', "sv") > 0) {
    const char* name = nullptr;
    if (sd_bus_message_read(message, "s", &name) < 0) return 0;
    if (std::string_view(name) == "ActiveState") {
      if (sd_bus_message_read(message, "v", "s", &state) < 0) return 0;
    } else if (std::string_view(name) == "ActiveEnterTimestampMonotonic") {
      if (sd_bus_message_read(message, "v", "t", &entered_usec) < 0) return 0;
    } else if (sd_bus_message_skip(message, "v") < 0) {
      return 0;
    }
    if (sd_bus_message_exit_container(message) < 0) return 0;
  }
  if (state == nullptr) return 0;
  if (std::string_view(state) == "active" && self.last_state_ != "active") {
    const std::lock_guard lock(self.mutex_);
    self.activations_.push_back(now);
    self.entered_active_usec_.push_back(entered_usec);
  }
  self.last_state_ = state;
  return 0;
}

namespace {

void onStopSignal(int) {
  stopNow();
}

}  // namespace

void measureAlternating(const char* prefix, int rounds, const std::function<double()>& direct,
                        const std::function<double()>& subject, std::string_view subject_name) {
  std::vector<double> subject_s, direct_s, ratios;
  for (int round = 0; round < rounds; ++round) {
    const auto started = Clock::now();
    if (round % 2 == 0) direct_s.push_back(direct());
    subject_s.push_back(subject());
    if (round % 2 == 1) direct_s.push_back(direct());
    ratios.push_back(subject_s.back() / direct_s.back());
    if (round == 0 && timeLeft() < (Clock::now() - started) * (rounds - 1) * 5 / 4) {
      std::fprintf(stderr, "%s: one round only: more would not fit in the time left\n", prefix);
      break;
    }
  }
  const std::string name(prefix);
  printFigure(name + "_" + std::string(subject_name) + "_s", median(subject_s), 3);
  printFigure(name + "_direct_s", median(direct_s), 3);
  printFigure(name + "_ratio", median(ratios), 3);
}

void startSandboxBenchmark(Clock::duration budget) {
  if (geteuid() != 0) {
    throw std::runtime_error(
        "needs root: it boots systemd in private namespaces (tests/harness/sandbox.sh); run it as "
        "root, as ./tools/dev bench does");
  }
  setDeadline(Clock::now() + budget);
  std::vector<std::string> names;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (text.starts_with("DECKHAND_")) names.emplace_back(text.substr(0, text.find('=')));
  }
  for (const auto& name : names)
    unsetenv(name.c_str());
  // No SA_RESTART: a blocking wait returns at once, and the next deadline check unwinds.
  struct sigaction action {};
  action.sa_handler = onStopSignal;
  for (const int signal : {SIGINT, SIGTERM, SIGHUP})
    sigaction(signal, &action, nullptr);
}

}  // namespace deckhand::bench
