#include "npusim/workloads/network_io.hpp"

#include "npusim/workloads/darknet_cfg.hpp"
#include "npusim/workloads/onnx_import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "npusim/text/printable.hpp"
#include "npusim/workloads/zoo.hpp"

namespace npusim::workloads {

using nlohmann::json;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  std::string tail = s.substr(s.size() - suffix.size());
  std::transform(tail.begin(), tail.end(), tail.begin(), ::tolower);
  return tail == suffix;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw NetworkInputError(fmt::format("{}: cannot open the network file", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Keys `npusim info --json` adds to a layer record; a reader ignores them.
const std::set<std::string> kAnalysisKeys = {"output", "macs", "params", "input_elements",
                                             "output_elements", "cio", "cio_with_pools",
                                             "cio_excl_dw_downsample"};
const std::set<std::string> kLayerKeys = {
    "name",       "type",           "inputs",         "shape",       "out_channels",
    "kernel",     "stride",         "pad",            "dilation",    "groups",
    "bias",       "batch_norm",     "pre_batch_norm", "pre_activation", "activation",
    "ceil_mode",  "output_size",    "channels",       "scale",       "mode",          "size",
    "transpose_b", "prepend",       "position",       "tokens"};

// Reads the fields of one layer record of the JSON format.
class LayerReader {
 public:
  LayerReader(const json& record, std::string where) : r_(record), where_(std::move(where)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& expected) const {
    throw NetworkInputError(fmt::format("{}: field '{}': expected {}", where_, field, expected));
  }
  bool has(const char* key) const { return r_.contains(key); }
  std::string str(const char* key, const std::string& fallback) const {
    if (!r_.contains(key)) return fallback;
    if (!r_[key].is_string()) fail(key, "a string");
    return r_[key].get<std::string>();
  }
  bool boolean(const char* key, bool fallback) const {
    if (!r_.contains(key)) return fallback;
    if (!r_[key].is_boolean()) fail(key, "true or false");
    return r_[key].get<bool>();
  }
  std::int64_t integer(const char* key, std::int64_t fallback, std::int64_t lo) const {
    if (!r_.contains(key)) return fallback;
    const json& v = r_[key];
    if (!v.is_number_integer() || v.get<std::int64_t>() < lo)
      fail(key, fmt::format("an integer >= {}", lo));
    return v.get<std::int64_t>();
  }
  // An array of n integers >= lo, or a single integer repeated n times.
  std::vector<int> ints(const char* key, std::size_t n, int fallback, int lo) const {
    if (!r_.contains(key)) return std::vector<int>(n, fallback);
    const json& v = r_[key];
    const std::string expected =
        fmt::format("an integer >= {} or an array of {} such integers", lo, n);
    if (v.is_number_integer()) {
      if (v.get<std::int64_t>() < lo || v.get<std::int64_t>() > (1 << 30)) fail(key, expected);
      return std::vector<int>(n, v.get<int>());
    }
    if (!v.is_array() || v.size() != n) fail(key, expected);
    std::vector<int> out;
    for (const json& e : v) {
      if (!e.is_number_integer() || e.get<std::int64_t>() < lo || e.get<std::int64_t>() > (1 << 30))
        fail(key, expected);
      out.push_back(e.get<int>());
    }
    return out;
  }
  Activation activation(const char* key) const {
    const std::string text = str(key, "none");
    Activation a;
    if (!parse_activation(text, a))
      fail(key, "one of none, relu, relu6, leaky, sigmoid, hardsigmoid, swish, hardswish, mish");
    return a;
  }

 private:
  const json& r_;
  std::string where_;
};

json shape_json(const Shape& s) { return json::array({s.n, s.c, s.h, s.w}); }

}  // namespace

std::optional<std::pair<int, int>> parse_input_size(const std::string& text) {
  auto number = [](const std::string& t) -> std::optional<int> {
    if (t.empty() || t.size() > 5 || t.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    const int v = std::stoi(t);
    return v >= 1 && v <= 16384 ? std::optional<int>(v) : std::nullopt;
  };
  const auto x = text.find('x');
  const auto h = number(text.substr(0, x));
  const auto w = x == std::string::npos ? h : number(text.substr(x + 1));
  if (!h || !w) return std::nullopt;
  return std::pair{*h, *w};
}

Graph load_network(const std::string& spec, const LoadOptions& options) {
  if (options.batch < 1) throw NetworkInputError("batch size must be >= 1");
  for (const auto& v : {options.input, options.input_width})
    if (v && (*v < 1 || *v > 16384))
      throw NetworkInputError(fmt::format("input size {} is out of range: expected 1 to 16384", *v));
  if (options.input_width && !options.input) throw NetworkInputError("an input width needs an input height");
  try {
    if (ends_with(spec, ".json")) {
      json doc;
      try {
        doc = json::parse(read_file(spec));
      } catch (const json::exception& e) {  // parse_error, or out_of_range for a number overflow
        throw NetworkInputError(fmt::format("{}: not valid JSON: {}", spec, e.what()));
      }
      return network_from_json(doc, spec, options);
    }
    if (ends_with(spec, ".csv")) return network_from_scalesim_csv(read_file(spec), spec, options);
    if (ends_with(spec, ".cfg")) return network_from_darknet_cfg(read_file(spec), spec, options);
    if (ends_with(spec, ".onnx")) return network_from_onnx(spec, options);
    const ZooEntry* entry = find_zoo_entry(spec);
    if (!entry) {
      std::string names;
      for (const ZooEntry& e : zoo()) names += (names.empty() ? "" : ", ") + e.name;
      throw NetworkInputError(fmt::format(
          "unknown network '{}': expected a zoo name ({}) or a .json/.csv/.cfg/.onnx file", spec, names));
    }
    if (!options.input) return entry->build_native(options.batch);
    if (options.width() == *options.input) return entry->build(*options.input, options.batch);
    if (!entry->build_rect)
      throw NetworkInputError(fmt::format("network '{}': --input {}x{}: this zoo network is built square only (give "
                                          "--input N)", spec, *options.input, options.width()));
    return entry->build_rect(*options.input, options.width(), options.batch);
  } catch (const GraphError& e) {
    const std::string at = options.input ? fmt::format(" at input {}x{}", *options.input, options.width())
                                         : std::string();
    throw NetworkInputError(fmt::format("network '{}'{}: {}", spec, at, e.what()));
  }
}

json network_to_json(const Graph& graph, const NetworkStats* stats) {
  json layers = json::array();
  for (int i = 0; i < graph.size(); ++i) {
    const Layer& l = graph.layer(i);
    json r;
    r["name"] = l.name;
    r["type"] = to_string(l.kind);
    if (l.kind == LayerKind::Input) {
      r["shape"] = shape_json(l.input_shape);
    } else {
      json inputs = json::array();
      for (int in : l.inputs) inputs.push_back(graph.layer(in).name);
      r["inputs"] = inputs;
    }
    const Window& w = l.window;
    switch (l.kind) {
      case LayerKind::Conv:
      case LayerKind::ConvTranspose:
        r["out_channels"] = l.out_channels;
        r["groups"] = l.groups;
        r["dilation"] = {w.dilation_h, w.dilation_w};
        [[fallthrough]];
      case LayerKind::MaxPool:
      case LayerKind::AvgPool:
        r["kernel"] = {w.kernel_h, w.kernel_w};
        r["stride"] = {w.stride_h, w.stride_w};
        r["pad"] = {w.pad_top, w.pad_left, w.pad_bottom, w.pad_right};
        if (w.ceil_mode) r["ceil_mode"] = true;
        break;
      case LayerKind::FullyConnected:
        r["out_channels"] = l.out_channels;
        break;
      case LayerKind::AdaptiveAvgPool:
        r["output_size"] = {l.adaptive_h, l.adaptive_w};
        break;
      case LayerKind::Slice:
        r["channels"] = {l.channel_begin, l.channel_end};
        break;
      case LayerKind::Shuffle:
      case LayerKind::Softmax:
        r["groups"] = l.groups;
        break;
      case LayerKind::MatMul:
        r["groups"] = l.groups;
        r["transpose_b"] = l.transpose_b;
        break;
      case LayerKind::Tokens:
        r["prepend"] = l.prepend_tokens;
        r["position"] = l.position_embedding;
        break;
      case LayerKind::TokenSlice:
        r["tokens"] = {l.token_begin, l.token_end};
        break;
      case LayerKind::Upsample:
      case LayerKind::Reorg:
        r["scale"] = l.scale;
        break;
      case LayerKind::Resize:
        r["size"] = {l.resize_h, l.resize_w};
        r["mode"] = to_string(l.resize_mode);
        break;
      case LayerKind::Add:
        r["mode"] = l.add_mode == AddMode::Darknet ? "darknet" : "strict";
        break;
      default:
        break;
    }
    if (l.bias) r["bias"] = true;
    if (l.batch_norm) r["batch_norm"] = true;
    if (l.pre_batch_norm) {
      r["pre_batch_norm"] = true;
      r["pre_activation"] = to_string(l.pre_activation);
    }
    if (l.activation != Activation::None) r["activation"] = to_string(l.activation);
    if (stats) {
      const LayerStats& s = stats->layers[static_cast<std::size_t>(i)];
      r["output"] = shape_json(l.out);
      r["macs"] = s.macs;
      r["params"] = s.params;
      r["input_elements"] = s.input_elements;
      r["output_elements"] = s.output_elements;
      r["cio"] = s.cio;
      r["cio_with_pools"] = s.cio_with_pools;
      r["cio_excl_dw_downsample"] = s.cio_excl_dw_downsample;
    }
    layers.push_back(std::move(r));
  }
  json doc;
  doc["network"] = graph.name();
  if (stats) {
    doc["params"] = stats->total.params;
    doc["macs"] = stats->total.macs;
    doc["cio"] = stats->total.cio;
    doc["cio_with_pools"] = stats->total.cio_with_pools;
    doc["cio_excl_dw_downsample"] = stats->total.cio_excl_dw_downsample;
    doc["bottleneck"] = {{"layer", stats->spread.bottleneck_layer},
                         {"macs", stats->spread.max_macs},
                         {"max_over_mean", stats->spread.max_over_mean},
                         {"coefficient_of_variation", stats->spread.coefficient_of_variation}};
  }
  doc["layers"] = std::move(layers);
  return doc;
}

Graph network_from_json(const json& doc, const std::string& source, const LoadOptions& options) {
  if (!doc.is_object() || !doc.contains("layers") || !doc["layers"].is_array())
    throw NetworkInputError(
        fmt::format("{}: field 'layers': expected an array of layer records", source));
  std::string name = source;
  if (doc.contains("network")) {
    if (!doc["network"].is_string())
      throw NetworkInputError(fmt::format("{}: field 'network': expected a string", source));
    name = doc["network"].get<std::string>();
  }
  Graph g(name);
  const json& layers = doc["layers"];
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const json& rec = layers[i];
    std::string where = fmt::format("{}: layers[{}]", source, i);
    if (!rec.is_object()) throw NetworkInputError(where + ": expected an object");
    if (rec.contains("name") && rec["name"].is_string())
      where += fmt::format(" ('{}')", rec["name"].get<std::string>());
    LayerReader r(rec, where);
    for (const auto& [key, value] : rec.items())
      if (!kLayerKeys.count(key) && !kAnalysisKeys.count(key))
        throw NetworkInputError(fmt::format("{}: unknown field '{}'", where, key));
    Layer l;
    l.name = r.str("name", fmt::format("layer{}", i));
    const std::string type = r.str("type", "");
    if (!parse_layer_kind(type, l.kind))
      r.fail("type", "one of " + layer_kind_names());
    if (l.kind == LayerKind::Input) {
      const std::vector<int> s = r.ints("shape", 4, 0, 1);
      if (!rec.contains("shape")) r.fail("shape", "[N, C, H, W]");
      l.input_shape = Shape{s[0], s[1], s[2], s[3]};
      if (options.input) {
        l.input_shape.h = *options.input;
        l.input_shape.w = options.width();
      }
      if (options.batch != 1) l.input_shape.n = options.batch;
      l.out_channels = l.input_shape.c;
    } else {
      if (!rec.contains("inputs") || !rec["inputs"].is_array() || rec["inputs"].empty())
        r.fail("inputs", "a non-empty array of earlier layer names");
      for (const json& in : rec["inputs"]) {
        if (!in.is_string()) r.fail("inputs", "layer names (strings)");
        const int index = g.find(in.get<std::string>());
        if (index < 0)
          r.fail("inputs", fmt::format("names of earlier layers; '{}' is not one",
                                       in.get<std::string>()));
        l.inputs.push_back(index);
      }
    }
    const bool conv = l.kind == LayerKind::Conv || l.kind == LayerKind::ConvTranspose;
    if (conv || l.kind == LayerKind::MaxPool || l.kind == LayerKind::AvgPool) {
      const auto k = r.ints("kernel", 2, 1, 1);
      const auto s = r.ints("stride", 2, 1, 1);
      const auto p = r.ints("pad", 4, 0, 0);
      const auto d = r.ints("dilation", 2, 1, 1);
      if (!rec.contains("kernel")) r.fail("kernel", "[kH, kW]");
      l.window = Window{k[0], k[1], s[0], s[1], p[0], p[1], p[2], p[3], d[0], d[1],
                        r.boolean("ceil_mode", false)};
    }
    if (conv || l.kind == LayerKind::FullyConnected) {
      if (!rec.contains("out_channels")) r.fail("out_channels", "an integer >= 1");
      l.out_channels = r.integer("out_channels", 0, 1);
      l.groups = static_cast<int>(r.integer("groups", 1, 1));
    }
    if (l.kind == LayerKind::Shuffle) l.groups = static_cast<int>(r.integer("groups", 2, 1));
    if (l.kind == LayerKind::Softmax || l.kind == LayerKind::MatMul)
      l.groups = static_cast<int>(r.integer("groups", 1, 1));
    if (l.kind == LayerKind::MatMul) l.transpose_b = r.boolean("transpose_b", false);
    if (l.kind == LayerKind::Tokens) {
      l.prepend_tokens = r.integer("prepend", 0, 0);
      l.position_embedding = r.boolean("position", false);
    }
    if (l.kind == LayerKind::TokenSlice) {
      if (!rec.contains("tokens")) r.fail("tokens", "[begin, end)");
      const auto t = r.ints("tokens", 2, 0, 0);
      l.token_begin = t[0];
      l.token_end = t[1];
    }
    if (l.kind == LayerKind::AdaptiveAvgPool) {
      const auto o = r.ints("output_size", 2, 1, 1);
      l.adaptive_h = o[0];
      l.adaptive_w = o[1];
    }
    if (l.kind == LayerKind::Slice) {
      if (!rec.contains("channels")) r.fail("channels", "[begin, end)");
      const auto c = r.ints("channels", 2, 0, 0);
      l.channel_begin = c[0];
      l.channel_end = c[1];
    }
    if (l.kind == LayerKind::Upsample || l.kind == LayerKind::Reorg) l.scale = static_cast<int>(r.integer("scale", 2, 1));
    if (l.kind == LayerKind::Resize) {
      if (!rec.contains("size")) r.fail("size", "[H, W]");
      const auto size = r.ints("size", 2, 1, 1);
      l.resize_h = size[0];
      l.resize_w = size[1];
      if (!parse_resize_mode(r.str("mode", "nearest"), l.resize_mode))
        r.fail("mode", "nearest, bilinear or bilinear_align_corners");
    }
    if (l.kind == LayerKind::Add) {
      const std::string mode = r.str("mode", "strict");
      if (mode != "strict" && mode != "darknet") r.fail("mode", "strict or darknet");
      l.add_mode = mode == "darknet" ? AddMode::Darknet : AddMode::Strict;
    }
    l.bias = r.boolean("bias", false);
    l.batch_norm = r.boolean("batch_norm", false);
    l.pre_batch_norm = r.boolean("pre_batch_norm", false);
    l.pre_activation = r.activation("pre_activation");
    l.activation = r.activation("activation");
    try {
      g.add(std::move(l));
    } catch (const GraphError& e) {
      throw NetworkInputError(fmt::format("{}: {}", source, e.what()));
    }
  }
  if (g.size() == 0) throw NetworkInputError(fmt::format("{}: the network has no layers", source));
  return g;
}

Graph network_from_scalesim_csv(const std::string& text, const std::string& source,
                                const LoadOptions& options) {
  if (options.input)
    throw NetworkInputError(fmt::format(
        "{}: --input does not apply: a SCALE-Sim topology fixes each layer's input size", source));
  std::string name = source;
  if (auto slash = name.find_last_of('/'); slash != std::string::npos) name = name.substr(slash + 1);
  if (auto dot = name.rfind('.'); dot != std::string::npos) name = name.substr(0, dot);
  Graph g(name);
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  bool header_seen = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cells;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ',')) {
      const auto b = cell.find_first_not_of(" \t");
      const auto e = cell.find_last_not_of(" \t");
      cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    }
    while (!cells.empty() && cells.back().empty()) cells.pop_back();
    if (cells.empty()) continue;
    if (!header_seen) {
      header_seen = true;
      if (cells[0] == "Layer name" || cells[0] == "Layer Name") continue;
    }
    static const char* kColumns[] = {"Layer name", "IFMAP Height", "IFMAP Width",
                                     "Filter Height", "Filter Width", "Channels",
                                     "Num Filter", "Strides"};
    if (cells.size() < 8)
      throw NetworkInputError(fmt::format("{}:{}: expected 8 columns ({}, ..., Strides), got {}",
                                          source, line_no, kColumns[0], cells.size()));
    int v[8] = {};
    for (int c = 1; c < 8; ++c) {
      long long value = 0;
      std::istringstream vs(cells[static_cast<std::size_t>(c)]);
      if (!(vs >> value) || !vs.eof() || value < 1 || value > (1 << 24))
        throw NetworkInputError(fmt::format("{}:{}: column '{}': expected an integer in [1, {}], got '{}'",
                                            source, line_no, kColumns[c], 1 << 24,
                                            text::printable_excerpt(cells[static_cast<std::size_t>(c)])));
      v[c] = static_cast<int>(value);
    }
    const std::string& layer = cells[0];
    try {
      const int x = g.add(input_layer(layer + ".ifmap", Shape{options.batch, v[5], v[1], v[2]}));
      // SCALE-Sim's topology_utils sizes the output ceil((H - k + s) / s): where the stride
      // does not divide H - k, the last window reaches past the input, as bottom/right zeros.
      const int pad_b = (v[7] - (v[1] - v[3]) % v[7]) % v[7];
      const int pad_r = (v[7] - (v[2] - v[4]) % v[7]) % v[7];
      Window w{v[3], v[4], v[7], v[7], 0, 0, v[1] >= v[3] ? pad_b : 0, v[2] >= v[4] ? pad_r : 0, 1, 1, false};
      g.add(conv_layer(layer, x, v[6], w, 1, false, false, Activation::None));
    } catch (const GraphError& e) {
      throw NetworkInputError(fmt::format("{}:{}: {}", source, line_no, e.what()));
    }
  }
  if (g.size() == 0) throw NetworkInputError(fmt::format("{}: no layers in the topology", source));
  return g;
}

}  // namespace npusim::workloads
