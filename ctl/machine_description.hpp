#pragma once
// A machine described in JSON, as the protocol's hello carries it (docs/protocol.md): either the
// whole hello message or just its "machine" object. Only what placement needs is read.

#include <stdexcept>
#include <string>
#include <string_view>

#include "agent/constraints/able_to_run.hpp"

namespace deckhand::ctl {

class DescriptionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws DescriptionError saying which field is missing or wrong; origin names the input.
constraints::MachineView parseMachineDescription(std::string_view json, const std::string& origin);

}  // namespace deckhand::ctl
