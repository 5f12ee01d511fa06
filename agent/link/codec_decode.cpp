// decodeRequest: the frame as JSON, its id and type, then the decoder for that type.

#include <exception>
#include <string>

#include "agent/link/codec_read.hpp"

namespace deckhand::link {
namespace {

using namespace codec;

json::value parseFrame(std::string_view frame) {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  json::parser parser({}, options);
  json::error_code ec;
  const std::size_t used = parser.write(frame.data(), frame.size(), ec);
  if (ec == json::error::too_deep) {
    throw ProtocolError(ErrorCode::bad_json,
                        "frame is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  if (ec) {
    throw ProtocolError(ErrorCode::bad_json,
                        "frame is not JSON: " + ec.message() + " at byte " + std::to_string(used));
  }
  return parser.release();
}

// The id to answer with, when the frame has one that a result can carry.
std::optional<std::string> usableId(const json::object& object) {
  const json::value* id = object.if_contains("id");
  if (id == nullptr || !id->is_string() || !isRequestId(id->get_string())) return std::nullopt;
  return std::string(id->get_string());
}

template <auto decode>
Request asRequest(const json::object& object, std::string id) {
  return decode(object, std::move(id));
}

Request decodeObject(const json::object& object, const std::optional<std::string>& id) {
  const std::string_view type = requireString(object, "type");
  if (type == "heartbeat") return SchedulerHeartbeat{};
  using Decoder = Request (*)(const json::object&, std::string);
  static constexpr std::pair<std::string_view, Decoder> kDecoders[] = {
      {"desired", &asRequest<decodeDesired>},
      {"remove", &asRequest<decodeRemove>},
      {"action", &asRequest<decodeAction>},
      {"query", &asRequest<decodeQuery>},
      {"journal", &asRequest<decodeJournal>},
      {"cancel", &asRequest<decodeCancel>},
      {"set_metadata", &asRequest<decodeSetMetadata>},
      {"container", &asRequest<decodeContainer>},
  };
  for (const auto& [name, decode] : kDecoders) {
    if (name != type) continue;
    // Without a usable id this reads the id again only to say what is wrong with it.
    return decode(object, id ? *id : requireRequestId(object, "id"));
  }
  throw ProtocolError(ErrorCode::unknown_type,
                      "unknown message type " + quoted(type) + "; this agent speaks deckhand.v1");
}

}  // namespace

Request decodeRequest(std::string_view frame) {
  std::optional<std::string> id;
  try {
    const json::value value = parseFrame(frame);
    const json::object* object = value.if_object();
    if (object == nullptr) {
      throw ProtocolError(ErrorCode::bad_json,
                          "frame is JSON but not an object; expected {\"type\": ..., ...}");
    }
    id = usableId(*object);
    return decodeObject(*object, id);
  } catch (const ProtocolError& error) {
    if (error.id() || !id) throw;
    throw ProtocolError(error.code(), error.what(), id);
  } catch (const std::exception& error) {
    // The contract is "ProtocolError and nothing else": a parser below that fails unexpectedly
    // (out of memory included) must not take the connection down with an unknown exception.
    throw ProtocolError(ErrorCode::internal,
                        std::string("could not decode the request: ") + error.what(), id);
  }
}

}  // namespace deckhand::link
