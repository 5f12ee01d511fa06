#pragma once
// deckhand's line to systemd: keeps the system bus connected, calls Subscribe (systemd only
// emits most signals while someone is subscribed), and hands the live connection to the
// UnitWatcher and the UnitManager. Re-synchronises after a reconnect, a daemon-reload
// (Reloading(false)) and a daemon-reexec (systemd's bus name changing owner).

#include <sdbus-c++/Types.h>

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <string>

#include "dbus/system_bus.hpp"
#include "dbus/systemd_manager.hpp"
#include "systemd/unit_manager.hpp"
#include "systemd/unit_watcher.hpp"

namespace deckhand::systemd {

class SystemdLink {
 public:
  struct Events {
    std::function<void(const std::string& version)> on_ready;  // subscribed and synchronised
    std::function<void()> on_lost;
  };

  SystemdLink(boost::asio::any_io_executor executor, UnitWatcher& watcher, UnitManager& units,
              Events events);
  ~SystemdLink();

  void start();
  bool ready() const { return ready_; }
  const std::string& address() const { return bus_.address(); }
  dbus::BusConnection* connection() { return connection_; }  // null while down

 private:
  void up(dbus::BusConnection& bus);
  void down();
  void subscribe();
  void resync();

  UnitWatcher& watcher_;
  UnitManager& units_;
  Events events_;
  dbus::SystemBus bus_;
  dbus::BusConnection* connection_ = nullptr;  // while up
  std::unique_ptr<dbus::SystemdManager> systemd_;
  sdbus::Slot owner_watch_;
  bool attached_ = false;  // watcher and manager hold the current connection
  bool ready_ = false;     // and the first read of every unit is done
};

}  // namespace deckhand::systemd
