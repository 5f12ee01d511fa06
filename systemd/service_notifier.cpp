#include "systemd/service_notifier.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace deckhand::systemd {
namespace {

// STATUS= is one line; a multi-line reason would end the message's field early.
std::string oneLine(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

}  // namespace

ServiceNotifier::ServiceNotifier(boost::asio::any_io_executor executor)
    : watchdog_timer_(std::move(executor)) {
  const char* address = std::getenv("NOTIFY_SOCKET");
  if (address == nullptr || *address == '\0') return;
  address_ = address;
  if (address_.size() >= sizeof(sockaddr_un::sun_path) ||
      (address_[0] != '/' && address_[0] != '@')) {
    spdlog::warn("ignoring NOTIFY_SOCKET={}: not a socket path", address_);
    address_.clear();
    return;
  }
  socket_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (socket_ < 0) {
    spdlog::warn("cannot talk to systemd at NOTIFY_SOCKET={}: {}", address_, std::strerror(errno));
    return;
  }
  std::uint64_t usec = 0;
  // sd_watchdog_enabled reads WATCHDOG_USEC and checks that WATCHDOG_PID (if set) is us.
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) watchdog_ = std::chrono::microseconds(usec);
}

ServiceNotifier::~ServiceNotifier() {
  watchdog_timer_.cancel();
  if (socket_ >= 0) ::close(socket_);
}

void ServiceNotifier::start() {
  if (!watchdog_) return;
  spdlog::debug("systemd watchdog every {} ms; pinging at half that",
                std::chrono::duration_cast<std::chrono::milliseconds>(*watchdog_).count());
  send("WATCHDOG=1");
  armWatchdog();
}

void ServiceNotifier::armWatchdog() {
  watchdog_timer_.expires_after(*watchdog_ / 2);
  watchdog_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    send("WATCHDOG=1");
    armWatchdog();
  });
}

void ServiceNotifier::ready(const std::string& status) {
  if (ready_) {
    this->status(status);
    return;
  }
  ready_ = true;
  last_status_ = oneLine(status);
  send("READY=1\nSTATUS=" + last_status_);
}

void ServiceNotifier::status(const std::string& status) {
  std::string line = oneLine(status);
  if (line == last_status_) return;
  last_status_ = std::move(line);
  send("STATUS=" + last_status_);
}

void ServiceNotifier::stopping() {
  send("STOPPING=1\nSTATUS=stopping; the units deckhand manages keep running");
}

void ServiceNotifier::send(const std::string& message) {
  if (socket_ < 0) return;
  sockaddr_un peer{};
  peer.sun_family = AF_UNIX;
  std::memcpy(peer.sun_path, address_.data(), address_.size());
  if (address_[0] == '@') peer.sun_path[0] = '\0';
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size());
  // MSG_DONTWAIT: a full socket buffer drops this message (the next ping or status follows)
  // rather than stalling the loop.
  if (::sendto(socket_, message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
               reinterpret_cast<const sockaddr*>(&peer), length) < 0) {
    spdlog::debug("notifying systemd ({}) failed: {}", message.substr(0, message.find('\n')),
                  std::strerror(errno));
  }
}

}  // namespace deckhand::systemd
