// A bearer token read from a file: the first line, trimmed; a file every user may read, a folder,
// a missing or empty file are refused with what to do.

#include "common/token_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace deckhand {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class TokenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = (fs::temp_directory_path() / "deckhand-token-XXXXXX").string();
    ASSERT_NE(::mkdtemp(dir.data()), nullptr);
    dir_ = dir;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text, fs::perms perms) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    fs::permissions(path, perms);
    return path;
  }

  std::string refusal(const fs::path& path) {
    try {
      readTokenFile(path);
    } catch (const TokenFileError& error) {
      return error.what();
    }
    return "accepted";
  }

  fs::path dir_;
};

constexpr auto kPrivate = fs::perms::owner_read | fs::perms::owner_write;

TEST_F(TokenFileTest, TheFirstLineTrimmedIsTheToken) {
  EXPECT_EQ(readTokenFile(write("t", "s3cret \r\nsecond line\n", kPrivate)), "s3cret");
  EXPECT_EQ(readTokenFile(write("g", "group-ok", kPrivate | fs::perms::group_read)), "group-ok");
}

TEST_F(TokenFileTest, FilesThatCannotServeAreRefusedWithWhatToDo) {
  const auto everyone = write("e", "s3cret\n", kPrivate | fs::perms::others_read);
  EXPECT_THAT(refusal(everyone), HasSubstr("readable by every user (mode 0604)"));
  EXPECT_THAT(refusal(everyone), HasSubstr("chmod 600"));
  EXPECT_THAT(refusal(write("empty", "", kPrivate)), HasSubstr("the token is empty"));
  EXPECT_THAT(refusal(write("blank", "  \n", kPrivate)), HasSubstr("the token is empty"));
  EXPECT_THAT(refusal(dir_ / "missing"), HasSubstr("No such file"));
  EXPECT_THAT(refusal(dir_), HasSubstr("is a folder"));
}

}  // namespace
}  // namespace deckhand
