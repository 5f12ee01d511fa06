#pragma once
// Loads the TLS module (tls_module.hpp) the first time a wss:// connection is made; ws:// never
// loads it. Where it is looked for: the AGENT_TLS_MODULE environment variable, else
// LIBDIR/deckhand/deckhand-tls.so found relative to the running binary (so a relocated install
// works), else deckhand-tls.so beside the binary (the build tree).

#include <filesystem>

#include "agent/link/tls_module.hpp"

namespace deckhand::link::detail {

inline constexpr const char* kTlsModuleVariable = "AGENT_TLS_MODULE";

std::filesystem::path tlsModulePath();

// Loaded once and kept. Throws LinkError naming the module's path, why it cannot be used and what
// to do; a later call tries again, so installing the module fixes a running agent.
const TlsModule& loadTlsModule();

}  // namespace deckhand::link::detail
