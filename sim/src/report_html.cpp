#include "report_html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "svg_chart.hpp"

namespace npusim::sim {

using nlohmann::json;
using nlohmann::ordered_json;
using svg::escape;

namespace {

constexpr const char* kStyle = R"(<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;max-width:1160px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.ok{color:#080}.bad{color:#c00;font-weight:bold}
.note{color:#666;font-size:12px}svg{display:block;margin:8px 0}
</style>)";

/// The number at `key`, 0 if absent or not a number. A template so that an ordered_json
/// is read in place (binding it to `const json&` would copy the whole object per call).
template <class Json>
double num(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->template get<double>() : 0.0;
}

std::string page(const std::string& title, const std::string& body) {
  return fmt::format("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>{}</head>"
                     "<body>\n{}\n</body></html>\n",
                     escape(title), kStyle, body);
}

/// A summary row whose value is also kept exactly in data attributes.
std::string row(const std::string& label, const std::string& key, const json& value, const std::string& shown) {
  return fmt::format(R"(<tr><th>{}</th><td class="num" data-key="{}" data-value="{}">{}</td></tr>)", escape(label),
                     escape(key), escape(value.dump()), escape(shown));
}

std::string bytes_text(double b) { return fmt::format("{:.3f} MB", b * 1e-6); }

std::string summary(const ordered_json& r) {
  const json t = r["totals"];
  const json a = r.contains("arch_config") ? json(r["arch_config"]) : json::object();
  std::string arch = r["arch"].get<std::string>();
  if (a.contains("pe")) {
    const json& pe = a["pe"];
    arch += fmt::format(" — {}x{} {} {} PEs at {} MHz", pe.value("rows", 0), pe.value("cols", 0),
                        pe.value("precision", ""), pe.value("dataflow", ""), pe.value("freq_mhz", 0.0));
    if (a.contains("cores")) arch += fmt::format(" per core, {} cores", a["cores"].value("count", 1));
    if (a.contains("sram")) {
      std::int64_t kib = 0;
      for (const char* k : {"global_kib", "input_kib", "weight_kib", "output_kib"})
        if (a["sram"].contains(k) && a["sram"][k].is_number_integer()) kib += a["sram"][k].get<std::int64_t>();
      arch += fmt::format(", {} KiB SRAM{}", kib, a.contains("cores") ? " per core" : "");
    }
    if (a.contains("dram") && a["dram"].contains("standard"))
      arch += fmt::format(", {} x{}", a["dram"]["standard"].get<std::string>(), a["dram"].value("channels", 1));
    if (a.contains("offchip") && a["offchip"].value("kind", "") == "host_link")
      arch += fmt::format(", host link {} GB/s", a["offchip"].value("link_gbytes_per_s", 0.0));
  }
  const bool passed = r["checks"]["passed"].get<bool>();
  std::string s = "<table>";
  s += fmt::format("<tr><th>network</th><td>{}</td></tr><tr><th>architecture</th><td>{}</td></tr>",
                   escape(r["network"].get<std::string>()), escape(arch));
  s += fmt::format("<tr><th>execution</th><td>{}, {} {}</td></tr>", escape(r.value("execution", "sequential")),
                   r["batch"].get<int>(), r.value("execution", "") == "pipelined" ? "frames" : "batch");
  s += row("cycles", "cycles", t["cycles"], fmt::format("{}", t["cycles"].get<std::uint64_t>()));
  s += row("time", "time_ns", t["time_ns"], fmt::format("{:.3f} ms", num(t, "time_ns") * 1e-6));
  s += row("frames per second", "fps", t["fps"], fmt::format("{:.2f}", num(t, "fps")));
  if (t.contains("latency_ns"))
    s += row("latency per frame", "latency_ns", t["latency_ns"], fmt::format("{:.3f} ms", num(t, "latency_ns") * 1e-6));
  s += row("MACs", "macs", t["macs"], fmt::format("{:.3f} G", num(t, "macs") * 1e-9));
  s += row("PE utilization", "pe_utilization", t["pe_utilization"], fmt::format("{:.1f} %", 100 * num(t, "pe_utilization")));
  s += row("off-chip bytes read", "dram_read_bytes", t["dram_read_bytes"], bytes_text(num(t, "dram_read_bytes")));
  s += row("off-chip bytes written", "dram_write_bytes", t["dram_write_bytes"], bytes_text(num(t, "dram_write_bytes")));
  const double traffic = num(t, "dram_read_bytes") + num(t, "dram_write_bytes");
  s += row("CIO (conv inputs + outputs)", "cio_bytes", t["cio_bytes"],
           fmt::format("{} — traffic is {:.2f}x CIO", bytes_text(num(t, "cio_bytes")),
                       num(t, "cio_bytes") > 0 ? traffic / num(t, "cio_bytes") : 0.0));
  s += row("energy", "energy_pj", t["energy_pj"], fmt::format("{:.3f} mJ ({:.2f} pJ/MAC)", num(t, "energy_pj") * 1e-9,
                                                              num(t, "energy_per_mac_pj")));
  s += row("average power", "average_power_w", t["average_power_w"], fmt::format("{:.3f} W", num(t, "average_power_w")));
  s += fmt::format(R"(<tr><th>checks</th><td class="{}" data-key="checks_passed" data-value="{}">{}</td></tr>)",
                   passed ? "ok" : "bad", passed ? "true" : "false",
                   passed ? "passed" : escape(fmt::format("FAILED: {}", r["checks"]["failures"].dump())));
  s += "</table>";
  return s;
}

std::string layer_cycles(const ordered_json& r) {
  svg::BarChart c;
  const bool pipelined = r.value("execution", "") == "pipelined";
  c.title = pipelined ? "Cycles per frame of each layer (its stage's busiest core)" : "Cycles of each layer, by cause";
  c.y_label = "PE-clock cycles";
  svg::Series compute{"compute", "#1f77b4", {}}, dram{"stall: DRAM", "#d62728", {}}, sram{"stall: SRAM ports", "#ff7f0e", {}},
      vec{"stall: vector unit", "#9467bd", {}};
  for (const auto& l : r["layers"]) {
    c.categories.push_back(l["name"].get<std::string>());
    compute.values.push_back(num(l, "compute_cycles"));
    dram.values.push_back(num(l, "stall_dram_cycles"));
    sram.values.push_back(num(l, "stall_sram_cycles"));
    vec.values.push_back(num(l, "stall_vector_cycles"));
  }
  c.series = {compute, dram, sram, vec};
  return svg::stacked_bars(c);
}

std::string roofline(const ordered_json& r, const RunPageInfo& info) {
  svg::Scatter s;
  s.title = "Roofline: achieved MACs per cycle against arithmetic intensity, one point per layer";
  s.x_label = "arithmetic intensity (MACs per off-chip byte)";
  s.y_label = "MACs per cycle";
  std::vector<std::pair<double, std::size_t>> by_macs;
  for (const auto& l : r["layers"]) {
    const double bytes = num(l, "dram_read_bytes") + num(l, "dram_write_bytes"), macs = num(l, "macs");
    const double cycles = num(l, "cycles") * (r.value("execution", "") == "pipelined" ? r["batch"].get<double>() : 1.0);
    if (macs <= 0 || cycles <= 0) continue;
    s.points.push_back({macs / std::max(1.0, bytes), macs / cycles, l["name"].get<std::string>(), false});
    by_macs.emplace_back(macs, s.points.size() - 1);
  }
  std::sort(by_macs.rbegin(), by_macs.rend());
  for (std::size_t i = 0; i < by_macs.size() && i < 6; ++i) s.points[by_macs[i].second].show_label = true;
  s.lines.push_back({fmt::format("compute roof: {} PEs", info.pes), "#2ca02c", 0, static_cast<double>(info.pes)});
  if (info.peak_bytes_per_cycle > 0)
    s.lines.push_back({fmt::format("bandwidth roof: {:.1f} B/cycle", info.peak_bytes_per_cycle), "#d62728",
                       info.peak_bytes_per_cycle, 0});
  return svg::scatter_loglog(s);
}

std::string energy(const ordered_json& r) {
  const auto& t = r["totals"];
  std::string s = "<table><tr><th>component</th><th>mJ</th><th>share</th></tr>";
  const double total = num(t, "energy_pj");
  std::vector<std::string> names;
  for (const auto& [k, v] : t["energy_breakdown_pj"].items()) {
    names.push_back(k);
    s += fmt::format(R"(<tr><td>{}</td><td class="num" data-key="energy_{}_pj" data-value="{}">{:.4f}</td><td class="num">{:.1f} %</td></tr>)",
                     escape(k), escape(k), v.dump(), v.get<double>() * 1e-9, total > 0 ? 100 * v.get<double>() / total : 0.0);
  }
  s += "</table>";
  static const char* colors[] = {"#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728",
                                 "#ff9896", "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2"};
  svg::BarChart c;
  c.title = "Energy of each layer, by component";
  c.y_label = "pJ";
  for (std::size_t i = 0; i < names.size(); ++i) c.series.push_back({names[i], colors[i % 13], {}});
  bool any = false;
  for (const auto& l : r["layers"]) {
    c.categories.push_back(l["name"].get<std::string>());
    for (std::size_t i = 0; i < names.size(); ++i) {
      c.series[i].values.push_back(l.contains("energy_breakdown_pj") ? num(l["energy_breakdown_pj"], names[i].c_str()) : 0);
      any |= c.series[i].values.back() > 0;
    }
  }
  if (!any) return s;
  if (r.value("execution", "") == "pipelined")
    s += "<p class=\"note\">Per layer: dynamic energy only; static power, the NoC and the off-chip side are the run's.</p>";
  return s + svg::stacked_bars(c);
}

std::string traffic(const ordered_json& r) {
  svg::BarChart c;
  c.title = "Off-chip traffic of each layer, by tensor kind";
  c.y_label = "bytes";
  const std::pair<const char*, const char*> kinds[] = {
      {"dram_input_read_bytes", "input read"},   {"dram_weight_read_bytes", "weight read"},
      {"dram_output_write_bytes", "output write"}, {"dram_psum_read_bytes", "psum read"},
      {"dram_psum_write_bytes", "psum write"},   {"dram_spill_write_bytes", "spill write"}};
  const char* colors[] = {"#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#c5b0d5", "#8c564b"};
  for (int i = 0; i < 6; ++i) c.series.push_back({kinds[i].second, colors[i], {}});
  for (const auto& l : r["layers"]) {
    c.categories.push_back(l["name"].get<std::string>());
    for (int i = 0; i < 6; ++i) c.series[static_cast<std::size_t>(i)].values.push_back(num(l, kinds[i].first));
  }
  return svg::stacked_bars(c);
}

std::string pipeline(const ordered_json& r) {
  const auto& p = r["pipeline"];
  svg::BarChart c;
  c.title = "Pipeline stages: cycles per frame of each stage's busiest core (bottleneck outlined)";
  c.y_label = "cycles per frame";
  svg::Series busy{"compute per frame", "#1f77b4", {}};
  const auto& b = p["bottleneck"];
  int i = 0;
  for (const auto& s : p["stages"]) {
    const std::string first = s["layers"].empty() ? "" : s["layers"][0].get<std::string>();
    c.categories.push_back(fmt::format("c{} s{} {}", s["context"].get<int>(), s["stage"].get<int>(), first));
    busy.values.push_back(num(s, "cycles_per_frame"));
    if (!b.is_null() && s["context"] == b["context"] && s["stage"] == b["stage"]) c.highlight = i;
    ++i;
  }
  c.series = {busy};
  std::string s = fmt::format(
      "<p>{} cores, {} context(s){}; balance {:.2f} (mean stage / slowest stage); per frame: NoC {}, off-chip {}; "
      "weights {} per batch.</p>",
      p["cores"].get<int>(), p["contexts"].get<int>(),
      p["contexts_reason"].get<std::string>().empty() ? "" : " — " + escape(p["contexts_reason"].get<std::string>()),
      num(p, "balance"), bytes_text(num(p, "noc_bytes_per_frame")), bytes_text(num(p, "offchip_bytes_per_frame")),
      bytes_text(num(p, "weight_bytes_per_batch")));
  if (!b.is_null()) {
    std::string names;
    for (const auto& n : b["layers"]) names += (names.empty() ? "" : ", ") + n.get<std::string>();
    s += fmt::format(R"(<p data-key="bottleneck" data-value="{}">Bottleneck: stage {} of context {} ({}), {:.1f} % of its context's stage cycles.</p>)",
                     escape(b.dump()), b["stage"].get<int>(), b["context"].get<int>(), escape(names), 100 * num(b, "share"));
  }
  return s + svg::stacked_bars(c);
}

}  // namespace

std::string run_report_html(const ordered_json& r, const RunPageInfo& info) {
  std::string body = fmt::format("<h1>npusim: {} on {}</h1><p class=\"note\">{} · schema {}</p>",
                                 escape(r["network"].get<std::string>()), escape(r["arch"].get<std::string>()),
                                 r.contains("provenance") ? escape(r["provenance"].value("npusim_version", "")) : "",
                                 escape(r["schema"].get<std::string>()));
  body += "<h2>Summary</h2>" + summary(r);
  if (r.contains("pipeline")) body += "<h2>Pipeline</h2>" + pipeline(r);
  body += "<h2>Cycles</h2>" + layer_cycles(r);
  body += "<h2>Roofline</h2>" + roofline(r, info);
  body += "<h2>Energy</h2>" + energy(r);
  body += "<h2>Off-chip traffic</h2>" + traffic(r);
  if (!info.trace_files.empty()) {
    body += "<h2>Traces</h2><ul>";
    for (const std::string& f : info.trace_files)
      body += fmt::format(R"(<li><a href="{0}">{0}</a></li>)", escape(f));
    body += "</ul><p class=\"note\">Open timeline.json in ui.perfetto.dev.</p>";
  }
  return page(fmt::format("{} on {}", r["network"].get<std::string>(), r["arch"].get<std::string>()), body);
}

std::string compare_html(const ordered_json& c) {
  std::string body = fmt::format("<h1>npusim compare</h1><p>A (reference): {}<br>B: {}<br>tolerance {}: <span class=\"{}\" "
                                 "data-key=\"within\" data-value=\"{}\">{}</span></p>",
                                 escape(c["a"].dump()), escape(c["b"].dump()), c["tolerance"].dump(),
                                 c["within"].get<bool>() ? "ok" : "bad", c["within"].get<bool>() ? "true" : "false",
                                 c["within"].get<bool>() ? "within" : "beyond the tolerance");
  body += "<h2>Totals</h2><table><tr><th>metric</th><th>A</th><th>B</th><th>(B - A) / |A|</th></tr>";
  for (const auto& m : c["totals"]) {
    const double rel = m.value("relative", 0.0);
    body += fmt::format(R"(<tr><td>{}</td><td class="num" data-key="a_{}" data-value="{}">{:.6g}</td><td class="num" data-key="b_{}" data-value="{}">{:.6g}</td><td class="num {}">{:+.3f} %</td></tr>)",
                        escape(m["metric"].get<std::string>()), escape(m["metric"].get<std::string>()), m["a"].dump(),
                        m.value("a", 0.0), escape(m["metric"].get<std::string>()), m["b"].dump(), m.value("b", 0.0),
                        rel == 0 ? "" : "bad", 100 * rel);
  }
  body += "</table>";
  // Per layer: cycles of A and B side by side.
  svg::BarChart chart;
  chart.title = "Cycles of each layer: A, then B";
  chart.y_label = "cycles";
  svg::Series sa{"A", "#1f77b4", {}}, sb{"B", "#ff7f0e", {}};
  for (const auto& m : c["layers"])
    if (m.value("metric", "") == "cycles") {
      const std::string name = m.value("scope", "");
      chart.categories.push_back(name + " (A)");
      sa.values.push_back(m.value("a", 0.0));
      sb.values.push_back(0);
      chart.categories.push_back(name + " (B)");
      sa.values.push_back(0);
      sb.values.push_back(m.value("b", 0.0));
    }
  chart.series = {sa, sb};
  if (!chart.categories.empty()) body += "<h2>Layers</h2>" + svg::stacked_bars(chart);
  return page("npusim compare", body);
}

std::string sweep_html(const std::string& name, const std::vector<json>& results) {
  std::map<std::string, std::vector<const json*>> by_net;
  for (const json& r : results)
    if (r.value("status", "") == "ok" && r.contains("metrics") && r["metrics"].is_object())
      by_net[r.value("net", "?")].push_back(&r);
  std::string body = fmt::format("<h1>npusim sweep: {}</h1><p data-key=\"points\" data-value=\"{}\">{} points run ok.</p>",
                                 escape(name), results.size(), results.size());
  for (const auto& [net, rows] : by_net) {
    svg::Scatter s;
    s.title = net + ": time per frame against energy per inference (Pareto front in red)";
    s.x_label = "time per inference (ns)";
    s.y_label = "energy per inference (mJ)";
    std::vector<std::pair<double, double>> xy;
    for (const json* r : rows) {
      const json& m = (*r)["metrics"];
      const double fps = m.value("fps", 0.0);
      const double t = fps > 0 ? 1e9 / fps : m.value("time_ns", 0.0);
      xy.emplace_back(t, m.value("energy_per_inference_mj", 0.0));
      std::string label;
      for (const auto& [k, v] : (*r)["settings"].items())
        if (k != "net") label += (label.empty() ? "" : ", ") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
      s.points.push_back({xy.back().first, xy.back().second, label, false});
    }
    for (std::size_t i = 0; i < xy.size(); ++i) {
      bool dominated = false;
      for (std::size_t j = 0; j < xy.size() && !dominated; ++j)
        dominated = j != i && xy[j].first <= xy[i].first && xy[j].second <= xy[i].second &&
                    (xy[j].first < xy[i].first || xy[j].second < xy[i].second);
      s.highlighted.push_back(dominated ? 0 : 1);
      s.points[i].show_label = !dominated;
    }
    body += "<h2>" + escape(net) + "</h2>" + svg::scatter_loglog(s);
  }
  return page("npusim sweep " + name, body);
}

}  // namespace npusim::sim
