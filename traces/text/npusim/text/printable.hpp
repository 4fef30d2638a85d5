// Quoting untrusted input in an error line: a binary file given as a trace or network must
// not put raw bytes on the user's terminal. Header-only, shared by every parser.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace npusim::text {

/// Appends byte `c` as \xNN.
inline void append_hex_escape(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

/// At most `max` characters of `text`; bytes outside printable ASCII become \xNN; "..." when cut.
inline std::string printable_excerpt(std::string_view text, std::size_t max = 40) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && out.size() < max; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else append_hex_escape(out, c);
  }
  if (out.size() >= max && text.size() > max) out += "...";
  return out;
}

/// An error message fit for a terminal: valid UTF-8 (file names) kept, control characters
/// (but newlines) and invalid bytes as \xNN, cut after `max` bytes.
inline std::string printable_message(std::string_view text, std::size_t max = 2000) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size() && out.size() < max) {
    const auto c = static_cast<unsigned char>(text[i]);
    // Length of a valid UTF-8 sequence starting here (0 if invalid).
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    for (std::size_t k = 1; k < n; ++k)
      if (i + k >= text.size() || (static_cast<unsigned char>(text[i + k]) >> 6) != 2) n = 0;
    if (n == 1 && ((c >= 0x20 && c != 0x7f) || c == '\n')) {
      out += static_cast<char>(c);
    } else if (n > 1) {
      out.append(text.substr(i, n));
    } else {
      append_hex_escape(out, c);
      n = 1;
    }
    i += n;
  }
  if (i < text.size()) out += "...";
  return out;
}

}  // namespace npusim::text
