// deckhandctl as an operator runs it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/harness/process.hpp"

namespace deckhand::test {
namespace {

using ::testing::HasSubstr;

constexpr const char* kMachineId = "4d7a0c1e9f0b4f6a8d2e5c3b1a0f9e8d";

class DeckhandctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = "/var/tmp/deckhandctl-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    folder_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(folder_ / name) << text;
    return (folder_ / name).string();
  }
  std::string machine(const std::string& metadata_json) {
    return write("machine.json", std::string("{\"type\":\"hello\",\"machine\":{\"machine_id\":\"") +
                                     kMachineId + "\",\"metadata\":" + metadata_json + "}}");
  }
  ProcessResult ctl(std::vector<std::string> args) {
    const char* binary = std::getenv("CTL_BINARY");
    args.insert(args.begin(), {binary != nullptr ? binary : "deckhandctl", "check"});
    return run(args);
  }

  std::filesystem::path folder_;
};

// fleet's documented example: diskType=SSD AND (region us-east-1 OR us-west-1).
TEST_F(DeckhandctlTest, AnswersYesOrNoWithTheReason) {
  const auto unit = write("web.service",
                          "[Service]\nExecStart=/bin/true\n[X-Fleet]\n"
                          "MachineMetadata=\"region=us-east-1\" \"diskType=SSD\"\n"
                          "MachineMetadata=region=us-west-1\n");
  const auto yes = ctl({unit, "--machine", machine(R"({"region":"us-west-1","diskType":"SSD"})")});
  EXPECT_EQ(yes.exit_code, 0) << yes.err;
  EXPECT_EQ(yes.out, "yes: web.service can run on 4d7a0c1e\n");

  const auto no = ctl({unit, "--machine", machine(R"({"region":"eu-west-1","diskType":"SSD"})")});
  EXPECT_EQ(no.exit_code, 1);
  EXPECT_THAT(no.out, HasSubstr("no: web.service cannot run on 4d7a0c1e: metadata"));
  EXPECT_THAT(no.out, HasSubstr("region=eu-west-1"));
}

TEST_F(DeckhandctlTest, ConflictsAreSymmetricWhenUnitFilesAreGiven) {
  const auto web = write("web.service", "[Service]\nExecStart=/bin/true\n");
  const auto db =
      write("db.service", "[Service]\nExecStart=/bin/true\n[X-Fleet]\nConflicts=web.service\n");
  const auto by_name = ctl({web, "--machine", machine("{}"), "--units", "db.service"});
  EXPECT_EQ(by_name.exit_code, 0) << "a bare name carries no Conflicts of its own";
  const auto by_file = ctl({web, "--machine", machine("{}"), "--units", db, "--json"});
  EXPECT_EQ(by_file.exit_code, 1);
  EXPECT_THAT(by_file.out, HasSubstr("\"able\":false"));
  EXPECT_THAT(by_file.out, HasSubstr("db.service"));
}

TEST_F(DeckhandctlTest, BadInputIsExitCodeTwoWithTheReason) {
  const auto unit = write("web.service", "[Service]\nExecStart=/bin/true\n");
  const auto bad_constraint =
      write("bad.service", "[Service]\nExecStart=/bin/true\n[X-Fleet]\nMachineMetadata=a=1 b=2\n");
  const struct {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{unit}, "needs UNITFILE and --machine"},
      {{unit, "--machine", write("m1.json", "{not json")}, "m1.json: not JSON"},
      {{unit, "--machine", write("m2.json", "{\"metadata\":{}}")}, "\"machine_id\" must be"},
      {{unit, "--machine",
        write("m3.json",
              std::string("{\"machine_id\":\"") + kMachineId + "\",\"metadata\":{\"a b\":\"1\"}}")},
       "breaks the metadata grammar"},
      {{bad_constraint, "--machine", machine("{}")}, "MachineMetadata=a=1 b=2"},
      {{unit, "--machine", machine("{}"), "--units", "no/such/file.service"}, "cannot read"},
      {{unit, "--machine", machine("{}"), "--units", "bad name"}, "unit name"},
      {{unit, "--bogus"}, "--bogus"},
  };
  for (const auto& bad : cases) {
    const auto result = ctl(bad.args);
    EXPECT_EQ(result.exit_code, 2) << bad.message;
    EXPECT_THAT(result.err, HasSubstr(bad.message));
    EXPECT_EQ(result.out, "");
  }
}

}  // namespace
}  // namespace deckhand::test
