// The durable state as one JSON file, replaced atomically: temporary file, fsync, rename, fsync
// of the folder.

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "scheduler/store/store.hpp"

namespace deckhand::scheduler {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr int kFormatVersion = 1;

std::string errnoText(const std::string& what, const fs::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

json::array unitsToJson(const std::vector<StoredUnit>& units) {
  json::array array;
  for (const auto& unit : units) {
    json::object stored{
        {"name", unit.name}, {"text", unit.text}, {"target", targetStateName(unit.target)}};
    if (!unit.container.empty()) {
      stored["container"] = unit.container;
      stored["spec"] = unit.spec;
    }
    array.push_back(std::move(stored));
  }
  return array;
}

std::vector<StoredUnit> unitsFromJson(const json::object& object, std::string_view key,
                                      const std::string& origin) {
  std::vector<StoredUnit> units;
  const auto* array = object.if_contains(key);
  if (array == nullptr) return units;
  for (const auto& value : array->as_array()) {
    const auto& unit = value.as_object();
    const auto target = targetStateFromName(unit.at("target").as_string());
    if (!target) throw StoreError(origin + ": unknown target state in " + std::string(key));
    StoredUnit stored;
    stored.name = std::string(unit.at("name").as_string());
    stored.text = std::string(unit.at("text").as_string());
    stored.target = *target;
    if (const auto* container = unit.if_contains("container")) {
      stored.container = std::string(container->as_string());
      stored.spec = std::string(unit.at("spec").as_string());
    }
    units.push_back(std::move(stored));
  }
  return units;
}

void writeAll(int fd, const std::string& text, const fs::path& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    const auto written = ::write(fd, text.data() + done, text.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) throw StoreError(errnoText("cannot write", path));
    done += static_cast<std::size_t>(written);
  }
}

void syncFolder(const fs::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw StoreError(errnoText("cannot open folder", folder));
  const int result = ::fsync(fd);
  ::close(fd);
  if (result != 0) throw StoreError(errnoText("cannot sync folder", folder));
}

class FileStore : public Store {
 public:
  explicit FileStore(fs::path path) : path_(std::move(path)) {}

  StoredState load() override {
    std::ifstream in(path_);
    if (!in) {
      if (!fs::exists(path_)) return {};
      throw StoreError(errnoText("cannot read the scheduler state", path_));
    }
    std::stringstream text;
    text << in.rdbuf();
    return storedStateFromJson(text.str(), path_.string());
  }

  void save(const StoredState& state) override {
    const auto text = storedStateToJson(state);
    auto temporary = path_;
    temporary += ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw StoreError(errnoText("cannot create", temporary));
    try {
      writeAll(fd, text, temporary);
      if (::fsync(fd) != 0) throw StoreError(errnoText("cannot sync", temporary));
    } catch (...) {
      ::close(fd);
      throw;
    }
    ::close(fd);
    if (::rename(temporary.c_str(), path_.c_str()) != 0) {
      throw StoreError(errnoText("cannot rename " + temporary.string() + " to", path_));
    }
    syncFolder(path_.has_parent_path() ? path_.parent_path() : fs::path("."));
  }

  std::string describe() const override { return "file " + path_.string(); }

 private:
  fs::path path_;
};

}  // namespace

std::string storedStateToJson(const StoredState& state) {
  json::object placements;
  for (const auto& [unit, machine] : state.placements)
    placements[unit] = machine;
  json::array destroyed;
  for (const auto& name : state.destroyed)
    destroyed.push_back(json::value(name));
  return json::serialize(json::object{{"version", kFormatVersion},
                                      {"templates", unitsToJson(state.templates)},
                                      {"units", unitsToJson(state.units)},
                                      {"placements", std::move(placements)},
                                      {"destroyed", std::move(destroyed)}}) +
         "\n";
}

StoredState storedStateFromJson(std::string_view text, const std::string& origin) {
  try {
    const auto value = json::parse(text);
    const auto& object = value.as_object();
    if (object.at("version").as_int64() != kFormatVersion) {
      throw StoreError(origin + ": format version " + json::serialize(object.at("version")) +
                       " is not " + std::to_string(kFormatVersion) +
                       "; a newer scheduler wrote it");
    }
    StoredState state;
    state.templates = unitsFromJson(object, "templates", origin);
    state.units = unitsFromJson(object, "units", origin);
    if (const auto* placements = object.if_contains("placements")) {
      for (const auto& [unit, machine] : placements->as_object()) {
        state.placements[std::string(unit)] = std::string(machine.as_string());
      }
    }
    // Absent from files of schedulers before it: nothing destroyed is pending.
    if (const auto* destroyed = object.if_contains("destroyed")) {
      for (const auto& name : destroyed->as_array())
        state.destroyed.emplace_back(name.as_string());
    }
    return state;
  } catch (const StoreError&) {
    throw;
  } catch (const std::exception& error) {
    throw StoreError(origin + ": not a scheduler state file (" + error.what() +
                     "); move it away to start with an empty state");
  }
}

std::unique_ptr<Store> openFileStore(const fs::path& path) {
  return std::make_unique<FileStore>(path);
}

}  // namespace deckhand::scheduler
