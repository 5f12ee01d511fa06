#pragma once
// What the value checkers throw: one message saying what is wrong with a value and what is
// expected. parseConstraints catches it and files it under the entry's line and key, so checkers
// never need to know where their text came from.

#include <stdexcept>

namespace deckhand::constraints {

class InvalidValue : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace deckhand::constraints
