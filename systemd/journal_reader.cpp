#include "systemd/journal_reader.hpp"

#include <systemd/sd-journal.h>

#include <cstring>
#include <stdexcept>
#include <string_view>

namespace deckhand::systemd {
namespace {

void check(int result, const std::string& what) {
  if (result < 0) throw std::runtime_error(what + ": " + std::strerror(-result));
}

// The value of FIELD=value in the current entry; empty when the entry has none.
std::string field(sd_journal* journal, const char* name) {
  const void* data = nullptr;
  std::size_t length = 0;
  if (sd_journal_get_data(journal, name, &data, &length) < 0) return {};
  const std::string_view text(static_cast<const char*>(data), length);
  const auto equals = text.find('=');
  return equals == std::string_view::npos ? std::string() : std::string(text.substr(equals + 1));
}

}  // namespace

JournalReader::JournalReader(boost::asio::any_io_executor executor, const std::string& unit)
    : descriptor_(std::move(executor)) {
  check(sd_journal_open(&journal_, SD_JOURNAL_LOCAL_ONLY), "cannot open the journal");
  // journalctl -u: the unit's own processes, or systemd (PID 1) speaking about the unit.
  const std::string own = "_SYSTEMD_UNIT=" + unit;
  const std::string about = "UNIT=" + unit;
  check(sd_journal_add_match(journal_, own.data(), own.size()), "journal match for " + unit);
  check(sd_journal_add_disjunction(journal_), "journal match for " + unit);
  check(sd_journal_add_match(journal_, about.data(), about.size()), "journal match for " + unit);
  check(sd_journal_add_match(journal_, "_PID=1", 0), "journal match for " + unit);
}

JournalReader::~JournalReader() {
  *alive_ = false;
  if (descriptor_.is_open()) {
    descriptor_.cancel();
    descriptor_.release();  // sd-journal owns the inotify fd
  }
  sd_journal_close(journal_);
}

std::vector<JournalEntry> JournalReader::tail(int lines) {
  check(sd_journal_seek_tail(journal_), "cannot seek in the journal");
  // As journalctl -n: step back over the last `lines` entries; the entry reached is the first.
  const int skipped = sd_journal_previous_skip(journal_, static_cast<std::uint64_t>(lines));
  check(skipped, "cannot read the journal");
  std::vector<JournalEntry> entries;
  if (skipped == 0) return entries;
  entries.push_back(current());
  for (auto& entry : readForward(skipped - 1))
    entries.push_back(std::move(entry));
  return entries;
}

JournalEntry JournalReader::current() {
  JournalEntry entry;
  sd_journal_get_realtime_usec(journal_, &entry.usec);
  const std::string priority = field(journal_, "PRIORITY");
  if (priority.size() == 1 && priority[0] >= '0' && priority[0] <= '7') {
    entry.priority = priority[0] - '0';
  }
  entry.message = field(journal_, "MESSAGE");
  return entry;
}

std::vector<JournalEntry> JournalReader::readForward(int limit) {
  std::vector<JournalEntry> entries;
  while (static_cast<int>(entries.size()) < limit && sd_journal_next(journal_) > 0) {
    entries.push_back(current());
  }
  return entries;
}

void JournalReader::follow(std::function<void(std::vector<JournalEntry>)> on_entries) {
  on_entries_ = std::move(on_entries);
  const int fd = sd_journal_get_fd(journal_);
  check(fd, "cannot watch the journal");
  descriptor_.assign(fd);
  waitForChange();
}

void JournalReader::waitForChange() {
  descriptor_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                         [this, alive = alive_](const boost::system::error_code& error) {
                           if (error || !*alive) return;
                           sd_journal_process(journal_);
                           while (true) {
                             auto entries = readForward(kFollowBatch);
                             if (entries.empty()) break;
                             on_entries_(std::move(entries));
                             if (!*alive) return;
                           }
                           waitForChange();
                         });
}

}  // namespace deckhand::systemd
