// Noc: the on-chip network between the cores of a dataflow NPU, as a TLM-2.0 target.
//
// Contract:
//  - A transaction is a write of `data_length` bytes from core `source(address)` to core
//    `destination(address)` (address = source << 16 | destination), sent with b_transport;
//    the returned delay is when its last byte arrives (loosely timed, from the caller's
//    current time).
//  - Multicast: a transaction carrying a MulticastExtension goes to every core it lists (the
//    address's destination is ignored): the union of the routes (a tree under XY routing)
//    is reserved once, its bytes counted once, and the delay is the last arrival.
//  - Routes: mesh — cores row-major on NocConfig::mesh_grid, X then Y; ring — the shorter
//    way round (clockwise on a tie). Every transfer also crosses its source's injection and
//    its destination's ejection port.
//  - Each directed link moves link_bytes_per_cycle bytes per PE cycle and each hop adds
//    hop_cycles. Transfers are wormhole-routed: the head enters link l at
//    max(head time at the previous link + hop, when l is free) and holds l for
//    ceil(bytes / link_bytes_per_cycle) cycles, so a busy link delays whatever follows it
//    (back-pressure between transfers); reservations are granted in call order.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "npusim/hw/config/pipeline_config.hpp"

namespace npusim::hw::dataflow {

/// The destinations of a multicast transfer.
struct MulticastExtension : tlm::tlm_extension<MulticastExtension> {
  std::vector<int> destinations;
  tlm::tlm_extension_base* clone() const override { return new MulticastExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    destinations = static_cast<const MulticastExtension&>(other).destinations;
  }
};

struct NocCounters {
  std::uint64_t transfers = 0, multicasts = 0, bytes = 0, byte_hops = 0;
  std::uint64_t contention_cycles = 0;  ///< cycles heads waited for busy links
};

class Noc : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Noc> socket;

  Noc(sc_core::sc_module_name name, const NocConfig& config, int cores, sc_core::sc_time period);

  static std::uint64_t address(int source, int destination) {
    return static_cast<std::uint64_t>(source) << 16 | static_cast<std::uint64_t>(destination);
  }
  /// The directed links a transfer from `a` to `b` crosses (mesh or ring), in order,
  /// without the injection and ejection ports.
  std::vector<int> route(int a, int b) const;
  /// Directed links between routers (a mesh's rows x (cols - 1) + cols x (rows - 1), both
  /// ways; a ring's cores, both ways).
  int links() const;
  const NocCounters& counters() const { return counters_; }

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  int link(int node, int dir) const { return node * 4 + dir; }  ///< mesh: 0 E, 1 W, 2 S, 3 N; ring: 0 cw, 1 ccw
  /// route(a, b) appended to `path`.
  void append_route(int a, int b, std::vector<int>& path) const;

  NocConfig config_;
  int cores_, rows_ = 1, cols_ = 1;
  sc_core::sc_time period_;
  std::vector<std::uint64_t> free_;  ///< per link (then injection, ejection ports): first free cycle
  NocCounters counters_;
  // b_transport's scratch, kept so that a transfer allocates nothing.
  std::vector<int> path_;
  std::vector<std::pair<int, std::uint64_t>> taken_;
};

}  // namespace npusim::hw::dataflow
