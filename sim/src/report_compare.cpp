#include "npusim/sim/report_compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

namespace npusim::sim {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

/// The per-layer and total metrics compared, in report order. Energy components come from
/// `energy_breakdown_pj` as "energy.<component>_pj".
const char* const kMetrics[] = {
    "cycles", "compute_cycles", "stall_cycles", "stall_dram_cycles", "stall_sram_cycles",
    "stall_vector_cycles", "macs", "vector_ops", "pe_utilization", "dram_read_bytes",
    "dram_write_bytes", "dram_input_read_bytes", "dram_input_write_bytes",
    "dram_weight_read_bytes", "dram_weight_write_bytes", "dram_output_read_bytes",
    "dram_output_write_bytes", "dram_psum_read_bytes", "dram_psum_write_bytes",
    "dram_spill_read_bytes", "dram_spill_write_bytes", "sram_read_bytes", "sram_write_bytes",
    "energy_pj"};

/// Stall cycles by cause are per layer in a report; their totals are the layers' sums.
void add_stall_totals(json& totals, const json& layers) {
  for (const char* k : {"stall_dram_cycles", "stall_sram_cycles", "stall_vector_cycles"}) {
    if (totals.contains(k)) continue;
    bool any = false;
    double sum = 0;
    for (const json& l : layers)
      if (l.contains(k) && l[k].is_number()) sum += l[k].get<double>(), any = true;
    if (any) totals[k] = sum;
  }
}

void compare_object(const json& a, const json& b, const std::string& scope, double tol,
                    std::vector<MetricDelta>& out, Comparison& c, bool keep_equal) {
  auto one = [&](const std::string& metric, const json& va, const json* vb) {
    if (!va.is_number()) return;
    MetricDelta d{scope, metric, va.get<double>(), 0, vb == nullptr || !vb->is_number()};
    if (!d.missing) d.b = vb->get<double>();
    ++c.compared;
    const bool differs = d.missing || std::abs(d.relative()) > tol;  // tol 0: any difference
    if (differs) ++c.beyond;
    if (keep_equal || d.missing || d.a != d.b) out.push_back(d);
  };
  for (const char* k : kMetrics)
    if (a.contains(k)) one(k, a[k], b.contains(k) ? &b[k] : nullptr);
  if (a.contains("energy_breakdown_pj") && a["energy_breakdown_pj"].is_object()) {
    const json empty = json::object();
    const json& eb = b.contains("energy_breakdown_pj") ? b["energy_breakdown_pj"] : empty;
    for (const auto& [part, v] : a["energy_breakdown_pj"].items())
      one("energy." + part + "_pj", v, eb.contains(part) ? &eb[part] : nullptr);
  }
}

json read_json(const fs::path& p) {
  std::ifstream f(p);
  if (!f) throw CompareInputError(fmt::format("{}: cannot open the file", p.string()));
  std::stringstream s;
  s << f.rdbuf();
  json doc = json::parse(s.str(), nullptr, false);
  if (doc.is_discarded()) throw CompareInputError(fmt::format("{}: not valid JSON", p.string()));
  return doc;
}

json read_report(const fs::path& p) {
  json doc = read_json(p);
  if (!doc.is_object() || !doc.contains("totals") || !doc["totals"].is_object() || !doc.contains("layers") ||
      !doc["layers"].is_array())
    throw CompareInputError(fmt::format(
        "{}: expected a report (report.json of npusim run, or a golden) with 'totals' and 'layers'", p.string()));
  return doc;
}

/// The ok points of a sweep folder, keyed by network and settings.
std::map<std::string, fs::path> sweep_points(const fs::path& dir) {
  std::map<std::string, fs::path> points;
  bool any_file = false;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("results", 0) != 0 || e.path().extension() != ".jsonl") continue;
    any_file = true;
    std::ifstream f(e.path());
    std::string line;
    int no = 0;
    while (std::getline(f, line)) {
      ++no;
      if (line.empty()) continue;
      const json r = json::parse(line, nullptr, false);
      if (r.is_discarded() || !r.is_object() || !r.contains("id") || !r.contains("net"))
        throw CompareInputError(fmt::format("{}:{}: expected a sweep result line with 'id' and 'net'",
                                            e.path().string(), no));
      if (r.value("status", "") != "ok") continue;
      const std::string key = r["net"].get<std::string>() + " " + r.value("settings", json::object()).dump();
      points[key] = dir / "points" / r["id"].get<std::string>() / "report.json";
    }
  }
  if (!any_file) throw CompareInputError(fmt::format("{}: no results*.jsonl in the sweep folder", dir.string()));
  return points;
}

enum class Kind { Report, Sweep };

Kind kind_of(const fs::path& p, fs::path& report) {
  if (fs::is_directory(p)) {
    if (fs::exists(p / "report.json")) {
      report = p / "report.json";
      return Kind::Report;
    }
    for (const auto& e : fs::directory_iterator(p))
      if (e.path().filename().string().rfind("results", 0) == 0 && e.path().extension() == ".jsonl")
        return Kind::Sweep;
    throw CompareInputError(fmt::format(
        "{}: expected a run folder (with report.json) or a sweep folder (with results.jsonl)", p.string()));
  }
  if (!fs::exists(p)) throw CompareInputError(fmt::format("{}: no such file or folder", p.string()));
  report = p;
  return Kind::Report;
}

std::string number(double v) {
  if (std::abs(v) >= 1e15 || (v != std::floor(v))) return fmt::format("{:.6g}", v);
  return fmt::format("{:.0f}", v);
}

std::string percent(const MetricDelta& d) {
  if (d.missing) return "missing in B";
  const double r = d.relative();
  if (std::isinf(r)) return "new";
  return fmt::format("{:+.3f}%", 100 * r);
}

json delta_json(const MetricDelta& d) {
  json j{{"scope", d.scope}, {"metric", d.metric}, {"a", d.a}};
  if (d.missing) {
    j["b"] = nullptr;
    j["missing"] = true;
  } else {
    j["b"] = d.b;
    j["delta"] = d.delta();
    const double r = d.relative();
    j["relative"] = std::isinf(r) ? json(nullptr) : json(r);
  }
  return j;
}

}  // namespace

double MetricDelta::relative() const {
  if (a == b) return 0;
  if (a == 0) return std::numeric_limits<double>::infinity();
  return (b - a) / std::abs(a);
}

void compare_reports(const json& a_in, const json& b_in, const std::string& prefix, Comparison& c) {
  json ta = a_in["totals"], tb = b_in["totals"];
  add_stall_totals(ta, a_in["layers"]);
  add_stall_totals(tb, b_in["layers"]);
  compare_object(ta, tb, prefix + "totals", c.tolerance, c.totals, c, true);
  std::map<std::string, const json*> by_name;
  for (const json& l : b_in["layers"])
    if (l.contains("name")) by_name[l["name"].get<std::string>()] = &l;
  for (const json& l : a_in["layers"]) {
    if (!l.contains("name")) continue;
    const std::string name = l["name"].get<std::string>();
    const auto it = by_name.find(name);
    if (it == by_name.end()) {
      c.missing.push_back(prefix + "layer " + name);
      continue;
    }
    compare_object(l, *it->second, prefix + name, c.tolerance, c.layers, c, false);
  }
}

Comparison compare_paths(const std::string& a, const std::string& b, double tolerance) {
  Comparison c;
  c.a = a;
  c.b = b;
  c.tolerance = tolerance;
  fs::path ra, rb;
  const Kind ka = kind_of(a, ra), kb = kind_of(b, rb);
  if (ka != kb)
    throw CompareInputError(fmt::format("npusim compare: {} is a {} and {} a {}: compare runs with runs, sweeps "
                                        "with sweeps", a, ka == Kind::Sweep ? "sweep" : "run", b,
                                        kb == Kind::Sweep ? "sweep" : "run"));
  if (ka == Kind::Report) {
    compare_reports(read_report(ra), read_report(rb), "", c);
    return c;
  }
  const auto pa = sweep_points(a), pb = sweep_points(b);
  for (const auto& [key, path] : pa) {
    const auto it = pb.find(key);
    if (it == pb.end()) {
      c.missing.push_back("point " + key);
      continue;
    }
    compare_reports(read_report(path), read_report(it->second), "point " + key + " / ", c);
  }
  return c;
}

json comparison_to_json(const Comparison& c) {
  json j{{"schema", "npusim-compare/1"}, {"a", c.a},          {"b", c.b},
         {"tolerance", c.tolerance},     {"within", c.within()}, {"compared", c.compared},
         {"beyond_tolerance", c.beyond}, {"missing", c.missing}};
  j["totals"] = json::array();
  for (const MetricDelta& d : c.totals) j["totals"].push_back(delta_json(d));
  j["layers"] = json::array();
  for (const MetricDelta& d : c.layers) j["layers"].push_back(delta_json(d));
  return j;
}

std::string comparison_text(const Comparison& c, std::size_t max_layer_lines) {
  std::string s = fmt::format("npusim compare\n  A {}\n  B {}\n", c.a, c.b);
  std::string scope;
  for (const MetricDelta& d : c.totals) {
    if (d.scope != scope) {
      scope = d.scope;
      s += fmt::format("\n{:<34} {:>18} {:>18} {:>14}\n", scope, "A", "B", "B vs A");
    }
    s += fmt::format("  {:<32} {:>18} {:>18} {:>14}\n", d.metric, number(d.a), d.missing ? "-" : number(d.b),
                     percent(d));
  }
  if (!c.layers.empty()) {
    std::vector<MetricDelta> worst = c.layers;
    std::stable_sort(worst.begin(), worst.end(), [](const MetricDelta& x, const MetricDelta& y) {
      return std::abs(x.relative()) > std::abs(y.relative());
    });
    s += fmt::format("\nper-layer differences ({} metrics differ; the largest {}):\n", worst.size(),
                     std::min(worst.size(), max_layer_lines));
    for (std::size_t i = 0; i < worst.size() && i < max_layer_lines; ++i) {
      const MetricDelta& d = worst[i];
      s += fmt::format("  {:<40} {:<26} {:>14} {:>14} {:>14}\n", d.scope, d.metric, number(d.a),
                       d.missing ? "-" : number(d.b), percent(d));
    }
  }
  for (const std::string& m : c.missing) s += fmt::format("\nmissing in B: {}\n", m);
  s += fmt::format("\n{} metrics compared, {} beyond the tolerance {}: {}\n", c.compared, c.beyond, c.tolerance,
                   c.within() ? "within tolerance" : "DIFFERENT");
  return s;
}

}  // namespace npusim::sim
