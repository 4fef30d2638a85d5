// A Ramulator 2 configuration (YAML) describing the memory a request trace came from, so
// the `LD|ST <addr>` trace replays in Ramulator 2.0 (CMU-SAFARI/ramulator2, the YAML-driven
// release: LoadStoreTrace frontend, GenericDRAM memory system, Generic controller) with
// npusim's organization, timings, page policy and the nearest of Ramulator 2's address
// mappers. Ramulator 2 has no LPDDR4 model and models HBM2 in pseudo-channel mode only, so
// only DDR4 memories get a configuration.
#pragma once

#include <string>

#include "npusim/hw/dram/dram_spec.hpp"

namespace npusim::traces {

struct Ramulator2Settings {
  std::string trace_path;                              ///< written as the frontend's `path`
  std::string address_mapping = "ro,ra,ba,co,bg,ch";  ///< npusim's MSB-to-LSB field list
  bool open_page = true;
};

/// The YAML text; throws std::invalid_argument naming why when the memory has no Ramulator 2 form.
std::string ramulator2_yaml(const hw::dram::DramSpec& spec, const Ramulator2Settings& settings);

}  // namespace npusim::traces
