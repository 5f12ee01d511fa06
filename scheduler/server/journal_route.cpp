#include "scheduler/server/journal_route.hpp"

#include <boost/json.hpp>
#include <memory>

#include "scheduler/server/api_json.hpp"

namespace deckhand::scheduler {
namespace {

namespace json = boost::json;

constexpr int kDefaultJournalLines = 50;
constexpr int kMaxJournalLines = 10000;

std::string agentFailure(const std::string& machine, const Result& result) {
  const auto error = result.error.value_or(WireError{"", "no reason given"});
  return "machine " + machine.substr(0, 8) + ": " + error.code + ": " + error.message;
}

// The lines of an agent's journal message, one JSON object per line.
std::string ndjsonLines(std::string_view frame) {
  json::array lines;
  appendJournalLines(lines, frame);
  std::string text;
  for (const auto& line : lines)
    text += json::serialize(line) + "\n";
  return text;
}

// A followed journal. The answer starts with the agent's first message; what arrives before the
// listener hands the stream over waits in backlog.
struct Follow {
  std::function<void(HttpResponse)> respond;
  std::string request_id;
  std::shared_ptr<HttpStream> stream;
  std::string backlog;
  bool answered = false;
  bool ended = false;

  void write(std::string text) {
    if (stream) {
      stream->write(std::move(text));
    } else {
      backlog += text;
    }
  }

  void end() {
    ended = true;
    if (stream) stream->end();
  }
};

void startStream(const std::shared_ptr<Follow>& state, Scheduler& scheduler) {
  if (state->answered) return;
  state->answered = true;
  state->respond(HttpResponse{200, "", [state, &scheduler](std::shared_ptr<HttpStream> stream) {
                                // The operator hung up: the agent stops following too.
                                stream->onGone(
                                    [&scheduler, id = state->request_id] { scheduler.cancel(id); });
                                stream->write(std::move(state->backlog));
                                if (state->ended) stream->end();
                                state->stream = std::move(stream);
                              }});
}

void follow(Scheduler& scheduler, const std::string& name, const std::string& machine, int lines,
            const std::function<void(HttpResponse)>& respond) {
  auto state = std::make_shared<Follow>();
  state->respond = respond;
  const auto sent = scheduler.request(
      machine, [&](const std::string& id) { return encodeJournal(id, name, lines, true); },
      [state, machine, &scheduler](const AgentMessage& message) {
        if (const auto* result = std::get_if<Result>(&message)) {
          if (result->ok) {
            startStream(state, scheduler);
          } else if (!state->answered) {
            state->answered = true;
            state->respond(errorReply(502, agentFailure(machine, *result)));
          } else {
            // The agent went away mid-stream: the operator learns why, and the stream ends.
            state->write(json::serialize(json::object{{"error", agentFailure(machine, *result)}}) +
                         "\n");
            state->end();
          }
          return;
        }
        const auto& journal = std::get<JournalLines>(message);
        startStream(state, scheduler);
        state->write(ndjsonLines(journal.frame));
        if (journal.done) state->end();
      },
      true);
  if (!sent) throw ApiError(409, "machine " + machine.substr(0, 8) + " is not connected");
  state->request_id = *sent;
}

void lastLines(Scheduler& scheduler, const std::string& name, const std::string& machine, int lines,
               const std::function<void(HttpResponse)>& respond) {
  auto collected = std::make_shared<json::array>();
  const auto sent = scheduler.request(
      machine, [&](const std::string& id) { return encodeJournal(id, name, lines, false); },
      [collected, respond, machine](const AgentMessage& message) {
        if (const auto* result = std::get_if<Result>(&message)) {
          if (!result->ok) respond(errorReply(502, agentFailure(machine, *result)));
          return;
        }
        const auto& journal = std::get<JournalLines>(message);
        appendJournalLines(*collected, journal.frame);
        if (journal.done) {
          respond(jsonReply(200, json::object{{"machine", machine}, {"lines", *collected}}));
        }
      },
      true);
  if (!sent) throw ApiError(409, "machine " + machine.substr(0, 8) + " is not connected");
}

}  // namespace

void serveJournal(Scheduler& scheduler, const std::string& name,
                  const std::map<std::string, std::string>& query,
                  const std::function<void(HttpResponse)>& respond) {
  const auto unit = scheduler.engine().unit(name);
  if (!unit) throw ApiError(404, name + " is not submitted");
  std::string machine;
  if (const auto wanted = query.find("machine"); wanted != query.end()) {
    machine = wanted->second;
  } else if (!unit->machines.empty()) {
    machine = unit->machines.front();
  }
  if (machine.empty()) throw ApiError(409, name + " is not placed on any machine");
  int lines = kDefaultJournalLines;
  if (const auto given = query.find("lines"); given != query.end()) {
    try {
      lines = std::stoi(given->second);
    } catch (const std::exception&) {
      lines = 0;
    }
    if (lines < 1 || lines > kMaxJournalLines) {
      throw ApiError(400, "lines must be a number from 1 to 10000");
    }
  }
  bool following = false;
  if (const auto given = query.find("follow"); given != query.end()) {
    if (given->second != "0" && given->second != "1" && given->second != "true" &&
        given->second != "false") {
      throw ApiError(400, "follow must be 1 or 0 (true or false)");
    }
    following = given->second == "1" || given->second == "true";
  }
  if (following) {
    follow(scheduler, name, machine, lines, respond);
  } else {
    lastLines(scheduler, name, machine, lines, respond);
  }
}

}  // namespace deckhand::scheduler
