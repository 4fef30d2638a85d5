// The JSON network format, SCALE-Sim CSV and load_network's errors.
#include <gtest/gtest.h>

#include <fstream>

#include "npusim/workloads/network_io.hpp"
#include "npusim/workloads/zoo.hpp"

namespace npusim::workloads {
namespace {

const std::string kData = NPUSIM_TEST_DATA_DIR;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const NetworkInputError& e) {
    return e.what();
  }
  return "";
}

TEST(NetworkIo, JsonFileLoadsWithShapesAndCounts) {
  const Graph g = load_network(kData + "/tiny_residual.json");
  EXPECT_EQ(g.name(), "tiny_residual");
  EXPECT_EQ(g.layer(g.find("cat")).out, (Shape{1, 24, 16, 16}));
  EXPECT_EQ(g.layer(g.find("fc")).out, (Shape{1, 10, 1, 1}));
  const NetworkStats s = analyze(g);
  // stem 16*3*9 + 32, dw 16*9 + 32, pw 16*16 + 32, fc 24*10 + 10
  EXPECT_EQ(s.total.params, 432 + 32 + 144 + 32 + 256 + 32 + 250);
}

TEST(NetworkIo, InfoJsonRoundTripsForEveryZooNetwork) {
  for (const ZooEntry& e : zoo()) {
    const Graph g = e.build_native(1);
    const NetworkStats s = analyze(g);
    const nlohmann::json doc = network_to_json(g, &s);
    const Graph back = network_from_json(doc, e.name);
    const NetworkStats t = analyze(back);
    ASSERT_EQ(back.size(), g.size()) << e.name;
    EXPECT_EQ(t.total.params, s.total.params) << e.name;
    EXPECT_EQ(t.total.macs, s.total.macs) << e.name;
    EXPECT_EQ(t.total.cio, s.total.cio) << e.name;
    for (int i = 0; i < g.size(); ++i) ASSERT_EQ(back.layer(i).out, g.layer(i).out) << e.name;
    EXPECT_EQ(network_to_json(back, &t), doc) << e.name;
  }
}

TEST(NetworkIo, AttentionJsonLoadsAndRoundTrips) {
  const Graph g = load_network(kData + "/tiny_attention.json");
  EXPECT_EQ(g.layer(g.find("scores")).out, (Shape{1, 40, 10, 1}));
  EXPECT_EQ(g.layer(g.find("context")).out, (Shape{1, 32, 10, 1}));
  const NetworkStats s = analyze(g);
  // qkv 10 tokens x 96 x 32, two 4-head products of 10 x 10 x 8 each, proj 10 x 32 x 32
  EXPECT_EQ(s.total.macs, 10 * 96 * 32 + 2 * 4 * 10 * 10 * 8 + 10 * 32 * 32);
  const nlohmann::json doc = network_to_json(g, &s);
  const Graph back = network_from_json(doc, "back");
  EXPECT_EQ(network_to_json(back, &s), doc);
  EXPECT_EQ(back.layer(back.find("probs")).groups, 4);
  EXPECT_TRUE(back.layer(back.find("scores")).transpose_b);
  EXPECT_FALSE(back.layer(back.find("context")).transpose_b);
}

TEST(NetworkIo, VisionTransformerJsonRoundTrips) {
  const Graph g = load_network(kData + "/tiny_vit.json");
  EXPECT_EQ(g.layer(g.find("embed")).out, (Shape{1, 32, 17, 1}));  // 4 x 4 patches and a class token
  EXPECT_EQ(g.layer(g.find("class_token")).out, (Shape{1, 32, 1, 1}));
  const NetworkStats s = analyze(g);
  const nlohmann::json doc = network_to_json(g, &s);
  EXPECT_EQ(network_to_json(network_from_json(doc, "back"), &s), doc);
  EXPECT_NE(error_of([&] {
              nlohmann::json bad = doc;
              bad["layers"][19].erase("tokens");
              network_from_json(bad, "bad.json");
            }).find("field 'tokens': expected [begin, end)"),
            std::string::npos);
}

TEST(NetworkIo, InputAndBatchOverridesApplyToJsonInputs) {
  LoadOptions o;
  o.input = 64;
  o.batch = 2;
  const Graph g = load_network(kData + "/tiny_residual.json", o);
  EXPECT_EQ(g.layer(0).out, (Shape{2, 3, 64, 64}));
}

TEST(NetworkIo, JsonErrorsNameFileLayerAndField) {
  auto load = [](const std::string& text) {
    return error_of([&] { network_from_json(nlohmann::json::parse(text), "net.json"); });
  };
  EXPECT_NE(load(R"({"layers":[{"name":"x","type":"input"}]})").find("field 'shape'"),
            std::string::npos);
  const std::string bad_kernel = load(
      R"({"layers":[{"name":"in","type":"input","shape":[1,3,8,8]},
                    {"name":"c","type":"conv","inputs":["in"],"out_channels":4,"kernel":[3]}]})");
  EXPECT_NE(bad_kernel.find("net.json: layers[1] ('c'): field 'kernel'"), std::string::npos)
      << bad_kernel;
  EXPECT_NE(load(R"({"layers":[{"name":"a","type":"warp","inputs":["b"]}]})").find("field 'type'"),
            std::string::npos);
  EXPECT_NE(load(R"({"layers":[{"name":"in","type":"input","shape":[1,3,8,8],"kernal":3}]})")
                .find("unknown field 'kernal'"),
            std::string::npos);
  EXPECT_NE(load(R"({"layers":[{"name":"c","type":"conv","inputs":["nope"],"out_channels":1,
                                "kernel":1}]})")
                .find("'nope' is not one"),
            std::string::npos);
  const std::string shape = load(
      R"({"layers":[{"name":"in","type":"input","shape":[1,3,8,8]},
                    {"name":"c","type":"conv","inputs":["in"],"out_channels":4,"kernel":9}]})");
  EXPECT_NE(shape.find("layer 'c'"), std::string::npos) << shape;
  // A transposed conv whose pads crop its whole output; an unknown type lists every type.
  const std::string crop = load(
      R"({"layers":[{"name":"in","type":"input","shape":[1,3,2,2]},
                    {"name":"up","type":"conv_transpose","inputs":["in"],"out_channels":4,"kernel":2,
                     "stride":2,"pad":[2,0,2,0]}]})");
  EXPECT_NE(crop.find("layer 'up' (conv_transpose): padding 2,0,2,0 crops the whole 4x4 output"), std::string::npos)
      << crop;
  EXPECT_NE(load(R"({"layers":[{"name":"a","type":"warp","inputs":["b"]}]})").find("conv_transpose"),
            std::string::npos);
}

TEST(NetworkIo, ScaleSimRowsAreIndependentConvs) {
  const Graph g = load_network(kData + "/scalesim_small.csv");
  ASSERT_EQ(g.size(), 6);
  // SCALE-Sim's output size ceil((H - k + s) / s): (224 - 7 + 2) / 2 rounds up to 110.
  EXPECT_EQ(g.layer(g.find("Conv1")).out, (Shape{1, 64, 110, 110}));
  EXPECT_EQ(g.layer(g.find("Conv2")).out, (Shape{1, 64, 54, 54}));
  const NetworkStats s = analyze(g);
  EXPECT_EQ(s.total.macs, 64LL * 110 * 110 * 3 * 49 + 64LL * 54 * 54 * 64 * 9 + 2048LL * 1000);
  EXPECT_EQ(s.total.params, 64 * 3 * 49 + 64 * 64 * 9 + 2048 * 1000);
}

TEST(NetworkIo, ScaleSimErrorsNameLineAndColumn) {
  const std::string e = error_of([] {
    network_from_scalesim_csv("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter "
                              "Width, Channels, Num Filter, Strides,\nc1, 8, 8, 3, x, 3, 4, 1,\n",
                              "t.csv");
  });
  EXPECT_NE(e.find("t.csv:2: column 'Filter Width'"), std::string::npos) << e;
  EXPECT_NE(error_of([] { network_from_scalesim_csv("c1, 8, 8, 3\n", "t.csv"); })
                .find("expected 8 columns"),
            std::string::npos);
}

TEST(NetworkIo, UnknownNetworksAndMissingFilesAreClearErrors) {
  EXPECT_NE(error_of([] { load_network("resnet5"); }).find("unknown network 'resnet5'"),
            std::string::npos);
  EXPECT_NE(error_of([] { load_network("/nonexistent/net.json"); }).find("cannot open"),
            std::string::npos);
  LoadOptions tiny;
  tiny.input = 8;
  EXPECT_NE(error_of([&] { load_network("hardnet68", tiny); }).find("at input 8x8"),
            std::string::npos);
}

}  // namespace
}  // namespace npusim::workloads
