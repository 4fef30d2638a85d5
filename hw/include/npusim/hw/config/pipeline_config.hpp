// PipelineConfig: the fields of a layer-pipelined (dataflow) NPU — `execution: pipelined` —
// beside the per-core PE array, vector unit and SRAM that `pe`, `vector` and `sram` describe:
//   cores    how many identical cores (each with the pe/vector/sram of the config, at
//            pe.freq_mhz), and their static power beyond PE and SRAM leakage;
//   noc      the on-chip network between cores: mesh (cores row-major on the squarest
//            grid, XY routing) or ring (shortest direction), bytes per cycle per link,
//            cycles per hop, dynamic energy per byte and hop, static power per link;
//   offchip  where inputs, outputs, context weights and spilled activations go: the DRAM of
//            the `dram` section, or a host link (bandwidth, latency, energy per byte, static
//            power; e.g. PCIe Gen3 x4);
//   pipeline whether contexts are allowed when the network does not fit on chip, and the
//            band height (output rows per band; 0: chosen per layer).
#pragma once

#include <string>
#include <utility>

namespace npusim::hw {

enum class Execution { Sequential, Pipelined };
const char* to_string(Execution e);

enum class NocTopology { Mesh, Ring };
const char* to_string(NocTopology t);

enum class OffchipKind { Dram, HostLink };
const char* to_string(OffchipKind k);

struct CoresConfig {
  int count = 1;
  double static_mw = 0;  ///< per core: control, clock tree, NoC interface (beyond PE/SRAM leakage)
};

struct NocConfig {
  NocTopology topology = NocTopology::Mesh;
  int link_bytes_per_cycle = 16;  ///< per direction, PE clock
  int hop_cycles = 1;             ///< router + link latency of one hop
  double pj_per_byte_hop = 0;     ///< dynamic energy of one byte crossing one link
  double static_mw_per_link = 0;
  /// The grid of a mesh of `cores`: the squarest rows x cols with rows <= cols.
  static std::pair<int, int> mesh_grid(int cores);
};

struct OffchipConfig {
  OffchipKind kind = OffchipKind::Dram;
  // Host link only.
  double link_gbytes_per_s = 0;  ///< per direction (full duplex)
  double link_latency_ns = 0;    ///< one way, per transfer
  double link_pj_per_byte = 0;
  double link_static_mw = 0;
};

struct PipelineConfig {
  CoresConfig cores;
  NocConfig noc;
  OffchipConfig offchip;
  bool contexts = true;  ///< split a network that does not fit into contexts
  int band_rows = 0;     ///< output rows per band; 0: per layer (docs/dataflow.md)
};


}  // namespace npusim::hw
