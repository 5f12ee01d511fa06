#include "agent/link/tls_loader.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <string>
#include <system_error>

namespace deckhand::link::detail {
namespace {

namespace fs = std::filesystem;

constexpr const char* kModuleName = "deckhand-tls.so";

const TlsModule* loaded = nullptr;

std::string dlopenError() {
  const char* error = dlerror();
  return error != nullptr ? error : "unknown error";
}

}  // namespace

fs::path tlsModulePath() {
  if (const char* path = std::getenv(kTlsModuleVariable); path != nullptr && *path != '\0') {
    return path;
  }
  const fs::path installed = fs::path(DECKHAND_TLS_MODULE_DIR) / kModuleName;
  std::error_code error;
  const fs::path binary_dir = fs::read_symlink("/proc/self/exe", error).parent_path();
  if (error) return installed;
  const fs::path relocated =
      (binary_dir / fs::path(DECKHAND_TLS_MODULE_DIR).lexically_relative(DECKHAND_SBINDIR) /
       kModuleName)
          .lexically_normal();
  if (fs::exists(relocated, error)) return relocated;
  if (fs::exists(binary_dir / kModuleName, error)) return binary_dir / kModuleName;
  return installed;
}

const TlsModule& loadTlsModule() {
  if (loaded != nullptr) return *loaded;
  const fs::path path = tlsModulePath();
  const std::string advice = std::string(
                                 "; wss:// needs it: install deckhand's TLS module there, "
                                 "or set ") +
                             kTlsModuleVariable + " to where it is";
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    throw LinkError("cannot load the TLS module " + path.string() + " (" + dlopenError() + ")" +
                    advice);
  }
  const auto* module = static_cast<const TlsModule*>(dlsym(handle, "deckhand_tls_module"));
  if (module == nullptr || std::string(module->version) != DECKHAND_VERSION) {
    const std::string why = module == nullptr
                                ? "it has no deckhand_tls_module"
                                : std::string("it is from deckhand ") + module->version +
                                      ", this agent is " DECKHAND_VERSION;
    dlclose(handle);
    throw LinkError("cannot use the TLS module " + path.string() + ": " + why + advice);
  }
  loaded = module;
  return *loaded;
}

}  // namespace deckhand::link::detail
