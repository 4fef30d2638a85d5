#include "npusim/workloads/darknet_builder.hpp"

#include <fmt/format.h>

namespace npusim::workloads {

DarknetBuilder::DarknetBuilder(std::string network, Shape input) : graph_(std::move(network)) {
  input_ = graph_.add(input_layer("input", input));
}

int DarknetBuilder::resolve(int index) const {
  const int absolute = index < 0 ? sections() + index : index;
  if (absolute < 0 || absolute >= sections())
    throw GraphError(fmt::format("section {} ({}): refers to section {}, which does not exist "
                                 "before it",
                                 sections(), index, absolute));
  return sections_[static_cast<std::size_t>(absolute)];
}

int DarknetBuilder::prev() const { return sections_.empty() ? input_ : sections_.back(); }

std::string DarknetBuilder::next_name(const char* type) const {
  return fmt::format("{}_{}", sections(), type);
}

int DarknetBuilder::push(int layer) {
  sections_.push_back(layer);
  return sections() - 1;
}

int DarknetBuilder::convolutional(int filters, int size, int stride, bool batch_normalize,
                                  Activation act, int groups, int padding, int dilation) {
  const int pad = padding >= 0 ? padding : size / 2;
  Window w = Window::square(size, stride, pad);
  w.dilation_h = w.dilation_w = dilation;
  return push(graph_.add(conv_layer(next_name("conv"), prev(), filters, w, groups,
                                    !batch_normalize, batch_normalize, act)));
}

int DarknetBuilder::pool(LayerKind kind, const char* type, int size, int stride, int padding) {
  const int total = padding >= 0 ? padding : size - 1;
  Window w = Window::square(size, stride, 0);
  w.pad_top = w.pad_left = total / 2;
  w.pad_bottom = w.pad_right = total - total / 2;
  return push(graph_.add(pool_layer(next_name(type), kind, prev(), w)));
}

int DarknetBuilder::maxpool(int size, int stride, int padding) {
  return pool(LayerKind::MaxPool, "maxpool", size, stride, padding);
}

int DarknetBuilder::local_avgpool(int size, int stride, int padding) {
  return pool(LayerKind::AvgPool, "local_avgpool", size, stride, padding);
}

int DarknetBuilder::crop() {
  if (sections() != 0)
    throw GraphError(fmt::format("section {} (crop): supported as the first section only (a crop of the input)", sections()));
  Layer l;
  l.name = next_name("crop");
  l.kind = LayerKind::Scale;
  l.inputs = {prev()};
  return push(graph_.add(l));
}

int DarknetBuilder::avgpool() {
  return push(graph_.add(adaptive_avg_pool_layer(next_name("avgpool"), prev())));
}

int DarknetBuilder::route(const std::vector<int>& layers, int groups, int group_id) {
  if (layers.empty()) throw GraphError(fmt::format("section {} (route): no layers", sections()));
  if (groups < 1 || group_id < 0 || group_id >= groups)
    throw GraphError(fmt::format("section {} (route): group_id {} is not in [0, groups={})",
                                 sections(), group_id, groups));
  std::vector<int> parts;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    int src = resolve(layers[i]);
    if (groups > 1) {
      const std::int64_t c = graph_.layer(src).out.c;
      if (c % groups != 0)
        throw GraphError(fmt::format("section {} (route): {} channels of '{}' do not split "
                                     "into {} groups",
                                     sections(), c, graph_.layer(src).name, groups));
      const std::int64_t part = c / groups;
      src = graph_.add(slice_layer(fmt::format("{}_route_group{}", sections(), i), src,
                                   part * group_id, part * (group_id + 1)));
    }
    parts.push_back(src);
  }
  if (parts.size() == 1) return push(parts[0]);
  return push(graph_.add(concat_layer(next_name("route"), parts)));
}

int DarknetBuilder::shortcut(int from, Activation act) {
  const int other = resolve(from);
  return push(graph_.add(add_layer(next_name("shortcut"), {prev(), other}, act,
                                   AddMode::Darknet)));
}

int DarknetBuilder::multiply(const char* kind, int from, Activation act) {
  return push(graph_.add(mul_layer(next_name(kind), resolve(from), prev(), act)));
}

int DarknetBuilder::reorg(int stride) {
  return push(graph_.add(reorg_layer(next_name("reorg"), prev(), stride)));
}

int DarknetBuilder::upsample(int stride) {
  return push(graph_.add(upsample_layer(next_name("upsample"), prev(), stride)));
}

int DarknetBuilder::connected(int outputs, Activation act) {
  return push(graph_.add(fc_layer(next_name("connected"), prev(), outputs, true, act)));
}

int DarknetBuilder::softmax() {
  Layer l;
  l.name = next_name("softmax");
  l.kind = LayerKind::Softmax;
  l.inputs = {prev()};
  return push(graph_.add(l));
}

int DarknetBuilder::passthrough() { return push(prev()); }

}  // namespace npusim::workloads
