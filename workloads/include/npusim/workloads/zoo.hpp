// The model zoo: networks built layer for layer from their original definitions.
//
// Each builder takes the input resolution (square, H = W) and the batch size, so a network
// can be analysed or simulated at any input size its strides allow; a network whose native
// input is not square (the CamVid segmentation nets, 352x480) has a builder of height and
// width too, and a square one for --input.
#pragma once

#include <string>
#include <vector>

#include "npusim/workloads/graph.hpp"

namespace npusim::workloads {

struct ZooEntry {
  std::string name;
  std::string family;       ///< e.g. "torchvision", "HarDNet", "CSPNet (darknet cfg)"
  std::string source;       ///< the definition it follows
  int default_input = 224;  ///< native resolution of the definition (its height)
  Graph (*build)(int input, int batch);  ///< at input x input
  int default_width = 0;                 ///< native width when it is not default_input
  Graph (*build_rect)(int height, int width, int batch) = nullptr;

  /// At its native input (default_input x default_width when it has one).
  Graph build_native(int batch) const {
    return build_rect ? build_rect(default_input, default_width, batch) : build(default_input, batch);
  }
};

/// Every zoo network, in a stable order.
const std::vector<ZooEntry>& zoo();
/// The entry with this name, or nullptr.
const ZooEntry* find_zoo_entry(const std::string& name);

// Builders, one per definition (see the .cpp files for the source each follows).
Graph build_resnet18(int input, int batch);
Graph build_resnet50(int input, int batch);
Graph build_resnet101(int input, int batch);
Graph build_resnet50_v1(int input, int batch);
Graph build_resnet101_v1(int input, int batch);
Graph build_resnext50_32x4d(int input, int batch);
Graph build_densenet121(int input, int batch);
Graph build_densenet201(int input, int batch);
Graph build_mobilenet_v2(int input, int batch);
Graph build_mobilenet_v3_large(int input, int batch);
Graph build_mobilenet_v3_small(int input, int batch);
Graph build_efficientnet_b0(int input, int batch);
Graph build_ghostnet(int input, int batch);
Graph build_yolov5s(int input, int batch);
Graph build_yolov5l(int input, int batch);
Graph build_vgg16(int input, int batch);
Graph build_hardnet39ds(int input, int batch);
Graph build_hardnet68(int input, int batch);
Graph build_hardnet68ds(int input, int batch);
Graph build_hardnet85(int input, int batch);
Graph build_peleenet(int input, int batch);
Graph build_csppeleenet(int input, int batch);
Graph build_cspresnext50(int input, int batch);
Graph build_resnext50_darknet(int input, int batch);
Graph build_cspdarknet53(int input, int batch);
Graph build_darknet53(int input, int batch);
Graph build_cspresnet50(int input, int batch);
Graph build_resnet50_darknet(int input, int batch);
Graph build_csmobilenet_v2(int input, int batch);
Graph build_fc_densenet56(int height, int width, int batch);
Graph build_fc_densenet103(int height, int width, int batch);
Graph build_fc_hardnet68(int height, int width, int batch);
Graph build_fc_hardnet84(int height, int width, int batch);
Graph build_fc_hardnet70(int height, int width, int batch);
Graph build_mobilenet_v2_darknet(int input, int batch);

}  // namespace npusim::workloads
