#pragma once
// systemd's time span syntax (systemd.time(7)): "10s", "1min 30s", "500ms", "2h"; a bare number
// means seconds.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace deckhand::systemd {

// nullopt when text is not a time span.
std::optional<std::chrono::microseconds> parseTimespan(std::string_view text);

// The shortest systemd spelling of a span, e.g. "1min 30s", "250ms", "0".
std::string formatTimespan(std::chrono::microseconds span);

}  // namespace deckhand::systemd
