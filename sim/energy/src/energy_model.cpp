#include "npusim/energy/energy_model.hpp"

#include <stdexcept>

namespace npusim::energy {

using hw::pe::Dataflow;

double EnergyBreakdown::total_pj() const {
  double t = 0;
  for (const auto& [name, pj] : parts) t += pj;
  return t;
}

double EnergyBreakdown::get(const std::string& component) const {
  for (const auto& [name, pj] : parts)
    if (name == component) return pj;
  throw std::out_of_range("no energy component '" + component + "'");
}

EnergyBreakdown& EnergyBreakdown::operator+=(const EnergyBreakdown& o) {
  if (parts.empty()) {
    parts = o.parts;
    return *this;
  }
  for (std::size_t i = 0; i < parts.size(); ++i) parts[i].second += o.parts.at(i).second;
  return *this;
}

EnergyModel::EnergyModel(EnergyTable table, const hw::ArchConfig& arch)
    : table_(std::move(table)), arch_(arch) {
  const auto prec = arch.pe.precision;
  const double elem_bits = 8.0 * hw::pe::element_bytes(prec);
  const double acc_bits = table_.accumulator_bits;
  mac_pj_ = table_.mac_pj.at(prec);
  // The registers the PE model counts hold the stationary operand (WS, IS) or the
  // accumulator (OS); per MAC each PE also passes its streaming operands or partial sum on.
  switch (arch.pe.dataflow) {
    case Dataflow::WS:  // inputs move right, partial sums move down
    case Dataflow::IS:  // weights move right, partial sums move down
      rf_bits_ = elem_bits;
      hop_bits_per_mac_ = elem_bits + acc_bits;
      break;
    case Dataflow::OS:  // inputs move right, weights move down
      rf_bits_ = acc_bits;
      hop_bits_per_mac_ = 2 * elem_bits;
      break;
  }
  double sram_kib = 0;
  for (const auto& b : arch.sram.buffers) sram_kib += static_cast<double>(b.kib);
  leak_pe_mw_ = table_.leakage_mw_per_pe.at(prec) * arch.pe.rows * arch.pe.cols;
  leak_sram_mw_ = table_.leakage_mw_per_sram_kib * sram_kib;
}

double EnergyModel::sram_word_pj(const std::string& name) const {
  for (const auto& b : arch_.sram.buffers)
    if (b.name == name)  // a word access activates one bank: priced as an SRAM of the bank's size
      return table_.sram_pj_per_64bit(static_cast<double>(b.kib) / b.banks) * (8.0 * b.port_bytes / 64.0);
  throw std::invalid_argument("no SRAM buffer named '" + name + "'");
}

nlohmann::json EnergyModel::prices_json() const {
  nlohmann::json sram = nlohmann::json::object();
  for (const auto& b : arch_.sram.buffers) sram[b.name] = sram_word_pj(b.name);
  return {{"table", table_.name},
          {"source", table_.source},
          {"mac_pj", mac_pj_},
          {"register_pj_per_bit", table_.register_pj_per_bit},
          {"register_bits_per_access", rf_bits_},
          {"hop_bits_per_mac", hop_bits_per_mac_},
          {"sram_word_read_pj", sram},
          {"sram_write_factor", table_.sram_write_factor},
          {"vector_op_pj", table_.vector_op_pj},
          {"dma_pj_per_byte", table_.dma_pj_per_byte},
          {"leakage_pe_mw", leak_pe_mw_},
          {"leakage_sram_mw", leak_sram_mw_}};
}

EnergyBreakdown EnergyModel::price(const EnergyCounts& c) const {
  EnergyBreakdown e;
  const double regs = static_cast<double>(c.rf_reads + c.rf_writes) * rf_bits_ +
                      static_cast<double>(c.macs) * hop_bits_per_mac_;
  double sram = 0;
  for (const SramAccessCounts& s : c.sram) {
    const double word = sram_word_pj(s.buffer);
    sram += word * (static_cast<double>(s.word_reads) + table_.sram_write_factor * static_cast<double>(s.word_writes));
  }
  // mW x ns = 1e-3 W x 1e-9 s = 1e-12 J = 1 pJ.
  e.parts = {
      {"mac", static_cast<double>(c.macs) * mac_pj_},
      {"pe_registers", regs * table_.register_pj_per_bit},
      {"sram", sram},
      {"vector", static_cast<double>(c.vector_ops) * table_.vector_op_pj},
      {"dma", static_cast<double>(c.dma_bytes) * table_.dma_pj_per_byte},
      {"dram", c.dram_pj},
      {"leakage_pe", leak_pe_mw_ * c.time_ns},
      {"leakage_sram", leak_sram_mw_ * c.time_ns},
  };
  return e;
}

}  // namespace npusim::energy
