#include "agent/constraints/metadata_condition.hpp"

#include <array>
#include <charconv>

#include "agent/constraints/invalid_value.hpp"
#include "agent/machine/metadata.hpp"

namespace deckhand::constraints {
namespace {

struct OperatorSpelling {
  std::string_view text;
  MetadataOperator op;
};

// Two-character spellings first, so "<=" is not read as "<" followed by a value "=...".
constexpr std::array<OperatorSpelling, 6> kOperators{{
    {"!=", MetadataOperator::not_equal},
    {"<=", MetadataOperator::less_equal},
    {">=", MetadataOperator::greater_equal},
    {"=", MetadataOperator::equal},
    {"<", MetadataOperator::less},
    {">", MetadataOperator::greater},
}};

constexpr std::string_view kOperatorList = "= != < <= > >=";

bool isOrdering(MetadataOperator op) {
  return op != MetadataOperator::equal && op != MetadataOperator::not_equal;
}

}  // namespace

std::string_view operatorText(MetadataOperator op) {
  for (const auto& spelling : kOperators) {
    if (spelling.op == op) return spelling.text;
  }
  return "?";
}

std::string formatCondition(const MetadataCondition& condition) {
  return condition.key + std::string(operatorText(condition.op)) + condition.value;
}

std::optional<double> parseNumber(std::string_view text) {
  std::size_t at = text.starts_with('-') ? 1 : 0;
  const auto digits = [&text, &at] {
    const auto start = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9')
      ++at;
    return at > start;
  };
  if (!digits()) return std::nullopt;
  if (at < text.size() && text[at] == '.') {
    ++at;
    if (!digits()) return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  double number = 0;
  std::from_chars(text.data(), text.data() + text.size(), number);
  return number;
}

MetadataCondition parseMetadataCondition(std::string_view text) {
  const auto at = text.find_first_of("=!<>");
  if (at == std::string_view::npos) {
    throw InvalidValue("\"" + std::string(text) + "\" has no operator; expected KEY=VALUE, or " +
                       "KEY followed by one of " + std::string(kOperatorList) + " and a value");
  }
  const OperatorSpelling* spelling = nullptr;
  for (const auto& candidate : kOperators) {
    if (text.substr(at).starts_with(candidate.text)) {
      spelling = &candidate;
      break;
    }
  }
  if (spelling == nullptr) {
    throw InvalidValue("'!' must be followed by '=' (\"" + std::string(text) +
                       "\"); operators are " + std::string(kOperatorList));
  }
  const std::string_view key = text.substr(0, at);
  const std::string_view value = text.substr(at + spelling->text.size());
  if (key.empty()) {
    throw InvalidValue("\"" + std::string(text) + "\" has no key before " +
                       std::string(spelling->text));
  }
  if (value.empty()) {
    throw InvalidValue("\"" + std::string(text) + "\" has no value after " +
                       std::string(spelling->text));
  }
  if (std::string_view("=!<>").find(value.front()) != std::string_view::npos ||
      value.find('=') != std::string_view::npos) {
    throw InvalidValue("\"" + std::string(text) + "\" has more than one operator; a condition " +
                       "is KEY, one of " + std::string(kOperatorList) + ", and VALUE");
  }
  if (!machine::isMetadataKey(key)) {
    throw InvalidValue(
        "key \"" + std::string(key) + "\" could never be set on a machine; keys " +
        "are 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit");
  }
  if (!machine::isMetadataValue(value)) {
    throw InvalidValue("value \"" + std::string(value) + "\" could never be set on a machine; " +
                       "values are 1-255 printable characters without whitespace, quotes, " +
                       "backslashes, ',' or '='");
  }
  if (isOrdering(spelling->op) && !parseNumber(value)) {
    throw InvalidValue("\"" + std::string(text) + "\": " + std::string(spelling->text) +
                       " compares numbers, and \"" + std::string(value) +
                       "\" is not one (expected digits, optionally with '-' and a decimal "
                       "point, e.g. 2048 or 1.5)");
  }
  return {std::string(key), spelling->op, std::string(value)};
}

}  // namespace deckhand::constraints
