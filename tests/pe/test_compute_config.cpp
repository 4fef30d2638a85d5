// Architecture presets and their validation, the vector unit's costs and the SRAM buffer's
// capacity, banking and counters.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/hw/sram/sram_buffer.hpp"
#include "npusim/hw/vector/vector_unit.hpp"

namespace npusim::hw {
namespace {

/// The dotted paths a page of docs/ documents for --set (its "Fields (dotted paths" list):
/// compute.md those of every NPU, dataflow.md those of pipelined NPUs.
std::set<std::string> documented_paths(const std::string& page = "compute.md") {
  std::ifstream f(NPUSIM_DOCS_DIR "/" + page);
  std::stringstream text;
  text << f.rdbuf();
  const std::string doc = text.str();
  const auto start = doc.find("Fields (dotted paths");
  const auto end = doc.find("A missing, negative", start);
  EXPECT_NE(start, std::string::npos);
  const std::string list = doc.substr(start, end - start);
  std::set<std::string> paths;
  const std::regex field("`([a-z_]+(\\.[a-z_]+)?)`");
  for (auto it = std::sregex_iterator(list.begin(), list.end(), field); it != std::sregex_iterator(); ++it)
    paths.insert((*it)[1]);
  return paths;
}

TEST(ArchConfig, EveryDocumentedFieldIsSettableOnEveryPreset) {
  const std::set<std::string> doc = documented_paths(), dataflow = documented_paths("dataflow.md");
  std::set<std::string> both = doc;
  both.insert(dataflow.begin(), dataflow.end());
  const std::set<std::string> code(arch_field_paths().begin(), arch_field_paths().end());
  EXPECT_EQ(both, code) << "docs/compute.md + docs/dataflow.md and arch_field_paths() list different fields";
  // A valid value for each field (the SRAM sizes with the organization they belong to).
  const std::map<std::string, std::vector<std::string>> settings = {
      {"pe.rows", {"pe.rows=24"}}, {"pe.cols", {"pe.cols=24"}}, {"pe.dataflow", {"pe.dataflow=os"}},
      {"pe.freq_mhz", {"pe.freq_mhz=700"}}, {"pe.precision", {"pe.precision=int16"}},
      {"pe.timing", {"pe.timing=scalesim"}}, {"pe.os_drain", {"pe.os_drain=serial"}},
      {"vector.lanes", {"vector.lanes=16"}}, {"sram.organization", {"sram.organization=global", "sram.global_kib=512"}},
      {"sram.global_kib", {"sram.organization=global", "sram.global_kib=256"}},
      {"sram.input_kib", {"sram.organization=split", "sram.input_kib=128", "sram.weight_kib=128", "sram.output_kib=64"}},
      {"sram.weight_kib", {"sram.organization=split", "sram.input_kib=64", "sram.weight_kib=256", "sram.output_kib=64"}},
      {"sram.output_kib", {"sram.organization=split", "sram.input_kib=64", "sram.weight_kib=64", "sram.output_kib=256"}},
      {"sram.banks", {"sram.banks=8"}}, {"sram.port_bytes", {"sram.port_bytes=8"}},
      {"sram.read_latency", {"sram.read_latency=4"}}, {"sram.write_latency", {"sram.write_latency=3"}},
      {"dma.burst_bytes", {"dma.burst_bytes=256"}}, {"dma.outstanding", {"dma.outstanding=4"}},
      {"dram.standard", {"dram.standard=DDR4-2400"}}, {"dram.channels", {"dram.channels=2"}},
      {"dram.page_policy", {"dram.page_policy=closed"}}, {"dram.mapping", {"dram.mapping=ro,ba,ra,co,ch,bg"}},
      {"dram.queue", {"dram.queue=16"}}, {"energy.technology", {"energy.technology=7nm"}},
      {"execution", {"execution=pipelined"}}, {"cores.count", {"cores.count=4"}},
      {"cores.static_mw", {"cores.static_mw=3.5"}}, {"noc.topology", {"noc.topology=ring"}},
      {"noc.link_bytes_per_cycle", {"noc.link_bytes_per_cycle=8"}}, {"noc.hop_cycles", {"noc.hop_cycles=3"}},
      {"noc.pj_per_byte_hop", {"noc.pj_per_byte_hop=0.5"}}, {"noc.static_mw_per_link", {"noc.static_mw_per_link=0.25"}},
      {"offchip.kind", {"offchip.kind=host_link", "offchip.link_gbytes_per_s=2", "offchip.link_latency_ns=500"}},
      {"offchip.link_gbytes_per_s", {"offchip.kind=host_link", "offchip.link_latency_ns=500", "offchip.link_gbytes_per_s=8"}},
      {"offchip.link_latency_ns", {"offchip.kind=host_link", "offchip.link_gbytes_per_s=2", "offchip.link_latency_ns=700"}},
      {"offchip.link_pj_per_byte", {"offchip.kind=host_link", "offchip.link_gbytes_per_s=2", "offchip.link_latency_ns=500", "offchip.link_pj_per_byte=5"}},
      {"offchip.link_static_mw", {"offchip.kind=host_link", "offchip.link_gbytes_per_s=2", "offchip.link_latency_ns=500", "offchip.link_static_mw=50"}},
      {"pipeline.contexts", {"pipeline.contexts=false"}}, {"pipeline.band_rows", {"pipeline.band_rows=2"}}};
  for (const std::string& preset : arch_preset_names())
    for (const std::string& path : code) {
      const ArchConfig base = load_arch_config(preset);
      // Pipelined fields belong to pipelined presets; DRAM and DMA fields to NPUs with a DRAM.
      if (dataflow.count(path) && !base.pipelined()) continue;
      if ((path.rfind("dram.", 0) == 0 || path.rfind("dma.", 0) == 0) && !base.has_dram()) continue;
      if (path == "offchip.kind" && !base.has_dram()) continue;  // host link to host link
      if (path.rfind("offchip.link", 0) == 0 && base.has_dram()) continue;  // covered by offchip.kind
      SCOPED_TRACE(preset + " --set " + path);
      const auto it = settings.find(path);
      ASSERT_NE(it, settings.end()) << "no test value for " << path;
      ArchConfig a;
      ASSERT_NO_THROW(a = load_arch_config(preset, it->second));
      // The value took effect: the document holds what was set.
      const std::string& last = it->second.back();
      const std::string key = last.substr(0, last.find('=')), value = last.substr(last.find('=') + 1);
      const std::string sec = key.substr(0, key.find('.')), field = key.substr(key.find('.') + 1);
      const auto& v = key.find('.') == std::string::npos ? a.doc[key] : a.doc[sec][field];
      EXPECT_EQ(v.is_string() ? v.get<std::string>() : v.dump(), value);
    }
}

TEST(ArchConfig, UnknownKeysAreErrorsWithTheNearestFieldSuggested) {
  auto error = [](nlohmann::json doc) {
    try {
      arch_config_from_json(doc, "a.json");
    } catch (const ArchConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  nlohmann::json doc = load_arch_config("tiny-8x8").doc;
  EXPECT_EQ(error(doc), "no error");  // every key of a preset is known
  doc["pe"]["colss"] = 8;
  EXPECT_EQ(error(doc), "a.json: field 'pe.colss': unknown (did you mean 'pe.cols'?)");
  doc = load_arch_config("tiny-8x8").doc;
  doc["sram"]["global_kb"] = 64;
  EXPECT_EQ(error(doc), "a.json: field 'sram.global_kb': unknown (did you mean 'sram.global_kib'?)");
  doc = load_arch_config("tiny-8x8").doc;
  doc["dramm"] = doc["dram"];
  EXPECT_EQ(error(doc), "a.json: field 'dramm': unknown (did you mean 'dram'?)");
}

TEST(ArchConfig, PresetsLoadWithTheirDocumentedShapes) {
  const ArchConfig e = load_arch_config("edge-32x32");
  EXPECT_EQ(e.pe.rows, 32);
  EXPECT_EQ(e.pe.cols, 32);
  EXPECT_EQ(e.pe.dataflow, pe::Dataflow::WS);
  EXPECT_DOUBLE_EQ(e.pe.freq_mhz, 1000);
  ASSERT_EQ(e.sram.buffers.size(), 1u);
  EXPECT_EQ(e.sram.buffers[0].bytes(), 1 << 20);
  EXPECT_EQ(e.dram.standard, "LPDDR4-3200");
  const ArchConfig s = load_arch_config("server-128x128");
  EXPECT_TRUE(s.sram.split);
  std::int64_t total = 0;
  for (const auto& b : s.sram.buffers) total += b.kib;
  EXPECT_EQ(total, 24 * 1024);
  EXPECT_EQ(s.dram.standard, "HBM2");
  EXPECT_EQ(load_arch_config("edge-16x16").pe.rows, 16);
  EXPECT_EQ(load_arch_config("tiny-8x8").pe.cols, 8);
}

TEST(ArchConfig, OverridesByDottedPathAreValidated) {
  const ArchConfig a = load_arch_config("edge-32x32", {"pe.rows=64", "pe.dataflow=os",
                                                       "sram.global_kib=512"});
  EXPECT_EQ(a.pe.rows, 64);
  EXPECT_EQ(a.pe.dataflow, pe::Dataflow::OS);
  EXPECT_EQ(a.sram.buffers[0].kib, 512);
  auto error = [](std::vector<std::string> o) {
    try {
      load_arch_config("edge-32x32", o);
    } catch (const ArchConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error({"pe.rows=-4"}).find("field 'pe.rows': expected an integer in [1, 4096], got -4"),
            std::string::npos);
  EXPECT_NE(error({"pe.dataflow=diagonal"}).find("field 'pe.dataflow'"), std::string::npos);
  EXPECT_NE(error({"pe.colour=3"}).find("no field 'pe.colour'"), std::string::npos);
  EXPECT_NE(error({"dram.standard=DDR9"}).find("field 'dram.standard'"), std::string::npos);
  EXPECT_NE(error({"dram.channels=3"}).find("a power of two"), std::string::npos);
  EXPECT_NE(error({"sram.port_bytes=3"}).find("multiple of banks x port_bytes"),
            std::string::npos);
  EXPECT_NE(error({"pe"}).find("expected PATH=VALUE"), std::string::npos);
  EXPECT_THROW(load_arch_config("no-such-arch"), ArchConfigError);
}

TEST(VectorUnit, CostsFollowTheDocumentedOpCounts) {
  using namespace vector;
  // 3x3 max pool to 16x16x32 outputs on 32 lanes: 9 ops per output.
  VectorOpShape pool{VectorOp::MaxPool, 16 * 16 * 32, 32 * 32 * 32, 9, 1, ActivationKind::None};
  const VectorCounters c = vector_cost(pool, 32, 3);
  EXPECT_EQ(c.ops, 9 * 16 * 16 * 32);
  EXPECT_EQ(c.cycles, 9 * 16 * 16 + 3);
  EXPECT_EQ(c.element_writes, 16 * 16 * 32);
  // An add of two tensors with a fused ReLU: 1 add + 1 activation per element.
  VectorOpShape add{VectorOp::Add, 1000, 2000, 1, 2, ActivationKind::Relu};
  EXPECT_EQ(vector_cost(add, 10, 0).cycles, 200);
  // Swish costs four times ReLU.
  VectorOpShape sw{VectorOp::Activation, 4096, 4096, 1, 1, ActivationKind::Swish};
  VectorOpShape re = sw;
  re.activation = ActivationKind::Relu;
  EXPECT_EQ(vector_cost(sw, 16, 0).cycles, 4 * vector_cost(re, 16, 0).cycles);
  // A standalone batch-norm (multiply, add) with a ReLU: 3 ops per element, one read each.
  VectorOpShape bn{VectorOp::ScaleShift, 1000, 1000, 1, 1, ActivationKind::Relu};
  EXPECT_EQ(vector_cost(bn, 10, 0).cycles, 300);
  EXPECT_EQ(vector_cost(bn, 10, 0).element_reads, 1000);
  // A layer norm: sum, sum of squares, subtract, scale by 1/sigma, scale, shift: 6 per element.
  VectorOpShape ln{VectorOp::LayerNorm, 1000, 1000, 1, 1, ActivationKind::None};
  EXPECT_EQ(vector_cost(ln, 10, 0).cycles, 600);
}

BufferConfig buffer(std::int64_t kib, int banks, int port) {
  BufferConfig b;
  b.name = "global";
  b.kib = kib;
  b.banks = banks;
  b.port_bytes = port;
  b.read_latency = 2;
  b.write_latency = 1;
  return b;
}

TEST(SramBuffer, CapacityIsEnforcedWithAClearError) {
  sram::SramBuffer b(buffer(64, 4, 16));
  b.allocate("weights", 40 * 1024);
  try {
    b.allocate("inputs", 16 * 1024, /*double_buffered=*/true);
    FAIL() << "a 32 KiB ping-pong fitted in 24 KiB";
  } catch (const sram::SramCapacityError& e) {
    EXPECT_NE(std::string(e.what()).find("'inputs' needs 32768 bytes (double-buffered) but only "
                                         "24576 of 65536 bytes are free"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(b.allocate("inputs", 12 * 1024, true), 40 * 1024);
  EXPECT_EQ(b.free_bytes(), 0);
  b.release("weights");
  EXPECT_EQ(b.allocate("w2", 1024), 0);  // first fit reuses the freed space
  EXPECT_EQ(b.counters().peak_occupancy_bytes, 64 * 1024);
}

TEST(SramBuffer, BankConflictsCostCycles) {
  sram::SramBuffer b(buffer(64, 4, 16));
  // 256 contiguous bytes = 16 words over 4 banks: 4 cycles + read latency, no conflict.
  EXPECT_EQ(b.access(0, 256, false), 4 + 2);
  EXPECT_EQ(b.counters().bank_conflict_cycles, 0);
  // The same 16 words with a stride of 4 words all land in one bank: 16 cycles.
  EXPECT_EQ(b.access(0, 256, false, 64), 16 + 2);
  EXPECT_EQ(b.counters().bank_conflict_cycles, 12);
  // Unaligned contiguous access: 5 words from word 3 -> banks 3,0,1,2,3: 2 cycles.
  EXPECT_EQ(b.access(48, 80, true), 2 + 1);
  EXPECT_EQ(b.counters().reads, 2);
  EXPECT_EQ(b.counters().writes, 1);
  EXPECT_EQ(b.counters().bytes_read, 512);
}

}  // namespace
}  // namespace npusim::hw
