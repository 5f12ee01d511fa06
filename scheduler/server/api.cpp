// Routes of docs/scheduler-api.md. Every error is {"error": "what failed and what to do"} with a
// 4xx status; nothing here throws out to the listener.

#include "scheduler/server/api.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "scheduler/server/api_json.hpp"
#include "scheduler/server/journal_route.hpp"

namespace deckhand::scheduler {
namespace {

namespace json = boost::json;

struct Target {
  std::string path;                          // "/v1/units/web.service"
  std::map<std::string, std::string> query;  // "lines" -> "20"
};

Target splitTarget(const std::string& target) {
  Target split;
  const auto question = target.find('?');
  split.path = target.substr(0, question);
  if (question == std::string::npos) return split;
  std::string_view rest(target);
  rest.remove_prefix(question + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    const auto equal = pair.find('=');
    split.query[std::string(pair.substr(0, equal))] =
        equal == std::string_view::npos ? "" : std::string(pair.substr(equal + 1));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return split;
}

json::object bodyObject(const std::string& body) {
  std::error_code error;
  auto value = json::parse(body, error);
  if (error || !value.is_object()) {
    throw ApiError(400, "the request body must be a JSON object");
  }
  return std::move(value.as_object());
}

std::string stringField(const json::object& body, std::string_view key, bool required) {
  const auto* value = body.if_contains(key);
  if (value == nullptr) {
    if (required) throw ApiError(400, "field \"" + std::string(key) + "\" is required");
    return "";
  }
  if (!value->is_string())
    throw ApiError(400, "field \"" + std::string(key) + "\" must be a string");
  return std::string(value->get_string());
}

TargetState targetField(const json::object& body) {
  const auto name = stringField(body, "target", true);
  const auto target = targetStateFromName(name);
  if (!target)
    throw ApiError(400, "target \"" + name + "\": expected inactive, loaded or launched");
  return *target;
}

class Api {
 public:
  explicit Api(Scheduler& scheduler) : scheduler_(scheduler) {}

  void handle(const HttpRequest& request, const std::function<void(HttpResponse)>& respond) {
    try {
      route(request, respond);
    } catch (const ApiError& error) {
      respond(errorReply(error.status, error.what()));
    } catch (const EngineError& error) {
      const std::string message = error.what();
      respond(
          errorReply(message.find("already submitted") != std::string::npos ? 409 : 400, message));
    }
  }

 private:
  void route(const HttpRequest& request, const std::function<void(HttpResponse)>& respond) {
    const auto target = splitTarget(request.target);
    const std::string units_prefix = "/v1/units/";
    if (target.path == "/v1/units" && request.method == "GET") {
      respond(jsonReply(200, json::object{{"units", unitsJson(scheduler_.engine().units())}}));
    } else if (target.path == "/v1/units" && request.method == "POST") {
      submitMany(bodyObject(request.body));
      respond(jsonReply(200, json::object{{"submitted", submitted_}}));
    } else if (target.path == "/v1/containers" && request.method == "POST") {
      respond(jsonReply(200, submitContainer(bodyObject(request.body))));
    } else if (target.path == "/v1/templates" && request.method == "GET") {
      respond(jsonReply(
          200, json::object{{"templates", templatesJson(scheduler_.engine().templates())}}));
    } else if (target.path == "/v1/machines" && request.method == "GET") {
      respond(
          jsonReply(200, json::object{{"machines", machinesJson(scheduler_.engine().machines())}}));
    } else if (target.path.starts_with("/v1/machines/") && target.path.ends_with("/metadata") &&
               request.method == "PUT") {
      const auto id = target.path.substr(13, target.path.size() - 13 - 9);
      setMetadata(id, bodyObject(request.body));
      respond(
          jsonReply(200, json::object{{"machines", machinesJson(scheduler_.engine().machines())}}));
    } else if (target.path.starts_with(units_prefix)) {
      unitRoute(request, target, target.path.substr(units_prefix.size()), respond);
    } else {
      throw ApiError(404, "no such API route: " + request.method + " " + target.path +
                              " (see docs/scheduler-api.md)");
    }
  }

  void unitRoute(const HttpRequest& request, const Target& target, const std::string& rest,
                 const std::function<void(HttpResponse)>& respond) {
    const auto slash = rest.find('/');
    const auto name = rest.substr(0, slash);
    const auto action = slash == std::string::npos ? "" : rest.substr(slash + 1);
    auto& engine = scheduler_.engine();
    if (action.empty() && request.method == "GET") {
      respond(jsonReply(200, unitOrTemplate(name)));
    } else if (action.empty() && request.method == "PUT") {
      const auto body = bodyObject(request.body);
      const auto* replace = body.if_contains("replace");
      engine.submit(name, stringField(body, "text", true),
                    replace != nullptr && replace->is_bool() && replace->get_bool());
      if (body.contains("target")) engine.setTarget(name, targetField(body));
      scheduler_.changed();
      respond(jsonReply(200, unitOrTemplate(name)));
    } else if (action.empty() && request.method == "DELETE") {
      engine.destroy(name);
      scheduler_.changed();
      respond(jsonReply(200, json::object{{"destroyed", name}}));
    } else if (action == "target" && request.method == "POST") {
      engine.setTarget(name, targetField(bodyObject(request.body)));
      scheduler_.changed();
      respond(jsonReply(200, unitOrTemplate(name)));
    } else if (action == "states" && request.method == "GET") {
      respond(jsonReply(200, statesOf(name)));
    } else if (action == "journal" && request.method == "GET") {
      serveJournal(scheduler_, name, target.query, respond);
    } else {
      throw ApiError(404, "no such API route: " + request.method + " " + target.path +
                              " (see docs/scheduler-api.md)");
    }
  }

  // Many units in one request, in order; one that is refused stops the rest, and the error says
  // how many went in before it.
  json::object submitContainer(const json::object& body) {
    const auto* spec = body.if_contains("spec");
    if (spec == nullptr || !spec->is_object()) {
      throw ApiError(400,
                     "field \"spec\" is required and must be an object (docs/protocol.md, "
                     "\"Containers\")");
    }
    const auto* replace = body.if_contains("replace");
    const auto target = body.contains("target") ? std::optional(targetField(body)) : std::nullopt;
    auto& engine = scheduler_.engine();
    const auto unit =
        engine.submitContainer(stringField(body, "name", true), json::serialize(*spec),
                               replace != nullptr && replace->is_bool() && replace->get_bool());
    if (target) engine.setTarget(unit, *target);
    scheduler_.changed();
    return unitOrTemplate(unit);
  }

  void submitMany(const json::object& body) {
    const auto* units = body.if_contains("units");
    if (units == nullptr || !units->is_array()) {
      throw ApiError(400, "field \"units\" must be an array of {name, text, target?, replace?}");
    }
    auto& engine = scheduler_.engine();
    submitted_ = 0;
    for (const auto& value : units->get_array()) {
      if (!value.is_object()) throw ApiError(400, "every element of \"units\" must be an object");
      const auto& unit = value.get_object();
      const auto name = stringField(unit, "name", true);
      try {
        const auto* replace = unit.if_contains("replace");
        engine.submit(name, stringField(unit, "text", true),
                      replace != nullptr && replace->is_bool() && replace->get_bool());
        if (unit.contains("target")) engine.setTarget(name, targetField(unit));
      } catch (const std::exception& error) {
        if (submitted_ > 0) scheduler_.changed();
        throw ApiError(400, name + ": " + error.what() + " (the " + std::to_string(submitted_) +
                                " units before it were submitted)");
      }
      ++submitted_;
    }
    scheduler_.changed();
  }

  // The operator's metadata for a machine: placement follows it at once, and the agent is told
  // to keep it (it reports it in its next hello).
  void setMetadata(const std::string& id, const json::object& body) {
    const auto* given = body.if_contains("metadata");
    if (given == nullptr || !given->is_object()) {
      throw ApiError(400, "field \"metadata\" must be an object of strings");
    }
    machine::Metadata metadata;
    for (const auto& [key, value] : given->get_object()) {
      if (!value.is_string() || !machine::isMetadataKey(key) ||
          !machine::isMetadataValue(value.get_string())) {
        throw ApiError(400, "metadata " + std::string(key) + "=" + json::serialize(value) +
                                ": keys are 1-63 of A-Za-z0-9-_. (starting with a letter or "
                                "digit), values 1-255 printable characters without whitespace, "
                                "quotes, backslashes, ',' or '='");
      }
      metadata[std::string(key)] = std::string(value.get_string());
    }
    if (!scheduler_.connected(id)) {
      throw ApiError(409, "machine " + id + " is not connected; its agent must take the metadata");
    }
    scheduler_.engine().setMetadata(id, metadata);
    scheduler_.request(
        id, [&](const std::string& request_id) { return encodeSetMetadata(request_id, metadata); },
        [id](const AgentMessage& answer) {
          const auto* result = std::get_if<Result>(&answer);
          if (result != nullptr && !result->ok && result->error) {
            spdlog::warn("machine {} did not keep its new metadata: {}", id.substr(0, 8),
                         result->error->message);
          }
        });
    scheduler_.changed();
  }

  // Where the unit is still held, submitted or not (deckhandctl destroy waits on this).
  json::object statesOf(const std::string& name) const {
    json::object states;
    for (const auto& [id, report] : scheduler_.engine().reportsOf(name)) {
      auto state = reportJson(report);
      state["connected"] = scheduler_.connected(id);
      states[id] = std::move(state);
    }
    return json::object{{"name", name},
                        {"submitted", scheduler_.engine().unit(name).has_value()},
                        {"states", std::move(states)}};
  }

  json::object unitOrTemplate(const std::string& name) const {
    if (const auto unit = scheduler_.engine().unit(name)) return unitJson(*unit);
    for (const auto& templ : scheduler_.engine().templates()) {
      if (templ.name == name) return templateJson(templ);
    }
    throw ApiError(404, name + " is not submitted");
  }

  Scheduler& scheduler_;
  std::size_t submitted_ = 0;
};

}  // namespace

ApiHandler makeApi(Scheduler& scheduler) {
  auto api = std::make_shared<Api>(scheduler);
  return [api](const HttpRequest& request, std::function<void(HttpResponse)> respond) {
    api->handle(request, respond);
  };
}

}  // namespace deckhand::scheduler
