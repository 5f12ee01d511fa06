#include "agent/machine/metadata_store.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace deckhand::machine {
namespace {

constexpr const char* kFileName = "metadata";

}  // namespace

std::optional<Metadata> loadSavedMetadata(const std::filesystem::path& state_dir) {
  const auto path = state_dir / kFileName;
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    throw std::runtime_error(path.string() + ": cannot read: " + std::strerror(errno));
  }
  std::string text;
  std::getline(in, text);
  try {
    return parseMetadata(text);
  } catch (const MetadataError& error) {
    throw std::runtime_error(path.string() + ": " + error.what() +
                             "; delete the file to use the configured metadata");
  }
}

void saveMetadata(const std::filesystem::path& state_dir, const Metadata& metadata) {
  std::error_code error;
  std::filesystem::create_directories(state_dir, error);
  const auto path = state_dir / kFileName;
  const auto temporary = state_dir / (std::string(kFileName) + ".new");
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << formatMetadata(metadata) << "\n";
    out.close();
    if (!out) throw std::runtime_error(temporary.string() + ": cannot write");
  }
  std::filesystem::rename(temporary, path, error);
  if (error) throw std::runtime_error(path.string() + ": cannot write: " + error.message());
}

}  // namespace deckhand::machine
