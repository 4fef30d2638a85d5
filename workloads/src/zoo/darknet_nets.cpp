// The darknet ImageNet classifiers of the CSPNet repository (WongKinYiu/
// CrossStagePartialNetworks, cfg/darknet53.cfg, csdarknet53.cfg, resnext50.cfg,
// csresnext50.cfg, resnet50.cfg, csresnet50.cfg at 256x256; mobilenet-v2.cfg,
// csmobilenet-v2.cfg at 224x224), section for section: each must give what the .cfg
// importer gives on the official file (checked against the files in a scratch folder;
// totals pinned in tests/unit/test_zoo.cpp). Darknet's BFLOPs are 2 x MACs. The classifier
// is darknet's 1x1 convolution with biases, then softmax.
#include "npusim/workloads/darknet_builder.hpp"
#include "npusim/workloads/zoo.hpp"

namespace npusim::workloads {
namespace {

constexpr Activation kLeaky = Activation::Leaky;
constexpr Activation kLinear = Activation::None;
constexpr Activation kRelu = Activation::ReLU;

Graph finish_classifier(DarknetBuilder& b) {
  b.avgpool();
  b.convolutional(1000, 1, 1, false, kLinear);
  b.softmax();
  return b.take();
}

// conv F/2 1x1, conv F 3x3, shortcut -3 (darknet53's residual unit)
void darknet_residual(DarknetBuilder& b, int inner, int outer) {
  b.convolutional(inner, 1);
  b.convolutional(outer, 3);
  b.shortcut(-3, kLinear);
}

// conv w 1x1, grouped conv w 3x3 (32 groups), conv out 1x1 linear, shortcut -4 leaky
void resnext_unit(DarknetBuilder& b, int width, int out, int stride = 1) {
  b.convolutional(width, 1);
  b.convolutional(width, 3, stride, true, kLeaky, 32);
  b.convolutional(out, 1, 1, true, kLinear);
  b.shortcut(-4, kLeaky);
}

// conv w 1x1, conv w 3x3, conv out 1x1 linear, shortcut -4 leaky (resnet50.cfg's unit;
// darknet's shortcut adds the channels both sides have where the widths differ)
void resnet_unit(DarknetBuilder& b, int width, int out, int stride = 1) {
  b.convolutional(width, 1);
  b.convolutional(width, 3, stride);
  b.convolutional(out, 1, 1, true, kLinear);
  b.shortcut(-4, kLeaky);
}

// mobilenet-v2.cfg's inverted residual: 1x1 expand, 3x3 depthwise (`dw_out` filters in
// `expand` groups), 1x1 linear projection, shortcut -4 linear when `residual`.
void inverted_residual(DarknetBuilder& b, int expand, int dw_out, int out, int stride,
                       bool residual) {
  b.convolutional(expand, 1, 1, true, kRelu, 1, 0);
  b.convolutional(dw_out, 3, stride, true, kRelu, expand);
  b.convolutional(out, 1, 1, true, kLinear, 1, 0);
  if (residual) b.shortcut(-4, kLinear);
}

}  // namespace

Graph build_resnet50_darknet(int input, int batch) {
  DarknetBuilder b("resnet50_darknet", Shape{batch, 3, input, input});
  b.convolutional(64, 7, 2);
  b.maxpool(2, 2);
  const int width[4] = {64, 128, 256, 512}, units[4] = {3, 4, 6, 3};
  for (int s = 0; s < 4; ++s)
    for (int u = 0; u < units[s]; ++u)
      resnet_unit(b, width[s], 4 * width[s], (s > 0 && u == 0) ? 2 : 1);
  // resnet50.cfg classifies before pooling: the 1000-filter conv runs at 8x8.
  b.convolutional(1000, 1, 1, false, kLinear);
  b.avgpool();
  b.softmax();
  return b.take();
}

Graph build_cspresnet50(int input, int batch) {
  DarknetBuilder b("cspresnet50", Shape{batch, 3, input, input});
  b.convolutional(64, 7, 2);
  const int pool = b.maxpool(2, 2);
  int bypass = b.convolutional(128, 1);
  b.route({pool});
  b.convolutional(64, 1);
  for (int u = 0; u < 3; ++u) resnet_unit(b, 64, 128);
  int transition = b.convolutional(128, 1);
  b.route({transition, bypass});
  b.convolutional(128, 1);
  // Stages 2-4: a 3x3 stride-2 down-sampling conv, then two 1x1 branches.
  const int inner[3] = {128, 256, 512}, units[3] = {3, 5, 2};
  for (int s = 0; s < 3; ++s) {
    const int w = inner[s], out = 2 * w;
    const Activation split_act = s == 2 ? kLeaky : kLinear;  // as csresnet50.cfg has it
    const int down = b.convolutional(w, 3, 2);
    bypass = b.convolutional(out, 1, 1, true, split_act);
    b.route({down});
    b.convolutional(out, 1, 1, true, split_act);
    for (int u = 0; u < units[s]; ++u) resnet_unit(b, w, out);
    transition = b.convolutional(out, 1);
    b.route({transition, bypass});
    b.convolutional(out, 1);
  }
  return finish_classifier(b);
}

Graph build_mobilenet_v2_darknet(int input, int batch) {
  DarknetBuilder b("mobilenet_v2_darknet", Shape{batch, 3, input, input});
  b.convolutional(32, 3, 2, true, kRelu);
  // (expansion, output, stride, residual): torchvision's table, but the expansion of the
  // first block is a conv too and the stride of the 64-channel group sits at 96.
  struct Block { int expand, out, stride; bool residual; };
  constexpr Block kBlocks[] = {{32, 16, 1, false},   {96, 24, 2, false},  {144, 24, 1, true},
                               {144, 32, 2, false},  {192, 32, 1, true},  {192, 32, 1, true},
                               {192, 64, 1, false},  {384, 64, 1, true},  {384, 64, 1, true},
                               {384, 64, 1, true},   {384, 96, 2, false}, {576, 96, 1, true},
                               {576, 96, 1, true},   {576, 160, 2, false}, {960, 160, 1, true},
                               {960, 160, 1, true},  {960, 320, 1, false}};
  for (const Block& k : kBlocks) inverted_residual(b, k.expand, k.expand, k.out, k.stride, k.residual);
  b.convolutional(1280, 1, 1, true, kRelu, 1, 0);
  b.avgpool();
  b.convolutional(1000, 1, 1, false, kLinear, 1, 0);
  b.softmax();
  return b.take();
}

Graph build_csmobilenet_v2(int input, int batch) {
  DarknetBuilder b("csmobilenet_v2", Shape{batch, 3, input, input});
  const int stem = b.convolutional(32, 3, 2, true, kRelu);
  const int part = b.convolutional(16, 3, 1, true, kRelu, 16);  // part 1: a depthwise 3x3
  b.route({stem});
  b.convolutional(32, 1, 1, true, kRelu, 1, 0);
  b.convolutional(32, 3, 1, true, kRelu, 32);
  const int first = b.convolutional(16, 1, 1, true, kLinear, 1, 0);
  b.route({first, part});
  // A partial stage: 1x1 expand e, then part 1 a stride-2 depthwise 3x3 (e filters) and
  // part 2 a stride-2 3x3 with two filters per group (2e) into the blocks; the blocks' output
  // is concatenated with part 1.
  struct Stage { int expand, out, blocks; };
  auto stage_begin = [&](int e, int out) {
    const int expand = b.convolutional(e, 1, 1, true, kRelu, 1, 0);
    const int part1 = b.convolutional(e, 3, 2, true, kRelu, e);
    b.route({expand});
    b.convolutional(2 * e, 3, 2, true, kRelu, e);
    b.convolutional(out, 1, 1, true, kLinear, 1, 0);
    return part1;
  };
  // 24 channels: one residual block (expand 72, depthwise 144 in 72 groups).
  int part1 = stage_begin(48, 24);
  inverted_residual(b, 72, 144, 24, 1, true);
  b.route({b.last(), part1});
  // 32 channels: two residual blocks, then the 64-channel blocks in the same stage.
  part1 = stage_begin(72, 32);
  for (int i = 0; i < 2; ++i) inverted_residual(b, 96, 192, 32, 1, true);
  inverted_residual(b, 96, 192, 64, 1, false);
  for (int i = 0; i < 3; ++i) inverted_residual(b, 192, 384, 64, 1, true);
  b.route({b.last(), part1});
  part1 = stage_begin(192, 96);
  for (int i = 0; i < 2; ++i) inverted_residual(b, 288, 576, 96, 1, true);
  b.route({b.last(), part1});
  part1 = stage_begin(288, 160);
  for (int i = 0; i < 2; ++i) inverted_residual(b, 480, 960, 160, 1, true);
  inverted_residual(b, 480, 960, 320, 1, false);
  b.route({b.last(), part1});
  b.convolutional(640, 1, 1, true, kRelu, 1, 0);
  b.avgpool();
  b.convolutional(1000, 1, 1, false, kLinear, 1, 0);
  b.softmax();
  return b.take();
}

Graph build_darknet53(int input, int batch) {
  DarknetBuilder b("darknet53", Shape{batch, 3, input, input});
  b.convolutional(32, 3);
  const int filters[5] = {64, 128, 256, 512, 1024}, units[5] = {1, 2, 8, 8, 4};
  for (int s = 0; s < 5; ++s) {
    b.convolutional(filters[s], 3, 2);
    for (int u = 0; u < units[s]; ++u) darknet_residual(b, filters[s] / 2, filters[s]);
  }
  return finish_classifier(b);
}

Graph build_cspdarknet53(int input, int batch) {
  DarknetBuilder b("cspdarknet53", Shape{batch, 3, input, input});
  b.convolutional(32, 3);
  struct Stage { int down, part, inner, units, transition; };
  constexpr Stage kStages[5] = {{64, 64, 32, 1, 64},
                                {128, 64, 64, 2, 128},
                                {256, 128, 128, 8, 256},
                                {512, 256, 256, 8, 512},
                                {1024, 512, 512, 4, 1024}};
  for (const Stage& s : kStages) {
    const int down = b.convolutional(s.down, 3, 2);
    const int bypass = b.convolutional(s.part, 1);  // part 1: straight to the fusion
    b.route({down});
    b.convolutional(s.part, 1);  // part 2: through the residual units
    for (int u = 0; u < s.units; ++u) darknet_residual(b, s.inner, s.part);
    const int dense = b.convolutional(s.part, 1);
    b.route({dense, bypass});
    b.convolutional(s.transition, 1);
  }
  return finish_classifier(b);
}

Graph build_resnext50_darknet(int input, int batch) {
  DarknetBuilder b("resnext50_darknet", Shape{batch, 3, input, input});
  b.convolutional(64, 7, 2);
  b.maxpool(2, 2);
  const int width[4] = {128, 256, 512, 1024}, units[4] = {3, 4, 6, 3};
  for (int s = 0; s < 4; ++s)
    for (int u = 0; u < units[s]; ++u)
      resnext_unit(b, width[s], 2 * width[s], (s > 0 && u == 0) ? 2 : 1);
  return finish_classifier(b);
}

Graph build_cspresnext50(int input, int batch) {
  DarknetBuilder b("cspresnext50", Shape{batch, 3, input, input});
  b.convolutional(64, 7, 2);
  const int pool = b.maxpool(2, 2);
  // Stage 1 keeps the resolution: part 1 is a 1x1 conv of the pooled map.
  int bypass = b.convolutional(128, 1);
  b.route({pool});
  b.convolutional(64, 1);
  for (int u = 0; u < 3; ++u) resnext_unit(b, 128, 128);
  int transition = b.convolutional(128, 1);
  b.route({transition, bypass});
  b.convolutional(256, 1);
  // Stages 2-4 down-sample the previous stage's 2w = w channels with a grouped 3x3, then
  // split into two 1x1 branches.
  const int width[3] = {256, 512, 1024}, units[3] = {3, 5, 2};
  for (int s = 0; s < 3; ++s) {
    const int w = width[s];
    const Activation split_act = s == 2 ? kLeaky : kLinear;  // as csresnext50.cfg has it
    const int down = b.convolutional(w, 3, 2, true, kLeaky, 32);
    bypass = b.convolutional(w, 1, 1, true, split_act);
    b.route({down});
    b.convolutional(w, 1, 1, true, split_act);
    for (int u = 0; u < units[s]; ++u) resnext_unit(b, w, w);
    transition = b.convolutional(w, 1);
    b.route({transition, bypass});
    b.convolutional(2 * w, 1);
  }
  return finish_classifier(b);
}

}  // namespace npusim::workloads
