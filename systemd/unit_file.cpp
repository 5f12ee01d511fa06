#include "systemd/unit_file.hpp"

#include <algorithm>

#include "common/sha256.hpp"
#include "systemd/ini_file.hpp"

namespace deckhand::systemd {
namespace {

std::vector<UnitFileSection> sectionsOf(const IniFile& ini) {
  std::vector<UnitFileSection> sections;
  for (const auto& name : ini.sections)
    sections.push_back({name, {}});
  for (const auto& assignment : ini.assignments) {
    const auto section = std::find_if(sections.begin(), sections.end(),
                                      [&](const auto& s) { return s.name == assignment.section; });
    section->entries.push_back({assignment.key, assignment.value, assignment.line});
  }
  return sections;
}

}  // namespace

const UnitFileSection* UnitFile::section(std::string_view name) const {
  const auto found = std::find_if(sections.begin(), sections.end(),
                                  [name](const auto& section) { return section.name == name; });
  return found == sections.end() ? nullptr : &*found;
}

std::vector<std::string> UnitFile::values(std::string_view section_name,
                                          std::string_view key) const {
  std::vector<std::string> result;
  const UnitFileSection* found = section(section_name);
  if (found == nullptr) return result;
  for (const auto& entry : found->entries) {
    if (entry.key != key) continue;
    if (entry.value.empty()) {
      result.clear();
    } else {
      result.push_back(entry.value);
    }
  }
  return result;
}

std::optional<std::string> UnitFile::lastValue(std::string_view section_name,
                                               std::string_view key) const {
  const UnitFileSection* found = section(section_name);
  if (found == nullptr) return std::nullopt;
  const auto last = std::find_if(found->entries.rbegin(), found->entries.rend(),
                                 [key](const auto& entry) { return entry.key == key; });
  if (last == found->entries.rend()) return std::nullopt;
  return last->value;
}

UnitFile parseUnitFile(std::string_view text, std::string origin) {
  if (text.size() > kUnitFileMaxBytes) {
    throw UnitFileError(origin + ": unit file is " + std::to_string(text.size()) +
                        " bytes; the limit is 1 MiB (" + std::to_string(kUnitFileMaxBytes) +
                        " bytes)");
  }
  IniFile ini;
  try {
    ini = parseIni(text, origin);
  } catch (const IniSyntaxError& error) {
    throw UnitFileError(error.what());
  }
  if (ini.sections.empty()) {
    throw UnitFileError(origin +
                        ": unit file has no [Section]; expected at least one, such as [Service]");
  }
  return {std::move(origin), sectionsOf(ini)};
}

std::string writeUnitFile(const UnitFile& file) {
  std::string text;
  for (const auto& section : file.sections) {
    if (!text.empty()) text.push_back('\n');
    text += "[" + section.name + "]\n";
    for (const auto& entry : section.entries)
      text += entry.key + "=" + entry.value + "\n";
  }
  return text;
}

std::string unitHash(const UnitFile& file) {
  return sha256Hex(writeUnitFile(file));
}

}  // namespace deckhand::systemd
