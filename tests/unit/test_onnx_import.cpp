// The ONNX importer: torchvision models exported without parameters import with the zoo's
// exact parameters, MACs and CIO; an eval-mode export (BN folded into biases) keeps MACs and
// CIO; unsupported operators and malformed files are errors naming file and node; a bounded
// fuzz run of corrupted files never crashes.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "npusim/workloads/analysis.hpp"
#include "npusim/workloads/network_io.hpp"
#include "npusim/workloads/onnx_import.hpp"
#include "npusim/workloads/zoo.hpp"

namespace {

using namespace npusim::workloads;

const std::string kDir = std::string(NPUSIM_TEST_DATA_DIR) + "/onnx/";

std::vector<std::int64_t> sorted_macs(const NetworkStats& s) {
  std::vector<std::int64_t> m;
  for (const auto& l : s.layers)
    if (l.macs) m.push_back(l.macs);
  std::sort(m.begin(), m.end());
  return m;
}

class TorchvisionModel : public ::testing::TestWithParam<const char*> {};

TEST_P(TorchvisionModel, EqualsTheZoo) {
  const NetworkStats a = analyze(load_network(kDir + GetParam() + ".onnx"));
  const NetworkStats z = analyze(load_network(GetParam()));
  EXPECT_EQ(a.total.params, z.total.params);
  EXPECT_EQ(a.total.macs, z.total.macs);
  EXPECT_EQ(a.total.cio, z.total.cio);
  EXPECT_EQ(sorted_macs(a), sorted_macs(z));
}

INSTANTIATE_TEST_SUITE_P(Onnx, TorchvisionModel,
                         ::testing::Values("resnet18", "resnet50", "densenet121", "mobilenet_v2", "vgg16"));

// FC-HarDNet-70 from its official code (bilinear resizing to sizes read off tensor shapes),
// transposed convolutions (tiny_decoder), squeeze-and-excitation gates (a Mul layer broadcasting N x C x 1 x 1), hardswish as
// x*HardSigmoid(x) (opset 13) and HardSwish (17), SiLU, ShuffleNet's channel shuffle and
// shape arithmetic folded to constants, ConvNeXt's channels-last LayerNorm (one op at opset
// 17, decomposed at 13), MLP and GELU, a YOLOv5-style detection decode on two scales and
// its old Focus stem (four stride-2 slices concatenated: a reorg): MACs and conv CIO equal
// the counts make_onnx.py took with forward hooks on torch's modules.
TEST(Onnx, SqueezeExcitationNetworksEqualTheirHookCounts) {
  std::ifstream f(kDir + "hook_counts.json");
  const nlohmann::json counts = nlohmann::json::parse(f);
  ASSERT_GE(counts.size(), 5u);
  for (const auto& [file, c] : counts.items()) {
    const Graph g = load_network(kDir + file);
    const NetworkStats s = analyze(g);
    EXPECT_EQ(s.total.macs, c["macs"].get<std::int64_t>()) << file;
    EXPECT_EQ(s.total.cio, c["cio"].get<std::int64_t>()) << file;
    // The pattern each file is there for: a shuffle in ShuffleNet, ConvNeXt's layer norms
    // and GELU, a gate in the others.
    const bool shufflenet = file.rfind("shufflenet", 0) == 0, convnext = file.rfind("convnext", 0) == 0;
    const bool detect = file.rfind("tiny_detect", 0) == 0, focus = file.rfind("tiny_focus", 0) == 0;
    const bool decoder = file.rfind("tiny_decoder", 0) == 0, fc_hardnet = file.rfind("fc_hardnet70", 0) == 0;
    const bool vit = file.rfind("tiny_vit", 0) == 0;
    const LayerKind kind = vit ? LayerKind::MatMul
                           : shufflenet ? LayerKind::Shuffle
                           : convnext ? LayerKind::LayerNorm
                           : detect   ? LayerKind::Elementwise
                           : focus    ? LayerKind::Reorg
                           : decoder  ? LayerKind::ConvTranspose
                           : fc_hardnet ? LayerKind::Resize
                                      : LayerKind::Mul;
    if (fc_hardnet)  // F.interpolate(size=skip.shape[2:], bilinear, align_corners): shape slices folded
      for (const Layer& l : g.layers())
        if (l.kind == LayerKind::Resize) EXPECT_EQ(l.resize_mode, ResizeMode::BilinearAlignCorners) << file;
    if (vit) {  // the class token and position embedding, Q K^T and P V per block and head, the class token out
      auto count = [&](LayerKind k) {
        return std::count_if(g.layers().begin(), g.layers().end(), [&](const Layer& l) { return l.kind == k; });
      };
      const bool one_head = file.find("one_head") != std::string::npos;  // 1 block of 1 head, else 2 of 4
      EXPECT_EQ(count(LayerKind::MatMul), one_head ? 2 : 4) << file;
      EXPECT_EQ(count(LayerKind::LayerNorm), one_head ? 3 : 5) << file;
      auto first = [&](LayerKind k) {
        return *std::find_if(g.layers().begin(), g.layers().end(), [&](const Layer& l) { return l.kind == k; });
      };
      ASSERT_EQ(count(LayerKind::Tokens), 1) << file;
      ASSERT_EQ(count(LayerKind::TokenSlice), 1) << file;
      const Layer& embed = first(LayerKind::Tokens);
      EXPECT_EQ(embed.out, (Shape{1, 32, 17, 1})) << file;
      EXPECT_TRUE(embed.position_embedding && embed.prepend_tokens == 1) << file;
      for (const Layer& l : g.layers())
        if (l.kind == LayerKind::MatMul) EXPECT_EQ(l.groups, one_head ? 1 : 4) << file;
      EXPECT_EQ(first(LayerKind::TokenSlice).out, (Shape{1, 32, 1, 1})) << file;
      EXPECT_EQ(s.total.params, c["params"].get<std::int64_t>()) << file;
    }
    if (decoder) {  // 4x4 s2 p1 (BN and ReLU fused), grouped 2x2 s2, 3x3 s2 p1 with output_padding 1
      EXPECT_EQ(g.layer(g.size() - 1).out, (Shape{1, 2, 128, 128})) << file;
      EXPECT_EQ(std::count_if(g.layers().begin(), g.layers().end(),
                              [](const Layer& l) { return l.kind == LayerKind::ConvTranspose; }),
                3) << file;
    }
    if (detect)  // the decode: one sigmoid layer per scale over every output of its head
      for (const Layer& l : g.layers())
        if (l.kind == LayerKind::Elementwise) {
          EXPECT_EQ(l.activation, Activation::Sigmoid) << file;
          EXPECT_EQ(g.layer(l.inputs[0]).kind, LayerKind::Conv) << file;
          EXPECT_EQ(l.out.c, 16) << file;  // 2 anchors x (3 classes + 5)
        }
    EXPECT_GT(std::count_if(g.layers().begin(), g.layers().end(), [&](const Layer& l) { return l.kind == kind; }), 0)
        << file;
    if (convnext)
      EXPECT_EQ(std::count_if(g.layers().begin(), g.layers().end(),
                              [](const Layer& l) { return l.activation == Activation::GELU; }),
                18) << file;  // one per block: 3 + 3 + 9 + 3
  }
}

// Swin's padding to a multiple of the window: F.pad with pads computed from the tensor's
// shape (Shape, Gather, Mod, Sub, ConstantOfShape, Concat, Reshape, Slice, Transpose, Cast:
// folded to constants) folds into the next conv's window. By the model's definition
// (make_onnx.py, TinyPad): 3x30x30 -> 3x3 s2 p1 -> 8x15x15, padded (7 - 15 % 7) % 7 = 6
// rows at the bottom and 6 columns at the right to 21x21 -> 3x3 -> 8x19x19.
TEST(Onnx, PadsComputedFromTheShapeFoldIntoTheNextConv) {
  for (const char* file : {"tiny_pad_op13.onnx", "tiny_pad_op17.onnx"}) {
    const Graph g = load_network(kDir + file);
    ASSERT_EQ(g.size(), 3) << file;
    const Layer& conv = g.layer(2);
    EXPECT_EQ(conv.kind, LayerKind::Conv) << file;
    EXPECT_EQ(g.layer(conv.inputs[0]).out, (Shape{1, 8, 15, 15})) << file;
    EXPECT_EQ(conv.window.pad_top, 0) << file;
    EXPECT_EQ(conv.window.pad_left, 0) << file;
    EXPECT_EQ(conv.window.pad_bottom, 6) << file;
    EXPECT_EQ(conv.window.pad_right, 6) << file;
    EXPECT_EQ(conv.out, (Shape{1, 8, 19, 19})) << file;
    EXPECT_EQ(analyze(g).total.macs, 8 * 15 * 15 * 3 * 9 + 8 * 19 * 19 * 8 * 9) << file;
  }
}

// The zoo's squeeze-and-excitation networks (and FC-HarDNet-70) layer by layer against their eval-mode exports
// (BN folded, so parameters differ): the same MACs per layer, the same CIO.
TEST(Onnx, SqueezeExcitationZooNetworksEqualTheirExports) {
  for (const auto& [zoo_name, file] : {std::pair{"mobilenet_v3_small", "mobilenet_v3_small_op17"},
                                       {"mobilenet_v3_large", "mobilenet_v3_large_op13"},
                                       {"efficientnet_b0", "efficientnet_b0_op17"}, {"ghostnet", "ghostnet_op13"},
                                       {"fc_hardnet70", "fc_hardnet70_op17"}}) {
    const NetworkStats a = analyze(load_network(kDir + file + ".onnx"));
    const NetworkStats z = analyze(load_network(zoo_name));
    EXPECT_EQ(a.total.macs, z.total.macs) << zoo_name;
    EXPECT_EQ(a.total.cio, z.total.cio) << zoo_name;
    EXPECT_EQ(sorted_macs(a), sorted_macs(z)) << zoo_name;
  }
}

TEST(Onnx, EvalExportFoldsBatchNormIntoBiases) {
  const NetworkStats a = analyze(load_network(kDir + "mobilenet_v2_eval.onnx"));
  const NetworkStats z = analyze(load_network("mobilenet_v2"));
  EXPECT_EQ(a.total.macs, z.total.macs);
  EXPECT_EQ(a.total.cio, z.total.cio);
  EXPECT_LT(a.total.params, z.total.params);  // a bias per channel instead of BN's scale and shift
}

TEST(Onnx, SqueezeNetMatchesItsPublishedCounts) {
  const NetworkStats s = analyze(load_network(kDir + "squeezenet1_1.onnx"));
  EXPECT_EQ(s.total.params, 1235496);               // torchvision's squeezenet1_1
  EXPECT_NEAR(static_cast<double>(s.total.macs), 0.35e9, 0.005e9);  // torchvision: 0.35 GFLOPS (MACs)
}

// A model exported with its parameters (initializers), with the operators the torchvision
// models lack; counts by hand.
TEST(Onnx, SmallModelWithParameters) {
  const Graph g = load_network(kDir + "small_full.onnx");
  const NetworkStats s = analyze(g);
  // c1 3->16 3x3 s2 on 16x16 out (BN folded into a bias by the eval export); c2 8->8 3x3
  // dilation 2 in 2 groups; c3 16->16 1x1; MatMul 16->10 with its Add as the bias.
  EXPECT_EQ(s.total.macs, 16 * 27 * 256 + 8 * 36 * 256 + 16 * 16 * 256 + 160);
  EXPECT_EQ(s.total.params, (432 + 16) + (288 + 8) + (256 + 16) + (160 + 10));
  auto act = [&](const std::string& name) { return g.layer(g.find(name)).activation; };
  EXPECT_EQ(act("/c1/Conv"), Activation::Swish);       // x * sigmoid(x)
  EXPECT_EQ(act("/c2/Conv"), Activation::HardSwish);
  EXPECT_EQ(act("/c3/Conv"), Activation::Leaky);
  EXPECT_EQ(g.layer(g.find("/c2/Conv")).window.dilation_h, 2);
  EXPECT_EQ(g.layer(g.find("/Resize")).scale, 2);
  // * 0.5: a scale layer (a vector pass, not a view); the other Mul is SiLU's, fused.
  EXPECT_EQ(std::count_if(g.layers().begin(), g.layers().end(),
                          [](const Layer& l) { return l.kind == LayerKind::Scale; }),
            1);
  EXPECT_EQ(g.layer(g.size() - 1).kind, LayerKind::FullyConnected);
  EXPECT_TRUE(g.layer(g.size() - 1).bias);
}

TEST(Onnx, InputOverride) {
  LoadOptions o;
  o.input = 160;
  const NetworkStats a = analyze(load_network(kDir + "resnet18.onnx", o));
  const NetworkStats z = analyze(build_resnet18(160, 1));
  EXPECT_EQ(a.total.macs, z.total.macs);
  EXPECT_EQ(a.total.cio, z.total.cio);
}

/// Writes `m` to a file of its own (tests may run in parallel processes).
std::string write_model(const onnx::ModelProto& m, const std::string& tag) {
  const auto path = (std::filesystem::temp_directory_path() / ("npusim_test_" + tag + ".onnx")).string();
  std::ofstream f(path, std::ios::binary);
  m.SerializeToOstream(&f);
  return path;
}

onnx::ModelProto small_model(const std::string& op) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  auto* in = g->add_input();
  in->set_name("x");
  auto* shape = in->mutable_type()->mutable_tensor_type()->mutable_shape();
  for (int d : {1, 8, 16, 16}) shape->add_dim()->set_dim_value(d);
  in->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name("the_node");
  n->add_input("x");
  n->add_output("y");
  g->add_output()->set_name("y");
  return m;
}

void add_ints(onnx::GraphProto* g, const std::string& name, std::vector<std::int64_t> values) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(static_cast<std::int64_t>(values.size()));
  for (auto v : values) t->add_int64_data(v);
}

/// Appends node `op` named `name` reading `inputs`, writing `output`.
onnx::NodeProto* add_node(onnx::GraphProto* g, const std::string& op, const std::string& name,
                          std::vector<std::string> inputs, const std::string& output) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : inputs) n->add_input(i);
  n->add_output(output);
  return n;
}

void add_weight(onnx::GraphProto* g, const std::string& name, std::vector<std::int64_t> dims) {
  auto* w = g->add_initializer();
  w->set_name(name);
  w->set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) w->add_dims(d);
}

/// small_model("Conv") with an 8 -> 8 1x1 weight `w`, its output renamed "c" for the nodes a
/// test appends.
onnx::ModelProto conv_model() {
  onnx::ModelProto m = small_model("Conv");
  auto* g = m.mutable_graph();
  g->mutable_node(0)->add_input("w");
  g->mutable_node(0)->set_output(0, "c");
  add_weight(g, "w", {8, 8, 1, 1});
  return m;
}

void expect_error(const std::string& path, const std::string& needle) {
  try {
    load_network(path);
    FAIL() << "no error; wanted " << needle;
  } catch (const NetworkInputError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

// A token tensor read in a way the importer has no exact layer for is an error naming the
// node and what it is: the tiny ViT's softmax over the queries instead of the keys, its
// K^T transposed the other way, Q K^T with the operands swapped.
TEST(Onnx, TokenTensorsReadOtherwiseAreErrorsNamingTheNode) {
  onnx::ModelProto vit;
  {
    std::ifstream f(kDir + "tiny_vit_op17.onnx", std::ios::binary);
    ASSERT_TRUE(vit.ParseFromIstream(&f));
  }
  auto node = [](onnx::ModelProto& m, const std::string& name) {
    for (auto& n : *m.mutable_graph()->mutable_node())
      if (n.name() == name) return &n;
    ADD_FAILURE() << "no node " << name;
    return m.mutable_graph()->mutable_node(0);
  };
  const std::string attn = "/encoder/layers/encoder_layer_0/self_attention/";
  onnx::ModelProto m = vit;
  node(m, attn + "Softmax")->mutable_attribute(0)->set_i(1);
  expect_error(write_model(m, "softmax_queries"), "node '" + attn + "Softmax' (Softmax): a softmax of a token tensor "
                                                  "other than over attention's keys");
  m = vit;
  auto* perm = node(m, attn + "Transpose_3")->mutable_attribute(0);
  perm->clear_ints();
  for (std::int64_t p : {2, 1, 0}) perm->add_ints(p);
  expect_error(write_model(m, "transpose_other"), "node '" + attn + "Transpose_3' (Transpose): a transpose 2,1,0 of "
                                                  "a token tensor 17x4x8 is not supported");
  m = vit;
  auto* qk = node(m, attn + "MatMul_1");
  const std::string q = qk->input(0);
  qk->set_input(0, qk->input(1));
  qk->set_input(1, q);
  expect_error(write_model(m, "swapped"), "node '" + attn + "MatMul_1' (MatMul): a product of token tensors 4x8x17 and "
                                          "4x17x8 is not attention's Q x K^T or P x V");
}

// Pad (as other exporters write it) folds into the next conv: no layer, the conv's padding.
TEST(Onnx, PadFoldsIntoTheNextConv) {
  onnx::ModelProto m = small_model("Pad");
  auto* g = m.mutable_graph();
  g->mutable_node(0)->add_input("pads");
  g->mutable_node(0)->set_output(0, "padded");
  add_ints(g, "pads", {0, 0, 1, 2, 0, 0, 1, 2});
  add_weight(g, "w", {4, 8, 3, 3});
  add_node(g, "Conv", "conv", {"padded", "w"}, "y");
  const Graph net = load_network(write_model(m, "pad"));
  ASSERT_EQ(net.size(), 2);  // input, conv
  const Layer& c = net.layer(1);
  EXPECT_EQ(c.window.pad_top, 1);
  EXPECT_EQ(c.window.pad_left, 2);
  EXPECT_EQ(c.out.h, 16);
  EXPECT_EQ(c.out.w, 18);
}

/// conv_model()'s output viewed as 1 x 2 anchors x 4 outputs x 16 x 16, transposed to
/// anchors-last and its sigmoid taken ("s"): the start of a detection decode.
onnx::ModelProto decode_model() {
  onnx::ModelProto m = conv_model();
  auto* g = m.mutable_graph();
  add_ints(g, "five_d", {1, 2, 4, 16, 16});
  add_node(g, "Reshape", "view", {"c", "five_d"}, "v");
  auto* t = add_node(g, "Transpose", "permute", {"v"}, "t");
  auto* perm = t->add_attribute();
  perm->set_name("perm");
  perm->set_type(onnx::AttributeProto::INTS);
  for (int p : {0, 1, 3, 4, 2}) perm->add_ints(p);
  add_node(g, "Sigmoid", "sig", {"t"}, "s");
  g->mutable_output(0)->set_name("s");
  return m;
}

// A detection decode: the sigmoid is a layer; what the decode may not do is an error that
// names the node (two decoded tensors multiplied, a conv on the anchors-last view).
TEST(Onnx, DetectionDecodeOnlyAsADecode) {
  const Graph net = load_network(write_model(decode_model(), "decode"));
  ASSERT_EQ(net.size(), 3);  // input, conv, sigmoid
  EXPECT_EQ(net.layer(2).kind, LayerKind::Elementwise);
  EXPECT_EQ(net.layer(2).activation, Activation::Sigmoid);

  onnx::ModelProto m = decode_model();
  add_node(m.mutable_graph(), "Mul", "square", {"s", "s"}, "y");
  m.mutable_graph()->mutable_output(0)->set_name("y");
  expect_error(write_model(m, "decode_mul"), "node 'square' (Mul): decode arithmetic other than of a decoded tensor");

  m = decode_model();
  add_weight(m.mutable_graph(), "w2", {4, 8, 1, 1});
  add_node(m.mutable_graph(), "Conv", "conv_on_view", {"t", "w2"}, "y");
  m.mutable_graph()->mutable_output(0)->set_name("y");
  expect_error(write_model(m, "decode_conv"), "node 'conv_on_view' (Conv): a detection head's N x anchors x H x W");

  m = decode_model();
  add_node(m.mutable_graph(), "Softmax", "softmax_on_decode", {"s"}, "y");
  m.mutable_graph()->mutable_output(0)->set_name("y");
  expect_error(write_model(m, "decode_softmax"), "node 'softmax_on_decode' (Softmax): Softmax of a detection decode");
}

/// x (1x8x16x16) sliced into the space-to-depth phases (i, j) of `phases`, written p<i><j>.
onnx::ModelProto phases_model(std::vector<std::pair<int, int>> phases) {
  onnx::ModelProto m = small_model("Identity");
  auto* g = m.mutable_graph();
  add_ints(g, "ends", {16, 16});
  add_ints(g, "axes", {2, 3});
  add_ints(g, "steps", {2, 2});
  for (const auto& [i, j] : phases) {
    const std::string p = fmt::format("p{}{}", i, j);
    add_ints(g, p + "_starts", {i, j});
    add_node(g, "Slice", "slice_" + p, {"x", p + "_starts", "ends", "axes", "steps"}, p);
  }
  return m;
}

// YOLOv5's old Focus: four stride-2 phases concatenated on channels are a reorg layer; any
// other use of a stride-2 slice is an error naming the node.
TEST(Onnx, StrideTwoSlicesOnlyAsASpaceToDepth) {
  onnx::ModelProto m = phases_model({{0, 0}, {1, 0}, {0, 1}, {1, 1}});
  add_node(m.mutable_graph(), "Concat", "focus", {"p00", "p10", "p01", "p11"}, "f")->add_attribute()->set_name("axis");
  m.mutable_graph()->mutable_node(m.graph().node_size() - 1)->mutable_attribute(0)->set_i(1);
  m.mutable_graph()->mutable_node(m.graph().node_size() - 1)->mutable_attribute(0)->set_type(onnx::AttributeProto::INT);
  m.mutable_graph()->mutable_output(0)->set_name("f");
  const Graph net = load_network(write_model(m, "focus"));
  ASSERT_EQ(net.size(), 2);  // input, reorg
  EXPECT_EQ(net.layer(1).kind, LayerKind::Reorg);
  EXPECT_EQ(net.layer(1).out.c, 32);
  EXPECT_EQ(net.layer(1).out.h, 8);

  m = phases_model({{0, 0}, {1, 0}, {0, 1}, {0, 1}});  // a phase twice, one missing
  add_node(m.mutable_graph(), "Concat", "not_focus", {"p00", "p10", "p01", "p01"}, "f");
  m.mutable_graph()->mutable_output(0)->set_name("f");
  expect_error(write_model(m, "focus_missing"), "node 'not_focus' (Concat): a concatenation of stride-2 slices");

  m = phases_model({{1, 1}});
  m.mutable_graph()->mutable_output(0)->set_name("p11");
  expect_error(write_model(m, "focus_output"), "graph output 'p11' is a stride-2 slice");

  m = phases_model({{1, 1}});
  add_weight(m.mutable_graph(), "w", {4, 8, 1, 1});
  add_node(m.mutable_graph(), "Conv", "conv_on_phase", {"p11", "w"}, "y");
  expect_error(write_model(m, "focus_conv"), "node 'conv_on_phase' (Conv): a slice with step 2 on H or W");
}

/// x[:, starts:ends] along `axes` with `steps` (input x is 1x8x16x16).
onnx::ModelProto slice_model(std::vector<std::int64_t> starts, std::vector<std::int64_t> ends,
                             std::vector<std::int64_t> axes, std::vector<std::int64_t> steps) {
  onnx::ModelProto m = small_model("Slice");
  auto* g = m.mutable_graph();
  for (const auto& [name, v] : {std::pair{"starts", starts}, {"ends", ends}, {"axes", axes}, {"steps", steps}}) {
    add_ints(g, name, v);
    g->mutable_node(0)->add_input(name);
  }
  return m;
}

// Slices: negative axes count from the end; what is not a contiguous channel range (steps,
// spatial crops) is an error, not a silently wrong count (x[:, ::2] was read as all channels).
TEST(Onnx, SliceIsAChannelRangeOrAnError) {
  Graph g = load_network(write_model(slice_model({2}, {6}, {-3}, {1}), "slice_neg"));
  EXPECT_EQ(g.layer(g.size() - 1).out.c, 4);
  g = load_network(write_model(slice_model({0, 1}, {INT64_MAX, -1}, {2, 1}, {1, 1}), "slice_two"));
  EXPECT_EQ(g.layer(g.size() - 1).out.c, 6);  // the full H range and channels 1..6
  expect_error(write_model(slice_model({0}, {INT64_MAX}, {1}, {2}), "slice_step"), "a slice 0..8 step 2 of axis 1 (of 8) is not supported");
  expect_error(write_model(slice_model({0}, {8}, {3}, {1}), "slice_w"), "a slice of axis 3 (0..8 of 16) is not supported");
  expect_error(write_model(slice_model({0}, {4}, {4}, {1}), "slice_axis"), "axis 4 is out of range for a rank-4 tensor");
}

// A conv's weight must take its input's channels, whether or not --input overrides the size
// (the ONNX shape cross-check runs only without the override).
TEST(Onnx, ConvWeightMustMatchItsInputChannels) {
  onnx::ModelProto m = small_model("Conv");
  add_weight(m.mutable_graph(), "w", {4, 4, 3, 3});  // 4 input channels; x has 8
  m.mutable_graph()->mutable_node(0)->add_input("w");
  const std::string path = write_model(m, "conv_channels");
  expect_error(path, "the weight takes 4 input channels x group 1 but the input has 8");
  LoadOptions o;
  o.input = 32;
  try {
    load_network(path, o);
    FAIL() << "no error with --input";
  } catch (const NetworkInputError& e) {
    EXPECT_NE(std::string(e.what()).find("but the input has 8"), std::string::npos) << e.what();
  }
}

// Resize: nearest by an integer scale is an upsample; to other sizes a resize layer when it
// samples as PyTorch writes it (asymmetric, floor); linear with half-pixel centres or
// align_corners a bilinear resize; anything else an error naming the modes.
TEST(Onnx, ResizeModes) {
  auto model = [](std::vector<std::int64_t> sizes, std::vector<std::pair<std::string, std::string>> attrs) {
    onnx::ModelProto m = small_model("Resize");
    auto* g = m.mutable_graph();
    g->mutable_node(0)->add_input("");  // roi
    g->mutable_node(0)->add_input("");  // scales
    g->mutable_node(0)->add_input("sizes");
    add_ints(g, "sizes", sizes);
    for (const auto& [key, value] : attrs) {
      auto* a = g->mutable_node(0)->add_attribute();
      a->set_name(key);
      a->set_type(onnx::AttributeProto::STRING);
      a->set_s(value);
    }
    return m;
  };
  Graph up = load_network(write_model(model({1, 8, 48, 48}, {}), "resize_sizes"));
  EXPECT_EQ(up.layer(up.size() - 1).kind, LayerKind::Upsample);
  EXPECT_EQ(up.layer(up.size() - 1).scale, 3);
  const std::vector<std::pair<std::string, std::string>> torch_nearest{
      {"coordinate_transformation_mode", "asymmetric"}, {"nearest_mode", "floor"}};
  Graph nearest = load_network(write_model(model({1, 8, 20, 12}, torch_nearest), "resize_nearest"));
  const Layer& rn = nearest.layer(nearest.size() - 1);
  EXPECT_EQ(rn.kind, LayerKind::Resize);
  EXPECT_EQ(rn.resize_mode, ResizeMode::Nearest);
  EXPECT_EQ(rn.out, (Shape{1, 8, 20, 12}));
  Graph linear = load_network(write_model(model({1, 8, 20, 12}, {{"mode", "linear"}}), "resize_linear"));
  EXPECT_EQ(linear.layer(linear.size() - 1).resize_mode, ResizeMode::Bilinear);
  Graph corners = load_network(write_model(
      model({1, 8, 33, 33}, {{"mode", "linear"}, {"coordinate_transformation_mode", "align_corners"}}), "resize_ac"));
  EXPECT_EQ(corners.layer(corners.size() - 1).resize_mode, ResizeMode::BilinearAlignCorners);
  expect_error(write_model(model({1, 8, 20, 12}, {}), "resize_round"),
               "nearest resizing with coordinate_transformation_mode 'half_pixel' and nearest_mode "
               "'round_prefer_floor' is not supported");
  expect_error(write_model(model({1, 8, 20, 12}, {{"mode", "cubic"}}), "resize_cubic"),
               "mode 'cubic' with coordinate_transformation_mode 'half_pixel' is not supported");
  expect_error(write_model(model({1, 4, 20, 12}, {{"mode", "linear"}}), "resize_channels"),
               "expected scales or sizes that resize H and W only");
}

// ConvTranspose: the weight's input channels are checked against its input; output_shape,
// SAME padding and an output_padding beyond the end padding are errors naming the node.
TEST(Onnx, ConvTransposeErrors) {
  auto model = [](std::vector<std::int64_t> dims, const std::string& attr_name, std::vector<std::int64_t> values) {
    onnx::ModelProto m = small_model("ConvTranspose");
    auto* g = m.mutable_graph();
    g->mutable_node(0)->add_input("w");
    add_weight(g, "w", dims);
    auto* strides = g->mutable_node(0)->add_attribute();
    strides->set_name("strides");
    strides->set_type(onnx::AttributeProto::INTS);
    for (std::int64_t v : {2, 2}) strides->add_ints(v);
    if (!attr_name.empty()) {
      auto* a = g->mutable_node(0)->add_attribute();
      a->set_name(attr_name);
      a->set_type(onnx::AttributeProto::INTS);
      for (std::int64_t v : values) a->add_ints(v);
    }
    return m;
  };
  const Graph ok = load_network(write_model(model({8, 4, 2, 2}, "", {}), "deconv_ok"));
  EXPECT_EQ(ok.layer(ok.size() - 1).out, (Shape{1, 4, 32, 32}));
  expect_error(write_model(model({6, 4, 2, 2}, "", {}), "deconv_cin"),
               "the weight takes 6 input channels (group 1) but the input has 8");
  expect_error(write_model(model({8, 4, 2, 2}, "output_shape", {32, 32}), "deconv_shape"), "output_shape is not supported");
  expect_error(write_model(model({8, 4, 2, 2}, "output_padding", {1, 1}), "deconv_extra"),
               "node 'the_node' (ConvTranspose): output_padding larger than the end padding");
}

// A BN or activation that no single consumer can absorb is a layer of its own (it was an
// error, and at the graph output it was dropped): relu(conv(x)) + conv(x), BN-ReLU before
// an Add, a Clip at the output.
TEST(Onnx, UnabsorbedActivationsAreElementwiseLayers) {
  onnx::ModelProto m = conv_model();
  auto* g = m.mutable_graph();
  add_node(g, "Relu", "relu", {"c"}, "r");
  add_node(g, "Add", "add", {"r", "c"}, "a");
  add_node(g, "BatchNormalization", "bn", {"a", "s", "b", "mean", "var"}, "n");
  for (const char* p : {"s", "b", "mean", "var"}) add_weight(g, p, {8});
  add_node(g, "Relu", "relu2", {"n"}, "n2");
  add_node(g, "Add", "add2", {"n2", "a"}, "a2");
  auto* cat = add_node(g, "Concat", "cat", {"a2", "a"}, "k");
  auto* axis = cat->add_attribute();
  axis->set_name("axis");
  axis->set_type(onnx::AttributeProto::INT);
  axis->set_i(1);
  add_node(g, "Clip", "clip", {"k"}, "y");  // after a view: at the output, it was dropped
  const Graph net = load_network(write_model(m, "eltwise"));
  std::vector<std::string> kinds;
  for (const Layer& l : net.layers()) kinds.push_back(to_string(l.kind));
  EXPECT_EQ(kinds, (std::vector<std::string>{"input", "conv", "elementwise", "add", "elementwise", "add", "concat", "elementwise"}));
  const Layer& relu = net.layer(net.find("relu"));
  EXPECT_EQ(relu.activation, Activation::ReLU);
  EXPECT_FALSE(relu.batch_norm);
  const Layer& bn = net.layer(net.find("relu2"));
  EXPECT_TRUE(bn.batch_norm);
  EXPECT_EQ(bn.activation, Activation::ReLU);
  EXPECT_EQ(net.layer(net.size() - 1).activation, Activation::ReLU6);  // Clip without bounds
  EXPECT_EQ(net.layer(net.size() - 1).out.c, 16);
  const NetworkStats s = analyze(net);
  EXPECT_EQ(s.total.params, 64 + 2 * 8);  // the 1x1 conv, BN's scale and shift
}

// F.mish before opset 18: x * Tanh(Softplus(x)) is the conv's Mish activation.
TEST(Onnx, SoftplusTanhIsMish) {
  onnx::ModelProto m = conv_model();
  auto* g = m.mutable_graph();
  add_node(g, "Softplus", "softplus", {"c"}, "sp");
  add_node(g, "Tanh", "tanh", {"sp"}, "t");
  add_node(g, "Mul", "mish", {"c", "t"}, "y");
  const Graph net = load_network(write_model(m, "mish"));
  ASSERT_EQ(net.size(), 2);  // input, conv
  EXPECT_EQ(net.layer(1).activation, Activation::Mish);
}

TEST(Onnx, UnsupportedOperatorIsNamed) {
  const std::string p = write_model(small_model("LSTM"), "lstm");
  expect_error(p, "node 'the_node' (LSTM): operator not supported (supported: Conv, ConvTranspose, Gemm");
}

TEST(Onnx, MalformedModels) {
  onnx::ModelProto m = small_model("Relu");
  m.mutable_graph()->mutable_node(0)->set_input(0, "nowhere");
  expect_error(write_model(m, "nowhere"), "input 'nowhere' is not produced by an earlier node");
  m = small_model("Conv");  // no weight input
  expect_error(write_model(m, "noweight"), "node 'the_node' (Conv): input 1 is missing");
  m = small_model("Relu");
  m.mutable_opset_import(0)->set_version(3);
  expect_error(write_model(m, "opset"), "opset 3 is not supported");
  // A constant where an operator expects a tensor (a libFuzzer finding: it indexed layer -1).
  for (const char* op : {"Conv", "MaxPool", "GlobalAveragePool"}) {
    m = small_model(op);
    add_weight(m.mutable_graph(), "c", {1, 8, 16, 16});
    m.mutable_graph()->mutable_node(0)->set_input(0, "c");
    m.mutable_graph()->mutable_node(0)->add_input("c");
    auto* k = m.mutable_graph()->mutable_node(0)->add_attribute();
    k->set_name("kernel_shape");
    k->set_type(onnx::AttributeProto::INTS);
    k->add_ints(2);
    k->add_ints(2);
    expect_error(write_model(m, std::string("const_") + op), "input 'c' is a constant, expected a tensor");
  }
  // Not ONNX at all, and a truncated file.
  const auto junk = (std::filesystem::temp_directory_path() / "npusim_junk.onnx").string();
  std::ofstream(junk) << "this is not a protobuf";
  EXPECT_THROW(load_network(junk), NetworkInputError);
  std::ifstream full(kDir + "resnet18.onnx", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(full)), std::istreambuf_iterator<char>());
  std::ofstream(junk, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_THROW(load_network(junk), NetworkInputError);
  EXPECT_THROW(load_network(kDir + "no_such.onnx"), NetworkInputError);
}

// Random byte edits of a real model: every result is a network or a NetworkInputError or
// GraphError, never a crash or another exception.
TEST(Onnx, FuzzNeverCrashes) {
  std::ifstream f(kDir + "resnet18.onnx", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const auto path = (std::filesystem::temp_directory_path() / "npusim_fuzz.onnx").string();
  std::mt19937 rng(7);
  int ok = 0, rejected = 0;
  for (int iter = 0; iter < 1000; ++iter) {
    std::string m = bytes;
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) m[rng() % m.size()] = static_cast<char>(rng() % 256);
    std::ofstream(path, std::ios::binary) << m;
    try {
      analyze(load_network(path));
      ++ok;
    } catch (const NetworkInputError&) {
      ++rejected;
    } catch (const GraphError&) {
      ++rejected;
    }
  }
  EXPECT_EQ(ok + rejected, 1000);
  EXPECT_GT(rejected, 0);
}

}  // namespace
