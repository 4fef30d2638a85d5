// Unknown keys in a JSON config are mistakes (a typo such as "colss" would otherwise be
// ignored and the default used): this finds the first key of an object that is not in the
// known list and suggests the nearest known one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace npusim::hw {

/// The known key nearest to `key` by edit distance, if it is close enough to be a typo.
std::optional<std::string> nearest_key(const std::string& key, const std::vector<std::string>& known);

/// nullopt if every key of `object` is known; else "field 'PREFIX.KEY': unknown (did you
/// mean 'PREFIX.NEAREST'?)" — a message for the caller's error type (it adds the file).
std::optional<std::string> unknown_key(const nlohmann::json& object, const std::string& prefix,
                                       const std::vector<std::string>& known);

}  // namespace npusim::hw
