#pragma once
// Shared by the protocol codec tests: frames built from real unit texts and hashes, and the
// outcome of a decode as a value a test can compare.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "agent/link/codec_requests.hpp"
#include "systemd/unit_file.hpp"

namespace deckhand::link {

inline constexpr std::string_view kWebText = "[Service]\nExecStart=/usr/bin/web\n";

inline std::string hashOf(std::string_view text) {
  return systemd::unitHash(systemd::parseUnitFile(text, "test.service"));
}

// text as a JSON string literal, quotes included (the texts here need only these escapes).
inline std::string jsonString(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

// One element of a desired request's units.
inline std::string desiredUnit(std::string_view name, std::string_view state,
                               std::string_view text = kWebText) {
  return "{\"name\":" + jsonString(name) + ",\"state\":\"" + std::string(state) +
         "\",\"text\":" + jsonString(text) + ",\"hash\":\"" + hashOf(text) + "\"}";
}

inline std::string desiredFrame(std::string_view units_json, std::string_view id = "d1") {
  return "{\"type\":\"desired\",\"id\":\"" + std::string(id) + "\",\"units\":[" +
         std::string(units_json) + "]}";
}

// The ProtocolError decodeRequest throws for frame; a test failure if it throws none, or anything
// else.
inline ProtocolError errorOf(std::string_view frame) {
  try {
    decodeRequest(frame);
  } catch (const ProtocolError& error) {
    return error;
  } catch (...) {
    ADD_FAILURE() << "decodeRequest threw something other than ProtocolError";
    return ProtocolError(ErrorCode::internal, "wrong exception");
  }
  ADD_FAILURE() << "decodeRequest accepted " << frame.substr(0, 200);
  return ProtocolError(ErrorCode::internal, "no error");
}

template <class T>
T decodeAs(std::string_view frame) {
  const Request request = decodeRequest(frame);
  if (const T* typed = std::get_if<T>(&request)) return *typed;
  ADD_FAILURE() << "decoded to variant index " << request.index() << ": " << frame;
  return T{};
}

inline std::ostream& operator<<(std::ostream& out, ErrorCode code) {
  return out << errorCodeName(code);
}

}  // namespace deckhand::link
