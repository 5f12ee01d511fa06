#pragma once
// Reading the small text files facts come from (/proc, /etc).

#include <optional>
#include <string>

namespace deckhand::machine {

// The whole file; reads to the end, so /proc files (whose size shows as 0) work too. nullopt when
// it does not exist; throws std::runtime_error naming the file and the cause for any other error.
std::optional<std::string> readFileIfExists(const std::string& path);

// The same, but a missing file is an error too.
std::string readFile(const std::string& path);

}  // namespace deckhand::machine
