#pragma once
// The contents of the state files: JSON objects with a "version" (1), so that a later agent can
// read what an earlier one wrote and an earlier one refuses, by name, what it cannot read. Pure:
// no I/O.
//
//   desired.json   {"version":1,"units":[{"name":"web.service","state":"launched",
//                                         "text":"[Service]\n...","hash":"9f2c..."}]}
//   metadata.json  {"version":1,"metadata":{"region":"us-east"}}

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include "agent/machine/metadata.hpp"
#include "agent/reconciler/unit_snapshot.hpp"

namespace deckhand::state {

inline constexpr int kFormatVersion = 1;
inline constexpr const char* kDesiredFile = "desired.json";
inline constexpr const char* kMetadataFile = "metadata.json";

using DesiredUnits = std::map<std::string, reconciler::DesiredUnit>;

// Says what is wrong with a file's contents ("unit 3 (web.service): hash does not match its
// text").
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string encodeDesired(const DesiredUnits& units);
// Every unit is checked as the scheduler's request was: a valid name, a known state, and for
// loaded and launched a unit file whose hash is the one recorded (a flipped bit is caught here,
// not by systemd). Throws FormatError.
DesiredUnits decodeDesired(std::string_view contents);

std::string encodeMetadata(const machine::Metadata& metadata);
// Throws FormatError.
machine::Metadata decodeMetadata(std::string_view contents);

}  // namespace deckhand::state
