// Small self-contained SVG charts for the HTML reports: stacked bars (one bar per category,
// one colour per series) and log-log scatter plots with reference lines (the roofline).
// Every mark carries a <title>, which browsers show on hover.
#pragma once

#include <string>
#include <vector>

namespace npusim::sim::svg {

/// Text for HTML and SVG (&, <, >, ").
std::string escape(const std::string& text);

struct Series {
  std::string name, color;
  std::vector<double> values;  ///< one per category
};

struct BarChart {
  std::string title, y_label;
  std::vector<std::string> categories;
  std::vector<Series> series;  ///< stacked in order
  int highlight = -1;          ///< a category drawn with an outline (the bottleneck)
};
std::string stacked_bars(const BarChart& chart);

struct Point {
  double x = 0, y = 0;
  std::string label;
  bool show_label = false;
};
/// y = slope * x + intercept in data units, drawn between x0 and x1, or a flat line
/// (slope 0) at y = intercept.
struct Line {
  std::string name, color;
  double slope = 0, intercept = 0;
};
struct Scatter {
  std::string title, x_label, y_label;
  std::vector<Point> points;
  std::vector<Line> lines;
  std::vector<char> highlighted;  ///< per point: drawn larger and dark (a Pareto front)
};
/// Log-log axes over the points' range (decades), lines clipped to it.
std::string scatter_loglog(const Scatter& chart);

}  // namespace npusim::sim::svg
