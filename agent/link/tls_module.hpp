#pragma once
// What the TLS module (deckhand-tls.so, built from tls_module.cpp) gives the agent: wss:// on a
// resolved address. The module holds OpenSSL and Asio's TLS layer; the rest of Asio and Beast, and
// SessionCore, it takes from the agent's binary (which exports them: tls_module_imports.py), so
// the io_context and its services are the agent's own.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "agent/link/session_core.hpp"

namespace deckhand::link::detail {

struct TlsModule {
  // DECKHAND_VERSION of the build; the agent refuses a module from another build.
  const char* version;
  // Connects over TLS and talks until the connection ends, like connectOnce's plain path.
  boost::asio::awaitable<void> (*connect)(SessionCore& core,
                                          const boost::asio::ip::tcp::resolver::results_type&);
};

}  // namespace deckhand::link::detail

// The module's one exported symbol.
extern "C" const deckhand::link::detail::TlsModule deckhand_tls_module;
