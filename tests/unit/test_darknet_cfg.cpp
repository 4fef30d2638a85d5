// The Darknet .cfg importer: cfg files written by make_cfgs.py in the layout of the official
// darknet53.cfg and csresnext50.cfg give the zoo's totals exactly; a small detector's shapes and MACs by hand; every malformed
// input is a NetworkInputError naming file and line; a bounded fuzz run never crashes.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "npusim/workloads/analysis.hpp"
#include "npusim/workloads/darknet_cfg.hpp"
#include "npusim/workloads/network_io.hpp"
#include "npusim/workloads/zoo.hpp"

namespace {

using namespace npusim::workloads;

const std::string kDir = std::string(NPUSIM_TEST_DATA_DIR) + "/darknet/";

std::string read(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void expect_same_totals(const Graph& a, const Graph& b) {
  const NetworkStats sa = analyze(a), sb = analyze(b);
  EXPECT_EQ(a.size(), b.size());
  EXPECT_EQ(sa.total.params, sb.total.params);
  EXPECT_EQ(sa.total.macs, sb.total.macs);
  EXPECT_EQ(sa.total.cio, sb.total.cio);
  for (int i = 0; i < std::min(a.size(), b.size()); ++i) EXPECT_EQ(sa.layers[i].macs, sb.layers[i].macs) << i;
}

TEST(DarknetCfg, Darknet53EqualsTheZoo) {
  expect_same_totals(load_network(kDir + "darknet53.cfg"), load_network("darknet53"));
}

TEST(DarknetCfg, CspResNeXt50EqualsTheZoo) {
  expect_same_totals(load_network(kDir + "csresnext50.cfg"), load_network("cspresnext50"));
}

TEST(DarknetCfg, InputAndBatchOverrides) {
  LoadOptions o;
  o.input = 128;
  o.batch = 2;
  expect_same_totals(load_network(kDir + "darknet53.cfg", o), build_darknet53(128, 2));
}

TEST(DarknetCfg, SmallDetectorByHand) {
  const Graph g = load_network(kDir + "tiny_detector.cfg");
  const NetworkStats s = analyze(g);
  // conv0 16x3x3x3 on 64x64; conv2 32x16x9 on 32x32; conv4 grouped (2 groups) 64x(32/2)x9 on
  // 16x16; conv6 32x32 on 16x16; conv8 18x96 on 16x16; last conv 18x(96+32) on 32x32.
  const std::int64_t macs = 16LL * 27 * 64 * 64 + 32LL * 144 * 32 * 32 + 64LL * 144 * 16 * 16 +
                            32LL * 32 * 16 * 16 + 18LL * 96 * 16 * 16 + 18LL * 128 * 32 * 32;
  EXPECT_EQ(s.total.macs, macs);
  // BN convs have scale and shift, the heads biases.
  const std::int64_t params = (16 * 27 + 32) + (32 * 144 + 64) + (64 * 144 + 128) + (32 * 32 + 64) + (18 * 96 + 18) +
                              (18 * 128 + 18);
  EXPECT_EQ(s.total.params, params);
  const Layer& last = g.layer(g.size() - 1);
  EXPECT_EQ(last.out.c, 18);
  EXPECT_EQ(last.out.h, 32);
  EXPECT_EQ(last.activation, Activation::Sigmoid);
}

void expect_error(const std::string& text, const std::string& needle) {
  try {
    network_from_darknet_cfg(text, "bad.cfg");
    FAIL() << "no error; wanted " << needle;
  } catch (const NetworkInputError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(DarknetCfg, BadInputNamesFileLineAndField) {
  const std::string net = "[net]\nwidth=32\nheight=32\n";
  expect_error(net + "[convolutional]\nfilters=8\nsize=3\n[lstm]\n", "bad.cfg:7: section [lstm] is a recurrent layer");
  expect_error("[net]\ninputs=256\n[rnn]\n", "bad.cfg:3: section [rnn] is a recurrent layer");
  expect_error(net + "[convolutional]\nfilters=8\n[local]\n", "bad.cfg:6: section [local] is not supported");
  expect_error(net + "[convolutional]\nfilters=8\nxnor=1\n", "bad.cfg:6: [convolutional] key 'xnor' is not supported");
  expect_error(net + "[convolutional]\nfilters=eight\n", "bad.cfg:5: [convolutional] field 'filters': expected an integer");
  expect_error(net + "[convolutional]\nsize=3\n", "field 'filters'");
  expect_error(net + "[convolutional]\nfilters=8\nactivation=elu\n", "field 'activation'");
  expect_error(net + "[convolutional]\nfilters=8\n[route]\nlayers=-5\n", "bad.cfg:6: [route] (section 1)");
  expect_error(net + "[shortcut]\nfrom=-3\n", "[shortcut]");
  expect_error("[convolutional]\nfilters=8\n", "bad.cfg:1: expected the first section to be [net]");
  expect_error("filters=8\n[net]\n", "bad.cfg:1: key before the first section");
  expect_error("[net]\nwidth=32\n", "field 'height'");
  expect_error(net + "[convolutional\n", "bad.cfg:4: expected a section header");
  expect_error(net + "[convolutional]\nfilters=8\nsize=3\ndilation=2\npadding=0\n", "bad.cfg:7: [convolutional] field 'dilation'");
  expect_error(net + "[convolutional]\nfilters=###\n", "field 'filters': expected an integer");
  expect_error(net + "[convolutional]\nfilters=8\nantialiasing=1\n", "key 'antialiasing' is not supported");
  EXPECT_THROW(load_network(kDir + "no_such.cfg"), NetworkInputError);
}

// What darknet itself accepts: the first of a repeated key wins, training-only keys are
// ignored, numbers are read as atoi reads them, a dilated kernel is padded pad x dilation.
TEST(DarknetCfg, AcceptsWhatDarknetAccepts) {
  const std::string text =
      "[net]\nwidth=32\nheight=32\nbatch=64\nbatch=1\nchannels=3\n"
      "[convolutional]\nfilters=8\nfilters=9\nsize=3\npad=1\nstopbackward=1\nlearning_rate=0.1\nsway=1\n"
      "activation=leaky\n"
      "[convolutional]\nfilters=16 ### a comment after the value\nsize=3\npad=1\ndilation=2\nactivation=linear\n"
      "[route]\nlayers=-1, 0 ###P6\nonlyforward=1\n"
      "[softmax]\ntemperature=2\n"
      "[Gaussian_yolo]\nmask=0\n";
  const Graph g = network_from_darknet_cfg(text, "lenient.cfg");
  const Layer& c0 = g.layer(g.find("0_conv"));
  EXPECT_EQ(c0.out.c, 8);  // filters=8, the first
  const Layer& c1 = g.layer(g.find("1_conv"));
  EXPECT_EQ(c1.out.c, 16);
  EXPECT_EQ(c1.window.dilation_h, 2);
  EXPECT_EQ(c1.window.pad_top, 2);  // pad=1 x dilation 2: the output keeps 32x32
  EXPECT_EQ(c1.out.h, 32);
  EXPECT_EQ(analyze(g).total.macs, 8LL * 27 * 32 * 32 + 16LL * 72 * 32 * 32);
  const Layer& route = g.layer(g.find("2_route"));
  EXPECT_EQ(route.out.c, 16 + 8);
}

// [scale_channels] (EfficientNet's squeeze-and-excitation, laid out as in AlexeyAB's
// efficientnet_b0.cfg) and [sam] (YOLOv4-sam's spatial attention): the `from` section times
// the previous one, a Mul layer of the `from` section's shape.
TEST(DarknetCfg, ScaleChannelsAndSamAreMulLayers) {
  const std::string text =
      "[net]\nwidth=32\nheight=32\nchannels=3\n"
      "[convolutional]\nfilters=16\nsize=3\nstride=1\npad=1\nbatch_normalize=1\nactivation=swish\n"
      "[avgpool]\n"
      "[convolutional]\nfilters=4\nsize=1\nstride=1\nactivation=swish\n"
      "[convolutional]\nfilters=16\nsize=1\nstride=1\nactivation=logistic\n"
      "[scale_channels]\nfrom=-4\n"
      "[convolutional]\nfilters=16\nsize=1\nstride=1\nactivation=logistic\n"
      "[sam]\nfrom=-2\n";
  const Graph g = network_from_darknet_cfg(text, "se.cfg");
  const Layer& se = g.layer(g.find("4_scale_channels"));
  EXPECT_EQ(se.kind, LayerKind::Mul);
  EXPECT_EQ(g.layer(se.inputs[0]).name, "0_conv");  // the feature map, then the 16x1x1 gate
  EXPECT_EQ(g.layer(se.inputs[1]).out, (Shape{1, 16, 1, 1}));
  EXPECT_EQ(se.out, (Shape{1, 16, 32, 32}));
  const Layer& sam = g.layer(g.find("6_sam"));
  EXPECT_EQ(sam.kind, LayerKind::Mul);
  EXPECT_EQ(sam.out, (Shape{1, 16, 32, 32}));
  EXPECT_EQ(analyze(g).total.macs, 16LL * 27 * 32 * 32 + 4 * 16 + 16 * 4 + 16LL * 16 * 32 * 32);
  expect_error("[net]\nwidth=8\nheight=8\n[convolutional]\nfilters=4\n[scale_channels]\nfrom=-1\nscale_wh=1\n",
               "[scale_channels] field 'scale_wh': expected 0");
}

// [crop] first (cifar.cfg, vgg-16.cfg: the input is the crop, then x * 2 - 1), [local_avgpool]
// padded as [maxpool] (yolov4-tiny_contrastive.cfg) and a [contrastive] loss head.
TEST(DarknetCfg, CropLocalAvgpoolAndContrastive) {
  const std::string text =
      "[net]\nwidth=32\nheight=32\nchannels=3\n"
      "[crop]\ncrop_width=28\ncrop_height=28\nflip=1\nangle=0\n"
      "[convolutional]\nfilters=8\nsize=3\nstride=1\npad=1\nactivation=leaky\n"
      "[local_avgpool]\nsize=4\nstride=4\n"
      "[contrastive]\nclasses=80\n";
  const Graph g = network_from_darknet_cfg(text, "crop.cfg");
  EXPECT_EQ(g.layer(0).out, (Shape{1, 3, 28, 28}));
  EXPECT_EQ(g.layer(g.find("0_crop")).kind, LayerKind::Scale);
  const Layer& pool = g.layer(g.find("2_local_avgpool"));
  EXPECT_EQ(pool.kind, LayerKind::AvgPool);
  EXPECT_EQ(pool.out.h, (28 + 3 - 4) / 4 + 1);  // darknet: (w + padding - size) / stride + 1, padding = size - 1
  EXPECT_EQ(analyze(g).total.macs, 8LL * 27 * 28 * 28);
  expect_error("[net]\nwidth=8\nheight=8\n[convolutional]\nfilters=4\n[crop]\ncrop_width=4\ncrop_height=4\n",
               "supported as the first section only");
}

// [reorg] / [reorg3d] stride=2 (YOLOv2's passthrough): space-to-depth, C x 4 at half the size,
// concatenated with the deeper branch as yolov2.cfg does.
TEST(DarknetCfg, ReorgIsSpaceToDepth) {
  const std::string text =
      "[net]\nwidth=32\nheight=32\nchannels=3\n"
      "[convolutional]\nfilters=16\nsize=3\nstride=1\npad=1\nactivation=leaky\n"
      "[maxpool]\nsize=2\nstride=2\n"
      "[convolutional]\nfilters=32\nsize=3\nstride=1\npad=1\nactivation=leaky\n"
      "[route]\nlayers=-3\n"
      "[reorg]\nstride=2\n"
      "[route]\nlayers=-1,-3\n";
  const Graph g = network_from_darknet_cfg(text, "reorg.cfg");
  const Layer& r = g.layer(g.find("4_reorg"));
  EXPECT_EQ(r.kind, LayerKind::Reorg);
  EXPECT_EQ(r.out, (Shape{1, 64, 16, 16}));
  EXPECT_EQ(g.layer(g.size() - 1).out.c, 64 + 32);
  expect_error("[net]\nwidth=8\nheight=8\n[convolutional]\nfilters=4\n[reorg]\nstride=2\nreverse=1\n",
               "[reorg] field 'reverse': expected 0");
}

// Random edits of a real cfg: every result is a network or a NetworkInputError/GraphError.
TEST(DarknetCfg, FuzzNeverCrashes) {
  const std::string base = read(kDir + "csresnext50.cfg");
  std::vector<std::string> lines;
  std::stringstream ss(base);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  std::mt19937 rng(12345);
  const char* junk[] = {"[route]", "layers=-999", "groups=0", "size=0", "=", "[", "stride=1000000000000",
                        "filters=-1", "from=5", "[upsample]", "pad=7", "group_id=3", "[yolo]", "\x01\x02"};
  int parsed = 0, rejected = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    std::vector<std::string> m = lines;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % m.size();
      switch (rng() % 4) {
        case 0: m.erase(m.begin() + static_cast<std::ptrdiff_t>(at)); break;
        case 1: m.insert(m.begin() + static_cast<std::ptrdiff_t>(at), junk[rng() % std::size(junk)]); break;
        case 2: m.insert(m.begin() + static_cast<std::ptrdiff_t>(at), m[rng() % m.size()]); break;
        default:
          for (char& c : m[at])
            if (c >= '0' && c <= '9' && rng() % 2) c = static_cast<char>('0' + rng() % 10);
      }
    }
    std::string text;
    for (const auto& l : m) text += l + "\n";
    try {
      const Graph g = network_from_darknet_cfg(text, "fuzz.cfg");
      analyze(g);
      ++parsed;
    } catch (const NetworkInputError&) {
      ++rejected;
    } catch (const GraphError&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
  EXPECT_EQ(parsed + rejected, 2000);
}

}  // namespace
