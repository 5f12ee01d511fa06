#pragma once
// GET /v1/units/NAME/journal (docs/scheduler-api.md): the unit's last lines from the agent that
// runs it, or with follow=1 those and then new ones as a stream until the operator hangs up.

#include <functional>
#include <map>
#include <string>

#include "scheduler/server/http_api.hpp"
#include "scheduler/server/scheduler.hpp"

namespace deckhand::scheduler {

// Throws ApiError for a bad query or a unit that runs nowhere reachable; answers through respond
// once the agent has answered.
void serveJournal(Scheduler& scheduler, const std::string& name,
                  const std::map<std::string, std::string>& query,
                  const std::function<void(HttpResponse)>& respond);

}  // namespace deckhand::scheduler
