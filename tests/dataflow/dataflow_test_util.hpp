// Small networks and pipelined architectures for the dataflow tests.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/workloads/graph.hpp"

namespace npusim::test {

/// dataflow-16x8x8's cores (8x8 WS at 1 GHz), `cores` of them with `sram_kib` each, 64
/// vector lanes, a host link so fast it never limits (unless `link_gbps` says otherwise).
inline hw::ArchConfig dataflow_arch(int cores, int sram_kib = 1024, double link_gbps = 1000, bool contexts = true) {
  nlohmann::json doc = hw::load_arch_config("dataflow-16x8x8").doc;
  doc["cores"]["count"] = cores;
  doc["sram"]["global_kib"] = sram_kib;
  doc["vector"]["lanes"] = 64;
  doc["offchip"] = {{"kind", "host_link"}, {"link_gbytes_per_s", link_gbps}, {"link_latency_ns", 0}};
  doc.erase("dram");
  doc.erase("dma");
  doc["pipeline"]["contexts"] = contexts;
  return hw::arch_config_from_json(doc, "test-arch");
}

/// A chain of 1x1 convolutions without activations on a C0 x H x W input: layer i has
/// out_channels[i] channels (its cost on one 8x8 core is ceil(C_in/8) x ceil(C_out/8) folds
/// of band_rows x W cycles per band).
inline workloads::Graph pointwise_chain(std::int64_t c0, std::int64_t h, std::int64_t w,
                                        const std::vector<std::int64_t>& out_channels) {
  workloads::Graph g("chain");
  int prev = g.add(workloads::input_layer("input", {1, c0, h, w}));
  for (std::size_t i = 0; i < out_channels.size(); ++i)
    prev = g.add(workloads::conv_layer("c" + std::to_string(i), prev, out_channels[i], workloads::Window::square(1), 1,
                                       false, false, workloads::Activation::None));
  return g;
}

/// `n` 3x3 (padding 1) convolutions without activations, `c` channels each, on a c x h x h
/// input: `name` "one" is a single layer "conv", else layers c0, c1, ...; c x c x 9 weight
/// bytes each.
inline workloads::Graph conv3x3_chain(const std::string& name, std::int64_t c, std::int64_t h, int n) {
  workloads::Graph g(name);
  int prev = g.add(workloads::input_layer("input", {1, c, h, h}));
  for (int i = 0; i < n; ++i)
    prev = g.add(workloads::conv_layer(n == 1 ? std::string("conv") : "c" + std::to_string(i), prev, c,
                                       workloads::Window::square(3, 1, 1), 1, false, false, workloads::Activation::None));
  return g;
}

}  // namespace npusim::test
