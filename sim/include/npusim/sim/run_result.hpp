// What a simulated run measured: one record per executed layer and the totals. Cycles are
// PE-clock cycles; bytes are what the DRAM served (whole access atoms).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "npusim/energy/energy_model.hpp"
#include "npusim/hw/npu/tile_program.hpp"
#include "npusim/mapping/layer_schedule.hpp"
#include "npusim/sim/stats.hpp"

namespace npusim::sim {

/// Accesses to the open row over all accesses (0 when there were none).
inline double row_hit_rate(std::uint64_t hits, std::uint64_t misses, std::uint64_t conflicts) {
  const std::uint64_t n = hits + misses + conflicts;
  return n ? static_cast<double>(hits) / static_cast<double>(n) : 0.0;
}

struct LayerRecord {
  int index = -1;  ///< in the graph
  std::string name, type, op;
  // The layer's shape: output C x H x W, input channels (all inputs), the window, groups.
  std::int64_t out_c = 0, out_h = 0, out_w = 0, in_c = 0;
  int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, groups = 1;
  mapping::Tiling tiling;
  std::int64_t tiles = 0, planned_tiles = 0;
  bool partial = false;  ///< stopped (Ctrl-C) before its last tile
  std::uint64_t start_cycle = 0, cycles = 0;
  double time_ns = 0;
  std::int64_t compute_cycles = 0;  ///< PE array or vector unit busy, filling or draining
  std::int64_t stall_dram_cycles = 0, stall_sram_cycles = 0, stall_vector_cycles = 0;
  std::int64_t stall_cycles() const { return stall_dram_cycles + stall_sram_cycles + stall_vector_cycles; }
  std::int64_t macs = 0;
  std::int64_t expected_macs = 0;   ///< the network analysis' MACs times the batch
  std::int64_t vector_ops = 0;
  double pe_utilization = 0;        ///< MACs / (PEs x cycles)
  double pe_utilization_busy = 0;   ///< MACs / PE-cycles of the compute steps (array mapping)
  hw::npu::TrafficBytes dram;       ///< bytes served, by kind (from the DMA's answers)
  hw::npu::TrafficBytes planned;    ///< bytes the schedule planned (whole atoms)
  std::uint64_t dram_served_read = 0, dram_served_write = 0;  ///< as the DRAM model counted
  std::uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  double row_hit_rate() const { return sim::row_hit_rate(row_hits, row_misses, row_conflicts); }
  std::int64_t sram_read_bytes = 0, sram_write_bytes = 0, sram_accesses = 0;
  std::int64_t sram_peak_bytes = 0;  ///< tile buffers + resident tensors allocated
  std::int64_t cio = 0;              ///< elements (HarDNet's CIO) x batch; 0 if not a conv
  std::int64_t cio_bytes = 0;
  std::int64_t estimated_cycles = 0; ///< the mapper's estimate
  std::int64_t roofline_compute_cycles = 0, roofline_memory_cycles = 0;
  std::int64_t roofline_cycles() const { return std::max(roofline_compute_cycles, roofline_memory_cycles); }
  energy::EnergyBreakdown energy;  ///< by component; sums to energy_pj()
  double energy_pj() const { return energy.total_pj(); }
  StatSet stats;         ///< the layer's share of every statistic
  int stage = -1;        ///< pipelined runs: its stage (cycles are then per frame)
};

struct RunTotals {
  std::uint64_t cycles = 0;
  double time_ns = 0;
  std::int64_t macs = 0, vector_ops = 0;
  double pe_utilization = 0;
  hw::npu::TrafficBytes dram;
  std::uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  std::int64_t sram_read_bytes = 0, sram_write_bytes = 0, sram_accesses = 0;
  std::int64_t cio = 0, cio_bytes = 0;
  std::int64_t compute_cycles = 0, stall_cycles = 0, roofline_cycles = 0;
  energy::EnergyBreakdown energy;  ///< the layers' breakdowns summed
  double fps = 0;
  double row_hit_rate() const { return sim::row_hit_rate(row_hits, row_misses, row_conflicts); }
  double energy_pj() const { return energy.total_pj(); }
  double average_power_w() const { return time_ns > 0 ? energy_pj() * 1e-12 / (time_ns * 1e-9) : 0.0; }
};

/// One stage of a pipelined run (a context's run of layers on its own cores).
struct StageRecord {
  int context = 0, index = 0;
  std::vector<std::string> layers;
  int first_core = 0, cores = 1;
  std::int64_t est_cycles_per_frame = 0;  ///< the partitioner's estimate
  double cycles_per_frame = 0;            ///< measured: the busiest core's compute cycles / frames
  double pe_utilization = 0;              ///< MACs / (the stage's PEs x the context's cycles)
  std::int64_t macs = 0;
  std::int64_t starved_cycles = 0, blocked_cycles = 0;  ///< all the stage's cores
  std::vector<std::pair<std::string, std::int64_t>> waits;  ///< by cause: "stage N" or "off-chip"
};

struct ContextRecord {
  int index = 0, layers = 0, stages = 0;
  std::int64_t weight_bytes = 0;
  double start_ns = 0, weights_loaded_ns = 0, end_ns = 0;
  std::int64_t noc_bytes = 0, offchip_read_bytes = 0, offchip_write_bytes = 0;  ///< measured, all frames
};

/// What a pipelined (dataflow) run measured beyond the sequential record.
struct PipelineResult {
  bool present = false;
  int frames = 0, cores = 0;
  std::string offchip = "dram";  ///< "dram" or "host_link": what totals.dram_* counted
  std::vector<ContextRecord> contexts;
  std::string contexts_reason;
  std::vector<StageRecord> stages;
  int bottleneck = -1;              ///< index into stages: the slowest of the longest context
  double bottleneck_share = 0;      ///< its cycles over the sum of its context's stages' cycles
  double balance = 0;               ///< mean stage cycles / slowest, in that context
  double latency_ns = 0;            ///< frame 0, from its first load to its last store
  double noc_bytes_per_frame = 0, offchip_bytes_per_frame = 0;  ///< activations; weights apart
  std::int64_t weight_bytes_per_batch = 0;  ///< loaded at the contexts' starts
  double energy_per_frame_pj = 0;
};

struct RunResult {
  std::string network, arch;
  int batch = 1;
  std::string reuse, objective;
  std::string energy_table;  ///< the technology table's name
  int first_layer = 0, last_layer = 0;  ///< graph indices of the range run
  std::vector<LayerRecord> layers;
  RunTotals totals;
  StatSet stats;                        ///< whole-run statistics with units
  bool partial = false;                 ///< stopped before the last layer's last tile
  std::vector<std::string> check_failures;
  std::string execution = "sequential";
  PipelineResult pipeline;  ///< pipelined runs only
  double energy_per_inference_mj() const { return totals.energy_pj() * 1e-9 / std::max(1, batch); }
};

}  // namespace npusim::sim
