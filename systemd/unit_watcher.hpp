#pragma once
// The observed state of the units deckhand cares about, fed by systemd's signals (no polling):
// PropertiesChanged for ActiveState and friends; a re-read after Reloading(false), a reconnect, a
// job systemd refused or a signal of a unit not found before, for what signals never carry
// (LoadState, LoadError). Of a unit started as it is installed, its job tells those two
// (jobQueued, below). One change event per real transition (isTransition): signals that arrive
// together are merged, and a change of Result or exit status alone waits for the transition it
// belongs to.

#include <boost/asio/any_io_executor.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dbus/unit_properties.hpp"
#include "systemd/unit_state.hpp"

namespace deckhand::systemd {

class UnitWatcher {
 public:
  using ChangeHandler = std::function<void(const std::string& unit, const UnitState& state)>;

  UnitWatcher(boost::asio::any_io_executor executor, ChangeHandler on_change);
  ~UnitWatcher();
  UnitWatcher(const UnitWatcher&) = delete;
  UnitWatcher& operator=(const UnitWatcher&) = delete;

  void watch(const std::string& unit);
  // A unit whose file was just installed: a fresh unit (loaded, inactive, dead) is known from
  // one ListUnitsByNames call shared by every unit installed in the same turn, since systemd
  // collects an inactive unit nobody refers to, and a new object has nothing else to read. Any
  // other state gets a full read. A unit with a job queued before that call is not listed (below).
  void watchInstalled(const std::string& unit);
  void unwatch(const std::string& unit);
  bool watching(const std::string& unit) const { return units_.contains(unit); }
  // unit's state as of the last flush (so never ahead of the events); null before its first read.
  const UnitState* state(const std::string& unit) const;
  std::size_t size() const { return units_.size(); }

  // The bus came up (after Subscribe): listen, and read every watched unit.
  void attach(dbus::BusConnection& bus);
  // The bus is gone: stop listening; states are kept and re-read on the next attach.
  void detach();
  // Re-read every watched unit (after a reconnect or a reexec), or one.
  void resync();
  // After a daemon-reload: only what a reload changes (LoadState, LoadError) is read again.
  void reloaded();
  void refresh(const std::string& unit);
  // What is known of a watched unit right now, including signals not yet reported; null when
  // unit is not watched, or a read of it is still under way.
  const UnitState* current(const std::string& unit) const;
  // Reads unit now (watched or not) and hands its fresh state to done; a watched unit's change is
  // also reported as usual.
  void readNow(const std::string& unit, std::function<void(const UnitState&)> done);

  // UnitManager's jobs on a unit. A unit installed but not listed yet is left out of the listing
  // once a job for it is queued: listing it would make systemd load it ahead of the job, collect
  // it (nothing refers to it yet) and load it again for the job. Its job tells its state instead:
  // a job exists only for a loaded unit, and its PropertiesChanged carry everything else.
  void jobQueued(const std::string& unit);
  void jobCreated(const std::string& unit);
  // created: systemd made the job (false when it refused the call). A unit the job's signals did
  // not describe in full is read.
  void jobEnded(const std::string& unit, bool created);

  // Units read in full so far (each is several calls), and installed units listed so far, for
  // tests and benchmarks.
  std::size_t unitReadsMade() const { return unit_reads_made_; }
  std::size_t installedUnitsListed() const { return installed_units_listed_; }

  // What systemd says of each unit named, watched or not, from ListUnitsByNames (one call per
  // kMaxUnitsListed units): the error instead when systemd could not answer. Waits for the bus
  // while it is down.
  using ListDone = std::function<void(const std::optional<dbus::BusError>& error,
                                      const std::map<std::string, dbus::ListedUnit>& listed)>;
  void listNow(std::vector<std::string> units, ListDone done);

  // Called once no read is outstanding and every change has been reported.
  void whenSettled(std::function<void()> settled);

 private:
  struct Watched {
    UnitState reported;  // as of the last flush, once flushed_once
    // What signals and reads brought since the last flush. A copy of reported is made only when
    // something arrives: a quiet unit, most of them, costs one UnitState.
    std::unique_ptr<UnitState> changed;
    bool known = false;  // read, listed or told by a job's signals at least once
    bool flushed_once = false;
    std::vector<std::function<void(const UnitState&)>> readers;  // readNow callers

    UnitState& latest() {
      if (!changed) changed = std::make_unique<UnitState>(reported);
      return *changed;
    }
    const UnitState& newest() const { return changed ? *changed : reported; }
  };

  static constexpr std::size_t kMaxUnitsReading = 12;  // 12 × 8 calls: BusConnection's bound
  static constexpr std::size_t kMaxUnitsListed = 256;  // per ListUnitsByNames call

  enum class Depth { load, full };  // a reload's LoadState and LoadError, or everything

  // Of a unit whose job was queued before it was listed: what its job and signals told so far.
  struct AwaitingJob {
    bool job_exists = false;
    bool unit_signalled = false;     // a PropertiesChanged of the Unit interface
    bool service_signalled = false;  // and, for a service, of the Service interface
  };

  void read(const std::string& unit, Depth depth = Depth::full);
  void knowFromJob(std::map<std::string, AwaitingJob>::iterator awaiting);
  void markKnown(const std::string& unit, Watched& watched);
  void readWaiting();
  struct ListRequest {
    std::vector<std::string> units;
    ListDone done;
    std::size_t calls_due = 0;
    std::optional<dbus::BusError> error;
    std::map<std::string, dbus::ListedUnit> listed;
  };

  void listInstalled();
  void sendListRequest(std::uint64_t id);
  void onListAnswer(std::uint64_t id, std::uint64_t generation,
                    const std::optional<dbus::BusError>& error,
                    std::vector<dbus::ListedUnit> listed);
  void onListed(const std::vector<std::string>& units, const std::optional<dbus::BusError>& error,
                const std::map<std::string, dbus::ListedUnit>& listed);
  bool reading(const std::string& unit) const;
  void onPropertiesChanged(const std::string& unit, const dbus::PropertiesChanged& signal);
  void markDirty(const std::string& unit);
  void flush();
  void checkSettled();

  boost::asio::any_io_executor executor_;
  ChangeHandler on_change_;
  std::map<std::string, Watched> units_;
  std::set<std::string> dirty_;
  // Replies still due per unit being read, and units waiting for their turn.
  std::map<std::string, int> replies_due_;
  std::deque<std::string> waiting_;
  std::map<std::string, Depth> waiting_depth_;
  // Installed units waiting for a ListUnitsByNames call, and those in one.
  std::set<std::string> to_list_;
  std::set<std::string> listing_;
  std::map<std::string, AwaitingJob> awaiting_job_;
  // listNow requests not answered yet, sent again after a reconnect.
  std::map<std::uint64_t, ListRequest> list_requests_;
  std::uint64_t next_list_request_ = 0;
  std::uint64_t attachments_ = 0;
  // Units read for readNow without being watched, until their read completes.
  std::map<std::string, Watched> one_off_;
  bool flush_pending_ = false;
  std::size_t unit_reads_made_ = 0;
  std::size_t installed_units_listed_ = 0;
  std::unique_ptr<dbus::UnitProperties> properties_;
  std::deque<std::function<void()>> settled_waiters_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace deckhand::systemd
