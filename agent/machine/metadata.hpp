#pragma once
// Operator metadata: "region=us-east,disk=ssd". Keys and values are what [X-Fleet]
// MachineMetadata= constraints match against, so the grammar is strict and every violation is
// reported instead of dropped (fleet silently ignored malformed pairs).

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace deckhand::machine {

using Metadata = std::map<std::string, std::string>;

class MetadataError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The grammar of one key (1-63 of A-Za-z0-9-_. starting with a letter or digit) and one value
// (1-255 printable characters without spaces, quotes, backslashes, ',' or '=').
bool isMetadataKey(std::string_view key);
bool isMetadataValue(std::string_view value);

// Parses comma-separated KEY=VALUE pairs; "" is no metadata. Throws MetadataError naming the bad
// pair and the rule it breaks.
Metadata parseMetadata(std::string_view text);

// The canonical text form: pairs sorted by key, joined by commas.
std::string formatMetadata(const Metadata& metadata);

}  // namespace deckhand::machine
