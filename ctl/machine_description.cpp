#include "ctl/machine_description.hpp"

#include <boost/json.hpp>

namespace deckhand::ctl {
namespace {

namespace json = boost::json;

const json::object& machineObject(const json::value& document, const std::string& origin) {
  if (!document.is_object()) throw DescriptionError(origin + ": expected a JSON object");
  const json::object& top = document.as_object();
  const json::value* machine = top.if_contains("machine");
  if (machine == nullptr) return top;
  if (!machine->is_object()) throw DescriptionError(origin + ": \"machine\" must be an object");
  return machine->as_object();
}

}  // namespace

constraints::MachineView parseMachineDescription(std::string_view text, const std::string& origin) {
  json::value document;
  try {
    document = json::parse(text);
  } catch (const std::exception& error) {
    throw DescriptionError(origin + ": not JSON: " + error.what());
  }
  const json::object& machine = machineObject(document, origin);
  constraints::MachineView view;
  const json::value* id = machine.if_contains("machine_id");
  if (id == nullptr || !id->is_string() || id->as_string().empty()) {
    throw DescriptionError(origin + ": \"machine_id\" must be a non-empty string");
  }
  view.id = std::string(id->as_string());
  const json::value* metadata = machine.if_contains("metadata");
  if (metadata == nullptr) return view;
  if (!metadata->is_object()) {
    throw DescriptionError(origin + ": \"metadata\" must be an object of strings");
  }
  for (const auto& [key, value] : metadata->as_object()) {
    if (!value.is_string()) {
      throw DescriptionError(origin + ": metadata \"" + std::string(key) + "\" must be a string");
    }
    if (!machine::isMetadataKey(key) || !machine::isMetadataValue(value.as_string())) {
      throw DescriptionError(origin + ": metadata " + std::string(key) + "=" +
                             std::string(value.as_string()) +
                             " breaks the metadata grammar (see docs/configuration.md)");
    }
    view.metadata.emplace(key, value.as_string());
  }
  return view;
}

}  // namespace deckhand::ctl
