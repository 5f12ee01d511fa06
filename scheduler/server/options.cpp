#include "scheduler/server/options.hpp"

#include <boost/program_options.hpp>
#include <sstream>

#include "systemd/timespan.hpp"

namespace deckhand::scheduler {
namespace {

namespace po = boost::program_options;

Address parseAddress(const std::string& option, const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw UsageError("--" + option + " " + text + ": expected ADDRESS:PORT, e.g. 0.0.0.0:7443");
  }
  auto host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  try {
    std::size_t used = 0;
    const auto port = std::stoul(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || port > 65535) throw std::out_of_range("port");
    return {host, static_cast<std::uint16_t>(port)};
  } catch (const std::logic_error&) {
    throw UsageError("--" + option + " " + text + ": the port must be a number from 0 to 65535");
  }
}

std::chrono::microseconds parseSpan(const std::string& option, const std::string& text) {
  const auto span = systemd::parseTimespan(text);
  if (!span || span->count() <= 0) {
    throw UsageError("--" + option + " " + text + ": expected a positive time span, e.g. 30s");
  }
  return *span;
}

po::options_description describe() {
  po::options_description options("Options");
  options.add_options()("help,h", "show this help")("version", "show the version")(
      "listen-agents", po::value<std::string>()->default_value("0.0.0.0:7443"),
      "ADDRESS:PORT for agents' WebSocket connections (port 0: any free one)")(
      "listen-api", po::value<std::string>()->default_value("127.0.0.1:7480"),
      "ADDRESS:PORT for the operators' HTTP API (docs/scheduler-api.md)")(
      "state-file",
      po::value<std::string>()->default_value("/var/lib/deckhand-scheduler/state.json"),
      "where the desired state is kept across restarts")(
      "token-file", po::value<std::string>(), "file holding the bearer token agents must send")(
      "api-token-file", po::value<std::string>(),
      "file holding the bearer token operators must send")(
      "cert-file", po::value<std::string>(), "PEM certificate chain: agents connect with wss://")(
      "key-file", po::value<std::string>(), "PEM private key of --cert-file")(
      "api-cert-file", po::value<std::string>(),
      "PEM certificate chain: operators connect with https://")(
      "api-key-file", po::value<std::string>(), "PEM private key of --api-cert-file")(
      "machine-grace", po::value<std::string>()->default_value("30s"),
      "how long a disconnected machine keeps its units before they move")(
      "agent-timeout", po::value<std::string>()->default_value("30s"),
      "an agent silent this long is disconnected (3 of its heartbeats)")(
      "log-level", po::value<std::string>()->default_value("info"),
      "trace, debug, info, warning, error");
  return options;
}

}  // namespace

std::string usageText() {
  std::ostringstream text;
  text << "Usage: deckhand-scheduler [OPTIONS]\n\n"
          "The reference scheduler: places units on deckhand agents by their [X-Fleet]\n"
          "constraints.\n\n"
       << describe();
  return text.str();
}

SchedulerOptions parseOptions(int argc, char** argv) {
  po::variables_map values;
  try {
    po::store(po::command_line_parser(argc, argv).options(describe()).run(), values);
    po::notify(values);
  } catch (const po::error& error) {
    throw UsageError(error.what());
  }
  SchedulerOptions options;
  options.help = values.count("help") > 0;
  options.version = values.count("version") > 0;
  options.agents = parseAddress("listen-agents", values["listen-agents"].as<std::string>());
  options.api = parseAddress("listen-api", values["listen-api"].as<std::string>());
  options.state_file = values["state-file"].as<std::string>();
  if (values.count("token-file")) options.token_file = values["token-file"].as<std::string>();
  if (values.count("api-token-file")) {
    options.api_token_file = values["api-token-file"].as<std::string>();
  }
  if (values.count("cert-file")) options.cert_file = values["cert-file"].as<std::string>();
  if (values.count("key-file")) options.key_file = values["key-file"].as<std::string>();
  if (options.cert_file.empty() != options.key_file.empty()) {
    throw UsageError("--cert-file and --key-file go together");
  }
  if (values.count("api-cert-file")) {
    options.api_cert_file = values["api-cert-file"].as<std::string>();
  }
  if (values.count("api-key-file")) options.api_key_file = values["api-key-file"].as<std::string>();
  if (options.api_cert_file.empty() != options.api_key_file.empty()) {
    throw UsageError("--api-cert-file and --api-key-file go together");
  }
  options.machine_grace = std::chrono::duration_cast<std::chrono::milliseconds>(
      parseSpan("machine-grace", values["machine-grace"].as<std::string>()));
  options.agent_timeout = std::chrono::duration_cast<std::chrono::seconds>(
      parseSpan("agent-timeout", values["agent-timeout"].as<std::string>()));
  if (options.agent_timeout.count() < 2) throw UsageError("--agent-timeout: at least 2s");
  options.log_level = values["log-level"].as<std::string>();
  return options;
}

}  // namespace deckhand::scheduler
