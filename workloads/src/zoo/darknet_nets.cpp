// The darknet ImageNet classifiers of the CSPNet repository (WongKinYiu/
// CrossStagePartialNetworks, cfg/darknet53.cfg, csdarknet53.cfg, resnext50.cfg,
// csresnext50.cfg), section for section, native input 256x256. Darknet's BFLOPs are
// 2 x MACs. The final classifier is darknet's 1x1 convolution with biases, then softmax.
#include "npusim/workloads/darknet_builder.hpp"
#include "npusim/workloads/zoo.hpp"

namespace npusim::workloads {
namespace {

constexpr Activation kLeaky = Activation::Leaky;
constexpr Activation kLinear = Activation::None;

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

}  // namespace

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
  // Stages 2-4 down-sample with a grouped 3x3, then split into two 1x1 branches.
  const int width[3] = {256, 512, 1024}, units[3] = {3, 5, 2};
  for (int s = 0; s < 3; ++s) {
    const int w = width[s];
    const Activation split_act = s == 2 ? kLeaky : kLinear;  // as csresnext50.cfg has it
    b.convolutional(w, 1);
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
