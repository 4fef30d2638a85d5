// What every libFuzzer harness of npusim's parsers shares. A parser may reject its input
// only with one of npusim's input errors (what the CLI reports as "bad input", exit 2);
// any other exception, a crash, a sanitizer report or a hang is a finding.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <string_view>

#include "npusim/energy/energy_table.hpp"
#include "npusim/hw/config/arch_config.hpp"
#include "npusim/hw/dram/dram_spec.hpp"
#include "npusim/mapping/layer_mapper.hpp"
#include "npusim/sweep/sweep_spec.hpp"
#include "npusim/traces/address_trace.hpp"
#include "npusim/workloads/graph.hpp"
#include "npusim/workloads/network_io.hpp"

namespace npusim::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// The input as a file (for parsers that read paths); one per process, rewritten each run.
inline const std::string& as_file(const std::uint8_t* data, std::size_t size, const char* extension) {
  static const std::string path =
      std::string("/tmp/npusim-fuzz-") + std::to_string(getpid()) + extension;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                 static_cast<std::streamsize>(size));
  return path;
}

/// Runs `parse`; returns normally if it succeeded or rejected the input as bad input.
template <typename F>
void expect_clean(F&& parse) {
  try {
    parse();
  } catch (const workloads::NetworkInputError&) {
  } catch (const workloads::GraphError&) {
  } catch (const hw::ArchConfigError&) {
  } catch (const hw::dram::DramSpecError&) {
  } catch (const energy::EnergyTableError&) {
  } catch (const sweep::SweepSpecError&) {
  } catch (const mapping::MappingError&) {
  } catch (const traces::TraceError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "finding: an exception that is not an input error: %s\n", e.what());
    std::abort();
  }
}

}  // namespace npusim::fuzz
