#include "agent/link/scheduler_url.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace deckhand::link {
namespace {

bool isHostNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

bool validHostName(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.front() == '-') return false;
  for (const char c : host) {
    if (!isHostNameChar(c)) return false;
  }
  return host.find("..") == std::string_view::npos;
}

bool validIpv6(const std::string& host) {
  in6_addr address{};
  return inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

bool validTarget(std::string_view target) {
  for (const char c : target) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f || c == '#') return false;
  }
  return true;
}

}  // namespace

std::string SchedulerUrl::text() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return std::string(tls ? "wss://" : "ws://") + (ipv6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port) + target;
}

SchedulerUrl parseSchedulerUrl(std::string_view text) {
  SchedulerUrl url;
  if (text.starts_with("wss://")) {
    url.tls = true;
    url.port = 443;
    text.remove_prefix(6);
  } else if (text.starts_with("ws://")) {
    url.port = 80;
    text.remove_prefix(5);
  } else {
    throw UrlError("scheme must be ws:// or wss://");
  }
  const auto slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  url.target = slash == std::string_view::npos ? "/" : std::string(text.substr(slash));
  if (!validTarget(url.target)) {
    throw UrlError("path \"" + url.target + "\" has spaces, control characters or a fragment");
  }
  if (authority.find('@') != std::string_view::npos) {
    throw UrlError("credentials in the URL are not allowed; use the token file");
  }
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) throw UrlError("IPv6 address lacks a closing ']'");
    url.host = std::string(authority.substr(1, close - 1));
    if (!validIpv6(url.host)) throw UrlError("\"" + url.host + "\" is not an IPv6 address");
    authority.remove_prefix(close + 1);
    if (!authority.empty() && !authority.starts_with(':')) {
      throw UrlError("unexpected text after the IPv6 address");
    }
    if (!authority.empty()) port = authority.substr(1);
  } else {
    const auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (!validHostName(url.host)) throw UrlError("host \"" + url.host + "\" is not a host name");
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (authority.find(':') != std::string_view::npos || !port.empty()) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc{} || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      throw UrlError("port \"" + std::string(port) + "\" is not a number from 1 to 65535");
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

}  // namespace deckhand::link
