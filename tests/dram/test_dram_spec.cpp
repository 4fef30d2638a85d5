// DRAM presets load with the organization they claim; bad presets and mappings are refused
// with a message naming the file and the field.
#include <gtest/gtest.h>

#include <fstream>
#include <limits>

#include "npusim/hw/dram/address_mapping.hpp"
#include "npusim/hw/dram/dram_spec.hpp"

namespace npusim::hw::dram {
namespace {

TEST(DramSpec, PresetsHaveTheirStandardsPeakBandwidthAndCapacity) {
  const DramSpec ddr4 = load_dram_preset("DDR4-2400");
  EXPECT_DOUBLE_EQ(ddr4.peak_gbps(), 19.2);
  EXPECT_EQ(ddr4.org.total_bytes(), 16ULL << 30);  // 2 ranks x 8 devices x 8 Gb
  EXPECT_EQ(ddr4.org.burst_bytes(), 64);
  EXPECT_NEAR(ddr4.timing.tCK_ns(), 0.8333, 1e-3);
  const DramSpec lp = load_dram_preset("LPDDR4-3200");
  EXPECT_DOUBLE_EQ(lp.peak_gbps(), 12.8);
  EXPECT_EQ(lp.org.burst_bytes(), 64);
  EXPECT_EQ(lp.org.total_bytes(), 1ULL << 30);  // two x16 channels of 4 Gb
  const DramSpec hbm = load_dram_preset("HBM2");
  EXPECT_DOUBLE_EQ(hbm.peak_gbps(), 256.0);
  EXPECT_EQ(hbm.org.burst_bytes(), 64);
  EXPECT_EQ(hbm.org.total_bytes(), 4ULL << 30);  // 8 channels x 4 Gb
}

nlohmann::json preset_json() {
  std::ifstream in(config_dir() + "/dram/DDR4-2400.json");
  return nlohmann::json::parse(in);
}

std::string error_of(const nlohmann::json& doc) {
  try {
    dram_spec_from_json(doc, "bad.json");
  } catch (const DramSpecError& e) {
    return e.what();
  }
  return "";
}

TEST(DramSpec, RefusesMissingZeroNegativeAndInconsistentTimings) {
  auto doc = preset_json();
  doc["timing"].erase("nRCD");
  EXPECT_EQ(error_of(doc),
            "bad.json: field 'timing.nRCD': expected a whole number of cycles (the field is "
            "missing)");
  doc = preset_json();
  doc["timing"]["nRP"] = 0;
  EXPECT_EQ(error_of(doc), "bad.json: field 'timing.nRP': expected a whole number of cycles in [1, 1000000], got 0");
  doc = preset_json();
  doc["timing"]["nCL"] = -3;
  EXPECT_NE(error_of(doc).find("'timing.nCL'"), std::string::npos);
  doc = preset_json();
  doc["timing"]["nRC"] = 40;
  EXPECT_EQ(error_of(doc), "bad.json: field 'timing.nRC': expected >= nRAS + nRP = 55 (got 40)");
  doc = preset_json();
  doc["organization"]["banks_per_group"] = 3;
  EXPECT_NE(error_of(doc).find("'organization.banks_per_group': expected a power of two"),
            std::string::npos);
  doc = preset_json();
  doc["power"]["IDD4R"] = "lots";
  EXPECT_NE(error_of(doc).find("'power.IDD4R'"), std::string::npos);
}

TEST(DramSpec, SizesBeyondWhatTheModelRepresentsAreRefusedWithTheRange) {
  // 2^53 rows or ranks once overflowed the capacity and divided by zero; 2^63 wrapped negative.
  for (const char* field : {"rows", "ranks", "channels", "columns"}) {
    for (const std::int64_t v : {std::int64_t{1} << 53, std::numeric_limits<std::int64_t>::max()}) {
      auto doc = preset_json();
      doc["organization"][field] = v;
      const std::string e = error_of(doc);
      EXPECT_NE(e.find(std::string("'organization.") + field + "': expected a power of two in [1, "),
                std::string::npos) << e;
    }
  }
  auto doc = preset_json();
  doc["timing"]["data_rate_mtps"] = 1e12;
  EXPECT_EQ(error_of(doc), "bad.json: field 'timing.data_rate_mtps': expected a number in (0, 100000], got 1000000000000.0");
  doc = preset_json();
  doc["timing"]["nREFI"] = 1e7;
  EXPECT_NE(error_of(doc).find("'timing.nREFI': expected a whole number of cycles in [1, 1000000]"), std::string::npos);
}

TEST(DramSpec, UnknownKeysAreErrorsWithTheNearestFieldSuggested) {
  auto doc = preset_json();
  doc["timing"]["nRCDD"] = 10;  // a typo: the preset's nRCD would silently stay in force
  EXPECT_EQ(error_of(doc), "bad.json: field 'timing.nRCDD': unknown (did you mean 'timing.nRCD'?)");
  doc = preset_json();
  doc["organisation"] = doc["organization"];
  EXPECT_EQ(error_of(doc), "bad.json: field 'organisation': unknown (did you mean 'organization'?)");
  doc = preset_json();
  doc["power"]["frobnicate"] = 1;  // nothing near: the known fields are listed
  EXPECT_NE(error_of(doc).find("field 'power.frobnicate': unknown (known: power.VDD, power.IDD0"), std::string::npos);
}

TEST(DramSpec, MissingFileAndUnknownStandardAreNamed) {
  EXPECT_THROW(load_dram_spec_file("/no/such/preset.json"), DramSpecError);
  try {
    load_dram_preset("DDR9-9999");
    FAIL();
  } catch (const DramSpecError& e) {
    EXPECT_NE(std::string(e.what()).find("DDR9-9999"), std::string::npos);
  }
}

TEST(AddressMapping, DefaultInterleavesBankGroupsThenColumns) {
  const DramSpec s = load_dram_preset("DDR4-2400");
  const AddressMapping m(s.org);
  // Consecutive 64-byte bursts walk the four bank groups, then the next column.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(m.decode(64ULL * i).bank_group, static_cast<unsigned>(i));
  EXPECT_EQ(m.decode(256).column, 1u);
  EXPECT_EQ(m.decode(256).bank_group, 0u);
  // decode and encode are inverses over the whole capacity.
  for (std::uint64_t a = 0; a < s.org.total_bytes(); a += 0x12345640ULL) {
    EXPECT_EQ(m.encode(m.decode(a)), a);
  }
  const DramAddress top = m.decode(s.org.total_bytes() - 64);
  EXPECT_EQ(top.row, 65535u);
  EXPECT_EQ(top.rank, 1u);
}

TEST(AddressMapping, RefusesUnknownRepeatedOrMissingFields) {
  const DramSpec s = load_dram_preset("DDR4-2400");
  EXPECT_THROW(AddressMapping(s.org, "ro,ra,ba,co,bg,xx"), DramSpecError);
  EXPECT_THROW(AddressMapping(s.org, "ro,ra,ba,co,bg,bg"), DramSpecError);
  EXPECT_THROW(AddressMapping(s.org, "ro,ra,ba,co"), DramSpecError);
  EXPECT_NO_THROW(AddressMapping(s.org, "ch,ra,ba,bg,ro,co"));
}

}  // namespace
}  // namespace npusim::hw::dram
