// ONNX models (workloads/onnx_import: protobuf, shape inference, operator folding).
#include "fuzz_support.hpp"
#include "npusim/workloads/analysis.hpp"
#include "npusim/workloads/onnx_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace npusim;
  const std::string& path = fuzz::as_file(data, size, ".onnx");
  fuzz::expect_clean([&] { workloads::analyze(workloads::network_from_onnx(path)); });
  return 0;
}
