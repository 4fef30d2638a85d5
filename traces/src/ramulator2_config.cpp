#include "npusim/traces/ramulator2_config.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace npusim::traces {

namespace {

/// Ramulator 2's linear mappers, MSB to LSB in npusim's field names (linear_mappers.cpp:
/// RoBaRaCoCh slices ch, co, ra, bg, ba, ro from the LSB; ChRaBaRoCo slices co, ro, ba, bg, ra, ch).
struct Mapper {
  const char* name;
  const char* fields;
};
constexpr Mapper kMappers[] = {{"RoBaRaCoCh", "ro,ba,bg,ra,co,ch"}, {"ChRaBaRoCo", "ch,ra,bg,ba,ro,co"}};

}  // namespace

std::string ramulator2_yaml(const hw::dram::DramSpec& spec, const Ramulator2Settings& s) {
  const auto& o = spec.org;
  const auto& t = spec.timing;
  if (spec.standard.rfind("DDR4", 0) != 0)
    throw std::invalid_argument("Ramulator 2 has no model of " + spec.standard +
                                " as npusim models it (no LPDDR4; HBM2 only in pseudo-channel mode)");
  if (o.burst_length != 8) throw std::invalid_argument("Ramulator 2's DDR4 has a prefetch of 8; this memory's burst is " +
                                                       std::to_string(o.burst_length));
  const Mapper* mapper = &kMappers[0];
  for (const Mapper& m : kMappers)
    if (s.address_mapping == m.fields) mapper = &m;
  const bool mapping_exact = s.address_mapping == mapper->fields;
  // Ramulator 2 checks that the device density equals bank groups x banks x rows x columns x dq.
  const std::int64_t density_mb =
      (std::int64_t{o.bank_groups} * o.banks_per_group * o.rows * o.columns * o.device_width) >> 20;

  std::string y;
  y += fmt::format("# Ramulator 2.0 configuration of {} as npusim models it, written beside {}.\n",
                   spec.standard, s.trace_path);
  y += "# Run: ramulator2 -f <this file>   (Ramulator 2.0, YAML configurations)\n";
  if (!mapping_exact)
    y += fmt::format("# npusim's address mapping {} (MSB to LSB) is not one of Ramulator 2's linear\n"
                     "# mappers; {} ({}) is the nearest, so banks and row hits will differ.\n",
                     s.address_mapping, mapper->name, mapper->fields);
  y += fmt::format("# Not in Ramulator 2's DDR4: tRTRS ({} cycles in npusim), a separate read-to-write\n"
                   "# turnaround ({}; Ramulator 2 uses CL + BL + 2 - CWL); nCS is Ramulator's own (2).\n",
                   t.nRTRS, t.nRTW);
  y += fmt::format("Frontend:\n  impl: LoadStoreTrace\n  path: {}\n  clock_ratio: 1\n\n", s.trace_path);
  y += "MemorySystem:\n  impl: GenericDRAM\n  clock_ratio: 1\n\n";
  y += fmt::format("  DRAM:\n    impl: DDR4\n    org:\n      channel_width: {}\n      dq: {}\n      density: {}\n"
                   "      channel: {}\n      rank: {}\n      bankgroup: {}\n      bank: {}\n      row: {}\n"
                   "      column: {}\n",
                   o.bus_width, o.device_width, density_mb, o.channels, o.ranks, o.bank_groups, o.banks_per_group,
                   o.rows, o.columns);
  y += fmt::format("    timing:\n      rate: {}\n      nBL: {}\n      nCL: {}\n      nRCD: {}\n      nRP: {}\n"
                   "      nRAS: {}\n      nRC: {}\n      nWR: {}\n      nRTP: {}\n      nCWL: {}\n      nCCDS: {}\n"
                   "      nCCDL: {}\n      nRRDS: {}\n      nRRDL: {}\n      nWTRS: {}\n      nWTRL: {}\n"
                   "      nFAW: {}\n      nRFC: {}\n      nREFI: {}\n      nCS: 2\n\n",
                   static_cast<long long>(t.data_rate_mtps), t.nBL, t.nCL, t.nRCD, t.nRP, t.nRAS, t.nRC, t.nWR,
                   t.nRTP, t.nCWL, t.nCCD_S, t.nCCD_L, t.nRRD_S, t.nRRD_L, t.nWTR_S, t.nWTR_L, t.nFAW, t.nRFC,
                   t.nREFI);
  y += "  Controller:\n    impl: Generic\n    Scheduler:\n      impl: FRFCFS\n    RefreshManager:\n"
       "      impl: AllBank\n    RowPolicy:\n";
  y += s.open_page ? "      impl: OpenRowPolicy\n" : "      impl: ClosedRowPolicy\n      cap: 1\n";
  y += "    plugins:\n\n";
  y += fmt::format("  AddrMapper:\n    impl: {}\n", mapper->name);
  return y;
}

}  // namespace npusim::traces
