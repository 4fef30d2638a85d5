// The energy model: energy = sum over components of event count x energy per event, plus
// leakage power x time. Counts come from the simulator's statistics (per layer or whole
// run); prices from a technology table; the DRAM's energy comes from the DRAM model's own
// IDD-based accounting and is passed through.
//
// Components (the keys of energy_breakdown_pj, which sum to energy_pj):
//   mac            MACs x mac_pj[precision]
//   pe_registers   (register accesses the PE model counts x their width + operands and
//                  partial sums passed between neighbouring PEs, per MAC, by dataflow)
//                  x register_pj_per_bit
//   sram           per buffer: port-width word reads and writes x the access energy of one
//                  bank (an SRAM of kib / banks KiB, port-width word); the routing between
//                  banks is not charged separately
//   vector         vector-unit element ops x vector_op_pj
//   dma            bytes moved between DRAM and SRAM x dma_pj_per_byte
//   dram           the DRAM model's energy (activate/precharge, read, write, refresh, background)
//   leakage_pe     PEs x leakage_mw_per_pe x time
//   leakage_sram   SRAM KiB x leakage_mw_per_sram_kib x time
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "npusim/energy/energy_table.hpp"
#include "npusim/hw/config/arch_config.hpp"

namespace npusim::energy {

struct SramAccessCounts {
  std::string buffer;
  std::int64_t word_reads = 0, word_writes = 0;  ///< port-width words
};

/// Event counts of a span of the run (a layer or the whole run).
struct EnergyCounts {
  std::int64_t macs = 0;
  std::int64_t rf_reads = 0, rf_writes = 0;  ///< as the PE model counts them
  std::int64_t vector_ops = 0;
  std::int64_t dma_bytes = 0;
  std::vector<SramAccessCounts> sram;
  double dram_pj = 0;
  double time_ns = 0;
};

/// Component name -> pJ, in the fixed order of the header comment.
struct EnergyBreakdown {
  std::vector<std::pair<std::string, double>> parts;
  double total_pj() const;
  double get(const std::string& component) const;
  EnergyBreakdown& operator+=(const EnergyBreakdown& o);
};

class EnergyModel {
 public:
  EnergyModel(EnergyTable table, const hw::ArchConfig& arch);
  EnergyBreakdown price(const EnergyCounts& c) const;
  const EnergyTable& table() const { return table_; }
  /// pJ of one port-width word read of buffer `name`.
  double sram_word_pj(const std::string& name) const;
  /// The price of every event this model charges, for reports: {"table", "source",
  /// "mac_pj", "register_pj_per_bit", "register_bits_per_access", "hop_bits_per_mac",
  /// "sram_word_read_pj": {buffer: pJ}, "sram_write_factor", "vector_op_pj",
  /// "dma_pj_per_byte", "leakage_pe_mw", "leakage_sram_mw"}.
  nlohmann::json prices_json() const;

 private:
  EnergyTable table_;
  hw::ArchConfig arch_;
  double mac_pj_ = 0, rf_bits_ = 0, hop_bits_per_mac_ = 0, leak_pe_mw_ = 0, leak_sram_mw_ = 0;
};

}  // namespace npusim::energy
