#include "npusim/energy/energy_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

namespace npusim::energy {

using nlohmann::json;
using hw::pe::Precision;

namespace {

struct Reader {
  const std::string& path;
  [[noreturn]] void fail(const std::string& field, const std::string& expected) const {
    throw EnergyTableError(fmt::format("{}: field '{}': expected {}", path, field, expected));
  }
  /// Every entry is an energy (pJ), a size or a leakage: up to 1e9, far above any real
  /// value, so the products with a run's counts stay finite.
  double positive(const json& j, const std::string& field, bool zero_ok = false) const {
    constexpr double kMax = 1e9;
    if (!j.is_number() || j.get<double>() < 0 || (!zero_ok && j.get<double>() == 0) || j.get<double>() > kMax)
      fail(field, fmt::format("a {} number up to {:g}, got {}", zero_ok ? "non-negative" : "positive", kMax, j.dump()));
    return j.get<double>();
  }
  const json& at(const json& doc, const std::string& key) const {
    if (!doc.contains(key)) fail(key, "a value (the field is missing)");
    return doc[key];
  }
  std::map<Precision, double> per_precision(const json& doc, const std::string& key) const {
    const json& j = at(doc, key);
    if (!j.is_object()) fail(key, "an object with int8, int16 and fp16");
    std::map<Precision, double> m;
    for (Precision p : {Precision::Int8, Precision::Int16, Precision::Fp16}) {
      const std::string name = hw::pe::to_string(p);
      if (!j.contains(name)) fail(key + "." + name, "a positive number (the field is missing)");
      m[p] = positive(j[name], key + "." + name);
    }
    return m;
  }
};

}  // namespace

double EnergyTable::sram_pj_per_64bit(double kib) const {
  const auto& p = sram_points;
  if (p.size() == 1) return p[0].second;
  std::size_t i = 1;
  while (i + 1 < p.size() && kib > p[i].first) ++i;
  const double x0 = std::log(p[i - 1].first), x1 = std::log(p[i].first);
  const double y0 = std::log(p[i - 1].second), y1 = std::log(p[i].second);
  return std::exp(y0 + (std::log(kib) - x0) * (y1 - y0) / (x1 - x0));
}

EnergyTable load_energy_table(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw EnergyTableError(path + ": cannot open the energy table");
  const json doc = json::parse(f, nullptr, false);
  Reader r{path};
  if (doc.is_discarded() || !doc.is_object()) throw EnergyTableError(path + ": not a JSON object");
  EnergyTable t;
  t.source = path;
  t.name = doc.contains("name") && doc["name"].is_string() ? doc["name"].get<std::string>() : path;
  t.mac_pj = r.per_precision(doc, "mac_pj");
  t.register_pj_per_bit = r.positive(r.at(doc, "register_pj_per_bit"), "register_pj_per_bit", true);
  const json& acc = r.at(doc, "accumulator_bits");
  if (!acc.is_number_integer() || acc.get<int>() < 8 || acc.get<int>() > 64)
    r.fail("accumulator_bits", "an integer in [8, 64]");
  t.accumulator_bits = acc.get<int>();
  const json& pts = r.at(doc, "sram_pj_per_64bit");
  if (!pts.is_array() || pts.empty()) r.fail("sram_pj_per_64bit", "a list of [KiB, pJ] points");
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const std::string field = fmt::format("sram_pj_per_64bit[{}]", i);
    if (!pts[i].is_array() || pts[i].size() != 2) r.fail(field, "a [KiB, pJ] pair");
    const double kib = r.positive(pts[i][0], field), pj = r.positive(pts[i][1], field);
    if (!t.sram_points.empty() && kib <= t.sram_points.back().first)
      r.fail(field, "sizes in increasing order");
    t.sram_points.emplace_back(kib, pj);
  }
  t.sram_write_factor = r.positive(r.at(doc, "sram_write_factor"), "sram_write_factor");
  t.vector_op_pj = r.positive(r.at(doc, "vector_op_pj"), "vector_op_pj", true);
  t.dma_pj_per_byte = r.positive(r.at(doc, "dma_pj_per_byte"), "dma_pj_per_byte", true);
  t.leakage_mw_per_pe = r.per_precision(doc, "leakage_mw_per_pe");
  t.leakage_mw_per_sram_kib = r.positive(r.at(doc, "leakage_mw_per_sram_kib"), "leakage_mw_per_sram_kib", true);
  return t;
}

}  // namespace npusim::energy
