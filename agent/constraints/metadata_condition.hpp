#pragma once
// MachineMetadata= conditions: fleet's KEY=VALUE plus deckhand's != < <= > >=, how each is read
// from text, and how a machine's metadata is held against them.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/constraints/constraints.hpp"
#include "agent/machine/metadata.hpp"

namespace deckhand::constraints {

// Reads "KEY OP VALUE". Key and value follow the operator's metadata grammar (a condition nothing
// could satisfy is an error, not a silent false), and an ordering operator needs a number. Throws
// InvalidValue naming the part that is wrong.
MetadataCondition parseMetadataCondition(std::string_view text);

// The numbers ordering operators compare: an optional '-', digits, optionally '.' and digits.
// Nothing else (no exponents, units, or hex), so "16G" is not silently 16.
std::optional<double> parseNumber(std::string_view text);

// Every way metadata falls short of the conditions, each phrased for a human ("metadata
// region=us-east-1 required, machine has region=eu-west-1"); empty when all hold. '=' conditions
// on one key are alternatives (fleet's OR within a key); every other condition must hold on its
// own, and different keys must all hold (fleet's AND across keys).
std::vector<std::string> unmetMetadata(std::span<const MetadataCondition> conditions,
                                       const machine::Metadata& metadata);

}  // namespace deckhand::constraints
