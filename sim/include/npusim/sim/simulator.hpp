// The simulator: builds the NPU top from an architecture config, runs a mapped network's
// layers through it (one SystemC simulation), snapshots the statistics at every layer
// boundary and checks conservation.
//
// Checks (a failure is recorded in RunResult::check_failures, and the run is failed):
//  - the DRAM bytes of every layer, per tensor kind, equal the bytes its schedule planned,
//    and the DRAM model served exactly what the DMA was answered;
//  - the MACs of every layer equal the network analysis' MACs times the batch;
//  - no layer takes fewer cycles than its roofline bound max(compute, bytes / peak);
//  - every DMA transaction was answered, none with an error;
//  - the energy of the whole run's counts equals the sum of the layers' energies.
// A layer stopped by Ctrl-C is marked partial and exempt from the per-layer equalities.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "npusim/energy/energy_model.hpp"
#include "npusim/hw/config/arch_config.hpp"
#include "npusim/mapping/network_mapper.hpp"
#include "npusim/sim/run_result.hpp"
#include "npusim/sim/run_traces.hpp"
#include "npusim/workloads/graph.hpp"

namespace npusim::sim {

struct Progress {
  int done = 0, total = 0;  ///< layers
  std::string layer;        ///< the last one finished
  double simulated_ns = 0;
};

struct SimOptions {
  int first_layer = 0, last_layer = -1;  ///< graph indices, inclusive; -1: the last
  const std::atomic<bool>* stop = nullptr;  ///< set (Ctrl-C): stop after the tiles in flight
  std::function<void(const Progress&)> progress;
  const TraceOptions* traces = nullptr;  ///< --trace: what to dump, where
};

/// Runs the simulation. SystemC allows one elaboration per process: a second call throws
/// std::logic_error. Errors of the hardware (an SRAM allocation that does not fit) throw.
RunResult simulate(const workloads::Graph& graph, const hw::ArchConfig& arch,
                   const mapping::NetworkSchedule& schedule, const energy::EnergyModel& energy,
                   const SimOptions& options);

/// The energy model's event counts of a span of the run, from its statistics.
energy::EnergyCounts energy_counts(const StatSet& stats, const hw::ArchConfig& arch, double time_ns);

}  // namespace npusim::sim
