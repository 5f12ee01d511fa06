#include "common/token_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace deckhand {

std::string readTokenFile(const std::filesystem::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) {
    throw TokenFileError("cannot read a token from " + file.string() + ": " + std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) {
    throw TokenFileError(file.string() + " is a folder; expected a file holding the token");
  }
  if ((info.st_mode & S_IROTH) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    throw TokenFileError(file.string() + " is readable by every user (mode " + mode +
                         "); the token is a secret: chmod 600 it (or 640 for a group)");
  }
  std::ifstream in(file);
  if (!in) {
    throw TokenFileError("cannot read a token from " + file.string() + ": " + std::strerror(errno));
  }
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\r' || token.back() == '\t')) {
    token.pop_back();
  }
  if (token.empty()) throw TokenFileError(file.string() + ": the token is empty");
  return token;
}

}  // namespace deckhand
