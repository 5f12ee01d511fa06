#pragma once
// What an error message calls a JSON value's kind: "must be a string, not a number".

#include <boost/json/value.hpp>
#include <string_view>

namespace deckhand {

inline std::string_view jsonKindName(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return "a number";
    case boost::json::kind::string:
      return "a string";
    case boost::json::kind::array:
      return "an array";
    case boost::json::kind::object:
      break;
  }
  return "an object";
}

}  // namespace deckhand
