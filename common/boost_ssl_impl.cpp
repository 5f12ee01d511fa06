// Asio's TLS layer, compiled once, for the binaries that speak TLS (the scheduler, deckhandctl,
// the tests' peer) and the agent's TLS module; the rest of Asio is in boost_impl.cpp.
#include <boost/asio/ssl/impl/src.hpp>
