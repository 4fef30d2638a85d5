#include "svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace npusim::sim::svg {

namespace {

constexpr double kWidth = 1100, kHeight = 360, kLeft = 80, kRight = 20, kTop = 36, kBottom = 60;

std::string number(double v) {
  if (v == 0) return "0";
  const double a = std::abs(v);
  if (a >= 1e9) return fmt::format("{:.3g}G", v / 1e9);
  if (a >= 1e6) return fmt::format("{:.3g}M", v / 1e6);
  if (a >= 1e3) return fmt::format("{:.3g}k", v / 1e3);
  return fmt::format("{:.3g}", v);
}

std::string header(const std::string& title, const std::string& y_label) {
  return fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img">)"
                     R"(<title>{}</title><text x="{}" y="20" font-size="15" font-weight="bold">{}</text>)"
                     R"~(<text transform="translate(16,{}) rotate(-90)" font-size="12" text-anchor="middle">{}</text>)~",
                     kWidth, kHeight, kWidth, kHeight, escape(title), kLeft, escape(title),
                     kTop + (kHeight - kTop - kBottom) / 2, escape(y_label));
}

}  // namespace

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string stacked_bars(const BarChart& c) {
  const std::size_t n = c.categories.size();
  std::vector<double> total(n, 0);
  for (const Series& s : c.series)
    for (std::size_t i = 0; i < n && i < s.values.size(); ++i) total[i] += std::max(0.0, s.values[i]);
  double top = 0;
  for (double v : total) top = std::max(top, v);
  if (top <= 0) top = 1;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const double slot = plot_w / std::max<std::size_t>(1, n), bar = std::max(1.0, slot * 0.8);
  std::string s = header(c.title, c.y_label);
  for (int t = 0; t <= 4; ++t) {  // grid and y ticks
    const double v = top * t / 4, y = kTop + plot_h - plot_h * t / 4;
    s += fmt::format(R"(<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" stroke="#ddd"/>)", kLeft, kWidth - kRight, y, y);
    s += fmt::format(R"(<text x="{}" y="{:.1f}" font-size="11" text-anchor="end">{}</text>)", kLeft - 6, y + 4, number(v));
  }
  for (std::size_t i = 0; i < n; ++i) {
    double base = 0;
    const double x = kLeft + slot * static_cast<double>(i) + (slot - bar) / 2;
    for (const Series& ser : c.series) {
      const double v = i < ser.values.size() ? std::max(0.0, ser.values[i]) : 0;
      if (v <= 0) continue;
      const double h = plot_h * v / top, y = kTop + plot_h - plot_h * (base + v) / top;
      s += fmt::format(R"(<rect x="{:.2f}" y="{:.2f}" width="{:.2f}" height="{:.2f}" fill="{}"><title>{}: {} {}</title></rect>)",
                       x, y, bar, h, ser.color, escape(c.categories[i]), escape(ser.name), number(v));
      base += v;
    }
    if (static_cast<int>(i) == c.highlight)
      s += fmt::format(R"(<rect x="{:.2f}" y="{:.2f}" width="{:.2f}" height="{:.2f}" fill="none" stroke="#d00" stroke-width="2"/>)",
                       x - 1, kTop + plot_h - plot_h * total[i] / top - 1, bar + 2, plot_h * total[i] / top + 2);
    if (n <= 24)
      s += fmt::format(R"~(<text transform="translate({:.1f},{}) rotate(40)" font-size="10">{}</text>)~", x + bar / 2,
                       kTop + plot_h + 12, escape(c.categories[i].substr(0, 24)));
  }
  double lx = kLeft;
  for (const Series& ser : c.series) {  // legend
    s += fmt::format(R"(<rect x="{:.0f}" y="{}" width="10" height="10" fill="{}"/><text x="{:.0f}" y="{}" font-size="11">{}</text>)",
                     lx, kHeight - 14, ser.color, lx + 14, kHeight - 5, escape(ser.name));
    lx += 24 + 7.0 * static_cast<double>(ser.name.size());
  }
  return s + "</svg>";
}

std::string scatter_loglog(const Scatter& c) {
  double x0 = 1e300, x1 = 0, y0 = 1e300, y1 = 0;
  for (const Point& p : c.points)
    if (p.x > 0 && p.y > 0) {
      x0 = std::min(x0, p.x), x1 = std::max(x1, p.x), y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
    }
  for (const Line& l : c.lines)
    if (l.slope == 0 && l.intercept > 0) y1 = std::max(y1, l.intercept), y0 = std::min(y0, l.intercept);
  if (x1 <= 0) x0 = 1, x1 = 10, y0 = 1, y1 = 10;
  const double lx0 = std::floor(std::log10(x0)), lx1 = std::max(lx0 + 1, std::ceil(std::log10(x1)));
  const double ly0 = std::floor(std::log10(y0)), ly1 = std::max(ly0 + 1, std::ceil(std::log10(y1 * 1.5)));
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto X = [&](double v) { return kLeft + plot_w * (std::log10(v) - lx0) / (lx1 - lx0); };
  auto Y = [&](double v) { return kTop + plot_h - plot_h * (std::log10(v) - ly0) / (ly1 - ly0); };
  std::string s = header(c.title, c.y_label);
  for (double d = lx0; d <= lx1; ++d)
    s += fmt::format(R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="{1}" y2="{2}" stroke="#ddd"/><text x="{0:.1f}" y="{3}" font-size="11" text-anchor="middle">{4}</text>)",
                     X(std::pow(10, d)), kTop, kTop + plot_h, kTop + plot_h + 14, number(std::pow(10, d)));
  for (double d = ly0; d <= ly1; ++d)
    s += fmt::format(R"(<line x1="{1}" x2="{2}" y1="{0:.1f}" y2="{0:.1f}" stroke="#ddd"/><text x="{3}" y="{4:.1f}" font-size="11" text-anchor="end">{5}</text>)",
                     Y(std::pow(10, d)), kLeft, kWidth - kRight, kLeft - 6, Y(std::pow(10, d)) + 4, number(std::pow(10, d)));
  s += fmt::format(R"(<text x="{}" y="{}" font-size="12" text-anchor="middle">{}</text>)", kLeft + plot_w / 2,
                   kHeight - 24, escape(c.x_label));
  const double xa = std::pow(10, lx0), xb = std::pow(10, lx1), ya = std::pow(10, ly0), yb = std::pow(10, ly1);
  for (const Line& l : c.lines) {
    // Clip y = slope x + intercept (log-log: a straight line for intercept 0 or slope 0).
    const int steps = 64;
    std::string pts;
    for (int i = 0; i <= steps; ++i) {
      const double x = xa * std::pow(xb / xa, static_cast<double>(i) / steps);
      const double y = l.slope * x + l.intercept;
      if (y < ya || y > yb) continue;
      pts += fmt::format("{:.1f},{:.1f} ", X(x), Y(y));
    }
    if (!pts.empty())
      s += fmt::format(R"(<polyline points="{}" fill="none" stroke="{}" stroke-width="2"><title>{}</title></polyline>)", pts,
                       l.color, escape(l.name));
  }
  for (std::size_t i = 0; i < c.points.size(); ++i) {
    const Point& p = c.points[i];
    if (p.x <= 0 || p.y <= 0) continue;
    const bool hi = i < c.highlighted.size() && c.highlighted[i];
    s += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="{}" fill="{}" fill-opacity="0.7"><title>{}: ({}, {})</title></circle>)",
                     X(p.x), Y(p.y), hi ? 5 : 3.5, hi ? "#b30000" : "#1f77b4", escape(p.label), number(p.x), number(p.y));
    if (p.show_label)
      s += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="10">{}</text>)", X(p.x) + 5, Y(p.y) - 4,
                       escape(p.label.substr(0, 28)));
  }
  double lx = kLeft;
  for (const Line& l : c.lines) {
    s += fmt::format(R"(<line x1="{0:.0f}" x2="{1:.0f}" y1="{2}" y2="{2}" stroke="{3}" stroke-width="2"/><text x="{4:.0f}" y="{5}" font-size="11">{6}</text>)",
                     lx, lx + 16, kHeight - 9, l.color, lx + 20, kHeight - 5, escape(l.name));
    lx += 40 + 7.0 * static_cast<double>(l.name.size());
  }
  return s + "</svg>";
}

}  // namespace npusim::sim::svg
