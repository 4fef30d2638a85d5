// MapperContext: what the mapper needs to know about the hardware — array shape and
// dataflow, vector lanes, SRAM capacities and port bandwidth, the DRAM's peak bandwidth and
// access atom — taken from an ArchConfig and the DRAM standard it names.
#pragma once

#include <cstdint>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/hw/dram/dram_spec.hpp"
#include "npusim/hw/pe/array_timing.hpp"
#include "npusim/mapping/layer_schedule.hpp"

namespace npusim::mapping {

struct MapperContext {
  hw::pe::ArrayConfig array;  ///< shape, dataflow and timing of the PE array
  int lanes = 1;
  int vector_latency = 3;
  int elem_bytes = 1;
  SramBudget capacity;  ///< the whole SRAM
  /// SRAM bytes per PE cycle (banks x port width) of the global buffer, or of the input,
  /// weight and output buffers when split.
  std::int64_t sram_bw_global = 0, sram_bw_input = 0, sram_bw_weight = 0, sram_bw_output = 0;
  double dram_bytes_per_cycle = 1;  ///< peak DRAM bandwidth per PE-clock cycle
  std::uint64_t atom = 64;          ///< DRAM access granularity (one burst), bytes
  /// The DRAM's unloaded read latency (nRCD + nCL + nBL) in PE cycles: the estimate charges
  /// it once per tile, the gap a tile boundary can open in the load pipeline.
  std::int64_t tile_latency_cycles = 0;
  std::uint64_t dram_capacity = 0;
  Objective objective = Objective::Traffic;
  EnergyCosts energy;
};

/// `dram` must be the standard the config names, with its channel count applied.
MapperContext make_mapper_context(const hw::ArchConfig& arch, const hw::dram::DramSpec& dram,
                                  Objective objective);

}  // namespace npusim::mapping
