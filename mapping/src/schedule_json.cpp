#include "npusim/mapping/schedule_json.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace npusim::mapping {

using hw::npu::TrafficBytes;
using hw::npu::TrafficKind;
using nlohmann::json;

namespace {

json traffic_json(const TrafficBytes& t) {
  return json{{"input_read", t.rd(TrafficKind::Input)},   {"weight_read", t.rd(TrafficKind::Weight)},
              {"output_write", t.wr(TrafficKind::Output)}, {"psum_read", t.rd(TrafficKind::Psum)},
              {"psum_write", t.wr(TrafficKind::Psum)},     {"spill_write", t.wr(TrafficKind::Spill)},
              {"total", t.total()}};
}

std::vector<std::string> storage_names(const NetworkSchedule& ns, const std::vector<int>& ids) {
  std::vector<std::string> names;
  for (int id : ids) names.push_back(ns.placement.storages[static_cast<std::size_t>(id)].name);
  return names;
}

}  // namespace

json tiling_to_json(const Tiling& t) {
  return json{{"gb", t.gb}, {"tk", t.tk}, {"tc", t.tc}, {"th", t.th}, {"tw", t.tw},
              {"order", to_string(t.order)}};
}

json layer_schedule_to_json(const NetworkSchedule& ns, int layer) {
  const LayerSchedule& s = ns.layers[static_cast<std::size_t>(layer)];
  const LayerProblem& p = ns.problems[static_cast<std::size_t>(layer)];
  json j{{"name", s.name}, {"type", workloads::to_string(s.kind)}, {"op", to_string(s.op)}};
  if (s.op == OpClass::View) return j;
  j["tiling"] = tiling_to_json(s.tiling);
  j["trips"] = json{{"g", s.trips.g}, {"k", s.trips.k}, {"c", s.trips.c}, {"s", s.trips.s}};
  j["tiles"] = s.estimate.tiles;
  j["sram_bytes"] = json{{"input", s.estimate.sram.input}, {"weight", s.estimate.sram.weight},
                         {"output", s.estimate.sram.output}, {"total", s.estimate.sram.total()}};
  j["planned_bytes"] = traffic_json(s.estimate.traffic);
  j["planned_dram_bytes"] = traffic_json(s.planned_dram);
  const std::uint64_t minimal = minimal_bytes(p);
  j["minimal_bytes"] = minimal;
  j["excess_bytes"] = static_cast<std::int64_t>(s.estimate.traffic.total()) - static_cast<std::int64_t>(minimal);
  j["macs"] = s.macs;
  j["est_compute_cycles"] = s.estimate.compute_cycles;
  j["est_cycles"] = s.estimate.cycles;
  j["output_resident"] = s.output_resident;
  j["resident_inputs"] = storage_names(ns, s.resident_inputs);
  j["spills"] = storage_names(ns, s.spills);
  return j;
}

json schedule_to_json(const NetworkSchedule& ns) {
  json layers = json::array();
  std::int64_t cycles = 0, macs = 0;
  for (int l = 0; l < static_cast<int>(ns.layers.size()); ++l) {
    layers.push_back(layer_schedule_to_json(ns, l));
    cycles += ns.layers[static_cast<std::size_t>(l)].estimate.cycles;
    macs += ns.layers[static_cast<std::size_t>(l)].macs;
  }
  return json{{"schema", "npusim-schedule/1"},
              {"network", ns.network},
              {"arch", ns.arch},
              {"reuse", to_string(ns.options.reuse)},
              {"objective", to_string(ns.options.objective)},
              {"batch", ns.options.batch},
              {"totals", json{{"planned_bytes", traffic_json(ns.planned)},
                              {"planned_dram_bytes", traffic_json(ns.planned_dram)},
                              {"dram_footprint_bytes", ns.dram_bytes_used},
                              {"dram_space_reused", ns.dram_space_reused},
                              {"macs", macs},
                              {"est_cycles", cycles}}},
              {"layers", layers}};
}

void load_schedule_file(const std::string& path, MapOptions& options) {
  std::ifstream in(path);
  if (!in) throw MappingError(fmt::format("{}: cannot open the schedule file", path));
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number overflow
    throw MappingError(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  auto fail = [&](const std::string& where, const std::string& what) {
    return MappingError(fmt::format("{}: {}: expected {}", path, where, what));
  };
  if (!doc.is_object() || !doc.contains("layers") || !doc["layers"].is_array())
    throw fail("field 'layers'", "an array of layer schedules");
  if (doc.contains("reuse") && (!doc["reuse"].is_string() || !parse_reuse(doc["reuse"].get<std::string>(), options.reuse)))
    throw fail("field 'reuse'", "\"none\" or \"liveness\"");
  if (doc.contains("objective") &&
      (!doc["objective"].is_string() || !parse_objective(doc["objective"].get<std::string>(), options.objective)))
    throw fail("field 'objective'", "traffic, latency, energy or edp");
  if (doc.contains("batch")) {
    if (!doc["batch"].is_number_integer() || doc["batch"].get<long long>() < 1 || doc["batch"].get<long long>() > 4096)
      throw fail("field 'batch'", "an integer in [1, 4096]");
    options.batch = doc["batch"].get<int>();
  }
  options.fixed_source = path;
  for (std::size_t i = 0; i < doc["layers"].size(); ++i) {
    const json& l = doc["layers"][i];
    if (!l.is_object() || !l.contains("name") || !l["name"].is_string())
      throw fail(fmt::format("layers[{}].name", i), "a layer name");
    const std::string name = l["name"].get<std::string>();
    if (!l.contains("tiling")) continue;  // views and layers left to the search
    const json& t = l["tiling"];
    Tiling tiling;
    for (auto [field, target] : {std::pair<const char*, std::int64_t*>{"gb", &tiling.gb}, {"tk", &tiling.tk},
                                 {"tc", &tiling.tc}, {"th", &tiling.th}, {"tw", &tiling.tw}}) {
      // Tile sizes beyond a dimension are clamped to it; beyond any dimension npusim can
      // represent they are a mistake.
      if (!t.contains(field) || !t[field].is_number_integer() || t[field].get<long long>() < 1 ||
          t[field].get<long long>() > (1LL << 20))
        throw fail(fmt::format("layer '{}': field 'tiling.{}'", name, field), "an integer in [1, 1048576]");
      *target = t[field].get<std::int64_t>();
    }
    if (!t.contains("order") || !t["order"].is_string() ||
        !parse_loop_order(t["order"].get<std::string>(), tiling.order))
      throw fail(fmt::format("layer '{}': field 'tiling.order'", name), "one of KCS, KSC, CKS, CSK, SKC, SCK");
    options.fixed[name] = tiling;
  }
}

}  // namespace npusim::mapping
