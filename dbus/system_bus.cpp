#include "dbus/system_bus.hpp"

#include <sdbus-c++/Error.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <random>

namespace deckhand::dbus {
namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{5000};

// Up to a quarter less, so that agents that lost the bus together do not all come back at once.
std::chrono::milliseconds withJitter(std::chrono::milliseconds delay) {
  static thread_local std::minstd_rand random{std::random_device{}()};
  std::uniform_int_distribution<long> spread(0, delay.count() / 4);
  return delay - std::chrono::milliseconds(spread(random));
}

}  // namespace

SystemBus::SystemBus(boost::asio::any_io_executor executor, Handlers handlers)
    : executor_(std::move(executor)),
      handlers_(std::move(handlers)),
      address_(systemBusAddress()),
      retry_timer_(executor_),
      backoff_(kFirstBackoff) {}

SystemBus::~SystemBus() {
  *alive_ = false;
  retry_timer_.cancel();
  // connector_ (a jthread) joins here: a connect in progress ends within sd-bus's own timeout.
}

void SystemBus::start() {
  connect();
}

void SystemBus::connect() {
  if (connector_.joinable()) connector_.join();
  connector_ = std::jthread([this, alive = alive_, executor = executor_] {
    std::unique_ptr<sdbus::IConnection> connection;
    std::string error;
    try {
      connection = sdbus::createSystemBusConnection();
    } catch (const sdbus::Error& failure) {
      error = failure.getMessage();
    }
    boost::asio::post(executor, [this, alive, connection = std::move(connection), error]() mutable {
      if (*alive) connected(std::move(connection), error);
    });
  });
}

void SystemBus::connected(std::unique_ptr<sdbus::IConnection> connection,
                          const std::string& error) {
  if (!connection) {
    spdlog::warn("cannot connect to the system bus at {}: {}; retrying in {} ms", address_, error,
                 backoff_.count());
    retryLater();
    return;
  }
  connection_ =
      std::make_unique<BusConnection>(executor_, std::move(connection), [this] { lost(); });
  if (connection_->lost()) {
    connection_.reset();
    retryLater();
    return;
  }
  spdlog::log(ever_connected_ ? spdlog::level::warn : spdlog::level::debug,
              "connected to the system bus at {}", address_);
  ever_connected_ = true;
  backoff_ = kFirstBackoff;
  if (handlers_.on_up) handlers_.on_up(*connection_);
}

void SystemBus::lost() {
  spdlog::warn("lost the system bus at {}; reconnecting", address_);
  if (handlers_.on_down) handlers_.on_down();
  connection_.reset();
  retryLater();
}

void SystemBus::retryLater() {
  retry_timer_.expires_after(withJitter(backoff_));
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
  retry_timer_.async_wait([this, alive = alive_](const boost::system::error_code& error) {
    if (!error && *alive) connect();
  });
}

}  // namespace deckhand::dbus
