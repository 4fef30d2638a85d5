// A small command-line parser for npusim's subcommands: --flag VALUE, --flag=VALUE and
// boolean switches, with errors that name the flag and what it expected.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace npusim::cli {

/// A user error: printed as one line on stderr, exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  /// Parses argv[first..argc). `valued` flags take a value, `switches` do not; any other
  /// --flag, or a positional argument where none is allowed, is a UsageError.
  Args(const std::string& command, int argc, char** argv, int first,
       std::set<std::string> valued, std::set<std::string> switches,
       std::size_t max_positional = 0);

  bool has(const std::string& flag) const;
  std::optional<std::string> get(const std::string& flag) const;
  /// All values of a repeatable flag, in order.
  std::vector<std::string> all(const std::string& flag) const;
  std::string get_or(const std::string& flag, const std::string& fallback) const;
  /// An integer in [lo, hi], or the fallback when the flag is absent.
  long long get_int(const std::string& flag, long long fallback, long long lo, long long hi) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::string command_;
  std::multimap<std::string, std::string> values_;
  std::set<std::string> switches_seen_;
  std::vector<std::string> positional_;
};

/// Parses a whole decimal integer; nullopt if the text is anything else or out of range.
std::optional<long long> parse_int(const std::string& text);

}  // namespace npusim::cli
