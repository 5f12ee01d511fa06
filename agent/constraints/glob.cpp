#include "agent/constraints/glob.hpp"

#include <string>

#include "agent/constraints/invalid_value.hpp"
#include "systemd/unit_name.hpp"

namespace deckhand::constraints {
namespace {

constexpr auto npos = std::string_view::npos;

bool isUnitNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view(":-_.\\@").find(c) != npos;
}

bool isNegation(char c) {
  return c == '!' || c == '^';
}

// The index of the ']' closing the set that opens at pattern[open], or npos. A ']' right after
// the '[' (or after its negation) is a member, as in fnmatch.
std::size_t setEnd(std::string_view pattern, std::size_t open) {
  std::size_t at = open + 1;
  if (at < pattern.size() && isNegation(pattern[at])) ++at;
  if (at < pattern.size() && pattern[at] == ']') ++at;
  return pattern.find(']', at);
}

// body is what lies between '[' and ']'.
bool setContains(std::string_view body, char c) {
  const bool negated = !body.empty() && isNegation(body.front());
  if (negated) body.remove_prefix(1);
  bool found = false;
  for (std::size_t at = 0; at < body.size(); ++at) {
    if (at + 2 < body.size() && body[at + 1] == '-') {
      found = found || (body[at] <= c && c <= body[at + 2]);
      at += 2;
    } else {
      found = found || body[at] == c;
    }
  }
  return found != negated;
}

// Matches one pattern element other than '*' against c; on success sets next to the index after
// the element.
bool matchesOne(std::string_view pattern, std::size_t at, char c, std::size_t& next) {
  if (pattern[at] == '[') {
    const auto close = setEnd(pattern, at);
    if (close != npos) {
      next = close + 1;
      return setContains(pattern.substr(at + 1, close - at - 1), c);
    }
  }
  next = at + 1;
  return pattern[at] == '?' || pattern[at] == c;
}

void checkSet(std::string_view pattern, std::size_t open, std::size_t close) {
  std::string_view body = pattern.substr(open + 1, close - open - 1);
  if (!body.empty() && isNegation(body.front())) body.remove_prefix(1);
  for (const char c : body) {
    if (!isUnitNameChar(c)) {
      throw InvalidValue("the set \"" + std::string(pattern.substr(open, close - open + 1)) +
                         "\" lists '" + c + "', which never appears in a unit name");
    }
  }
}

}  // namespace

bool isGlob(std::string_view pattern) {
  return pattern.find_first_of("*?[") != npos;
}

void checkUnitGlob(std::string_view pattern) {
  if (!isGlob(pattern)) {
    try {
      systemd::parseUnitName(pattern);
    } catch (const systemd::UnitNameError& error) {
      throw InvalidValue(std::string(error.what()) +
                         "; a pattern without * ? or [...] is one exact unit name");
    }
    return;
  }
  for (std::size_t at = 0; at < pattern.size(); ++at) {
    const char c = pattern[at];
    if (c == '[') {
      const auto close = setEnd(pattern, at);
      if (close == npos) {
        throw InvalidValue("the set \"" + std::string(pattern.substr(at)) +
                           "\" has no closing ']'");
      }
      checkSet(pattern, at, close);
      at = close;
    } else if (c != '*' && c != '?' && !isUnitNameChar(c)) {
      throw InvalidValue(std::string("'") + c +
                         "' never appears in a unit name; a pattern is unit name characters "
                         "with * ? and [...]");
    }
  }
}

bool globMatches(std::string_view pattern, std::string_view name) {
  std::size_t p = 0;
  std::size_t n = 0;
  // Where the last '*' was and how much of name it has swallowed, to backtrack to on a mismatch.
  std::size_t star = npos;
  std::size_t star_name = 0;
  while (n < name.size()) {
    std::size_t next = 0;
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_name = n;
    } else if (p < pattern.size() && matchesOne(pattern, p, name[n], next)) {
      p = next;
      ++n;
    } else if (star != npos) {
      p = star + 1;
      n = ++star_name;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

}  // namespace deckhand::constraints
