#include "cli_args.hpp"

#include <fmt/format.h>

#include <charconv>

namespace npusim::cli {

std::optional<long long> parse_int(const std::string& text) {
  long long value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

Args::Args(const std::string& command, int argc, char** argv, int first,
           std::set<std::string> valued, std::set<std::string> switches,
           std::size_t max_positional)
    : command_(command) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      if (positional_.size() >= max_positional)
        throw UsageError(fmt::format("npusim {}: unexpected argument '{}'", command, arg));
      positional_.push_back(arg);
      continue;
    }
    std::string flag = arg.substr(2), value;
    bool inline_value = false;
    if (auto eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      inline_value = true;
    }
    if (switches.count(flag)) {
      if (inline_value)
        throw UsageError(fmt::format("npusim {}: --{} takes no value", command, flag));
      switches_seen_.insert(flag);
    } else if (valued.count(flag)) {
      if (!inline_value) {
        if (i + 1 >= argc)
          throw UsageError(fmt::format("npusim {}: --{} expects a value", command, flag));
        value = argv[++i];
      }
      values_.emplace(flag, value);
    } else {
      throw UsageError(fmt::format("npusim {}: unknown option --{} (see npusim {} --help)",
                                   command, flag, command));
    }
  }
}

bool Args::has(const std::string& flag) const {
  return switches_seen_.count(flag) || values_.count(flag);
}

std::optional<std::string> Args::get(const std::string& flag) const {
  auto range = values_.equal_range(flag);
  if (range.first == range.second) return std::nullopt;
  return std::prev(range.second)->second;  // the last one given wins
}

std::vector<std::string> Args::all(const std::string& flag) const {
  std::vector<std::string> out;
  auto range = values_.equal_range(flag);
  for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  return out;
}

std::string Args::get_or(const std::string& flag, const std::string& fallback) const {
  return get(flag).value_or(fallback);
}

long long Args::get_int(const std::string& flag, long long fallback, long long lo,
                        long long hi) const {
  auto text = get(flag);
  if (!text) return fallback;
  auto value = parse_int(*text);
  if (!value || *value < lo || *value > hi)
    throw UsageError(fmt::format("npusim {}: --{} expects an integer in [{}, {}], got '{}'",
                                 command_, flag, lo, hi, *text));
  return *value;
}

}  // namespace npusim::cli
