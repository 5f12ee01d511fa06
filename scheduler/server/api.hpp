#pragma once
// The operators' HTTP/JSON API (docs/scheduler-api.md) over the scheduler: desired state in,
// units, templates and machines out, journals fetched from the agents.

#include "scheduler/server/http_api.hpp"
#include "scheduler/server/scheduler.hpp"

namespace deckhand::scheduler {

ApiHandler makeApi(Scheduler& scheduler);

}  // namespace deckhand::scheduler
