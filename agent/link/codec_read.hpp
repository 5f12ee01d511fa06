#pragma once
// Internal to the codec (only its .cpp files include this, as it brings in Boost.JSON): reading
// the fields of a parsed request. Every reader throws ProtocolError(bad_message) naming the field
// by its path ("units[3].hash") and the type or range it must have.

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "agent/link/codec_requests.hpp"
#include "common/json_kind.hpp"

namespace deckhand::link::codec {

namespace json = boost::json;

// Text from the frame as a message may quote it: cut to 80 bytes, bytes outside printable ASCII as
// \xNN, so a message stays short and readable whatever was sent.
std::string quoted(std::string_view text);

// "units[3].hash" from "units[3]" and "hash"; a top-level field is just its key.
std::string fieldPath(std::string_view parent, std::string_view key);

const json::string& requireString(const json::object& object, std::string_view key,
                                  std::string_view parent = {});
const json::array& requireArray(const json::object& object, std::string_view key,
                                std::string_view parent = {});
const json::object& requireObject(const json::object& object, std::string_view key,
                                  std::string_view parent = {});
// An integer in [min, max]; a number with a fraction or out of range is refused. fallback when
// the field is absent (nullopt: required).
std::int64_t readInteger(const json::object& object, std::string_view key, std::int64_t min,
                         std::int64_t max, std::optional<std::int64_t> fallback);
bool readBool(const json::object& object, std::string_view key, bool fallback);
// The index of the field's value in names; fallback when absent (nullopt: required).
std::size_t readChoice(const json::object& object, std::string_view key,
                       std::span<const std::string_view> names, std::optional<std::size_t> fallback,
                       std::string_view parent = {});

// An id as docs/protocol.md defines it: 1 to 64 printable ASCII characters. requireRequestId
// reads one (a request's id, cancel's target) or says what is wrong with the field.
bool isRequestId(std::string_view text);
std::string requireRequestId(const json::object& object, std::string_view key);

// Throws ProtocolError(bad_unit_name) with systemd's reason.
void requireUnitName(std::string_view name);

// The names tables, in enum order, shared by readChoice and the *Name functions.
extern const std::string_view kDesiredStateNames[3];
extern const std::string_view kActionNames[6];
extern const std::string_view kKillWhomNames[3];
extern const std::string_view kQueryWhatNames[3];

// One decoder per request type; object is the whole message, id already validated.
DesiredRequest decodeDesired(const json::object& object, std::string id);
RemoveRequest decodeRemove(const json::object& object, std::string id);
ActionRequest decodeAction(const json::object& object, std::string id);
QueryRequest decodeQuery(const json::object& object, std::string id);
JournalRequest decodeJournal(const json::object& object, std::string id);
CancelRequest decodeCancel(const json::object& object, std::string id);
SetMetadataRequest decodeSetMetadata(const json::object& object, std::string id);
ContainerRequest decodeContainer(const json::object& object, std::string id);

}  // namespace deckhand::link::codec
