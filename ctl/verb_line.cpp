#include "ctl/verb_line.hpp"

#include <algorithm>
#include <iostream>

#include "ctl/exit_codes.hpp"

namespace deckhand::ctl {

namespace po = boost::program_options;

std::optional<VerbLine> parseVerb(const VerbSpec& spec, int argc, const char* const* argv,
                                  int& exit_code) {
  po::options_description visible(spec.synopsis);
  visible.add(spec.options)
      .add_options()("json", "print JSON for scripts")("help,h", "show this help");
  po::options_description all;
  all.add(visible).add(spec.hidden);
  VerbLine line;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(spec.positional).run(),
              line.values);
    po::notify(line.values);
  } catch (const po::error& error) {
    std::cerr << "deckhandctl " << spec.name << ": " << error.what() << "; see deckhandctl "
              << spec.name << " --help\n";
    exit_code = kExitUsage;
    return std::nullopt;
  }
  if (line.values.count("help")) {
    std::cout << spec.summary << "\n\n" << visible;
    exit_code = kExitOk;
    return std::nullopt;
  }
  line.json = line.values.count("json") > 0;
  return line;
}

int withAgent(const std::string& verb, const std::function<int(AgentClient&)>& body) {
  try {
    AgentClient client;
    return body(client);
  } catch (const AgentError& error) {
    std::cerr << "deckhandctl " << verb << ": " << error.what() << "\n";
    return exitCodeOf(error);
  }
}

void printTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& title : header)
    widths.push_back(title.size());
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  const auto print = [&widths](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      line += cells[i];
      if (i + 1 < cells.size()) line += std::string(widths[i] - cells[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  };
  print(header);
  for (const auto& row : rows)
    print(row);
}

}  // namespace deckhand::ctl
