// libFuzzer target for the protocol codec: any frame decodes to a request or to a ProtocolError
// (anything else escaping is a crash), every error encodes to a valid JSON frame, and any bytes
// given to the encoder come out as valid JSON. How to build and run it: tests/fuzz/meson.build.

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "agent/link/codec_messages.hpp"
#include "agent/link/codec_requests.hpp"

namespace {

using namespace deckhand::link;

void mustBeJson(const std::string& frame) {
  boost::json::error_code ec;
  const boost::json::value value = boost::json::parse(frame, ec);
  if (ec || !value.is_object()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  try {
    decodeRequest(frame);
  } catch (const ProtocolError& error) {
    mustBeJson(encodeError(error));
  }
  const JournalLine line{1, 6, std::string(frame)};
  mustBeJson(encodeJournal("fuzz", {&line, 1}, true));
  return 0;
}
