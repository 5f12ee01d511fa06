#include "dbus/bus_connection.hpp"

#include <cstdlib>

namespace deckhand::dbus {
namespace {

constexpr const char* kDefaultSystemBus = "unix:path=/run/dbus/system_bus_socket";

std::string systemBusAddress() {
  const char* address = std::getenv("DBUS_SYSTEM_BUS_ADDRESS");
  return address != nullptr && *address != '\0' ? address : kDefaultSystemBus;
}

}  // namespace

std::unique_ptr<BusConnection> BusConnection::openSystemBus(boost::asio::any_io_executor executor) {
  auto connection = sdbus::createSystemBusConnection();
  connection->enterEventLoopAsync();
  return std::unique_ptr<BusConnection>(
      new BusConnection(std::move(executor), std::move(connection), systemBusAddress()));
}

BusConnection::BusConnection(boost::asio::any_io_executor executor,
                             std::unique_ptr<sdbus::IConnection> connection, std::string address)
    : executor_(std::move(executor)),
      connection_(std::move(connection)),
      address_(std::move(address)) {}

BusConnection::~BusConnection() {
  connection_->leaveEventLoop();
}

}  // namespace deckhand::dbus
