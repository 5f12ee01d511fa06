#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "agent/config/loader.hpp"

namespace deckhand::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A private folder for one test's config files, removed afterwards.
class ConfigFolder {
 public:
  ConfigFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "deckhand-config-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~ConfigFolder() { std::filesystem::remove_all(path_); }

  std::filesystem::path write(const std::string& name, const std::string& text) const {
    const auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file;
  }
  // A token file must not be readable by every user.
  std::filesystem::path writePrivate(const std::string& name, const std::string& text) const {
    const auto file = write(name, text);
    std::filesystem::permissions(
        file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return file;
  }
  std::filesystem::path path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class ConfigLoaderTest : public ::testing::Test {
 protected:
  std::string errorOf(const ConfigSources& sources) {
    try {
      loadConfig(sources);
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "no error";
  }
  ConfigSources fileSource(const std::string& text) {
    ConfigSources sources;
    sources.file = folder_.write("agent.conf", text);
    return sources;
  }

  ConfigFolder folder_;
};

TEST_F(ConfigLoaderTest, DefaultsWhenTheDefaultFileIsMissing) {
  ConfigSources sources;
  sources.file = folder_.path() / "absent.conf";
  const auto loaded = loadConfig(sources);
  EXPECT_FALSE(loaded.config.scheduler);
  EXPECT_EQ(loaded.config.units_dir, "/run/deckhand/units");
  EXPECT_EQ(loaded.config.log_level, LogLevel::info);
  EXPECT_EQ(loaded.config.heartbeat_interval, std::chrono::seconds(10));
  EXPECT_TRUE(loaded.origins.empty());
}

TEST_F(ConfigLoaderTest, FileThenDropInsThenEnvironmentThenFlags) {
  const auto token = folder_.writePrivate("token", "secret\n");
  ConfigSources sources = fileSource(
      "[Scheduler]\n"
      "URL=ws://from-file:1/\n"
      "TokenFile=" +
      token.string() +
      "\n"
      "[Agent]\n"
      "LogLevel=debug\n"
      "StateDirectory=/var/lib/from-file\n"
      "UnitsDirectory=/run/from-file\n");
  folder_.write("agent.conf.d/20-late.conf",
                "[Machine]\nMetadata=disk=ssd\n[Agent]\nLogLevel=trace\n");
  folder_.write("agent.conf.d/10-early.conf",
                "[Scheduler]\nURL=ws://from-drop-in:2/\n[Machine]\nMetadata=disk=hdd\n");
  folder_.write("agent.conf.d/ignored.txt", "this is not a config file");
  sources.environment = {{"DECKHAND_LOG_LEVEL", "error"},
                         {"DECKHAND_STATE_DIRECTORY", "/var/lib/from-env"},
                         {"PATH", "/usr/bin"}};
  sources.flags = {{"log-level", "warning"}};

  const auto loaded = loadConfig(sources);
  const Config& config = loaded.config;
  EXPECT_EQ(config.scheduler->host, "from-drop-in");
  EXPECT_EQ(config.token_file, token);
  EXPECT_EQ(config.metadata.at("disk"), "ssd");  // 20-late.conf comes after 10-early.conf
  EXPECT_EQ(config.state_dir, "/var/lib/from-env");
  EXPECT_EQ(config.units_dir, "/run/from-file");
  EXPECT_EQ(config.log_level, LogLevel::warning);

  EXPECT_EQ(loaded.origins.at("Scheduler.URL"),
            (folder_.path() / "agent.conf.d/10-early.conf").string() + ":2");
  EXPECT_EQ(loaded.origins.at("Agent.UnitsDirectory"),
            (folder_.path() / "agent.conf").string() + ":7");
  EXPECT_EQ(loaded.origins.at("Agent.StateDirectory"), "environment DECKHAND_STATE_DIRECTORY");
  EXPECT_EQ(loaded.origins.at("Agent.LogLevel"), "flag --log-level");
}

TEST_F(ConfigLoaderTest, LaterFlagWins) {
  ConfigSources sources;
  sources.file = folder_.path() / "absent.conf";
  sources.flags = {{"metadata", "a=1"}, {"metadata", "b=2"}};
  const auto loaded = loadConfig(sources);
  EXPECT_EQ(loaded.config.metadata, (machine::Metadata{{"b", "2"}}));
}

TEST_F(ConfigLoaderTest, EmptyValueResetsToUnset) {
  ConfigSources sources = fileSource("[Scheduler]\nURL=wss://s/\n");
  sources.environment = {{"DECKHAND_SCHEDULER_URL", ""}};
  EXPECT_FALSE(loadConfig(sources).config.scheduler);
}

TEST_F(ConfigLoaderTest, DescriptionLoadsBackToTheSameConfig) {
  ConfigSources sources = fileSource(
      "[Scheduler]\nURL=wss://[::1]:7443/agent\nHeartbeatInterval=1min 30s\n"
      "[Machine]\nMetadata=region=us-east,disk=ssd\nPublicIP=192.0.2.7\n");
  sources.flags = {{"log-level", "debug"}};
  const auto loaded = loadConfig(sources);
  const std::string text = describeConfig(loaded);
  EXPECT_THAT(text, HasSubstr("# from flag --log-level\nLogLevel=debug\n"));
  EXPECT_THAT(text, HasSubstr("HeartbeatInterval=1min 30s\n"));

  ConfigSources again;
  again.file = folder_.write("described.conf", text);
  const Config reloaded = loadConfig(again).config;
  EXPECT_EQ(reloaded.scheduler->text(), "wss://[::1]:7443/agent");
  EXPECT_EQ(reloaded.heartbeat_interval, std::chrono::seconds(90));
  EXPECT_EQ(reloaded.metadata, loaded.config.metadata);
  EXPECT_EQ(reloaded.public_ip, "192.0.2.7");
  EXPECT_EQ(reloaded.log_level, LogLevel::debug);
}

TEST_F(ConfigLoaderTest, OverriddenUnreadableFileIsNotHeldAgainstTheUser) {
  ConfigSources sources = fileSource("[Scheduler]\nTokenFile=/nonexistent/token\n");
  const auto token = folder_.writePrivate("token", "secret\n");
  sources.flags = {{"token-file", token.string()}};
  EXPECT_EQ(loadConfig(sources).config.token_file, token);
  sources.flags = {{"token-file", ""}};
  EXPECT_TRUE(loadConfig(sources).config.token_file.empty());
}

TEST_F(ConfigLoaderTest, TokenFileReadableByEveryUserIsRefused) {
  const auto token = folder_.writePrivate("token", "secret\n");
  std::filesystem::permissions(token, std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  ConfigSources sources;
  sources.flags = {{"token-file", token.string()}};
  try {
    loadConfig(sources);
    FAIL() << "a world-readable token file was accepted";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("flag --token-file"));
    EXPECT_THAT(error.what(), HasSubstr("is readable by every user (mode 0604)"));
    EXPECT_THAT(error.what(), HasSubstr("chmod 600"));
  }
  // Readable by its group is the operator's choice.
  std::filesystem::permissions(
      token, std::filesystem::perms::owner_read | std::filesystem::perms::group_read);
  EXPECT_EQ(loadConfig(sources).config.token_file, token);
}

TEST_F(ConfigLoaderTest, MissingChosenFileIsAnError) {
  ConfigSources sources;
  sources.file = folder_.path() / "absent.conf";
  sources.file_required = true;
  EXPECT_THAT(errorOf(sources), HasSubstr("absent.conf: config file does not exist"));
}

// Each bad input stops start-up with one line naming its source, the setting and what is expected.
struct BadCase {
  std::string name;
  std::string file;  // agent.conf text
  std::vector<std::pair<std::string, std::string>> environment;
  std::vector<FlagValue> flags;
  std::vector<std::string> message_parts;
};

class BadConfigTest : public ConfigLoaderTest, public ::testing::WithParamInterface<BadCase> {};

TEST_P(BadConfigTest, GivesOneLineNamingSourceAndSetting) {
  const BadCase& bad = GetParam();
  ConfigSources sources = fileSource(bad.file);
  sources.environment = bad.environment;
  sources.flags = bad.flags;
  const std::string message = errorOf(sources);
  EXPECT_THAT(message, Not(HasSubstr("\n")));
  for (const auto& part : bad.message_parts) {
    const std::string expanded =
        part.starts_with("FILE") ? (folder_.path() / "agent.conf").string() + part.substr(4) : part;
    EXPECT_THAT(message, HasSubstr(expanded));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadConfigTest,
    ::testing::Values(
        BadCase{"UnknownKey",
                "[Agent]\nLogLevel=info\nLogLevl=debug\n",
                {},
                {},
                {"FILE:3: unknown setting LogLevl= in [Agent]"}},
        BadCase{"KeyInWrongSection",
                "[Agent]\nURL=ws://x/\n",
                {},
                {},
                {"FILE:2: unknown setting URL= in [Agent]"}},
        BadCase{"MalformedUrl",
                "[Scheduler]\nURL=https://x/\n",
                {},
                {},
                {"FILE:2: [Scheduler] URL: \"https://x/\"", "expected ws://"}},
        BadCase{"UnreadableTokenFile",
                "[Scheduler]\nTokenFile=/nonexistent/token\n",
                {},
                {},
                {"FILE:2: [Scheduler] TokenFile: cannot read a token from /nonexistent/token"}},
        BadCase{"RelativeTokenFile",
                "[Scheduler]\nTokenFile=token\n",
                {},
                {},
                {"TokenFile: \"token\": expected an absolute path"}},
        BadCase{"DuplicateMetadataKey",
                "[Machine]\nMetadata=disk=ssd,disk=hdd\n",
                {},
                {},
                {"FILE:2: [Machine] Metadata:", "key \"disk\" is given twice"}},
        BadCase{"FleetStyleSpaceSeparatedMetadata",
                "",
                {{"DECKHAND_METADATA", "a=1 b=2"}},
                {},
                {"environment DECKHAND_METADATA: \"a=1 b=2\""}},
        BadCase{"UnknownVariable",
                "",
                {{"DECKHAND_SCHEDULER", "ws://x/"}},
                {},
                {"environment: unknown variable DECKHAND_SCHEDULER"}},
        BadCase{"BadHeartbeatFlag",
                "",
                {},
                {{"heartbeat-interval", "100ms"}},
                {"flag --heartbeat-interval: \"100ms\"", "from 1s to 1h"}},
        BadCase{"BadLogLevel",
                "",
                {},
                {{"log-level", "loud"}},
                {"flag --log-level: \"loud\"", "expected one of trace"}},
        BadCase{"BadPublicIp",
                "[Machine]\nPublicIP=10.0.0.256\n",
                {},
                {},
                {"FILE:2: [Machine] PublicIP", "IPv4 or IPv6"}},
        BadCase{"RelativeUnitsDirectory",
                "[Agent]\nUnitsDirectory=units\n",
                {},
                {},
                {"UnitsDirectory: \"units\": expected an absolute path"}},
        BadCase{"DotDotStateDirectory",
                "[Agent]\nStateDirectory=/var/../etc\n",
                {},
                {},
                {"without '..'"}},
        BadCase{"SyntaxError", "[Agent\n", {}, {}, {"FILE:1: section header"}},
        BadCase{"CertWithoutKey",
                "[Scheduler]\nURL=wss://x/\nCertFile=/etc/hostname\n",
                {},
                {},
                {"FILE:3: [Scheduler] CertFile: KeyFile is not set"}},
        BadCase{"TlsFilesWithPlainWebSocket",
                "[Scheduler]\nURL=ws://x/\nCAFile=/etc/hostname\n",
                {},
                {},
                {"FILE:2: [Scheduler] URL: \"ws://x:80/\" is ws://", "use wss://"}},
        BadCase{"UnknownFlag", "", {}, {{"no-such-flag", "1"}}, {"unknown flag --no-such-flag"}}),
    [](const auto& info) { return info.param.name; });

TEST_F(ConfigLoaderTest, UnreadableDropInFolderIsAnError) {
  ConfigSources sources = fileSource("");
  folder_.write("agent.conf.d", "a file where the drop-in folder should be");
  EXPECT_THAT(errorOf(sources), HasSubstr("agent.conf.d: cannot read folder: Not a directory"));
}

TEST_F(ConfigLoaderTest, FolderGivenAsConfigFileIsAnError) {
  ConfigSources sources;
  sources.file = folder_.path();
  sources.file_required = true;
  EXPECT_THAT(errorOf(sources), HasSubstr("is a folder"));
}

}  // namespace
}  // namespace deckhand::config
