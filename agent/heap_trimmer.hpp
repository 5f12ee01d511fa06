#pragma once
// Gives the heap's free pages back to the system a moment after a burst of work (a reconcile pass
// over many units): glibc keeps what was freed for reuse, so an idle agent would otherwise hold
// on to the peak of its last burst for as long as it runs.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

namespace deckhand {

class HeapTrimmer {
 public:
  static constexpr std::chrono::seconds kQuiet{1};

  explicit HeapTrimmer(boost::asio::any_io_executor executor);

  // Work just ended: trim once no other work has ended for kQuiet.
  void workEnded();
  // A burst is known to be over (a full read of the units from systemd): trim now.
  void trimNow();

 private:
  boost::asio::steady_timer timer_;
};

}  // namespace deckhand
