#include "npusim/workloads/darknet_cfg.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "npusim/text/printable.hpp"
#include "npusim/workloads/darknet_builder.hpp"

namespace npusim::workloads {

namespace {

struct Section {
  std::string type;
  int line = 0;
  std::map<std::string, std::pair<std::string, int>> keys;  ///< key -> (value, line)
};

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r");
  const auto b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

/// The integer at the start of the text, as darknet reads it (atoi: optional blanks and sign,
/// digits, then anything — "180 ###P6" is 180); nothing if there are no digits (where atoi
/// would silently give 0) or too many.
std::optional<long> leading_integer(const std::string& text) {
  std::size_t i = text.find_first_not_of(" \t");
  if (i == std::string::npos) return std::nullopt;
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') negative = text[i++] == '-';
  const std::size_t digits = i;
  long v = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (i - digits >= 9) return std::nullopt;
    v = v * 10 + (text[i] - '0');
  }
  if (i == digits) return std::nullopt;
  return negative ? -v : v;
}

/// Keys darknet reads in every section that only matter for training or weight loading.
const std::set<std::string>& training_keys() {
  static const std::set<std::string> keys = {"clip",          "onlyforward", "dont_update", "burnin_update",
                                             "stopbackward",  "train_only_bn", "dontload",  "dontloadscales",
                                             "learning_rate"};
  return keys;
}

class Reader {
 public:
  Reader(const Section& s, const std::string& source) : s_(s), source_(source) {}

  [[noreturn]] void fail(const std::string& key, const std::string& expected) const {
    const auto it = s_.keys.find(key);
    const int line = it == s_.keys.end() ? s_.line : it->second.second;
    const std::string got = it == s_.keys.end() ? "" : fmt::format(", got '{}'", text::printable_excerpt(it->second.first));
    throw NetworkInputError(fmt::format("{}:{}: [{}] field '{}': expected {}{}", source_, line, s_.type, key,
                                        expected, got));
  }
  bool has(const std::string& key) const { return s_.keys.count(key) > 0; }
  int integer(const std::string& key, int fallback, int lo, int hi) const {
    const auto it = s_.keys.find(key);
    if (it == s_.keys.end()) return fallback;
    const auto v = leading_integer(it->second.first);
    if (!v || *v < lo || *v > hi) fail(key, fmt::format("an integer in [{}, {}]", lo, hi));
    return static_cast<int>(*v);
  }
  std::vector<int> integers(const std::string& key) const {
    const auto it = s_.keys.find(key);
    if (it == s_.keys.end()) fail(key, "a comma-separated list of section indices (the field is missing)");
    std::vector<int> out;
    std::stringstream ss(it->second.first);
    for (std::string t; std::getline(ss, t, ',');) {
      const auto v = leading_integer(t);
      if (!v || *v < -100000 || *v > 100000) fail(key, "a comma-separated list of integers");
      out.push_back(static_cast<int>(*v));
    }
    return out;
  }
  Activation activation(const char* fallback) const {
    const auto it = s_.keys.find("activation");
    const std::string name = it == s_.keys.end() ? fallback : it->second.first;
    static const std::map<std::string, Activation> kNames = {
        {"linear", Activation::None},   {"relu", Activation::ReLU},         {"relu6", Activation::ReLU6},
        {"leaky", Activation::Leaky},   {"logistic", Activation::Sigmoid},  {"hard_logistic", Activation::HardSigmoid},
        {"swish", Activation::Swish},   {"hardswish", Activation::HardSwish}, {"mish", Activation::Mish}};
    const auto a = kNames.find(name);
    if (a == kNames.end())
      fail("activation", "linear, relu, relu6, leaky, logistic, hard_logistic, swish, hardswish or mish");
    return a->second;
  }
  /// Every key must be one this section type knows, or one that only training reads.
  void only(std::initializer_list<const char*> known, std::initializer_list<const char*> ignored = {}) const {
    std::set<std::string> k(known.begin(), known.end());
    k.insert(ignored.begin(), ignored.end());
    for (const auto& [key, value] : s_.keys)
      if (!k.count(key) && !training_keys().count(key)) {
        std::string list;
        for (const char* n : known) list += (list.empty() ? "" : ", ") + std::string(n);
        throw NetworkInputError(fmt::format("{}:{}: [{}] key '{}' is not supported (supported: {})", source_,
                                            value.second, s_.type, key, list.empty() ? "none" : list));
      }
  }

 private:
  const Section& s_;
  const std::string& source_;
};

std::vector<Section> parse_sections(const std::string& text, const std::string& source) {
  std::vector<Section> sections;
  std::istringstream in(text);
  int n = 0;
  for (std::string raw; std::getline(in, raw);) {
    ++n;
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      if (line.back() != ']' || line.size() < 3)
        throw NetworkInputError(fmt::format("{}:{}: expected a section header like [convolutional], got '{}'", source,
                                            n, text::printable_excerpt(line)));
      sections.push_back({line.substr(1, line.size() - 2), n, {}});
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0)
      throw NetworkInputError(fmt::format("{}:{}: expected key=value or [section], got '{}'", source, n,
                                            text::printable_excerpt(line)));
    if (sections.empty())
      throw NetworkInputError(fmt::format("{}:{}: key before the first section ([net])", source, n));
    const std::string key = trim(line.substr(0, eq));
    Section& s = sections.back();
    if (const auto first = s.keys.find(key); first != s.keys.end()) {
      // Darknet looks a key up from the front of its list: the first occurrence wins.
      fmt::print(stderr, "npusim: warning: {}:{}: [{}] key '{}' repeats; darknet uses the first, line {}\n", source, n,
                 s.type, key, first->second.second);
      continue;
    }
    s.keys[key] = {trim(line.substr(eq + 1)), n};
  }
  return sections;
}

}  // namespace

Graph network_from_darknet_cfg(const std::string& text, const std::string& source, const LoadOptions& options) {
  const std::vector<Section> sections = parse_sections(text, source);
  if (sections.empty() || (sections[0].type != "net" && sections[0].type != "network"))
    throw NetworkInputError(fmt::format("{}:{}: expected the first section to be [net]", source,
                                        sections.empty() ? 1 : sections[0].line));
  for (const Section& s : sections)  // before [net]'s size: a text model has none
    if (s.type == "rnn" || s.type == "gru" || s.type == "lstm" || s.type == "crnn" || s.type == "conv_lstm" ||
        s.type == "history")
      throw NetworkInputError(fmt::format("{}:{}: section [{}] is a recurrent layer: not supported (npusim models CNNs)",
                                          source, s.line, s.type));
  const Reader net(sections[0], source);
  const int channels = net.integer("channels", 3, 1, 65536);
  int h = net.integer("height", 0, 0, 16384), w = net.integer("width", 0, 0, 16384);
  if (options.input) {
    h = *options.input;
    w = options.width();
  }
  if (h < 1 || w < 1) net.fail("height", "the input height and width (or --input H)");
  if (sections.size() > 1 && sections[1].type == "crop") {  // the input darknet computes on is the crop
    const Reader crop(sections[1], source);
    h = crop.integer("crop_height", 1, 1, 16384);
    w = crop.integer("crop_width", 1, 1, 16384);
  }
  DarknetBuilder b(std::filesystem::path(source).stem().string(), Shape{options.batch, channels, h, w});

  for (std::size_t i = 1; i < sections.size(); ++i) {
    const Section& s = sections[i];
    const Reader r(s, source);
    try {
      if (s.type == "convolutional") {
        // Darknet's weight-rotation and contrastive training options, and its CUDA streams,
        // change nothing at inference.
        r.only({"filters", "size", "stride", "pad", "padding", "groups", "dilation", "batch_normalize", "activation"},
               {"angle", "cbn", "flipped", "grad_centr", "reverse", "rotate", "stretch", "stretch_sway", "sway", "stream",
                "wait_stream", "assisted_excitation", "dot"});
        if (!r.has("filters")) r.fail("filters", "the number of output channels (the field is missing)");
        const int size = r.integer("size", 1, 1, 63);
        // Darknet: pad=1 means size/2 (over `padding`); a 1x1 kernel is never dilated; a
        // dilated kernel is padded pad x dilation on each side, its output sized as if it
        // were not dilated — the same only when 2 x pad = size - 1.
        int padding = r.integer("pad", 0, 0, 1) ? size / 2 : r.integer("padding", 0, 0, 1024);
        const int dilation = size == 1 ? 1 : r.integer("dilation", 1, 1, 64);
        if (dilation > 1) {
          if (2 * padding != size - 1)
            r.fail("dilation", fmt::format("a padding of (size - 1) / 2 = {} with dilation (darknet sizes the output of "
                                           "a dilated convolution as if it were not; npusim models only where that "
                                           "agrees), got padding {}", (size - 1) / 2, padding));
          padding *= dilation;
        }
        b.convolutional(r.integer("filters", 1, 1, 1 << 20), size, r.integer("stride", 1, 1, 64),
                        r.integer("batch_normalize", 0, 0, 1) == 1, r.activation("logistic"),
                        r.integer("groups", 1, 1, 1 << 20), padding, dilation);
      } else if (s.type == "maxpool") {
        r.only({"size", "stride", "padding"});
        const int stride = r.integer("stride", 1, 1, 64);
        const int size = r.integer("size", stride, 1, 64);
        b.maxpool(size, stride, r.has("padding") ? r.integer("padding", 0, 0, 128) : -1);
      } else if (s.type == "local_avgpool" || s.type == "local_avg") {
        r.only({"size", "stride", "padding"});
        const int stride = r.integer("stride", 1, 1, 64);
        const int size = r.integer("size", stride, 1, 64);
        b.local_avgpool(size, stride, r.has("padding") ? r.integer("padding", 0, 0, 128) : -1);
      } else if (s.type == "crop") {
        // Flips, rotations and colour jitter are training augmentation; the crop's size was
        // read with [net].
        r.only({"crop_height", "crop_width"}, {"flip", "angle", "saturation", "exposure", "shift", "noadjust"});
        b.crop();
      } else if (s.type == "avgpool") {
        r.only({});
        b.avgpool();
      } else if (s.type == "route") {
        r.only({"layers", "groups", "group_id"});
        const int groups = r.integer("groups", 1, 1, 1024);
        b.route(r.integers("layers"), groups, r.integer("group_id", 0, 0, groups - 1));
      } else if (s.type == "shortcut") {
        r.only({"from", "activation"});
        const std::vector<int> from = r.integers("from");
        if (from.size() != 1) r.fail("from", "one section index");
        b.shortcut(from[0], r.activation("linear"));
      } else if (s.type == "scale_channels" || s.type == "sam") {
        r.only({"from", "activation", "scale_wh"});
        if (r.integer("scale_wh", 0, 0, 1)) r.fail("scale_wh", "0 (a per-pixel gate is not supported)");
        const std::vector<int> from = r.integers("from");
        if (from.size() != 1) r.fail("from", "one section index");
        b.multiply(s.type == "sam" ? "sam" : "scale_channels", from[0], r.activation("linear"));
      } else if (s.type == "reorg" || s.type == "reorg3d") {
        r.only({"stride", "reverse"});
        if (r.integer("reverse", 0, 0, 1)) r.fail("reverse", "0 (depth-to-space is not supported)");
        b.reorg(r.integer("stride", 1, 1, 64));
      } else if (s.type == "upsample") {
        r.only({"stride"});
        b.upsample(r.integer("stride", 2, 1, 64));
      } else if (s.type == "connected") {
        r.only({"output", "activation", "batch_normalize"});
        if (r.integer("batch_normalize", 0, 0, 1)) r.fail("batch_normalize", "0 (not supported on [connected])");
        b.connected(r.integer("output", 1, 1, 1 << 24), r.activation("logistic"));
      } else if (s.type == "softmax") {
        r.only({"groups"}, {"temperature"});  // a temperature scales the logits, at no cost
        if (r.integer("groups", 1, 1, 1) != 1) r.fail("groups", "1");
        b.softmax();
      } else if (s.type == "dropout") {
        r.only({"probability"});
        b.passthrough();
      } else if (s.type == "yolo" || s.type == "region" || s.type == "cost" || s.type == "detection" ||
                 s.type == "Gaussian_yolo" || s.type == "contrastive") {
        b.passthrough();  // detection and training (loss) heads: an output, no compute
      } else {
        throw NetworkInputError(fmt::format(
            "{}:{}: section [{}] is not supported (supported: net, crop (first), convolutional, maxpool, local_avgpool, avgpool, route, shortcut, "
            "scale_channels, sam, reorg, reorg3d, upsample, connected, softmax, dropout, yolo, Gaussian_yolo, region, detection, cost, contrastive)",
            source, s.line, s.type));
      }
    } catch (const GraphError& e) {
      throw NetworkInputError(fmt::format("{}:{}: [{}] (section {}): {}", source, s.line, s.type, i - 1, e.what()));
    }
  }
  if (sections.size() < 2) throw NetworkInputError(fmt::format("{}: no layers after [net]", source));
  return b.take();
}

}  // namespace npusim::workloads
