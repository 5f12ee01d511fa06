#include "agent/constraints/xfleet_value.hpp"

#include <algorithm>

#include "agent/constraints/invalid_value.hpp"

namespace deckhand::constraints {
namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t';
}

bool hasSpace(std::string_view text) {
  return text.find_first_of(" \t") != std::string_view::npos;
}

// "a=1 b=2" -> "\"a=1\" \"b=2\"": the spelling the user most likely meant.
std::string quoteEachWord(std::string_view text) {
  std::string quoted;
  std::size_t start = 0;
  while ((start = text.find_first_not_of(" \t", start)) != std::string_view::npos) {
    const auto end = std::min(text.find_first_of(" \t", start), text.size());
    if (!quoted.empty()) quoted.push_back(' ');
    quoted += '"' + std::string(text.substr(start, end - start)) + '"';
    start = end;
  }
  return quoted;
}

std::vector<std::string> splitUnquoted(std::string_view value) {
  if (value.find('"') != std::string_view::npos) {
    throw InvalidValue(
        "a quote inside a value; quotes surround whole items, as in \"a=1\" \"b=2\"");
  }
  if (hasSpace(value)) {
    throw InvalidValue("contains whitespace; to give several values, quote each one: " +
                       quoteEachWord(value));
  }
  return {std::string(value)};
}

std::vector<std::string> splitQuoted(std::string_view value) {
  std::vector<std::string> items;
  std::size_t at = 0;
  while (at < value.size()) {
    if (isSpace(value[at])) {
      ++at;
      continue;
    }
    if (value[at] != '"') {
      const auto end = std::min(value.find_first_of(" \t\"", at), value.size());
      throw InvalidValue("\"" + std::string(value.substr(at, end - at)) +
                         "\" is outside quotes; once a value starts with a quote, every item must "
                         "be quoted, as in \"a=1\" \"b=2\"");
    }
    const auto close = value.find('"', at + 1);
    if (close == std::string_view::npos) {
      throw InvalidValue("the quote before \"" + std::string(value.substr(at + 1)) +
                         "\" is never closed");
    }
    const std::string_view item = value.substr(at + 1, close - at - 1);
    if (hasSpace(item)) {
      throw InvalidValue(
          "quoted item \"" + std::string(item) +
          "\" contains whitespace; quote each value on its own: " + quoteEachWord(item));
    }
    if (close + 1 < value.size() && !isSpace(value[close + 1])) {
      throw InvalidValue("quoted items must be separated by whitespace; found \"" +
                         std::string(value.substr(close + 1, 1)) + "\" right after \"" +
                         std::string(item) + "\"");
    }
    items.emplace_back(item);
    at = close + 1;
  }
  return items;
}

std::string_view withoutTypeSuffix(std::string_view full) {
  return full.substr(0, full.rfind('.'));
}

}  // namespace

std::vector<std::string> splitXFleetValue(std::string_view value) {
  if (value.starts_with('"')) return splitQuoted(value);
  return splitUnquoted(value);
}

std::string substituteSpecifiers(std::string_view text, const systemd::UnitName& unit) {
  std::string out;
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (text[at] != '%') {
      out.push_back(text[at]);
      continue;
    }
    if (++at == text.size()) {
      throw InvalidValue("ends in a lone '%'; write %% for a literal '%'");
    }
    switch (text[at]) {
      case 'n':
        out += unit.full;
        break;
      case 'N':
        out += withoutTypeSuffix(unit.full);
        break;
      case 'p':
        out += unit.prefix;
        break;
      case 'i':
        out += unit.instance;
        break;
      case '%':
        out.push_back('%');
        break;
      default:
        throw InvalidValue(std::string("unknown specifier %") + text[at] +
                           "; [X-Fleet] supports %n (full unit name), %N (name without the type "
                           "suffix), %p (prefix), %i (instance) and %% (a literal '%')");
    }
  }
  return out;
}

}  // namespace deckhand::constraints
