// Writing an output file so that a failure never leaves a truncated file under the final
// name: the text goes to a temporary file beside it, is flushed and checked, and only then
// renamed over the final name.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace npusim::sim {

/// A file that could not be written: names it and gives the OS's reason.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Writes `text` to `path` atomically (temporary + rename); throws OutputError.
void write_file_atomic(const std::filesystem::path& path, const std::string& text);

/// Creates `dir` if needed and checks a file can be created in it (before a long run);
/// throws OutputError naming the folder and the reason.
void check_writable_dir(const std::filesystem::path& dir);

}  // namespace npusim::sim
