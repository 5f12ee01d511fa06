#include "agent/reconciler/task.hpp"

namespace deckhand::reconciler {
namespace {

const char* nameOf(TaskKind kind) {
  switch (kind) {
    case TaskKind::remove:
      return "remove";
    case TaskKind::install:
      return "install";
    case TaskKind::stop:
      return "stop";
    case TaskKind::restart:
      return "restart";
    case TaskKind::start:
      return "start";
  }
  return "?";
}

}  // namespace

std::string describeTask(const Task& task) {
  return std::string(nameOf(task.kind)) + " " + task.unit + ": " + task.reason;
}

}  // namespace deckhand::reconciler
