#pragma once
// Scheduler -> agent: the requests of docs/protocol.md, decoded and validated. Pure: no I/O.
//
// decodeRequest checks everything that can be checked without the machine: JSON syntax and
// limits, the id, field types, enums and ranges, unit names, unit texts and their hashes, metadata.
// What needs the machine (constraints, ownership, systemd) is the caller's.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agent/link/codec_error.hpp"
#include "agent/machine/metadata.hpp"
#include "docker/container_spec.hpp"
#include "systemd/unit_file.hpp"

namespace deckhand::link {

inline constexpr std::size_t kMaxIdBytes = 64;
inline constexpr std::size_t kMaxJsonDepth = 32;
inline constexpr std::size_t kMaxDesiredUnits = 10000;
inline constexpr int kDefaultJournalLines = 50;
inline constexpr int kMaxJournalLines = 10000;
inline constexpr int kMaxSignal = 64;  // SIGRTMAX on Linux

// fleet's target states.
enum class DesiredState { inactive, loaded, launched };
enum class Action { start, stop, restart, reload, kill, reset_failed };
enum class KillWhom { main, control, all };
enum class QueryWhat { units, unit, machine };

// The names on the wire: "launched", "reset_failed", "all", "machine".
std::string_view desiredStateName(DesiredState state);
std::string_view actionName(Action action);
std::string_view killWhomName(KillWhom whom);
std::string_view queryWhatName(QueryWhat what);

// One element of a desired request. A unit that can be named gets its own verdict: when error is
// set, this unit is refused and the others still stand (the result lists each unit's outcome).
struct DesiredUnit {
  std::string name;  // as sent, so the result can name even an invalid one
  DesiredState state = DesiredState::inactive;
  // For loaded and launched, when accepted: the text as sent, parsed, and its verified hash.
  // Empty for inactive, where text and hash are not needed and are ignored.
  std::string text;
  std::optional<systemd::UnitFile> file;
  std::string hash;
  // bad_message (state, text or hash missing or wrong), bad_unit_name, bad_unit_text (not a unit
  // file, over 1 MiB), hash_mismatch. [X-Fleet] validity and constraints are checked later.
  std::optional<ProtocolError> error;
};

struct DesiredRequest {
  std::string id;
  std::vector<DesiredUnit> units;  // at most kMaxDesiredUnits, each name at most once
};

struct RemoveRequest {
  std::string id;
  std::string name;
};

struct ActionRequest {
  std::string id;
  std::string name;
  Action action = Action::start;
  KillWhom whom = KillWhom::all;  // kill only
  int signal = 15;                // kill only: 1..kMaxSignal
};

struct QueryRequest {
  std::string id;
  QueryWhat what = QueryWhat::units;
  std::string name;  // for QueryWhat::unit
};

struct JournalRequest {
  std::string id;
  std::string name;
  int lines = kDefaultJournalLines;  // 1..kMaxJournalLines
  bool follow = false;
};

struct CancelRequest {
  std::string id;
  std::string target;  // the id of a journal request
};

struct SetMetadataRequest {
  std::string id;
  machine::Metadata metadata;  // every key and value valid; may be empty
};

// A container's desired state (docs/protocol.md, "Containers"): its unit is
// docker::containerUnitName(name), generated from spec.
struct ContainerRequest {
  std::string id;
  std::string name;  // a valid container name
  DesiredState state = DesiredState::inactive;
  std::optional<docker::ContainerSpec> spec;  // validated; for loaded and launched only
};

// The scheduler's own liveness message: no id, no result; receiving it is all that counts.
struct SchedulerHeartbeat {};

using Request =
    std::variant<DesiredRequest, RemoveRequest, ActionRequest, QueryRequest, JournalRequest,
                 CancelRequest, SetMetadataRequest, SchedulerHeartbeat, ContainerRequest>;

// One text frame. Throws ProtocolError, and nothing else, for any input: bad_json (not JSON, not an
// object, nested deeper than kMaxJsonDepth, invalid UTF-8), bad_message (a field missing or of the
// wrong type or range, named in the message), unknown_type, bad_unit_name, bad_container_spec;
// internal if a part
// below fails in a way it should not. The error carries the id when the frame had a usable one.
// Unknown fields are ignored; of duplicate keys the last one counts.
Request decodeRequest(std::string_view frame);

}  // namespace deckhand::link
