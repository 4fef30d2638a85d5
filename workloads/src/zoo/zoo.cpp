#include "npusim/workloads/zoo.hpp"

namespace npusim::workloads {

const std::vector<ZooEntry>& zoo() {
  static const std::vector<ZooEntry> entries = {
      {"hardnet39ds", "HarDNet", "PingoLH/Pytorch-HarDNet hardnet.py (arch=39, depth_wise)", 224,
       build_hardnet39ds},
      {"hardnet68", "HarDNet", "PingoLH/Pytorch-HarDNet hardnet.py (arch=68)", 224,
       build_hardnet68},
      {"hardnet68ds", "HarDNet", "PingoLH/Pytorch-HarDNet hardnet.py (arch=68, depth_wise)", 224,
       build_hardnet68ds},
      {"hardnet85", "HarDNet", "PingoLH/Pytorch-HarDNet hardnet.py (arch=85)", 224,
       build_hardnet85},
      {"cspresnext50", "CSPNet", "CrossStagePartialNetworks cfg/csresnext50.cfg", 256,
       build_cspresnext50},
      {"resnext50_darknet", "CSPNet baseline", "CrossStagePartialNetworks cfg/resnext50.cfg",
       256, build_resnext50_darknet},
      {"cspdarknet53", "CSPNet", "CrossStagePartialNetworks cfg/csdarknet53.cfg", 256,
       build_cspdarknet53},
      {"darknet53", "CSPNet baseline", "CrossStagePartialNetworks cfg/darknet53.cfg", 256,
       build_darknet53},
      {"cspresnet50", "CSPNet", "CrossStagePartialNetworks cfg/csresnet50.cfg", 256,
       build_cspresnet50},
      {"resnet50_darknet", "CSPNet baseline", "CrossStagePartialNetworks cfg/resnet50.cfg", 256,
       build_resnet50_darknet},
      {"csmobilenet_v2", "CSPNet", "CrossStagePartialNetworks cfg/csmobilenet-v2.cfg", 224,
       build_csmobilenet_v2},
      {"mobilenet_v2_darknet", "CSPNet baseline", "CrossStagePartialNetworks cfg/mobilenet-v2.cfg",
       224, build_mobilenet_v2_darknet},
      {"peleenet", "PeleeNet", "Robert-JunWang/PeleeNet peleenet.py", 224, build_peleenet},
      {"csppeleenet", "CSPNet",
       "our reading of the paper: PeleeNet with partial dense blocks (CSPNet Sec. 3.1, ratio "
       "0.5, fusion last); no official definition", 224,
       build_csppeleenet},
      {"resnet18", "torchvision", "torchvision.models.resnet18", 224, build_resnet18},
      {"resnet50", "torchvision", "torchvision.models.resnet50", 224, build_resnet50},
      {"resnet101", "torchvision", "torchvision.models.resnet101", 224, build_resnet101},
      {"resnet50_v1", "ResNet v1", "He et al. 2016 (Caffe ResNet-50): stride on the bottleneck's first 1x1",
       224, build_resnet50_v1},
      {"resnet101_v1", "ResNet v1", "He et al. 2016 (Caffe ResNet-101): stride on the bottleneck's first 1x1",
       224, build_resnet101_v1},
      {"resnext50_32x4d", "torchvision", "torchvision.models.resnext50_32x4d", 224,
       build_resnext50_32x4d},
      {"densenet121", "torchvision", "torchvision.models.densenet121", 224, build_densenet121},
      {"densenet201", "torchvision", "torchvision.models.densenet201", 224, build_densenet201},
      {"mobilenet_v2", "torchvision", "torchvision.models.mobilenet_v2", 224,
       build_mobilenet_v2},
      {"vgg16", "torchvision", "torchvision.models.vgg16", 224, build_vgg16},
      {"mobilenet_v3_large", "torchvision", "torchvision.models.mobilenet_v3_large", 224, build_mobilenet_v3_large},
      {"mobilenet_v3_small", "torchvision", "torchvision.models.mobilenet_v3_small", 224, build_mobilenet_v3_small},
      {"efficientnet_b0", "torchvision", "torchvision.models.efficientnet_b0", 224, build_efficientnet_b0},
      {"ghostnet", "GhostNet", "huawei-noah/Efficient-AI-Backbones ghostnet_pytorch/ghostnet.py", 224, build_ghostnet},
      {"yolov5s", "YOLOv5", "ultralytics/yolov5 models/yolov5s.yaml (v6.0+; Detect decode as its sigmoid)", 640,
       build_yolov5s},
      {"yolov5l", "YOLOv5", "ultralytics/yolov5 models/yolov5l.yaml (v6.0+; Detect decode as its sigmoid)", 640,
       build_yolov5l},
      {"fc_densenet56", "FC-DenseNet", "SimJeg/FC-DenseNet (Jegou et al. 2017): 4 layers a block, growth 12", 352,
       [](int in, int b) { return build_fc_densenet56(in, in, b); }, 480, build_fc_densenet56},
      {"fc_densenet103", "FC-DenseNet", "SimJeg/FC-DenseNet (Jegou et al. 2017): blocks 4,5,7,10,12,15, growth 16",
       352, [](int in, int b) { return build_fc_densenet103(in, in, b); }, 480, build_fc_densenet103},
      {"fc_hardnet68", "FC-HarDNet",
       "our reading of HarDNet Table 3 (no official definition): FC-DenseNet with harmonic blocks", 352,
       [](int in, int b) { return build_fc_hardnet68(in, in, b); }, 480, build_fc_hardnet68},
      {"fc_hardnet84", "FC-HarDNet",
       "our reading of HarDNet Table 3 (no official definition): FC-DenseNet with harmonic blocks", 352,
       [](int in, int b) { return build_fc_hardnet84(in, in, b); }, 480, build_fc_hardnet84},
      {"fc_hardnet70", "FC-HarDNet", "PingoLH/FCHarDNet ptsemseg/models/hardnet.py (Cityscapes, 19 classes)", 1024,
       [](int in, int b) { return build_fc_hardnet70(in, in, b); }, 2048, build_fc_hardnet70},
  };
  return entries;
}

const ZooEntry* find_zoo_entry(const std::string& name) {
  for (const ZooEntry& e : zoo())
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace npusim::workloads
