#pragma once
// Files in the agent's state folder, written so that a crash or a power cut at any moment leaves
// either the old contents or the new, never a mix: a temporary file is written and fsynced, renamed
// over the old one, and the folder is fsynced so that the rename itself is durable. The folder is
// kept 0700 and the files 0600: they hold unit files and metadata that are nobody else's business.
// Blocking: call these from a worker thread, or before the event loop runs.

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace deckhand::state {

// What failed, on which file, and the system's reason ("/var/lib/deckhand/desired.json: cannot
// write: No space left on device").
class StateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Creates the folder (0700) if needed and replaces folder/name with contents. Throws StateError.
void writeFileAtomically(const std::filesystem::path& folder, const std::string& name,
                         std::string_view contents);

// The contents of folder/name, or nullopt when there is no such file. Throws StateError when it
// exists but cannot be read.
std::optional<std::string> readStateFile(const std::filesystem::path& folder,
                                         const std::string& name);

// Renames folder/name to "name.corrupt-SECONDS" (SECONDS since the epoch) so that a file that
// could not be used is kept for a human to look at, and a fresh one can be written. Returns the
// new path. Throws StateError if the rename fails.
std::filesystem::path setAside(const std::filesystem::path& folder, const std::string& name);

}  // namespace deckhand::state
