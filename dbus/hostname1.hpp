#pragma once
// org.freedesktop.hostname1 (systemd-hostnamed, started by D-Bus activation on first call): the
// host name as systemd sees it. Where hostnamed is missing (minimal images, containers), the
// kernel's name is the answer.

#include <sdbus-c++/IProxy.h>

#include <functional>
#include <memory>
#include <string>

#include "dbus/bus_connection.hpp"
#include "dbus/systemd_manager.hpp"

namespace deckhand::dbus {

class Hostname1 {
 public:
  explicit Hostname1(BusConnection& bus);
  ~Hostname1();
  Hostname1(const Hostname1&) = delete;
  Hostname1& operator=(const Hostname1&) = delete;

  // The Hostname property. No reply arrives once this object is gone.
  void hostname(Reply<std::string> reply);

 private:
  BusConnection& bus_;
  std::unique_ptr<sdbus::IProxy> proxy_;
};

// The kernel's host name (gethostname), in this process's UTS namespace.
std::string kernelHostname();

// The host name from hostname1 when it answers, else the kernel's (on any error: ServiceUnknown
// where hostnamed is not installed, NoSuchUnit when activation finds no unit, a timeout). done
// runs once, on the bus's executor; also when the bus is lost meanwhile (sd-bus answers pending
// calls with NoReply first), but never if the BusConnection is destroyed before the reply.
void readHostname(BusConnection& bus, std::function<void(std::string)> done);

}  // namespace deckhand::dbus
