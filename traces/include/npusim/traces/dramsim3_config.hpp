// A DRAMsim3 configuration (.ini) describing the memory a request trace came from, so the
// trace replays in DRAMsim3 (umd-memsys/DRAMsim3, src/configuration.cc) unchanged: the same
// protocol, organization, timings, currents, channels, address mapping, page policy and
// transaction queue. Fields npusim does not model (power-down and self-refresh timings and
// currents, DDR4 fine-granularity refresh) get neutral values, said in the file.
#pragma once

#include <string>

#include "npusim/hw/dram/dram_spec.hpp"

namespace npusim::traces {

struct DramSim3Settings {
  std::string address_mapping = "ro,ra,ba,co,bg,ch";  ///< npusim's MSB-to-LSB field list
  bool open_page = true;
  int queue = 32;  ///< transaction queue entries per channel
};

/// The .ini text; throws std::invalid_argument if the standard or mapping has no DRAMsim3 form.
std::string dramsim3_ini(const hw::dram::DramSpec& spec, const DramSim3Settings& settings);

}  // namespace npusim::traces
