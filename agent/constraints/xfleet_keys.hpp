#pragma once
// The keys of [X-Fleet]: their names, fleet's deprecated aliases, and what each expects. The one
// place that knows how a key is spelled.

#include <optional>
#include <string>
#include <string_view>

namespace deckhand::constraints {

enum class XFleetKey { machine_id, machine_of, machine_metadata, conflicts, global, replaces };

// The key a written name stands for, alias or not; nullopt for anything else.
std::optional<XFleetKey> findXFleetKey(std::string_view written);

std::string_view keyName(XFleetKey key);  // the current spelling: "MachineOf"

// What a value of the key looks like, for error messages: "a unit name, such as db.service".
std::string_view expectedValue(XFleetKey key);

// Why written is not a key, with a hint when it is a near miss (wrong case, fleet's legacy
// X-ConditionMachineBootID).
std::string unknownKeyMessage(std::string_view written);

}  // namespace deckhand::constraints
