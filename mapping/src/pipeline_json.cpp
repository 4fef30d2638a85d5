#include "npusim/mapping/pipeline_json.hpp"

#include "npusim/workloads/layer.hpp"

namespace npusim::mapping {

using nlohmann::json;

namespace {

json layer_json(const PipelineLayer& l) {
  json j{{"name", l.name},
         {"type", workloads::to_string(l.problem.kind)},
         {"split", to_string(l.split)},
         {"band_rows", l.band_rows},
         {"bands", l.bands},
         {"est_cycles_per_frame", l.cycles_per_frame},
         {"weight_bytes", l.weight_bytes},
         {"macs_per_frame", l.macs_per_frame}};
  if (l.oc0 != 0 || l.oc1 != l.problem.out_c) j["output_channels"] = {l.oc0, l.oc1};
  if (l.col_tiles > 1) j["column_tiles"] = {{"tiles", l.col_tiles}, {"columns", l.tile_cols}};
  return j;
}

std::string end_name(const PipelineContext& c, int index, const char* offchip) {
  return index >= 0 ? c.layers[static_cast<std::size_t>(index)].name : std::string(offchip);
}

}  // namespace

json pipeline_plan_to_json(const PipelinePlan& plan) {
  json contexts = json::array();
  for (const PipelineContext& c : plan.contexts) {
    json stages = json::array();
    for (const PipelineStage& s : c.stages) {
      json layers = json::array();
      for (int l : s.layers) layers.push_back(layer_json(c.layers[static_cast<std::size_t>(l)]));
      stages.push_back({{"cores", s.cores},
                        {"first_core", s.first_core},
                        {"est_cycles_per_frame", s.cycles_per_frame},
                        {"sram_bytes_per_core", s.sram_bytes_per_core},
                        {"layers", layers}});
    }
    json edges = json::array();
    for (const StreamEdge& e : c.edges)
      edges.push_back({{"from", end_name(c, e.producer, "off-chip")},
                       {"to", end_name(c, e.consumer, "off-chip")},
                       {"channels", {e.c0, e.c1}},
                       {"buffer_rows", e.capacity_rows},
                       {"row_bytes", e.row_bytes},
                       {"bytes_per_frame", e.bytes_per_frame}});
    contexts.push_back({{"stages", stages},
                        {"edges", edges},
                        {"weight_bytes", c.weight_bytes},
                        {"noc_bytes_per_frame", c.noc_bytes_per_frame},
                        {"offchip_read_bytes_per_frame", c.offchip_read_bytes_per_frame},
                        {"offchip_write_bytes_per_frame", c.offchip_write_bytes_per_frame},
                        {"bottleneck_stage", c.bottleneck_stage()}});
  }
  json j{{"schema", "npusim-pipeline-plan/1"},
         {"network", plan.network},
         {"cores", plan.cores},
         {"frames", plan.frames},
         {"weight_bytes", plan.weight_bytes},
         {"contexts_reason", plan.contexts_reason},
         {"contexts", contexts}};
  if (plan.contexts.size() == 1) {
    json pinned = json::array();
    const PipelineContext& c = plan.contexts.front();
    for (const PipelineStage& s : c.stages) {
      json names = json::array();
      for (int l : s.layers) names.push_back(c.layers[static_cast<std::size_t>(l)].name);
      pinned.push_back({{"layers", names}, {"cores", s.cores}});
    }
    j["pipeline"] = {{"stages", pinned}};
  }
  return j;
}

}  // namespace npusim::mapping
