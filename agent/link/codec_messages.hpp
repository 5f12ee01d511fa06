#pragma once
// Agent -> scheduler: the messages of docs/protocol.md, each as one JSON text frame. Pure: no I/O.
//
// Any text goes in (unit output, systemd's reasons, names as a scheduler sent them): control
// characters are escaped and invalid UTF-8 is replaced with U+FFFD, so every frame is valid JSON
// in valid UTF-8.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "agent/link/codec_error.hpp"
#include "agent/machine/facts.hpp"
#include "docker/container_state.hpp"
#include "systemd/unit_state.hpp"

namespace deckhand::link {

inline constexpr int kProtocolVersion = 1;

// One unit as the scheduler sees it: the UNIT object of docs/protocol.md.
struct UnitReport {
  std::string name;
  std::optional<std::string> desired;  // "inactive", "loaded", "launched"; null if none
  std::optional<std::string> hash;     // of the installed text; null if not installed
  systemd::UnitState state;
};

// One unit's verdict in the result of a desired request.
struct UnitOutcome {
  std::string name;
  std::optional<ProtocolError> error;  // refused, and why; nullopt when accepted
};

struct JournalLine {
  std::uint64_t usec = 0;  // CLOCK_REALTIME
  int priority = 6;        // syslog's 0 (emerg) .. 7 (debug)
  std::string message;     // any bytes, as the unit wrote them
};

// The first message of a connection: the machine and a full snapshot. lost_state names what the
// agent could not read back from its state folder ("desired", "metadata"), for the scheduler to
// send again.
std::string encodeHello(const machine::MachineFacts& facts, std::span<const UnitReport> units,
                        std::span<const docker::ContainerState> containers = {},
                        std::span<const std::string> lost_state = {});
// A container's state changed (the CONTAINER object), or it is no longer the agent's.
std::string encodeContainer(const docker::ContainerState& container);
std::string encodeContainerRemoved(std::string_view name, std::string_view unit);
std::string encodeUnit(const UnitReport& unit);
std::string encodeUnitRemoved(std::string_view name);
std::string encodeHeartbeat(std::uint64_t seq, std::size_t units);
// Lines for a journal request; done on the last message for it.
std::string encodeJournal(std::string_view id, std::span<const JournalLine> lines, bool done);

// Results: exactly one per request, ok unless said otherwise.
// remove, journal (accepted), cancel, set_metadata: no fields beyond ok.
std::string encodeResult(std::string_view id);
// desired: ok (the request was read), and each unit's own verdict.
std::string encodeDesiredResult(std::string_view id, std::span<const UnitOutcome> units);
// action: systemd's job result and the unit right after it. With failure (job_failed, usually)
// the result is not ok, and job_result and unit still say what happened.
std::string encodeActionResult(std::string_view id, std::string_view job_result,
                               const UnitReport& unit,
                               const std::optional<ProtocolError>& failure = std::nullopt);
// container: accepted, and the unit that runs it with its hash.
std::string encodeContainerResult(std::string_view id, std::string_view unit,
                                  std::string_view hash);
// query, by what was asked.
std::string encodeUnitsResult(std::string_view id, std::span<const UnitReport> units);
std::string encodeUnitResult(std::string_view id, const UnitReport& unit);
std::string encodeMachineResult(std::string_view id, const machine::MachineFacts& facts);

// A refused request: a result (ok false) when the error carries an id, else an error message.
std::string encodeError(const ProtocolError& error);

}  // namespace deckhand::link
