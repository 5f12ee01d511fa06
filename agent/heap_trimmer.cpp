#include "agent/heap_trimmer.hpp"

#include <malloc.h>

namespace deckhand {

HeapTrimmer::HeapTrimmer(boost::asio::any_io_executor executor) : timer_(std::move(executor)) {}

void HeapTrimmer::workEnded() {
  // Re-arming cancels the wait before: a burst of passes trims once, after the last.
  timer_.expires_after(kQuiet);
  timer_.async_wait([](const boost::system::error_code& error) {
    if (!error) malloc_trim(0);
  });
}

void HeapTrimmer::trimNow() {
  timer_.cancel();
  malloc_trim(0);
}

}  // namespace deckhand
