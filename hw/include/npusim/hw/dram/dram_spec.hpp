// DramSpec: one DRAM standard's organization, timing and currents, loaded from a JSON
// preset (configs/dram/*.json) and validated on load.
//
// All timings are in cycles of the DRAM command clock (tCK). Names follow JEDEC: nCL is the
// read latency, nCWL the write latency, nBL the cycles one burst occupies the data bus.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace npusim::hw::dram {

/// A preset that cannot be used: the message names the file, the field and what was expected.
class DramSpecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DramOrganization {
  int channels = 1;
  int ranks = 1;
  int bank_groups = 1;
  int banks_per_group = 1;
  std::int64_t rows = 0;
  int columns = 0;        ///< columns of one device row
  int device_width = 0;   ///< bits per device (x8, x16, x128)
  int bus_width = 0;      ///< bits of one channel's data bus
  int burst_length = 0;   ///< beats per column access

  int banks_per_rank() const { return bank_groups * banks_per_group; }
  int devices_per_rank() const { return bus_width / device_width; }
  /// Bytes moved by one column access (one burst on the channel's bus).
  int burst_bytes() const { return bus_width / 8 * burst_length; }
  /// Column accesses in one row.
  int bursts_per_row() const { return columns / burst_length; }
  std::uint64_t channel_bytes() const {
    return static_cast<std::uint64_t>(ranks) * banks_per_rank() * rows * bursts_per_row() *
           burst_bytes();
  }
  std::uint64_t total_bytes() const { return channel_bytes() * channels; }
};

struct DramTiming {
  double data_rate_mtps = 0;  ///< transfers per second per pin, in millions
  int nCL = 0, nCWL = 0, nRCD = 0, nRP = 0, nRAS = 0, nRC = 0, nRTP = 0, nWR = 0;
  int nWTR_S = 0, nWTR_L = 0, nRTW = 0, nCCD_S = 0, nCCD_L = 0, nRRD_S = 0, nRRD_L = 0;
  int nFAW = 0, nBL = 0, nRFC = 0, nREFI = 0, nRTRS = 0;

  /// Clock period in ns (double data rate: two transfers per clock).
  double tCK_ns() const { return 2000.0 / data_rate_mtps; }
};

/// Device currents (mA) and supply (V) for the IDD-based energy model (Micron TN-41-01,
/// DRAMPower). They are per device; a rank has devices_per_rank() of them.
struct DramPower {
  double VDD = 0, IDD0 = 0, IDD2N = 0, IDD3N = 0, IDD4R = 0, IDD4W = 0, IDD5B = 0;
};

struct DramSpec {
  std::string standard;  ///< "DDR4-2400", "LPDDR4-3200", "HBM2"
  std::string source;    ///< where the numbers come from
  DramOrganization org;
  DramTiming timing;
  DramPower power;
  /// The validated document (channels as applied), for reports' effective configuration.
  nlohmann::json doc;

  /// Peak data bandwidth of all channels, GB/s (10^9 bytes per second).
  double peak_gbps() const {
    return timing.data_rate_mtps * 1e6 * org.bus_width / 8.0 * org.channels / 1e9;
  }
};

/// Parses and validates a preset; `source` names the file in errors. Checks every field is
/// present, positive and consistent (nRC >= nRAS + nRP, nBL = burst_length / 2, power-of-two
/// organization, device width dividing the bus...).
DramSpec dram_spec_from_json(const nlohmann::json& doc, const std::string& source);
DramSpec load_dram_spec_file(const std::string& path);
/// A shipped preset by standard name (DDR4-2400, LPDDR4-3200, HBM2), from configs/dram/.
DramSpec load_dram_preset(const std::string& standard);
/// The standard names of the shipped presets.
std::vector<std::string> dram_preset_names();
/// Directory of the shipped configs (NPUSIM_CONFIG_DIR, else the source tree's configs/).
std::string config_dir();

}  // namespace npusim::hw::dram
