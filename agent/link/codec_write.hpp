#pragma once
// Internal to the codec (only its .cpp files include this, as it brings in Boost.JSON): the JSON
// objects that several messages share.

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "agent/link/codec_messages.hpp"

namespace deckhand::link::codec {

namespace json = boost::json;

// Any bytes as a JSON string in valid UTF-8 (see codec_utf8.hpp); serialize escapes the rest.
json::string jsonText(std::string_view text);

json::object unitObject(const UnitReport& unit);
json::array unitArray(std::span<const UnitReport> units);
json::object containerObject(const docker::ContainerState& container);
json::array containerArray(std::span<const docker::ContainerState> containers);
json::object machineObject(const machine::MachineFacts& facts);
json::object errorObject(const ProtocolError& error);  // {"code": ..., "message": ...}
// {"type": "result", "id": ..., "ok": ...}, to which a result adds its fields.
json::object resultObject(std::string_view id, bool ok);

}  // namespace deckhand::link::codec
