#include "npusim/sweep/sweep_spec.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/mapping/layer_schedule.hpp"
#include "npusim/mapping/network_mapper.hpp"
#include "npusim/workloads/graph.hpp"
#include "npusim/workloads/network_io.hpp"
#include "npusim/workloads/network_io.hpp"

namespace npusim::sweep {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

const std::set<std::string> kRunFields = {"net", "reuse", "batch", "objective", "input", "frames"};

struct Fail {
  const std::string& source;
  [[noreturn]] void operator()(const std::string& field, const std::string& expected) const {
    throw SweepSpecError(fmt::format("{}: field '{}': expected {}", source, field, expected));
  }
};

/// One axis: the fields it sets together and its values (one JSON value per field each).
struct Axis {
  std::vector<std::string> fields;
  std::vector<std::vector<json>> values;
};

std::vector<json> range_values(const json& r, const std::string& where, const Fail& fail) {
  if (!r.is_object() || !r.contains("from") || !r.contains("to") || !r["from"].is_number() ||
      !r["to"].is_number())
    fail(where, "an object with numbers 'from' and 'to' and a 'step' or 'times'");
  const bool ints = r["from"].is_number_integer() && r["to"].is_number_integer();
  const double from = r["from"].get<double>(), to = r["to"].get<double>();
  if (from > to) fail(where + ".to", "a number >= from");
  std::vector<json> out;
  auto push = [&](double v) {
    if (out.size() >= 10000) fail(where, "at most 10000 values");
    if (ints)
      out.emplace_back(static_cast<std::int64_t>(std::llround(v)));
    else
      out.emplace_back(v);
  };
  if (r.contains("step")) {
    if (!r["step"].is_number() || r["step"].get<double>() <= 0) fail(where + ".step", "a positive number");
    const double step = r["step"].get<double>();
    for (double v = from; v <= to + 1e-9 * std::abs(to); v += step) push(v);
  } else if (r.contains("times")) {
    if (!r["times"].is_number() || r["times"].get<double>() <= 1) fail(where + ".times", "a number > 1");
    if (from <= 0) fail(where + ".from", "a positive number for a geometric range");
    for (double v = from; v <= to * (1 + 1e-9); v *= r["times"].get<double>()) push(v);
  } else {
    fail(where, "a 'step' or a 'times'");
  }
  return out;
}

Axis read_axis(const json& a, std::size_t i, const Fail& fail) {
  const std::string where = fmt::format("axes[{}]", i);
  if (!a.is_object() || !a.contains("field")) fail(where + ".field", "a field path or a list of them");
  Axis axis;
  if (a["field"].is_string()) {
    axis.fields.push_back(a["field"]);
  } else if (a["field"].is_array() && !a["field"].empty()) {
    for (const json& f : a["field"]) {
      if (!f.is_string()) fail(where + ".field", "field paths (strings)");
      axis.fields.push_back(f);
    }
  } else {
    fail(where + ".field", "a field path or a non-empty list of them");
  }
  std::vector<json> raw;
  if (a.contains("values")) {
    if (!a["values"].is_array() || a["values"].empty()) fail(where + ".values", "a non-empty list");
    raw = a["values"].get<std::vector<json>>();
  } else if (a.contains("range")) {
    if (axis.fields.size() != 1) fail(where + ".range", "one field (a range cannot set several)");
    raw = range_values(a["range"], where + ".range", fail);
  } else {
    fail(where + ".values", "a non-empty list (or a 'range')");
  }
  const bool tied = a["field"].is_array();  // then every value is a list, one per field
  for (std::size_t k = 0; k < raw.size(); ++k) {
    if (!tied) {
      axis.values.push_back({raw[k]});
    } else {
      if (!raw[k].is_array() || raw[k].size() != axis.fields.size())
        fail(fmt::format("{}.values[{}]", where, k), fmt::format("a list of {} values", axis.fields.size()));
      axis.values.push_back(raw[k].get<std::vector<json>>());
    }
  }
  return axis;
}

std::string as_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

/// Sets a field of a point, checking run options' types; architecture fields are checked
/// when the point's architecture is built.
void set_field(SweepPoint& p, std::map<std::string, json>& run, const std::string& field, const json& v,
               const std::string& where, const Fail& fail) {
  if (!v.is_primitive() || v.is_null()) fail(where, fmt::format("a number, string or boolean, got {}", v.dump()));
  if (field == "net") {
    if (!v.is_string()) fail(where, "a network name or file (a string)");
    p.net = v;
  } else if (kRunFields.count(field)) {
    run[field] = v;
  } else {
    p.sets.push_back(field + "=" + as_text(v));
  }
  p.settings[field] = v;
}

void finish_point(SweepPoint& p, const std::map<std::string, json>& run, const std::string& where,
                  const Fail& fail) {
  for (const auto& [field, v] : run) {
    if (field == "reuse") {
      mapping::Reuse r;
      if (!v.is_string() || !mapping::parse_reuse(v, r)) fail(where + "." + field, "none or liveness");
    } else if (field == "objective") {
      mapping::Objective o;
      if (!v.is_string() || !mapping::parse_objective(v, o))
        fail(where + "." + field, "traffic, latency, energy or edp");
    } else if (field == "input" && v.is_string()) {
      if (!workloads::parse_input_size(v.get<std::string>()))
        fail(where + "." + field, "a positive integer or \"HxW\" (each 1 to 16384)");
    } else if (field == "batch" || field == "input" || field == "frames") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > 16384)
        fail(where + "." + field, "a positive integer");
    }
    p.run_flags.push_back("--" + field);
    p.run_flags.push_back(as_text(v));
  }
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a of the point's command
  for (const std::string& s : p.run_args())
    for (char c : s + '\0') h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  p.id = fmt::format("p{:04d}-{:08x}", p.index, static_cast<std::uint32_t>(h ^ (h >> 32)));
}

}  // namespace

std::vector<std::string> SweepPoint::run_args() const {
  std::vector<std::string> a = {"--net", net, "--arch", arch};
  for (const std::string& s : sets) {
    a.push_back("--set");
    a.push_back(s);
  }
  a.insert(a.end(), run_flags.begin(), run_flags.end());
  return a;
}

SweepSpec load_sweep_spec(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw SweepSpecError(path + ": cannot open the sweep spec");
  const json doc = json::parse(f, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) throw SweepSpecError(path + ": not a JSON object");
  const Fail fail{path};
  SweepSpec spec;
  spec.source = path;
  spec.name = doc.contains("name") && doc["name"].is_string() ? doc["name"].get<std::string>() : "sweep";
  if (!doc.contains("base") || !doc["base"].is_string()) fail("base", "an architecture preset or file");
  spec.base = doc["base"];
  try {
    hw::load_arch_config(spec.base);
  } catch (const hw::ArchConfigError& e) {
    fail("base", std::string("a valid architecture: ") + e.what());
  }
  if (!doc.contains("networks") || !doc["networks"].is_array() || doc["networks"].empty())
    fail("networks", "a non-empty list of network names or files");
  std::vector<std::string> nets;
  for (const json& n : doc["networks"]) {
    if (!n.is_string()) fail("networks", "network names or files (strings)");
    nets.push_back(n);
  }
  std::map<std::string, json> fixed_run;
  if (doc.contains("run")) {
    if (!doc["run"].is_object()) fail("run", "an object of run options (reuse, batch, objective, input, frames)");
    for (const auto& [k, v] : doc["run"].items()) {
      if (!kRunFields.count(k) || k == "net") fail("run." + k, "one of reuse, batch, objective, input, frames");
      fixed_run[k] = v;
    }
  }
  if (doc.contains("axes") && doc.contains("points")) fail("points", "either 'axes' or 'points', not both");

  spec.fields.push_back("net");
  std::set<std::string> seen = {"net"};
  // The combinations of field values, before the networks (outermost).
  std::vector<std::vector<std::pair<std::string, json>>> combos = {{}};
  if (doc.contains("axes")) {
    if (!doc["axes"].is_array()) fail("axes", "a list of axes");
    for (std::size_t i = 0; i < doc["axes"].size(); ++i) {
      const Axis axis = read_axis(doc["axes"][i], i, fail);
      for (const std::string& fld : axis.fields) {
        if (fld == "net") fail(fmt::format("axes[{}].field", i), "not 'net' (list networks under 'networks')");
        if (!seen.insert(fld).second) fail(fmt::format("axes[{}].field", i), "a field no other axis sets: " + fld);
        spec.fields.push_back(fld);
      }
      std::vector<std::vector<std::pair<std::string, json>>> next;
      for (const auto& c : combos)
        for (const auto& vals : axis.values) {
          auto extended = c;
          for (std::size_t k = 0; k < axis.fields.size(); ++k) extended.emplace_back(axis.fields[k], vals[k]);
          next.push_back(std::move(extended));
        }
      combos = std::move(next);
      if (combos.size() > 100000) fail("axes", "at most 100000 points");
    }
  } else if (doc.contains("points")) {
    if (!doc["points"].is_array() || doc["points"].empty()) fail("points", "a non-empty list of objects");
    combos.clear();
    for (std::size_t i = 0; i < doc["points"].size(); ++i) {
      const json& pt = doc["points"][i];
      if (!pt.is_object()) fail(fmt::format("points[{}]", i), "an object of field: value");
      std::vector<std::pair<std::string, json>> c;
      for (const auto& [k, v] : pt.items()) {
        if (k == "net") fail(fmt::format("points[{}].net", i), "no network (list them under 'networks')");
        if (seen.insert(k).second) spec.fields.push_back(k);
        c.emplace_back(k, v);
      }
      combos.push_back(std::move(c));
    }
  }

  std::map<std::string, bool> net_checked;
  for (const std::string& net : nets) {
    for (const auto& combo : combos) {
      SweepPoint p;
      p.index = static_cast<int>(spec.points.size());
      p.arch = spec.base;
      std::map<std::string, json> run = fixed_run;
      p.settings = ordered_json::object();
      set_field(p, run, "net", net, "networks", fail);
      for (const auto& [fld, v] : combo)
        set_field(p, run, fld, v, fld, fail);
      finish_point(p, run, fmt::format("point {} ({})", p.index, p.settings.dump()), fail);
      try {
        hw::load_arch_config(p.arch, p.sets);
      } catch (const hw::ArchConfigError& e) {
        throw SweepSpecError(fmt::format("{}: point {} ({}): {}", path, p.index, p.settings.dump(), e.what()));
      }
      if (!net_checked[p.net]) {
        try {
          workloads::load_network(p.net, {});
        } catch (const std::exception& e) {
          throw SweepSpecError(fmt::format("{}: field 'networks': {}", path, e.what()));
        }
        net_checked[p.net] = true;
      }
      spec.points.push_back(std::move(p));
    }
  }
  return spec;
}

}  // namespace npusim::sweep
