// ArchConfig: one NPU architecture — PE array, vector unit, on-chip SRAM, DMA and DRAM —
// loaded from a JSON preset (configs/arch/*.json) and validated on load. Every field has a
// stable dotted path (pe.rows, sram.global_kib, dram.standard, ...) that `--set PATH=VALUE`
// and sweeps use.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "npusim/hw/config/pipeline_config.hpp"
#include "npusim/hw/dram/channel_controller.hpp"
#include "npusim/hw/dram/dram_spec.hpp"
#include "npusim/hw/pe/array_timing.hpp"
#include "npusim/hw/pe/pe_types.hpp"

namespace npusim::hw {

/// A config that cannot be used: names the file, the field and what was expected.
class ArchConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  /// An error about one field: `field` is its dotted path ("pe.rows").
  ArchConfigError(const std::string& what, std::string field) : std::runtime_error(what), field_(std::move(field)) {}
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

struct PeConfig {
  int rows = 0, cols = 0;
  pe::Dataflow dataflow = pe::Dataflow::WS;
  double freq_mhz = 0;
  pe::Precision precision = pe::Precision::Int8;
  pe::PeTiming timing = pe::PeTiming::Native;       ///< cycles as npusim's array or SCALE-Sim
  pe::OsDrain os_drain = pe::OsDrain::Overlapped;  ///< OS: separate output chain or not
  /// The array as the timing models take it.
  pe::ArrayConfig array() const { return {{rows, cols}, dataflow, timing, os_drain}; }
};

struct VectorConfig {
  int lanes = 0;  ///< elements per cycle (runs on the PE array's clock)
};

/// One on-chip buffer: capacity, banks, port width per bank, access latencies.
struct BufferConfig {
  std::string name;  ///< "global", "input", "weight", "output"
  std::int64_t kib = 0;
  int banks = 0;
  int port_bytes = 0;  ///< bytes per cycle per bank
  int read_latency = 0, write_latency = 0;  ///< cycles
  std::int64_t bytes() const { return kib * 1024; }
};

struct SramConfig {
  bool split = false;                 ///< separate input/weight/output buffers, else global
  std::vector<BufferConfig> buffers;  ///< one ("global") or three (input, weight, output)
};

struct DmaConfig {
  int burst_bytes = 0;  ///< bytes per TLM transaction
  int outstanding = 0;  ///< transactions in flight
};

struct DramConfig {
  std::string standard;  ///< a preset name of configs/dram/
  int channels = 0;      ///< overrides the preset's channel count
  std::string page_policy = "open";
  std::string mapping = "ro,ra,ba,co,bg,ch";
  int queue = 32;
};

struct EnergyConfig {
  /// A technology table: a name of configs/energy/ ("45nm", "7nm") or a .json path.
  std::string technology = "45nm";
};

/// `execution: sequential` (one array, layers one after another; the default) or
/// `pipelined` (cores, each with the pe/vector/sram below, layers placed in space; the
/// `pipeline` fields).
struct ArchConfig {
  std::string name, description;
  Execution execution = Execution::Sequential;
  PipelineConfig pipeline;  ///< pipelined only
  PeConfig pe;              ///< pipelined: each core's array
  VectorConfig vector;
  SramConfig sram;
  DmaConfig dma;
  DramConfig dram;  ///< absent (standard "") on a pipelined NPU whose off-chip side is a host link
  EnergyConfig energy;
  bool pipelined() const { return execution == Execution::Pipelined; }
  bool has_dram() const { return !dram.standard.empty(); }
  nlohmann::json doc;  ///< the validated document (after overrides), for reports
};

ArchConfig arch_config_from_json(const nlohmann::json& doc, const std::string& source);
/// A preset name (configs/arch/NAME.json) or a file path; `overrides` are PATH=VALUE.
ArchConfig load_arch_config(const std::string& name_or_path,
                            const std::vector<std::string>& overrides = {});
std::vector<std::string> arch_preset_names();
/// Names of the technology tables in configs/energy/.
std::vector<std::string> energy_table_names();
/// The file of a technology name or path; throws ArchConfigError naming the field if none.
std::string energy_table_path(const std::string& technology, const std::string& source);
/// The DRAM standard the config names, with its channel count.
dram::DramSpec arch_dram_spec(const ArchConfig& arch);
/// The DRAM controller settings of the config (page policy, queue depths).
dram::ControllerConfig arch_controller_config(const ArchConfig& arch);
/// Every dotted path `--set` and sweeps accept on every preset (docs/compute.md lists them).
const std::vector<std::string>& arch_field_paths();
/// Sets the field at a dotted path (one of arch_field_paths() or present in the document)
/// to `value` (parsed as JSON if it is
/// JSON, else taken as a string). Throws ArchConfigError naming the path.
void apply_override(nlohmann::json& doc, const std::string& assignment, const std::string& source);

}  // namespace npusim::hw
