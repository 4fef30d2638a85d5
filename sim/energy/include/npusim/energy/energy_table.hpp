// A technology table: energies per event and leakage powers of one process node, read from
// configs/energy/<name>.json (values and their sources documented in the file and in
// docs/energy.md).
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "npusim/hw/pe/pe_types.hpp"

namespace npusim::energy {

/// A malformed table: the message names the file and the field.
class EnergyTableError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct EnergyTable {
  std::string name, source;
  std::map<hw::pe::Precision, double> mac_pj;          ///< one multiply-accumulate
  double register_pj_per_bit = 0;                      ///< a PE register access, per bit
  int accumulator_bits = 32;
  std::vector<std::pair<double, double>> sram_points;  ///< (KiB, pJ per 64-bit access)
  double sram_write_factor = 1;
  double vector_op_pj = 0;                             ///< one vector-unit element op
  double dma_pj_per_byte = 0;                          ///< DMA and on-chip wires
  std::map<hw::pe::Precision, double> leakage_mw_per_pe;
  double leakage_mw_per_sram_kib = 0;

  /// pJ of one 64-bit read of an SRAM of `kib` KiB: log-log interpolation between the
  /// table's points, the end segments' slopes beyond them.
  double sram_pj_per_64bit(double kib) const;
};

/// Reads a table file; throws EnergyTableError naming the file and field.
EnergyTable load_energy_table(const std::string& path);

}  // namespace npusim::energy
