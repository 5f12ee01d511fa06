// How a machine's metadata is held against MachineMetadata= conditions.
#include <algorithm>

#include "agent/constraints/metadata_condition.hpp"

namespace deckhand::constraints {
namespace {

std::string required(const std::string& conditions, const std::string& has) {
  return "metadata " + conditions + " required, machine has " + has;
}

std::string has(const machine::Metadata& metadata, const std::string& key) {
  const auto found = metadata.find(key);
  return found == metadata.end() ? "no " + key : key + "=" + found->second;
}

bool holds(const MetadataCondition& condition, double have, double want) {
  switch (condition.op) {
    case MetadataOperator::less:
      return have < want;
    case MetadataOperator::less_equal:
      return have <= want;
    case MetadataOperator::greater:
      return have > want;
    case MetadataOperator::greater_equal:
      return have >= want;
    case MetadataOperator::equal:
    case MetadataOperator::not_equal:
      break;
  }
  return false;
}

// '=' conditions on one key, in the order the keys first appear; fleet ORs the values.
std::optional<std::string> unmetAlternatives(std::span<const MetadataCondition> conditions,
                                             const std::string& key,
                                             const machine::Metadata& metadata) {
  std::string wanted;
  bool matched = false;
  const auto found = metadata.find(key);
  for (const auto& condition : conditions) {
    if (condition.op != MetadataOperator::equal || condition.key != key) continue;
    if (!wanted.empty()) wanted += " or ";
    wanted += formatCondition(condition);
    matched = matched || (found != metadata.end() && found->second == condition.value);
  }
  if (matched) return std::nullopt;
  return required(wanted, has(metadata, key));
}

std::optional<std::string> unmetSingle(const MetadataCondition& condition,
                                       const machine::Metadata& metadata) {
  const auto found = metadata.find(condition.key);
  if (condition.op == MetadataOperator::not_equal) {
    // A machine without the key does not have the excluded value.
    if (found == metadata.end() || found->second != condition.value) return std::nullopt;
    return required(formatCondition(condition), has(metadata, condition.key));
  }
  if (found == metadata.end()) {
    return required(formatCondition(condition), has(metadata, condition.key));
  }
  const auto have = parseNumber(found->second);
  if (!have) {
    return required(formatCondition(condition),
                    has(metadata, condition.key) + ", which is not a number");
  }
  // parseMetadataCondition only lets numbers through as bounds.
  if (holds(condition, *have, parseNumber(condition.value).value_or(0))) return std::nullopt;
  return required(formatCondition(condition), has(metadata, condition.key));
}

}  // namespace

std::vector<std::string> unmetMetadata(std::span<const MetadataCondition> conditions,
                                       const machine::Metadata& metadata) {
  std::vector<std::string> unmet;
  std::vector<std::string> keys_done;
  for (const auto& condition : conditions) {
    std::optional<std::string> reason;
    if (condition.op != MetadataOperator::equal) {
      reason = unmetSingle(condition, metadata);
    } else if (std::find(keys_done.begin(), keys_done.end(), condition.key) == keys_done.end()) {
      keys_done.push_back(condition.key);
      reason = unmetAlternatives(conditions, condition.key, metadata);
    }
    if (reason) unmet.push_back(std::move(*reason));
  }
  return unmet;
}

}  // namespace deckhand::constraints
