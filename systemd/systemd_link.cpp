#include "systemd/systemd_link.hpp"

#include <sdbus-c++/sdbus-c++.h>
#include <spdlog/spdlog.h>

namespace deckhand::systemd {
namespace {

constexpr const char* kSystemdOwnerRule =
    "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
    "member='NameOwnerChanged',arg0='org.freedesktop.systemd1'";

}  // namespace

SystemdLink::SystemdLink(boost::asio::any_io_executor executor, UnitWatcher& watcher,
                         UnitManager& units, Events events)
    : watcher_(watcher),
      units_(units),
      events_(std::move(events)),
      bus_(executor, {[this](dbus::BusConnection& bus) { up(bus); }, [this] { down(); }}) {}

SystemdLink::~SystemdLink() {
  events_ = {};  // going away on purpose: nothing was lost
  down();
}

void SystemdLink::start() {
  bus_.start();
}

void SystemdLink::up(dbus::BusConnection& bus) {
  connection_ = &bus;
  dbus::ManagerSignals signals;
  signals.job_removed = [this](std::uint32_t, const std::string& job, const std::string& unit,
                               const std::string& result) {
    units_.onJobRemoved(job, unit, result);
  };
  signals.reloading = [this](bool starting) {
    if (!starting) watcher_.reloaded();
  };
  systemd_ = std::make_unique<dbus::SystemdManager>(bus, std::move(signals));
  owner_watch_ = bus.connection().addMatch(kSystemdOwnerRule, [this](sdbus::Message& message) {
    std::string name, old_owner, new_owner;
    message >> name >> old_owner >> new_owner;
    if (new_owner.empty()) {
      spdlog::warn("systemd left the system bus; waiting for it to return");
      return;
    }
    spdlog::info("systemd is back on the system bus; subscribing and re-reading units");
    subscribe();
  });
  subscribe();
}

void SystemdLink::subscribe() {
  if (!systemd_) return;
  systemd_->subscribe([this](std::optional<dbus::BusError> error) {
    // systemd keeps its subscribers across a daemon-reexec.
    if (error && error->name != "org.freedesktop.systemd1.AlreadySubscribed") {
      // systemd may be between executions (daemon-reexec): NameOwnerChanged brings us back.
      spdlog::warn("subscribing to systemd failed: {}; waiting for systemd", error->text());
      return;
    }
    resync();
  });
}

void SystemdLink::resync() {
  systemd_->version([this](std::optional<dbus::BusError> error, std::string version) {
    if (error) {
      spdlog::warn("reading systemd's version failed: {}", error->text());
      return;
    }
    if (!attached_) {
      attached_ = true;
      watcher_.attach(*connection_);
      units_.attach(*systemd_);
    } else {
      watcher_.resync();
    }
    watcher_.whenSettled([this, version] {
      if (ready_) return;
      ready_ = true;
      if (events_.on_ready) events_.on_ready(version);
    });
  });
}

void SystemdLink::down() {
  const bool was_ready = ready_;
  ready_ = false;
  attached_ = false;
  connection_ = nullptr;
  // The watcher first: the jobs that detach ends are not read on a connection that is gone.
  watcher_.detach();
  units_.detach();
  owner_watch_.reset();
  systemd_.reset();
  if (was_ready && events_.on_lost) events_.on_lost();
}

}  // namespace deckhand::systemd
