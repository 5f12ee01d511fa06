#include "systemd/unit_name.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

extern char** environ;

namespace deckhand::systemd {
namespace {

using ::testing::HasSubstr;

// ---- names ---------------------------------------------------------------------------------

struct ValidName {
  std::string name;
  std::string prefix;
  std::string instance;
  bool is_template;
  UnitType type;
};

TEST(UnitName, SplitsValidNamesAsSystemdDoes) {
  const std::vector<ValidName> cases = {
      {"web.service", "web", "", false, UnitType::service},
      {"web@blue.service", "web", "blue", false, UnitType::service},
      {"web@.service", "web", "", true, UnitType::service},
      {"getty@tty1.service", "getty", "tty1", false, UnitType::service},
      // The instance is everything between the first '@' and the suffix, '@' included.
      {"a@b@c.service", "a", "b@c", false, UnitType::service},
      {"a@b.service.service", "a", "b.service", false, UnitType::service},
      {"systemd-fsck@dev-disk-by\\x2duuid-12AB.service", "systemd-fsck",
       "dev-disk-by\\x2duuid-12AB", false, UnitType::service},
      {"-.mount", "-", "", false, UnitType::mount},
      {"-.slice", "-", "", false, UnitType::slice},
      {"dev-sda1.device", "dev-sda1", "", false, UnitType::device},
      {"x.y.z.timer", "x.y.z", "", false, UnitType::timer},
      {"srv-a..b.mount", "srv-a..b", "", false, UnitType::mount},  // escapeUnitPath("/srv/a..b")
      {".hidden.service", ".hidden", "", false, UnitType::service},
      {"foo:bar_baz.socket", "foo:bar_baz", "", false, UnitType::socket},
      {"a\\x20b.target", "a\\x20b", "", false, UnitType::target},
      {"home.automount", "home", "", false, UnitType::automount},
      {"swapfile.swap", "swapfile", "", false, UnitType::swap},
      {"watch.path", "watch", "", false, UnitType::path},
      {"session-1.scope", "session-1", "", false, UnitType::scope},
      {std::string(247, 'a') + ".service", std::string(247, 'a'), "", false, UnitType::service},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const UnitName parsed = parseUnitName(c.name);
    EXPECT_EQ(parsed.full, c.name);
    EXPECT_EQ(parsed.prefix, c.prefix);
    EXPECT_EQ(parsed.instance, c.instance);
    EXPECT_EQ(parsed.is_template, c.is_template);
    EXPECT_EQ(parsed.isInstance(), !c.instance.empty());
    EXPECT_EQ(parsed.type, c.type);
  }
}

std::string nameError(std::string_view name) {
  try {
    parseUnitName(name);
  } catch (const UnitNameError& error) {
    return error.what();
  }
  return "no error";
}

TEST(UnitName, RejectsInvalidNamesSayingWhy) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "is empty"},
      {std::string(248, 'a') + ".service", "is 256 bytes, longer than 255"},
      {"x/y.service", "contains '/'"},
      {"../x.service", "contains '/'"},
      {"a b.service", "contains ' '"},
      {"web*.service", "contains '*'"},
      {"web%i.service", "contains '%'"},
      {std::string("a\nb.service"), "contains byte \\x0a"},
      {"\xc3\xa4.service", "contains byte \\xc3"},
      {"web", "has no .TYPE suffix"},
      {"web.", "has unknown type \".\""},
      {"web.serv", "has unknown type \".serv\""},
      {"web.Service", "has unknown type \".Service\""},
      {"web.service.bak", "has unknown type \".bak\""},
      {".service", "has nothing before \".service\""},
      {"@.service", "has nothing before '@'"},
      {"@blue.service", "has nothing before '@'"},
  };
  for (const auto& [name, reason] : cases) {
    const std::string message = nameError(name);
    EXPECT_THAT(message, HasSubstr(reason)) << name;
    EXPECT_THAT(message, HasSubstr("; expected NAME")) << name;
  }
}

TEST(UnitName, ErrorNamesTheUnitAndTheShapeOfAName) {
  EXPECT_EQ(nameError("x/y.service"),
            "unit name \"x/y.service\": contains '/'; expected NAME.TYPE with letters, digits and "
            ":-_.\\@");
  EXPECT_EQ(nameError("web.serv"),
            "unit name \"web.serv\": has unknown type \".serv\"; expected NAME.TYPE, TYPE one of "
            "service, socket, target, device, mount, automount, swap, timer, path, slice, scope");
}

TEST(UnitName, ErrorQuotesLongAndUnprintableNamesSafely) {
  const std::string message = nameError(std::string(5000, 'a') + "\x01.service");
  EXPECT_LT(message.size(), 300u);
  EXPECT_THAT(message, HasSubstr("...\""));
  EXPECT_THAT(nameError("a\x1b[31m.service"), HasSubstr("\"a\\x1b[31m.service\""));
}

TEST(UnitName, ManagedNamesExcludeWhatOnlySystemdCreates) {
  EXPECT_EQ(parseManagedUnitName("web@1.service").instance, "1");
  for (const std::string name : {"a.socket", "a.target", "a.mount", "a.automount", "a.swap",
                                 "a.timer", "a.path", "a.slice"}) {
    EXPECT_NO_THROW(parseManagedUnitName(name)) << name;
  }
  for (const auto& [name, type] :
       {std::pair{"dev-sda.device", ".device"}, std::pair{"session-1.scope", ".scope"}}) {
    try {
      parseManagedUnitName(name);
      ADD_FAILURE() << name << " accepted";
    } catch (const UnitNameError& error) {
      EXPECT_THAT(error.what(),
                  HasSubstr(std::string("deckhand cannot install ") + type + " units from files"));
      EXPECT_THAT(error.what(), HasSubstr(name));
    }
  }
  EXPECT_THROW(parseManagedUnitName("x/y.service"), UnitNameError);
}

TEST(UnitName, TemplateNameOfInstancesAndTemplates) {
  EXPECT_EQ(parseUnitName("web@blue.service").templateName(), "web@.service");
  EXPECT_EQ(parseUnitName("web@.service").templateName(), "web@.service");
  EXPECT_EQ(parseUnitName("a@b@c.timer").templateName(), "a@.timer");
  EXPECT_THROW(parseUnitName("web.service").templateName(), UnitNameError);
}

TEST(UnitName, TypeSuffixesRoundTrip) {
  for (const auto type : {UnitType::service, UnitType::socket, UnitType::target, UnitType::device,
                          UnitType::mount, UnitType::automount, UnitType::swap, UnitType::timer,
                          UnitType::path, UnitType::slice, UnitType::scope}) {
    EXPECT_EQ(unitTypeFromSuffix(unitTypeSuffix(type)), type) << unitTypeSuffix(type);
  }
  EXPECT_EQ(unitTypeSuffix(UnitType::automount), "automount");
  EXPECT_EQ(unitTypeFromSuffix(".service"), std::nullopt);
  EXPECT_EQ(unitTypeFromSuffix("SERVICE"), std::nullopt);
  EXPECT_EQ(unitTypeFromSuffix(""), std::nullopt);
}

// ---- escaping, against the real systemd-escape ---------------------------------------------

struct EscapeRun {
  bool succeeded = false;
  std::string output;  // stdout without its final newline
};

// Runs systemd-escape with options, then "--", then argument; nullopt when it is not installed.
std::optional<EscapeRun> systemdEscape(std::vector<std::string> options,
                                       const std::string& argument) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  options.insert(options.begin(), "systemd-escape");
  options.push_back("--");
  options.push_back(argument);
  std::vector<char*> argv;
  for (auto& option : options)
    argv.push_back(option.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "systemd-escape", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (spawned != 0) {
    close(pipe_fds[0]);
    return std::nullopt;
  }
  EscapeRun run;
  char buffer[4096];
  for (ssize_t got; (got = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
    run.output.append(buffer, static_cast<std::size_t>(got));
  }
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  run.succeeded = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (run.output.ends_with('\n')) run.output.pop_back();
  return run;
}

// Ours, in the same shape as a systemd-escape run.
template <typename Function>
EscapeRun ours(Function function, const std::string& argument) {
  try {
    return {true, function(argument)};
  } catch (const UnitNameError&) {
    return {false, {}};
  }
}

void expectSameAsSystemd(const EscapeRun& ours, const EscapeRun& theirs, const std::string& what) {
  EXPECT_EQ(ours.succeeded, theirs.succeeded) << what;
  if (ours.succeeded && theirs.succeeded) {
    EXPECT_EQ(ours.output, theirs.output) << what;
  }
}

std::string longPath(std::size_t bytes) {
  std::string path;
  while (path.size() < bytes)
    path += "/" + std::string(99, 'p');
  return path.substr(0, bytes);
}

// Strings systemd-escape treats specially: separators, dots, escapes, bytes outside ASCII, limits.
std::vector<std::string> trickyStrings() {
  std::vector<std::string> texts = {
      // plain, separators, dots
      "", "a", "web", "a:b_c.d", "/", "//", "-", "--", "-.-", "a-b-c", ".", "..", "...", ".hidden",
      "a.", "a.b", "a..b",
      // bytes that need escaping
      "\\", "\\x41", "x\\x2dy", "a b", "a\tb", "a\nb", "\x01\x7f", "\xc3\xa4",
      "\xe6\x97\xa5\xe6\x9c\xac", "\xff\xfe", "a@b", "~", "*?[]", "%i %n", "$HOME", "'\"`",
      // paths
      "/dev/sda1", "/dev/disk/by-uuid/1234-ABCD", "//a//b//", "/a/./b", "/a/../b", "/a/b/..", "/..",
      "a/b", "./a", ".//a", "a/.", "/.", "./", "./.", "/./.", "/a/.b", "/.dotdir", "/srv/a..b",
      "/home/user name/x", " /a", "/a/-b", "/-"};
  // limits
  for (const std::size_t bytes : {255, 256}) {
    texts.push_back(std::string(bytes, 'a'));
    texts.push_back("/" + std::string(bytes, 'a'));
  }
  texts.push_back(longPath(4095));
  texts.push_back(longPath(4096));
  return texts;
}

TEST(UnitEscape, EscapesLikeSystemdEscape) {
  if (!systemdEscape({}, "probe")) GTEST_SKIP() << "systemd-escape is not installed";
  for (const auto& text : trickyStrings()) {
    expectSameAsSystemd(ours(escapeUnitString, text), *systemdEscape({}, text), "string " + text);
    expectSameAsSystemd(ours(escapeUnitPath, text), *systemdEscape({"--path"}, text),
                        "path " + text);
  }
}

TEST(UnitEscape, UnescapesLikeSystemdEscape) {
  if (!systemdEscape({}, "probe")) GTEST_SKIP() << "systemd-escape is not installed";
  std::vector<std::string> escaped = {
      // separators, dots, what paths may not have
      "", "a", "a-b", "-", "--", "-a", "a-", "a--b", ".", "..", "a-.-b", "a-..-b", "dev-sda1",
      "srv-a..b", "\\x2ehidden", "a-\\x2e-b", "\\x2e", "\\x2e\\x2e", "\\x2d", "\\x2f", "\\x2fa",
      "a\\x2f", "a\\x2fb",
      // escapes, good and malformed
      "\\x41", "\\x4a\\x4A", "\\xc3\\xa4", "\\xff", "a\\x20b", "a\\x2", "a\\x2g", "a\\X41", "a\\y",
      "\\", "a\\", "\\x", "\\xg0"};
  escaped.push_back(std::string(256, 'a'));
  escaped.push_back("a-" + std::string(256, 'b'));
  for (const auto& text : trickyStrings())
    escaped.push_back(escapeUnitString(text));
  for (const auto& text : escaped) {
    expectSameAsSystemd(ours(unescapeUnitString, text), *systemdEscape({"-u"}, text),
                        "string " + text);
    expectSameAsSystemd(ours(unescapeUnitPath, text), *systemdEscape({"-u", "--path"}, text),
                        "path " + text);
  }
}

TEST(UnitEscape, RandomBytesEscapeLikeSystemdEscapeAndRoundTrip) {
  if (!systemdEscape({}, "probe")) GTEST_SKIP() << "systemd-escape is not installed";
  std::mt19937 random(20240611);
  std::uniform_int_distribution<int> byte(1, 255);  // argv cannot carry NUL
  std::uniform_int_distribution<int> length(0, 24);
  for (int round = 0; round < 100; ++round) {
    std::string text;
    for (int i = length(random); i > 0; --i) {
      // Mostly the interesting bytes, so that separators and dots meet each other.
      const std::string_view common = "/.-\\a@ ";
      text.push_back(i % 3 == 0 ? static_cast<char>(byte(random)) : common[byte(random) % 7]);
    }
    expectSameAsSystemd(ours(escapeUnitString, text), *systemdEscape({}, text), "string " + text);
    expectSameAsSystemd(ours(escapeUnitPath, text), *systemdEscape({"--path"}, text),
                        "path " + text);
    EXPECT_EQ(unescapeUnitString(escapeUnitString(text)), text);
  }
}

TEST(UnitEscape, EscapedStringsAreValidNamesAndRoundTrip) {
  for (const auto& text : trickyStrings()) {
    const std::string escaped = escapeUnitString(text);
    EXPECT_EQ(unescapeUnitString(escaped), text);
    if (escaped.empty() || escaped.size() > 200) continue;
    EXPECT_NO_THROW(parseUnitName(escaped + ".mount")) << escaped;
    EXPECT_EQ(parseUnitName("web@" + escaped + ".service").instance, escaped);
  }
}

TEST(UnitEscape, PathsRoundTripToTheirSimplestForm) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/", "/"},
      {"/srv/data", "/srv/data"},
      {"//srv//data//", "/srv/data"},
      {"/srv/./data/.", "/srv/data"},
      {"/.snapshots", "/.snapshots"},
      {"/srv/my-data", "/srv/my-data"},
      {"/srv/a..b", "/srv/a..b"},
      {"/home/user name/\xc3\xa4", "/home/user name/\xc3\xa4"},
  };
  for (const auto& [path, simplest] : cases) {
    EXPECT_EQ(unescapeUnitPath(escapeUnitPath(path)), simplest) << path;
  }
  EXPECT_EQ(escapeUnitPath("/srv/my-data"), "srv-my\\x2ddata");
  EXPECT_EQ(escapeUnitPath(""), "-");
}

TEST(UnitEscape, RejectsNulAndSaysWhy) {
  EXPECT_EQ(escapeUnitString(std::string("a\0b", 3)), "a\\x00b");
  try {
    unescapeUnitString("a\\x00b");
    ADD_FAILURE() << "accepted \\x00";
  } catch (const UnitNameError& error) {
    EXPECT_THAT(error.what(), HasSubstr("NUL"));
  }
  EXPECT_THROW(unescapeUnitPath("a-\\x00"), UnitNameError);
}

std::string escapeError(std::string (*function)(std::string_view), std::string_view text) {
  try {
    function(text);
  } catch (const UnitNameError& error) {
    return error.what();
  }
  return "no error";
}

TEST(UnitEscape, ErrorsSayWhatIsWrong) {
  EXPECT_EQ(escapeError(unescapeUnitString, "a\\x2g"),
            "cannot unescape string \"a\\x2g\": \"\\x2g\" is not an escape; expected '\\' only in "
            "\\xNN, NN two hex digits");
  EXPECT_THAT(escapeError(unescapeUnitString, "a\\"), HasSubstr("\"\\\" is not an escape"));
  EXPECT_THAT(escapeError(escapeUnitPath, "/a/../b"),
              HasSubstr("cannot escape path \"/a/../b\": has a \"..\" component"));
  EXPECT_THAT(escapeError(escapeUnitPath, "./"), HasSubstr("names no file"));
  EXPECT_THAT(escapeError(escapeUnitPath, "/" + std::string(256, 'a')),
              HasSubstr("has a component of 256 bytes, longer than 255"));
  EXPECT_THAT(escapeError(escapeUnitPath, longPath(4096)),
              HasSubstr("is 4096 bytes, longer than 4095"));
  EXPECT_THAT(escapeError(unescapeUnitPath, ""), HasSubstr("is empty"));
  EXPECT_THAT(escapeError(unescapeUnitPath, "-a"),
              HasSubstr("unescapes to \"//a\", with a slash too many at an end"));
  EXPECT_THAT(escapeError(unescapeUnitPath, "a--b"),
              HasSubstr("unescapes to \"/a//b\", which has an empty component"));
  EXPECT_THAT(escapeError(unescapeUnitPath, "a-..-b"), HasSubstr("has a \"..\" component"));
}

}  // namespace
}  // namespace deckhand::systemd
