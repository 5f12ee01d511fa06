#pragma once
// Globs over unit names, for Conflicts= and Replaces=: '*' is any run of characters, '?' one
// character, [abc] [a-z] one of a set and [!abc] or [^abc] one outside it. A backslash is an
// ordinary character, as in systemd's own unit patterns, because escaped unit names contain it
// ("foo\x2dbar.service"); fleet's Go matcher took it as an escape instead.

#include <string_view>

namespace deckhand::constraints {

bool isGlob(std::string_view pattern);  // contains * ? or [

// Throws InvalidValue when the pattern could never match a unit name: a character no unit name
// has, an unclosed or empty [...], or, without wildcards, a name parseUnitName rejects (a missing
// ".service" suffix is the usual one). fleet dropped such patterns silently.
void checkUnitGlob(std::string_view pattern);

// Whether name matches the whole pattern. An unclosed '[' is literal text, which no unit name
// contains.
bool globMatches(std::string_view pattern, std::string_view name);

}  // namespace deckhand::constraints
