// The energy model: shipped tables load, SRAM interpolation is log-log through the table's
// points, every component scales as its counter does, totals are the sum of their parts,
// and bad tables are errors naming the field.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "npusim/energy/energy_model.hpp"
#include "npusim/hw/config/arch_config.hpp"

namespace {

using namespace npusim;
using energy::EnergyCounts;
using energy::EnergyModel;
using energy::EnergyTableError;

energy::EnergyTable table(const std::string& name) {
  return energy::load_energy_table(hw::energy_table_path(name, "test"));
}

EnergyCounts some_counts() {
  EnergyCounts c;
  c.macs = 1000;
  c.rf_reads = 1000;
  c.rf_writes = 40;
  c.vector_ops = 300;
  c.dma_bytes = 4096;
  c.sram = {{"global", 500, 120}};
  c.dram_pj = 12345.5;
  c.time_ns = 2000;
  return c;
}

TEST(EnergyTable, ShippedTablesLoad) {
  const auto names = hw::energy_table_names();
  ASSERT_GE(names.size(), 2u);
  for (const auto& n : names) {
    const auto t = table(n);
    EXPECT_EQ(t.name, n);
    EXPECT_GT(t.mac_pj.at(hw::pe::Precision::Int8), 0);
  }
  // The newer node is cheaper per MAC and per SRAM access.
  EXPECT_LT(table("7nm").mac_pj.at(hw::pe::Precision::Int8), table("45nm").mac_pj.at(hw::pe::Precision::Int8));
  EXPECT_LT(table("7nm").sram_pj_per_64bit(64), table("45nm").sram_pj_per_64bit(64));
}

TEST(EnergyTable, SramInterpolationIsLogLogThroughThePoints) {
  const auto t = table("45nm");
  for (const auto& [kib, pj] : t.sram_points) EXPECT_NEAR(t.sram_pj_per_64bit(kib), pj, 1e-9 * pj);
  // Between two points, the geometric mean of the sizes costs the geometric mean of the energies.
  const auto& a = t.sram_points[0];
  const auto& b = t.sram_points[1];
  EXPECT_NEAR(t.sram_pj_per_64bit(std::sqrt(a.first * b.first)), std::sqrt(a.second * b.second), 1e-9);
  double last = 0;
  for (double kib = 1; kib <= 65536; kib *= 2) {
    const double e = t.sram_pj_per_64bit(kib);
    EXPECT_GT(e, last) << kib;
    last = e;
  }
}

TEST(EnergyModel, HandComputedComponents) {
  const auto arch = hw::load_arch_config("edge-32x32");  // int8, WS, 1024 KiB in 16 banks, 16-B ports
  const auto t = table("45nm");
  const EnergyModel m(t, arch);
  const auto e = m.price(some_counts());
  EXPECT_DOUBLE_EQ(e.get("mac"), 1000 * t.mac_pj.at(hw::pe::Precision::Int8));
  // WS: the stationary weight register is 8 bits; per MAC an 8-bit input moves right and a
  // 32-bit partial sum moves down.
  EXPECT_NEAR(e.get("pe_registers"), ((1000 + 40) * 8 + 1000 * (8 + 32)) * t.register_pj_per_bit, 1e-9);
  const double bank_kib = 1024.0 / 16;
  const double word = t.sram_pj_per_64bit(bank_kib) * 128 / 64;
  EXPECT_NEAR(e.get("sram"), word * (500 + 120 * t.sram_write_factor), 1e-9);
  EXPECT_DOUBLE_EQ(e.get("vector"), 300 * t.vector_op_pj);
  EXPECT_DOUBLE_EQ(e.get("dma"), 4096 * t.dma_pj_per_byte);
  EXPECT_DOUBLE_EQ(e.get("dram"), 12345.5);
  EXPECT_NEAR(e.get("leakage_pe"), 1024 * t.leakage_mw_per_pe.at(hw::pe::Precision::Int8) * 2000, 1e-6);
  EXPECT_NEAR(e.get("leakage_sram"), 1024 * t.leakage_mw_per_sram_kib * 2000, 1e-6);
}

TEST(EnergyModel, EachComponentScalesWithItsCounter) {
  const auto arch = hw::load_arch_config("edge-16x16");
  const EnergyModel m(table("45nm"), arch);
  const EnergyCounts base = some_counts();
  const auto e0 = m.price(base);
  auto doubled = [&](auto mutate) {
    EnergyCounts c = base;
    mutate(c);
    return m.price(c);
  };
  const auto macs = doubled([](EnergyCounts& c) { c.macs *= 2; });
  EXPECT_DOUBLE_EQ(macs.get("mac"), 2 * e0.get("mac"));
  const auto regs = doubled([](EnergyCounts& c) { c.macs *= 2; c.rf_reads *= 2; c.rf_writes *= 2; });
  EXPECT_NEAR(regs.get("pe_registers"), 2 * e0.get("pe_registers"), 1e-9);
  const auto sram = doubled([](EnergyCounts& c) { c.sram[0].word_reads *= 2; c.sram[0].word_writes *= 2; });
  EXPECT_NEAR(sram.get("sram"), 2 * e0.get("sram"), 1e-9);
  EXPECT_DOUBLE_EQ(sram.get("mac"), e0.get("mac"));
  const auto vec = doubled([](EnergyCounts& c) { c.vector_ops *= 2; });
  EXPECT_DOUBLE_EQ(vec.get("vector"), 2 * e0.get("vector"));
  const auto dma = doubled([](EnergyCounts& c) { c.dma_bytes *= 2; });
  EXPECT_DOUBLE_EQ(dma.get("dma"), 2 * e0.get("dma"));
  const auto dram = doubled([](EnergyCounts& c) { c.dram_pj *= 2; });
  EXPECT_DOUBLE_EQ(dram.get("dram"), 2 * e0.get("dram"));
  const auto time = doubled([](EnergyCounts& c) { c.time_ns *= 2; });
  EXPECT_DOUBLE_EQ(time.get("leakage_pe"), 2 * e0.get("leakage_pe"));
  EXPECT_DOUBLE_EQ(time.get("leakage_sram"), 2 * e0.get("leakage_sram"));
  EXPECT_DOUBLE_EQ(time.get("mac"), e0.get("mac"));
}

TEST(EnergyModel, TotalsAreTheSumOfTheirParts) {
  const auto arch = hw::load_arch_config("server-128x128");  // split input/weight/output buffers
  ASSERT_TRUE(arch.sram.split);
  const EnergyModel m(table("7nm"), arch);
  EnergyCounts c = some_counts();
  c.sram = {{"input", 700, 80}, {"weight", 300, 30}, {"output", 50, 400}};
  const auto e = m.price(c);
  double sum = 0;
  for (const auto& [name, pj] : e.parts) sum += pj;
  EXPECT_DOUBLE_EQ(e.total_pj(), sum);
  EXPECT_EQ(e.parts.size(), 8u);
  // Pricing is linear: two spans priced apart add up to the two priced together.
  EnergyCounts twice = c;
  twice.macs *= 2; twice.rf_reads *= 2; twice.rf_writes *= 2; twice.vector_ops *= 2; twice.dma_bytes *= 2;
  for (auto& s : twice.sram) { s.word_reads *= 2; s.word_writes *= 2; }
  twice.dram_pj *= 2; twice.time_ns *= 2;
  auto sum_of_two = e;
  sum_of_two += e;
  EXPECT_NEAR(m.price(twice).total_pj(), sum_of_two.total_pj(), 1e-9 * sum_of_two.total_pj());
}

TEST(EnergyModel, OutputStationaryChargesTheAccumulatorRegister) {
  const auto ws = hw::load_arch_config("edge-16x16", {"pe.dataflow=ws"});
  const auto os = hw::load_arch_config("edge-16x16", {"pe.dataflow=os"});
  const auto t = table("45nm");
  EnergyCounts c;
  c.rf_reads = 100;
  EXPECT_NEAR(EnergyModel(t, ws).price(c).get("pe_registers"), 100 * 8 * t.register_pj_per_bit, 1e-12);
  EXPECT_NEAR(EnergyModel(t, os).price(c).get("pe_registers"), 100 * 32 * t.register_pj_per_bit, 1e-12);
}

class BadTable : public ::testing::Test {
 protected:
  std::string write(const std::function<void(nlohmann::json&)>& edit) {
    std::ifstream in(hw::energy_table_path("45nm", "test"));
    nlohmann::json doc = nlohmann::json::parse(in);
    edit(doc);
    const auto path = std::filesystem::temp_directory_path() / "npusim_bad_energy.json";
    std::ofstream(path) << doc.dump();
    return path.string();
  }
  void expect_error(const std::function<void(nlohmann::json&)>& edit, const std::string& field) {
    const std::string path = write(edit);
    try {
      energy::load_energy_table(path);
      FAIL() << "no error for " << field;
    } catch (const EnergyTableError& e) {
      EXPECT_NE(std::string(e.what()).find("field '" + field + "'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
};

TEST_F(BadTable, ErrorsNameTheField) {
  expect_error([](auto& d) { d.erase("mac_pj"); }, "mac_pj");
  expect_error([](auto& d) { d["mac_pj"].erase("fp16"); }, "mac_pj.fp16");
  expect_error([](auto& d) { d["mac_pj"]["int8"] = -1; }, "mac_pj.int8");
  expect_error([](auto& d) { d["sram_pj_per_64bit"] = {{32, 20}, {8, 10}}; }, "sram_pj_per_64bit[1]");
  expect_error([](auto& d) { d["accumulator_bits"] = "wide"; }, "accumulator_bits");
  expect_error([](auto& d) { d["leakage_mw_per_sram_kib"] = -0.5; }, "leakage_mw_per_sram_kib");
  EXPECT_THROW(energy::load_energy_table("/no/such/table.json"), EnergyTableError);
}

TEST(ArchEnergyField, UnknownTechnologyIsAnErrorNamingTheField) {
  try {
    hw::load_arch_config("edge-32x32", {"energy.technology=3nm"});
    FAIL();
  } catch (const hw::ArchConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("field 'energy.technology'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(hw::load_arch_config("edge-32x32", {"energy.technology=7nm"}).energy.technology, "7nm");
}

}  // namespace
