// SHA-256 (FIPS 180-4) of a byte string or a file, as lowercase hex: the fingerprint of a
// network file in a report's provenance.
#pragma once

#include <string>
#include <string_view>

namespace npusim::sim {

std::string sha256_hex(std::string_view data);
/// Of a file's bytes; throws std::runtime_error naming the file if it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace npusim::sim
