#include "run_options.hpp"

#include "npusim/sim/provenance.hpp"

#include <fmt/format.h>

#include "npusim/mapping/schedule_json.hpp"
#include "npusim/workloads/network_io.hpp"

namespace npusim::cli {

void read_input_size(const Args& args, const char* command, workloads::LoadOptions& load) {
  const auto text = args.get("input");
  if (!text) return;
  const auto size = workloads::parse_input_size(*text);
  if (!size)
    throw UsageError(fmt::format("npusim {}: --input expects N or HxW, each in [1, 16384], got '{}'", command, *text));
  load.input = size->first;
  if (size->second != size->first) load.input_width = size->second;
}

RunInputs read_run_inputs(const Args& args, const char* command) {
  RunInputs in;
  in.net_spec = args.get_or("net", kDefaultNet);
  workloads::LoadOptions load;
  read_input_size(args, command, load);
  load.batch = 1;
  in.graph = workloads::load_network(in.net_spec, load);
  in.arch = hw::load_arch_config(args.get_or("arch", kDefaultArch), args.all("set"));
  in.energy = std::make_shared<const energy::EnergyModel>(
      energy::load_energy_table(hw::energy_table_path(in.arch.energy.technology, in.arch.name)), in.arch);
  mapping::MapOptions& m = in.map_options;
  // The mapper's energy objective prices MACs and SRAM bytes as the energy model does.
  energy::EnergyCounts one_mac;
  one_mac.macs = 1;
  one_mac.rf_reads = 1;
  const energy::EnergyBreakdown e = in.energy->price(one_mac);
  const hw::BufferConfig& operand_buffer = in.arch.sram.buffers.front();  // global or input
  energy::EnergyCounts one_cycle;  // leakage: a slower tiling costs energy too
  one_cycle.time_ns = 1e3 / in.arch.pe.freq_mhz;
  const energy::EnergyBreakdown idle = in.energy->price(one_cycle);
  m.energy = mapping::EnergyCosts{e.get("mac") + e.get("pe_registers"),
                                  in.energy->sram_word_pj(operand_buffer.name) / operand_buffer.port_bytes,
                                  idle.get("leakage_pe") + idle.get("leakage_sram")};
  if (auto file = args.get("schedule")) {
    if (in.arch.pipelined()) mapping::load_pipeline_schedule(*file, in.pipeline);
    else mapping::load_schedule_file(*file, m);
  }
  if (args.get("frames")) in.pipeline.frames = static_cast<int>(args.get_int("frames", 8, 1, 4096));
  if (args.get("batch")) m.batch = static_cast<int>(args.get_int("batch", 1, 1, 4096));
  if (auto r = args.get("reuse"); r && !mapping::parse_reuse(*r, m.reuse))
    throw UsageError(fmt::format("npusim {}: --reuse '{}': expected none or liveness", command, *r));
  if (auto o = args.get("objective"); o && !mapping::parse_objective(*o, m.objective))
    throw UsageError(fmt::format("npusim {}: --objective '{}': expected traffic, latency, energy or edp",
                                 command, *o));
  return in;
}

nlohmann::json run_provenance(const RunInputs& in) {
  nlohmann::json p = sim::build_provenance();
  p["network"] = sim::network_provenance(in.net_spec, in.graph.name());
  p["effective_config"] = sim::effective_config(in.arch, in.energy.get());
  return p;
}

}  // namespace npusim::cli
