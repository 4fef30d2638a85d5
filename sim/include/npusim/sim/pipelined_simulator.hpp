// The pipelined simulator: runs a network placed by the pipeline partitioner on the
// multi-core dataflow top (hw/dataflow) — one SystemC simulation, every context over the
// batch of frames — and reports it in the same RunResult as the sequential simulator, with
// its pipeline section (stages, bottleneck, balance, contexts, bytes per frame).
//
// Checks (a failure is recorded in RunResult::check_failures, and the run is failed):
//  - the MACs simulated equal the network's per frame times the frames;
//  - the NoC and off-chip bytes moved equal what the plan planned per frame times the
//    frames, and the weights loaded equal the plan's;
//  - every stream band arrived exactly once at every consumer core (no band lost or
//    duplicated by the bounded buffers);
//  - the run finished (a deadlock is reported with what each core waited for).
#pragma once

#include "npusim/energy/energy_model.hpp"
#include "npusim/hw/config/arch_config.hpp"
#include "npusim/mapping/pipeline_plan.hpp"
#include "npusim/sim/run_result.hpp"
#include "npusim/sim/simulator.hpp"
#include "npusim/workloads/graph.hpp"

namespace npusim::sim {

/// One per process, like simulate() (SystemC). Only `stop`, `progress` and the timeline of
/// `traces` apply.
RunResult simulate_pipelined(const workloads::Graph& graph, const hw::ArchConfig& arch,
                             const mapping::PipelinePlan& plan, const energy::EnergyModel& energy,
                             const SimOptions& options);

}  // namespace npusim::sim
