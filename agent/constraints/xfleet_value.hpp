#pragma once
// The lexical layer of an [X-Fleet] value, shared by every key: fleet's quoting rule turns one
// value into items, and systemd's specifiers are substituted into each item.

#include <string>
#include <string_view>
#include <vector>

#include "systemd/unit_name.hpp"

namespace deckhand::constraints {

// fleet's rule: a value that starts with '"' is a list of quoted items separated by whitespace
// ("a=1" "b=2"); any other value is one item, taken as written. Throws InvalidValue where fleet
// guessed: unbalanced or stray quotes, text outside the quotes, whitespace inside an item, and an
// unquoted value with whitespace in it (fleet kept "a=1 b=2" as one item that never matched).
std::vector<std::string> splitXFleetValue(std::string_view value);

// Replaces %n (full name), %N (full name without the type suffix), %p (prefix), %i (instance, as
// escaped in the name) and %% with the unit's own name parts. Throws InvalidValue on any other
// specifier and on a lone trailing '%'.
std::string substituteSpecifiers(std::string_view text, const systemd::UnitName& unit);

}  // namespace deckhand::constraints
