#include "agent/machine/facts_identity.hpp"

#include <systemd/sd-id128.h>

#include <cstring>
#include <stdexcept>

namespace deckhand::machine {
namespace {

sd_id128_t appId() {
  sd_id128_t id{};
  // A constant that is valid: sd_id128_from_string cannot fail on it.
  sd_id128_from_string(kDeckhandAppId, &id);
  return id;
}

std::string toString(sd_id128_t id) {
  char text[SD_ID128_STRING_MAX];
  return sd_id128_to_string(id, text);
}

std::runtime_error failure(const char* what, int negative_errno) {
  return std::runtime_error(std::string(what) + " failed: " + std::strerror(-negative_errno));
}

}  // namespace

std::string machineId(bool raw) {
  sd_id128_t id{};
  const int result =
      raw ? sd_id128_get_machine(&id) : sd_id128_get_machine_app_specific(appId(), &id);
  if (result < 0) throw failure("reading the machine ID from /etc/machine-id", result);
  return toString(id);
}

std::string bootId() {
  sd_id128_t id{};
  const int result = sd_id128_get_boot_app_specific(appId(), &id);
  if (result < 0) {
    throw failure("reading the boot ID from /proc/sys/kernel/random/boot_id", result);
  }
  return toString(id);
}

}  // namespace deckhand::machine
