#pragma once
// SHA-256 (FIPS 180-4), our own, so that hashing unit text does not pull OpenSSL into the agent:
// the agent loads TLS only for wss:// (docs/architecture.md, "TLS module").

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace deckhand {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(std::string_view data);

// The digest as 64 lowercase hex digits.
std::string sha256Hex(std::string_view data);

}  // namespace deckhand
