#include "agent/machine/metadata.hpp"

#include "agent/machine/text.hpp"

namespace deckhand::machine {
namespace {

constexpr std::size_t kMaxKey = 63;
constexpr std::size_t kMaxValue = 255;

bool isAlnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

bool isMetadataKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxKey || !isAlnum(key.front())) return false;
  for (const char c : key) {
    if (!isAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

bool isMetadataValue(std::string_view value) {
  if (value.empty() || value.size() > kMaxValue) return false;
  for (const char c : value) {
    const bool printable = c > ' ' && c < 0x7f;
    if (!printable || c == ',' || c == '=' || c == '"' || c == '\'' || c == '\\') return false;
  }
  return true;
}

Metadata parseMetadata(std::string_view text) {
  Metadata metadata;
  if (trimBlanks(text).empty()) return metadata;
  while (true) {
    const auto comma = text.find(',');
    const std::string_view pair = trimBlanks(text.substr(0, comma));
    const auto equals = pair.find('=');
    if (pair.empty()) throw MetadataError("empty entry; expected KEY=VALUE between commas");
    if (equals == std::string_view::npos) {
      throw MetadataError("\"" + std::string(pair) + "\" is not KEY=VALUE");
    }
    const std::string_view key = pair.substr(0, equals);
    const std::string_view value = pair.substr(equals + 1);
    if (!isMetadataKey(key)) {
      throw MetadataError("key \"" + std::string(key) + "\" in \"" + std::string(pair) +
                          "\" is invalid; expected 1-63 letters, digits, '-', '_' or '.', "
                          "starting with a letter or digit");
    }
    if (!isMetadataValue(value)) {
      throw MetadataError("value \"" + std::string(value) + "\" of key \"" + std::string(key) +
                          "\" is invalid; expected 1-255 printable characters without spaces, "
                          "quotes, backslashes, ',' or '=' (separate pairs with ',')");
    }
    if (!metadata.emplace(key, value).second) {
      throw MetadataError("key \"" + std::string(key) + "\" is given twice");
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return metadata;
}

std::string formatMetadata(const Metadata& metadata) {
  std::string text;
  for (const auto& [key, value] : metadata) {
    if (!text.empty()) text.push_back(',');
    text += key;
    text.push_back('=');
    text += value;
  }
  return text;
}

}  // namespace deckhand::machine
