#pragma once
// A unit's lines in the local journal, as `journalctl -u UNIT` shows them: the last N, and then
// new ones as they are written. Reads run on the agent's thread: journal files are mapped
// memory, and each read is bounded by the lines asked for.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

struct sd_journal;

namespace deckhand::systemd {

struct JournalEntry {
  std::uint64_t usec = 0;  // CLOCK_REALTIME
  int priority = 6;
  std::string message;
};

class JournalReader {
 public:
  // Opens the local journal (never remote or other machines' files) filtered to unit's own lines
  // and systemd's lines about it. Throws std::runtime_error saying what failed.
  JournalReader(boost::asio::any_io_executor executor, const std::string& unit);
  ~JournalReader();
  JournalReader(const JournalReader&) = delete;
  JournalReader& operator=(const JournalReader&) = delete;

  // The last `lines` entries, oldest first; following continues after them.
  std::vector<JournalEntry> tail(int lines);
  // Hands over entries written from now on, in batches of at most kFollowBatch, until destroyed.
  void follow(std::function<void(std::vector<JournalEntry>)> on_entries);

  static constexpr int kFollowBatch = 500;

 private:
  JournalEntry current();
  std::vector<JournalEntry> readForward(int limit);
  void waitForChange();

  sd_journal* journal_ = nullptr;
  boost::asio::posix::stream_descriptor descriptor_;
  std::function<void(std::vector<JournalEntry>)> on_entries_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace deckhand::systemd
