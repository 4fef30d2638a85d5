#include "npusim/mapping/mapper_context.hpp"

#include <cmath>

#include "npusim/hw/dram/dram_energy.hpp"

namespace npusim::mapping {

MapperContext make_mapper_context(const hw::ArchConfig& arch, const hw::dram::DramSpec& dram,
                                  Objective objective) {
  MapperContext c;
  c.array = arch.pe.array();
  c.lanes = arch.vector.lanes;
  c.elem_bytes = hw::pe::element_bytes(arch.pe.precision);
  c.capacity.split = arch.sram.split;
  for (const hw::BufferConfig& b : arch.sram.buffers) {
    const std::int64_t bw = static_cast<std::int64_t>(b.banks) * b.port_bytes;
    if (b.name == "global") {
      c.capacity.global = b.bytes();
      c.sram_bw_global = bw;
    } else if (b.name == "input") {
      c.capacity.input = b.bytes();
      c.sram_bw_input = bw;
    } else if (b.name == "weight") {
      c.capacity.weight = b.bytes();
      c.sram_bw_weight = bw;
    } else if (b.name == "output") {
      c.capacity.output = b.bytes();
      c.sram_bw_output = bw;
    }
  }
  // Peak bytes per second over PE cycles per second.
  c.dram_bytes_per_cycle = dram.peak_gbps() * 1e9 / (arch.pe.freq_mhz * 1e6);
  c.atom = static_cast<std::uint64_t>(dram.org.burst_bytes());
  c.dram_capacity = dram.org.total_bytes();
  const double latency_ns =
      (dram.timing.nRCD + dram.timing.nCL + dram.timing.nBL) * dram.timing.tCK_ns();
  c.tile_latency_cycles = static_cast<std::int64_t>(std::ceil(latency_ns * arch.pe.freq_mhz / 1000.0));
  c.objective = objective;
  // DRAM energy per byte from the standard's IDD currents: a read burst, plus an
  // activate/precharge shared by the bursts of a row (streaming tiles use rows whole).
  const hw::dram::DramEnergyPerEvent e = hw::dram::dram_energy_per_event(dram);
  c.energy.dram_pj_per_byte = (e.read + e.act_pre / dram.org.bursts_per_row()) / dram.org.burst_bytes();
  return c;
}

}  // namespace npusim::mapping
