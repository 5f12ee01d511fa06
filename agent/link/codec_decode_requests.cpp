// The requests other than desired: one decoder each, plus the enums' names on the wire.

#include <string>

#include "agent/link/codec_read.hpp"

namespace deckhand::link {
namespace codec {
namespace {

std::string requireUnitNameField(const json::object& object) {
  std::string name(requireString(object, "name"));
  requireUnitName(name);
  return name;
}

// The rules of machine::parseMetadata, applied to a JSON object instead of "k=v,..." text.
machine::Metadata readMetadata(const json::object& object) {
  machine::Metadata metadata;
  for (const auto& [key, value] : requireObject(object, "metadata")) {
    const std::string path = "metadata." + std::string(key);
    if (!machine::isMetadataKey(key)) {
      throw ProtocolError(ErrorCode::bad_message,
                          "metadata key " + quoted(key) +
                              " is invalid; expected 1-63 letters, digits, '-', '_' or '.', "
                              "starting with a letter or digit");
    }
    if (!value.is_string()) {
      throw ProtocolError(
          ErrorCode::bad_message,
          "field " + quoted(path) + " must be a string, not " + std::string(jsonKindName(value)));
    }
    if (!machine::isMetadataValue(value.get_string())) {
      throw ProtocolError(ErrorCode::bad_message,
                          "field " + quoted(path) + " is " + quoted(value.get_string()) +
                              "; expected 1-255 printable characters without spaces, quotes, "
                              "backslashes, ',' or '='");
    }
    metadata.emplace(key, value.get_string());
  }
  return metadata;
}

}  // namespace

RemoveRequest decodeRemove(const json::object& object, std::string id) {
  return {std::move(id), requireUnitNameField(object)};
}

ActionRequest decodeAction(const json::object& object, std::string id) {
  ActionRequest request;
  request.id = std::move(id);
  request.name = requireUnitNameField(object);
  request.action = static_cast<Action>(readChoice(object, "action", kActionNames, std::nullopt));
  if (request.action == Action::kill) {
    request.whom = static_cast<KillWhom>(
        readChoice(object, "whom", kKillWhomNames, static_cast<std::size_t>(KillWhom::all)));
    request.signal = static_cast<int>(readInteger(object, "signal", 1, kMaxSignal, 15));
  }
  return request;
}

QueryRequest decodeQuery(const json::object& object, std::string id) {
  QueryRequest request;
  request.id = std::move(id);
  request.what = static_cast<QueryWhat>(readChoice(object, "what", kQueryWhatNames, std::nullopt));
  if (request.what == QueryWhat::unit) request.name = requireUnitNameField(object);
  return request;
}

JournalRequest decodeJournal(const json::object& object, std::string id) {
  JournalRequest request;
  request.id = std::move(id);
  request.name = requireUnitNameField(object);
  request.lines =
      static_cast<int>(readInteger(object, "lines", 1, kMaxJournalLines, kDefaultJournalLines));
  request.follow = readBool(object, "follow", false);
  return request;
}

CancelRequest decodeCancel(const json::object& object, std::string id) {
  return {std::move(id), requireRequestId(object, "target")};
}

SetMetadataRequest decodeSetMetadata(const json::object& object, std::string id) {
  return {std::move(id), readMetadata(object)};
}

}  // namespace codec

std::string_view desiredStateName(DesiredState state) {
  return codec::kDesiredStateNames[static_cast<std::size_t>(state)];
}

std::string_view actionName(Action action) {
  return codec::kActionNames[static_cast<std::size_t>(action)];
}

std::string_view killWhomName(KillWhom whom) {
  return codec::kKillWhomNames[static_cast<std::size_t>(whom)];
}

std::string_view queryWhatName(QueryWhat what) {
  return codec::kQueryWhatNames[static_cast<std::size_t>(what)];
}

}  // namespace deckhand::link
