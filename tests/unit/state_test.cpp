// The durable state's files: atomic writes with private modes, the versioned format, and every
// way a file can be unusable caught with a message that says which file and what is wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "agent/state/atomic_file.hpp"
#include "agent/state/state_format.hpp"
#include "systemd/unit_file.hpp"

namespace deckhand::state {
namespace {

using ::testing::HasSubstr;
using TargetState = reconciler::DesiredUnit::TargetState;

constexpr const char* kWeb =
    "[Service]\nExecStart=/bin/sleep 300\n[X-Fleet]\nMachineMetadata=a=1\n";

reconciler::DesiredUnit launched(const std::string& name, const std::string& text = kWeb) {
  return {name, TargetState::launched, text, systemd::unitHash(systemd::parseUnitFile(text, name))};
}

std::string decodeError(std::string_view contents) {
  try {
    decodeDesired(contents);
  } catch (const FormatError& error) {
    return error.what();
  }
  return "no error";
}

class TempFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "deckhand-state-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  static mode_t modeOf(const std::filesystem::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777;
  }

  std::filesystem::path root_;
};

TEST(StateFormat, DesiredUnitsRoundTripWithTheirTextAsReceived) {
  DesiredUnits units{
      {"web.service", launched("web.service")},
      {"db.service", {"db.service", TargetState::loaded, kWeb, launched("db.service").hash}},
      {"old.service", {"old.service", TargetState::inactive, "", ""}}};
  const DesiredUnits back = decodeDesired(encodeDesired(units));
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back.at("web.service").text, kWeb);
  EXPECT_EQ(back.at("web.service").hash, units.at("web.service").hash);
  EXPECT_EQ(back.at("db.service").state, TargetState::loaded);
  EXPECT_EQ(back.at("old.service").state, TargetState::inactive);
  EXPECT_THAT(encodeDesired(units), HasSubstr(R"("version":1)"));
}

TEST(StateFormat, MetadataRoundTrips) {
  const machine::Metadata metadata{{"region", "us-east"}, {"disk", "ssd"}};
  EXPECT_EQ(decodeMetadata(encodeMetadata(metadata)), metadata);
  EXPECT_TRUE(decodeMetadata(encodeMetadata({})).empty());
}

TEST(StateFormat, EveryCorruptionIsNamed) {
  EXPECT_THAT(decodeError(""), HasSubstr("not valid JSON"));
  EXPECT_THAT(decodeError("{\"version\":1,\"units\":[{\"na"), HasSubstr("not valid JSON"));
  EXPECT_THAT(decodeError("[]"), HasSubstr("not a JSON object"));
  EXPECT_THAT(decodeError(R"({"units":[]})"), HasSubstr("no \"version\""));
  EXPECT_THAT(decodeError(R"({"version":2,"units":[]})"),
              HasSubstr("format version 2, this agent reads version 1"));
  EXPECT_THAT(decodeError(R"({"version":1})"), HasSubstr("no \"units\" array"));
  EXPECT_THAT(decodeError(R"({"version":1,"units":[{"name":"../x.service","state":"inactive"}]})"),
              HasSubstr("unit 1 (../x.service)"));
  EXPECT_THAT(decodeError(R"({"version":1,"units":[{"name":"a.service","state":"running"}]})"),
              HasSubstr("state \"running\""));
  EXPECT_THAT(decodeError(R"({"version":1,"units":[{"name":"a.service","state":"inactive"},)"
                          R"({"name":"a.service","state":"inactive"}]})"),
              HasSubstr("unit 2 (a.service): listed twice"));

  // One flipped byte in a unit's text is caught by its hash.
  std::string contents = encodeDesired({{"web.service", launched("web.service")}});
  contents.replace(contents.find("sleep 300"), 9, "sleep 301");
  EXPECT_THAT(decodeError(contents), HasSubstr("web.service): hash does not match its text"));
}

TEST(StateFormat, MetadataThatBreaksTheGrammarIsRefused) {
  EXPECT_THROW(decodeMetadata(R"({"version":1,"metadata":{"a b":"1"}})"), FormatError);
  EXPECT_THROW(decodeMetadata(R"({"version":1,"metadata":{"a":2}})"), FormatError);
  EXPECT_THROW(decodeMetadata(R"({"version":1})"), FormatError);
}

using AtomicFile = TempFolder;

TEST_F(AtomicFile, WritesPrivateFilesInAPrivateFolder) {
  const auto folder = root_ / "state";
  writeFileAtomically(folder, "a.json", "one");
  EXPECT_EQ(readStateFile(folder, "a.json"), "one");
  EXPECT_EQ(modeOf(folder), 0700u);
  EXPECT_EQ(modeOf(folder / "a.json"), 0600u);

  writeFileAtomically(folder, "a.json", "two");
  EXPECT_EQ(readStateFile(folder, "a.json"), "two");
  EXPECT_FALSE(std::filesystem::exists(folder / "a.json.tmp"));
  EXPECT_EQ(readStateFile(folder, "missing.json"), std::nullopt);
}

TEST_F(AtomicFile, TightensAFolderAndFileMadeWiderBefore) {
  const auto folder = root_ / "wide";
  std::filesystem::create_directories(folder);
  ::chmod(folder.c_str(), 0755);
  std::ofstream(folder / "a.json") << "old";
  ::chmod((folder / "a.json").c_str(), 0644);
  writeFileAtomically(folder, "a.json", "new");
  EXPECT_EQ(modeOf(folder), 0700u);
  EXPECT_EQ(modeOf(folder / "a.json"), 0600u);
}

TEST_F(AtomicFile, AFailedWriteLeavesTheOldFileAndNoTemporary) {
  const auto folder = root_ / "state";
  writeFileAtomically(folder, "a.json", "old");
  // The temporary's name is taken by a folder: the write fails before anything is replaced.
  std::filesystem::create_directories(folder / "a.json.tmp");
  try {
    writeFileAtomically(folder, "a.json", "new");
    FAIL() << "no error";
  } catch (const StateError& error) {
    EXPECT_THAT(error.what(), HasSubstr("a.json.tmp: cannot create"));
  }
  EXPECT_EQ(readStateFile(folder, "a.json"), "old");
}

TEST_F(AtomicFile, AStateFolderThatIsAFileIsAnError) {
  std::ofstream(root_ / "file") << "x";
  EXPECT_THROW(writeFileAtomically(root_ / "file", "a.json", "x"), StateError);
}

TEST_F(AtomicFile, SetAsideKeepsTheFileUnderAnotherName) {
  writeFileAtomically(root_, "a.json", "broken");
  const auto aside = setAside(root_, "a.json");
  EXPECT_FALSE(std::filesystem::exists(root_ / "a.json"));
  EXPECT_THAT(aside.filename().string(), HasSubstr("a.json.corrupt-"));
  std::ifstream in(aside);
  std::string contents;
  in >> contents;
  EXPECT_EQ(contents, "broken");
}

}  // namespace
}  // namespace deckhand::state
