#include "npusim/traces/dramsim3_config.hpp"

#include <fmt/format.h>

#include <sstream>
#include <stdexcept>

namespace npusim::traces {

namespace {

std::string protocol_of(const std::string& standard) {
  const std::string family = standard.substr(0, standard.find('-'));
  for (const char* p : {"DDR3", "DDR4", "LPDDR3", "LPDDR4", "HBM", "HBM2", "GDDR5", "GDDR6"})
    if (family == p) return family;
  throw std::invalid_argument("no DRAMsim3 protocol for the standard '" + standard + "'");
}

/// "ro,ra,ba,co,bg,ch" -> "rorabacobgch" (DRAMsim3 reads two-letter fields MSB to LSB).
std::string mapping_of(const std::string& fields) {
  std::string out, field;
  std::istringstream in(fields);
  while (std::getline(in, field, ',')) {
    if (field != "ro" && field != "ra" && field != "ba" && field != "bg" && field != "co" && field != "ch")
      throw std::invalid_argument("address mapping field '" + field + "' has no DRAMsim3 form");
    out += field;
  }
  if (out.size() != 12) throw std::invalid_argument("DRAMsim3 needs all six address fields ro, ra, ba, bg, co, ch");
  return out;
}

}  // namespace

std::string dramsim3_ini(const hw::dram::DramSpec& spec, const DramSim3Settings& s) {
  const auto& o = spec.org;
  const auto& t = spec.timing;
  const auto& p = spec.power;
  const std::uint64_t channel_mb = o.channel_bytes() / (1024 * 1024);
  std::string ini;
  ini += fmt::format("; DRAMsim3 configuration of {} as npusim models it (written beside a request trace).\n",
                     spec.standard);
  ini += "; Not modelled by npusim, neutral values: tRPRE, tWPRE, tCKE, tCKESR, tXS, tXP, tRFC2, tRFC4,\n"
         "; IDD2P, IDD3P, IDD6x, IPP0 (power-down, self-refresh, fine-granularity refresh).\n\n";
  ini += fmt::format("[dram_structure]\nprotocol = {}\nbankgroups = {}\nbanks_per_group = {}\nrows = {}\n"
                     "columns = {}\ndevice_width = {}\nBL = {}\n\n",
                     protocol_of(spec.standard), o.bank_groups, o.banks_per_group, o.rows, o.columns,
                     o.device_width, o.burst_length);
  ini += fmt::format("[timing]\ntCK = {:.4f}\nAL = 0\nCL = {}\nCWL = {}\ntRCD = {}\ntRP = {}\ntRAS = {}\ntRFC = {}\n"
                     "tRFC2 = {}\ntRFC4 = {}\ntREFI = {}\ntRPRE = 1\ntWPRE = 1\ntRRD_S = {}\ntRRD_L = {}\n"
                     "tWTR_S = {}\ntWTR_L = {}\ntFAW = {}\ntWR = {}\ntWR2 = {}\ntRTP = {}\ntCCD_S = {}\ntCCD_L = {}\n"
                     "tCKE = 8\ntCKESR = 9\ntXS = {}\ntXP = 8\ntRTRS = {}\n\n",
                     t.tCK_ns(), t.nCL, t.nCWL, t.nRCD, t.nRP, t.nRAS, t.nRFC, t.nRFC, t.nRFC, t.nREFI, t.nRRD_S,
                     t.nRRD_L, t.nWTR_S, t.nWTR_L, t.nFAW, t.nWR, t.nWR + 1, t.nRTP, t.nCCD_S, t.nCCD_L,
                     t.nRFC + 10, t.nRTRS);
  ini += fmt::format("[power]\nVDD = {}\nIDD0 = {}\nIPP0 = 0\nIDD2P = {}\nIDD2N = {}\nIDD3P = {}\nIDD3N = {}\n"
                     "IDD4W = {}\nIDD4R = {}\nIDD5AB = {}\nIDD6x = {}\n\n",
                     p.VDD, p.IDD0, p.IDD2N, p.IDD2N, p.IDD3N, p.IDD3N, p.IDD4W, p.IDD4R, p.IDD5B, p.IDD2N);
  ini += fmt::format("[system]\nchannel_size = {}\nchannels = {}\nbus_width = {}\naddress_mapping = {}\n"
                     "queue_structure = PER_BANK\nrefresh_policy = RANK_LEVEL_SIMULTANEOUS\nrow_buf_policy = {}\n"
                     "cmd_queue_size = 8\ntrans_queue_size = {}\n\n",
                     channel_mb, o.channels, o.bus_width, mapping_of(s.address_mapping),
                     s.open_page ? "OPEN_PAGE" : "CLOSE_PAGE", s.queue);
  ini += "[other]\nepoch_period = 100000\noutput_level = 1\n";
  return ini;
}

}  // namespace npusim::traces
