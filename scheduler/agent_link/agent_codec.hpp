#pragma once
// The scheduler's side of docs/protocol.md: agent messages decoded into typed ones, requests
// encoded. Written against the protocol document, sharing only the protocol's own constants and
// names with the agent's codec (agent/link/codec_requests.hpp). Pure: no I/O.

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "scheduler/engine/engine.hpp"

namespace deckhand::scheduler {

// A frame the scheduler cannot read: the message says which field and what was expected.
class AgentMessageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Hello {
  int protocol = 0;
  MachineInfo machine;
  std::string os_release;
  std::string agent_version;
  std::vector<ReportedUnit> units;
};

struct UnitMessage {
  ReportedUnit unit;
};

struct UnitRemoved {
  std::string name;
};

struct AgentHeartbeat {
  std::uint64_t seq = 0;
};

struct WireError {
  std::string code;  // docs/protocol.md's error codes: "constraint_unmet"
  std::string message;
};

// A desired request's verdict for one unit.
struct UnitVerdict {
  std::string name;
  std::optional<WireError> error;
};

struct Result {
  std::string id;
  bool ok = false;
  std::optional<WireError> error;
  std::vector<UnitVerdict> units;  // for desired
  std::string frame;               // the whole result, for callers that want its other fields
};

struct AgentError {
  WireError error;
};

struct JournalLines {
  std::string id;
  std::string frame;  // the lines, as sent
  bool done = false;
};

// A message type this scheduler does not handle (a newer agent's, or container reports): the
// protocol says to ignore it.
struct OtherMessage {
  std::string type;
};

using AgentMessage = std::variant<Hello, UnitMessage, UnitRemoved, AgentHeartbeat, Result,
                                  AgentError, JournalLines, OtherMessage>;

// Throws AgentMessageError for a frame that is not a JSON object with a string type, or a known
// type with a field the scheduler needs missing or of the wrong type. Unknown fields are ignored.
AgentMessage decodeAgentMessage(std::string_view frame);

// Requests. desired frames are split so that each stays within the protocol's limits (10000
// units, well under 1 MiB); ids are "PREFIX-N" from next_id.
std::vector<std::string> encodeDesired(std::span<const UnitOrder> units, const std::string& prefix,
                                       std::uint64_t& next_id, std::vector<std::string>* ids);
// A container's unit, as docs/protocol.md's container request (its spec only when not inactive).
std::string encodeContainer(std::string_view id, const UnitOrder& order);
std::string encodeJournal(std::string_view id, std::string_view name, int lines, bool follow);
// Stops the journal request target from following.
std::string encodeCancel(std::string_view id, std::string_view target);
std::string encodeSetMetadata(std::string_view id, const machine::Metadata& metadata);

}  // namespace deckhand::scheduler
