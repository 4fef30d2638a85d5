// A pipeline plan as data (`npusim map --arch dataflow-... --json`, and the plan part of a
// pipelined run's report): contexts, stages with their layers and cores, stream edges with
// their buffers, bytes per frame. Its stages can be given back as a pinned allocation
// (`"pipeline": {"stages": [{"layers": [...], "cores": N}]}` in a --schedule file).
#pragma once

#include <nlohmann/json.hpp>

#include "npusim/mapping/pipeline_plan.hpp"

namespace npusim::mapping {

/// {"schema": "npusim-pipeline-plan/1", "network", "cores", "frames", "contexts": [...],
///  "contexts_reason", "weight_bytes", "pipeline": {"stages": [...]}} (the last only with one
/// context: the pinnable allocation).
nlohmann::json pipeline_plan_to_json(const PipelinePlan& plan);

}  // namespace npusim::mapping
