#include "run_options.hpp"

#include <fmt/format.h>

#include "npusim/mapping/schedule_json.hpp"
#include "npusim/workloads/network_io.hpp"

namespace npusim::cli {

RunInputs read_run_inputs(const Args& args, const char* command) {
  RunInputs in;
  in.net_spec = args.get_or("net", kDefaultNet);
  workloads::LoadOptions load;
  if (args.get("input")) load.input = static_cast<int>(args.get_int("input", 0, 1, 16384));
  load.batch = 1;
  in.graph = workloads::load_network(in.net_spec, load);
  in.arch = hw::load_arch_config(args.get_or("arch", kDefaultArch), args.all("set"));
  mapping::MapOptions& m = in.map_options;
  if (auto file = args.get("schedule")) mapping::load_schedule_file(*file, m);
  if (args.get("batch")) m.batch = static_cast<int>(args.get_int("batch", 1, 1, 4096));
  if (auto r = args.get("reuse"); r && !mapping::parse_reuse(*r, m.reuse))
    throw UsageError(fmt::format("npusim {}: --reuse '{}': expected none or liveness", command, *r));
  if (auto o = args.get("objective"); o && !mapping::parse_objective(*o, m.objective))
    throw UsageError(fmt::format("npusim {}: --objective '{}': expected traffic, latency, energy or edp",
                                 command, *o));
  return in;
}

}  // namespace npusim::cli
