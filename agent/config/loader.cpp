#include "agent/config/loader.hpp"

#include <unistd.h>

#include <algorithm>
#include <system_error>

#include "agent/config/settings.hpp"
#include "systemd/ini_file.hpp"

namespace deckhand::config {
namespace {

constexpr std::string_view kEnvPrefix = "DECKHAND_";

std::string settingId(const Setting& setting) {
  return std::string(setting.section) + "." + std::string(setting.key);
}

// Applies sources one after the other and remembers, per setting, where its value came from.
class Merge {
 public:
  // origin is "FILE:LINE", "environment X" or "flag --x"; where adds the setting's name when the
  // origin alone does not say it, for error messages.
  void assign(const Setting& setting, std::string_view value, const std::string& origin,
              const std::string& where) {
    try {
      setting.apply(loaded_.config, value);
    } catch (const std::invalid_argument& error) {
      throw ConfigError(where + ": " + error.what());
    }
    loaded_.origins[settingId(setting)] = origin;
    where_[settingId(setting)] = where;
  }

  void applyFile(const std::filesystem::path& path) {
    systemd::IniFile file;
    try {
      file = systemd::readIni(path);
    } catch (const systemd::IniSyntaxError& error) {
      throw ConfigError(error.what());
    }
    for (const auto& assignment : file.assignments) {
      const std::string origin = file.origin + ":" + std::to_string(assignment.line);
      const Setting* setting = findSettingByKey(assignment.section, assignment.key);
      if (setting == nullptr) {
        throw ConfigError(origin + ": unknown setting " + assignment.key + "= in [" +
                          assignment.section + "]; see deckhand --help for the settings");
      }
      assign(*setting, assignment.value, origin,
             origin + ": [" + assignment.section + "] " + assignment.key);
    }
  }

  void applyEnvironment(const std::vector<std::pair<std::string, std::string>>& environment) {
    for (const auto& [name, value] : environment) {
      if (!name.starts_with(kEnvPrefix)) continue;
      const Setting* setting = findSettingByEnv(name);
      if (setting == nullptr) {
        throw ConfigError("environment: unknown variable " + name +
                          "; see deckhand --help for the DECKHAND_* variables");
      }
      const std::string origin = "environment " + name;
      assign(*setting, value, origin, origin);
    }
  }

  void applyFlags(const std::vector<FlagValue>& flags) {
    for (const auto& [flag, value] : flags) {
      const Setting* setting = findSettingByFlag(flag);
      if (setting == nullptr) throw ConfigError("command line: unknown flag --" + flag);
      const std::string origin = "flag --" + flag;
      assign(*setting, value, origin, origin);
    }
  }

  // Checks that need the final values: files readable, settings that go together.
  LoadedConfig finish() {
    for (const auto& setting : allSettings()) {
      if (setting.check == nullptr) continue;
      try {
        setting.check(loaded_.config);
      } catch (const std::invalid_argument& error) {
        throw ConfigError(where(settingId(setting)) + ": " + error.what());
      }
    }
    const Config& config = loaded_.config;
    if (config.cert_file.empty() != config.key_file.empty()) {
      const bool has_cert = !config.cert_file.empty();
      throw ConfigError(where(has_cert ? "Scheduler.CertFile" : "Scheduler.KeyFile") + ": " +
                        (has_cert ? "KeyFile" : "CertFile") +
                        " is not set; a client certificate needs both CertFile and KeyFile");
    }
    const bool tls_files =
        !config.ca_file.empty() || !config.cert_file.empty() || !config.key_file.empty();
    if (tls_files && config.scheduler && !config.scheduler->tls) {
      throw ConfigError(where("Scheduler.URL") + ": \"" + config.scheduler->text() +
                        "\" is ws:// but CA or certificate files are set; use wss:// for TLS");
    }
    return std::move(loaded_);
  }

 private:
  std::string where(const std::string& id) const {
    const auto found = where_.find(id);
    return found == where_.end() ? "default " + id : found->second;
  }

  LoadedConfig loaded_;
  std::map<std::string, std::string> where_;
};

std::vector<std::filesystem::path> dropIns(const std::filesystem::path& file) {
  const std::filesystem::path folder = file.string() + ".d";
  std::vector<std::filesystem::path> found;
  std::error_code error;
  std::filesystem::directory_iterator entries(folder, error);
  if (error == std::errc::no_such_file_or_directory) return found;
  if (error) throw ConfigError(folder.string() + ": cannot read folder: " + error.message());
  for (const auto& entry : entries) {
    if (entry.path().extension() == ".conf" && !entry.is_directory()) found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.filename() < b.filename(); });
  return found;
}

}  // namespace

LoadedConfig loadConfig(const ConfigSources& sources) {
  Merge merge;
  std::error_code error;
  const bool exists = std::filesystem::exists(sources.file, error);
  if (error && error != std::errc::no_such_file_or_directory) {
    throw ConfigError(sources.file.string() + ": cannot read: " + error.message());
  }
  if (exists) {
    merge.applyFile(sources.file);
  } else if (sources.file_required) {
    throw ConfigError(sources.file.string() +
                      ": config file does not exist; check the path given with --config");
  }
  for (const auto& drop_in : dropIns(sources.file))
    merge.applyFile(drop_in);
  merge.applyEnvironment(sources.environment);
  merge.applyFlags(sources.flags);
  return merge.finish();
}

std::string describeConfig(const LoadedConfig& loaded) {
  std::string text;
  std::string_view section;
  for (const auto& setting : allSettings()) {
    if (setting.section != section) {
      text += (section.empty() ? "[" : "\n[") + std::string(setting.section) + "]\n";
      section = setting.section;
    }
    const auto origin = loaded.origins.find(settingId(setting));
    if (origin != loaded.origins.end()) text += "# from " + origin->second + "\n";
    text += std::string(setting.key) + "=" + setting.show(loaded.config) + "\n";
  }
  return text;
}

std::vector<std::pair<std::string, std::string>> processEnvironment() {
  std::vector<std::pair<std::string, std::string>> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    variables.emplace_back(text.substr(0, equals), text.substr(equals + 1));
  }
  return variables;
}

}  // namespace deckhand::config
