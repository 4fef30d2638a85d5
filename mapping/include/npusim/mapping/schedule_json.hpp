// Schedules as data: the JSON a researcher reads and edits (`npusim map --out FILE`), and
// reading it back for `npusim run --schedule FILE` (documented in docs/mapping.md).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "npusim/mapping/network_mapper.hpp"

namespace npusim::mapping {

nlohmann::json tiling_to_json(const Tiling& t);
nlohmann::json layer_schedule_to_json(const NetworkSchedule& ns, int layer);
/// {"schema", "network", "arch", "reuse", "objective", "batch", "totals", "layers": [...]}
nlohmann::json schedule_to_json(const NetworkSchedule& ns);

/// Reads the tilings (and reuse, objective, batch when present) of a schedule file into
/// `options`. Throws MappingError naming the file, the layer and the field.
void load_schedule_file(const std::string& path, MapOptions& options);

}  // namespace npusim::mapping
