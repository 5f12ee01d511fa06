#pragma once
// Metadata the scheduler set (set_metadata) survives an agent restart: it is kept in the state
// folder and, when present, replaces the configured metadata at start.

#include <filesystem>
#include <optional>

#include "agent/machine/metadata.hpp"

namespace deckhand::machine {

// nullopt when nothing was saved. Throws std::runtime_error naming the file when it exists but
// cannot be read or does not parse.
std::optional<Metadata> loadSavedMetadata(const std::filesystem::path& state_dir);

// Replaces the saved metadata atomically. Throws std::runtime_error naming the file on failure.
void saveMetadata(const std::filesystem::path& state_dir, const Metadata& metadata);

}  // namespace deckhand::machine
