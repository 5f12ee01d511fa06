#pragma once
// Where the scheduler listens: ws://HOST[:PORT][/PATH] or wss://HOST[:PORT][/PATH].

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace deckhand::link {

struct SchedulerUrl {
  bool tls = false;
  std::string host;  // a name, an IPv4 address, or an IPv6 address without brackets
  std::uint16_t port = 0;
  std::string target;  // path and query, starting with '/'

  std::string text() const;  // the canonical URL
};

class UrlError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws UrlError saying what part is wrong.
SchedulerUrl parseSchedulerUrl(std::string_view text);

}  // namespace deckhand::link
