#include "npusim/hw/dataflow/noc.hpp"

#include <algorithm>
#include <span>

namespace npusim::hw::dataflow {

Noc::Noc(sc_core::sc_module_name name, const NocConfig& config, int cores, sc_core::sc_time period)
    : sc_core::sc_module(name), socket("socket"), config_(config), cores_(cores), period_(period) {
  if (config.topology == NocTopology::Mesh) std::tie(rows_, cols_) = NocConfig::mesh_grid(cores);
  free_.assign(static_cast<std::size_t>(cores) * 4 + 2 * static_cast<std::size_t>(cores), 0);
  socket.register_b_transport(this, &Noc::b_transport);
}

int Noc::links() const {
  if (config_.topology == NocTopology::Ring) return cores_ > 1 ? 2 * cores_ : 0;
  return 2 * (rows_ * (cols_ - 1) + cols_ * (rows_ - 1));
}

std::vector<int> Noc::route(int a, int b) const {
  std::vector<int> path;
  append_route(a, b, path);
  return path;
}

void Noc::append_route(int a, int b, std::vector<int>& path) const {
  if (config_.topology == NocTopology::Ring) {
    const int cw = ((b - a) % cores_ + cores_) % cores_, ccw = cores_ - cw;
    const bool clockwise = cw <= ccw;
    for (int n = a; n != b; n = clockwise ? (n + 1) % cores_ : (n + cores_ - 1) % cores_)
      path.push_back(link(n, clockwise ? 0 : 1));
    return;
  }
  int x = a % cols_, y = a / cols_;
  const int bx = b % cols_, by = b / cols_;
  for (; x != bx; x += bx > x ? 1 : -1) path.push_back(link(y * cols_ + x, bx > x ? 0 : 1));
  for (; y != by; y += by > y ? 1 : -1) path.push_back(link(y * cols_ + x, by > y ? 2 : 3));
}

void Noc::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const int src = static_cast<int>(p.get_address() >> 16);
  const int unicast = static_cast<int>(p.get_address() & 0xffff);
  MulticastExtension* multicast = nullptr;
  p.get_extension(multicast);
  const std::span<const int> dsts = multicast ? std::span<const int>(multicast->destinations)
                                              : std::span<const int>(&unicast, 1);
  bool valid = src >= 0 && src < cores_ && p.get_data_length() > 0 && !dsts.empty();
  for (int d : dsts) valid = valid && d >= 0 && d < cores_ && d != src;
  if (!valid) {
    p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const std::uint64_t bytes = p.get_data_length();
  const auto bw = static_cast<std::uint64_t>(config_.link_bytes_per_cycle);
  const std::uint64_t hold = (bytes + bw - 1) / bw, hop = static_cast<std::uint64_t>(config_.hop_cycles);
  const sc_core::sc_time start_time = sc_core::sc_time_stamp() + delay;
  const std::uint64_t t0 = static_cast<std::uint64_t>(start_time / period_ + 0.5);
  // Each link of the tree is reserved once; a route reuses the head time of links it shares.
  std::vector<std::pair<int, std::uint64_t>>& taken = taken_;  // (link, head time)
  taken.clear();
  std::uint64_t last = 0, links = 0;
  for (int dst : dsts) {
    std::vector<int>& path = path_;
    path.assign(1, cores_ * 4 + src);  // the injection port, the route, the ejection port
    append_route(src, dst, path);
    path.push_back(cores_ * 4 + cores_ + dst);
    std::uint64_t t = t0;
    for (std::size_t i = 0; i < path.size(); ++i) {
      const auto seen = std::find_if(taken.begin(), taken.end(), [&](const auto& x) { return x.first == path[i]; });
      if (seen != taken.end()) {
        t = seen->second;
        continue;
      }
      std::uint64_t& free = free_[static_cast<std::size_t>(path[i])];
      const std::uint64_t ready = t + (i > 0 ? hop : 0);
      if (free > ready) counters_.contention_cycles += free - ready;
      t = std::max(ready, free);
      free = t + hold;
      taken.emplace_back(path[i], t);
      if (i > 0 && i + 1 < path.size()) ++links;
    }
    last = std::max(last, t + hold);
  }
  ++counters_.transfers;
  if (multicast) ++counters_.multicasts;
  counters_.bytes += bytes;
  counters_.byte_hops += bytes * links;
  delay = period_ * static_cast<double>(last) - sc_core::sc_time_stamp();
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace npusim::hw::dataflow
