#pragma once
// One step of a reconciler's plan, for the runner to map onto UnitManager and to log.

#include <string>

namespace deckhand::reconciler {

// In the order a plan runs them: fleet's unload, load, stop, start, with restart among the starts.
// There is no reload task: UnitManager makes every install and removal wait for a daemon-reload it
// shares with the others in flight, so a plan gets one reload as long as its runner lets the
// removes and installs overlap and waits for all of them before the first stop.
enum class TaskKind {
  remove,   // UnitManager::remove: stops the unit, deletes its file
  install,  // UnitManager::install with the desired text
  stop,
  restart,  // a running unit picks up a new file
  start,
};

struct Task {
  TaskKind kind = TaskKind::start;
  std::string unit;
  std::string reason;  // why, for the log line

  bool operator==(const Task&) const = default;
};

// "start web.service: desired launched but inactive"
std::string describeTask(const Task& task);

}  // namespace deckhand::reconciler
