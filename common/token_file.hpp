#pragma once
// A bearer token kept in a file (never on the command line): its first line, trimmed. The file is
// a secret, so one that every user may read is refused, as the agent refuses its TokenFile=.

#include <filesystem>
#include <stdexcept>
#include <string>

namespace deckhand {

// What is wrong with the file and what to do about it.
class TokenFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string readTokenFile(const std::filesystem::path& file);  // throws TokenFileError

}  // namespace deckhand
