#include "npusim/hw/config/json_keys.hpp"

#include <algorithm>
#include <cctype>

namespace npusim::hw {

namespace {
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}
}  // namespace

std::optional<std::string> nearest_key(const std::string& key, const std::vector<std::string>& known) {
  std::optional<std::string> best;
  std::size_t best_d = 0;
  for (const std::string& k : known) {
    const std::size_t d = edit_distance(key, k);
    if (!best || d < best_d) best = k, best_d = d;
  }
  // A typo changes a few characters; anything further is not a suggestion.
  if (!best || best_d > std::max<std::size_t>(2, key.size() / 3)) return std::nullopt;
  return best;
}

std::optional<std::string> unknown_key(const nlohmann::json& object, const std::string& prefix,
                                       const std::vector<std::string>& known) {
  if (!object.is_object()) return std::nullopt;
  const std::string dot = prefix.empty() ? "" : prefix + ".";
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string m = "field '" + dot + key + "': unknown";
    if (const auto n = nearest_key(key, known)) m += " (did you mean '" + dot + *n + "'?)";
    else {
      m += " (known: ";
      for (std::size_t i = 0; i < known.size(); ++i) m += (i ? ", " : "") + dot + known[i];
      m += ")";
    }
    return m;
  }
  return std::nullopt;
}

}  // namespace npusim::hw
