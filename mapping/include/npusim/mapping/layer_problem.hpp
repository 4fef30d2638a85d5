// LayerProblem: one layer in the terms the mapper tiles — the loop bounds, how output rows
// and columns map to input rows and columns (halos), which tensors it reads and writes and
// which of them already sit in SRAM.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "npusim/hw/config/arch_config.hpp"
#include "npusim/hw/pe/array_timing.hpp"
#include "npusim/hw/vector/vector_unit.hpp"
#include "npusim/mapping/tensor_placement.hpp"
#include "npusim/workloads/graph.hpp"
#include "npusim/workloads/resize_axis.hpp"

namespace npusim::mapping {

/// How a layer executes: a GEMM on the PE array (conv, FC), a vector-unit operation
/// (pooling, add, upsample, softmax), or nothing at all (Concat/Slice views, Input).
enum class OpClass { Gemm, Vector, View };
const char* to_string(OpClass c);

/// Output index range -> input index range along one spatial axis.
struct AxisMap {
  std::int64_t in = 1, out = 1;
  int kernel = 1, stride = 1, pad_before = 0, dilation = 1;
  int upsample = 1;  ///< nearest upsampling: output o reads input o / upsample
  /// A transposed convolution's axis: output o reads the inputs (o + pad_before -
  /// r*dilation) / stride that are whole (workloads/transposed_axis.hpp).
  bool transposed = false;
  /// A Resize layer's axis: output o reads the rows resize_axis().source(o).
  bool resized = false;
  workloads::ResizeMode resize_mode = workloads::ResizeMode::Nearest;
  /// A crop (a token slice): outputs read exactly their window, even when a tile covers
  /// the whole output axis.
  bool cropped = false;
  workloads::ResizeAxis resize_axis() const { return {in, out, resize_mode}; }
  workloads::TransposedAxis transposed_axis() const { return {kernel, stride, pad_before, dilation}; }
  /// Input range [lo, hi) that outputs [o0, o1) read, clipped to the tensor (padding is not
  /// stored); the whole input when [o0, o1) is the whole output. Empty ranges: lo == hi.
  std::pair<std::int64_t, std::int64_t> in_range(std::int64_t o0, std::int64_t o1) const;
  /// Sum over tiles of `t` outputs of the input extent each tile reads (halos counted per
  /// tile, as the DMA loads them).
  std::int64_t tiled_input_extent(std::int64_t t) const;
  /// Largest input extent of a tile of `t` outputs.
  std::int64_t max_input_extent(std::int64_t t) const;
};

struct LayerProblem {
  int layer = -1;
  std::string name;
  workloads::LayerKind kind = workloads::LayerKind::Input;
  OpClass op = OpClass::View;
  std::int64_t batch = 1;
  std::int64_t out_c = 0, out_h = 0, out_w = 0;
  AxisMap rows, cols;

  // GEMM (conv, FC as a 1x1 conv of a C*H*W x 1 x 1 input, a transposed conv as its
  // phase convolutions: see gemm_tile_compute)
  std::int64_t in_c = 0;
  int groups = 1, kernel_h = 1, kernel_w = 1;
  std::int64_t cin_per_group() const { return in_c / groups; }
  std::int64_t cout_per_group() const { return out_c / groups; }
  /// Per image for activation weights (MatMul), else in all.
  std::int64_t weight_elements() const {
    return out_c * cin_per_group() * kernel_h * kernel_w;
  }
  /// Weight bytes that must come from DRAM per load of the whole operand: all of them, or
  /// for activation weights those of the right operand's channels not resident in SRAM.
  std::uint64_t dram_weight_bytes() const;
  bool transposed() const { return rows.transposed; }
  /// MatMul: the right operand is input `weights_input`, an activation (one per image), not
  /// weights laid out in DRAM: each weight tile is a region of that view (see
  /// weight_tile_region), loaded again for every image; `transpose_b` as in the layer.
  int weights_input = -1;
  bool transpose_b = false;
  bool activation_weights() const { return weights_input >= 0; }
  std::int64_t macs() const;
  /// The untiled GEMM of a GEMM layer: per group M = batch x output pixels,
  /// K = input channels per group x kernel area, N = output channels per group. For a
  /// transposed conv that is the ordinary conv over its output that SCALE-Sim is given for
  /// one (HarDNet's experiment); its tiles perform macs() of them (tile_macs).
  hw::pe::LayerGemm layer_gemm() const;

  // Vector unit
  hw::vector::VectorOp vector_op = hw::vector::VectorOp::Copy;
  int vector_window = 1;
  hw::vector::ActivationKind activation = hw::vector::ActivationKind::None;

  std::vector<TensorView> inputs;  ///< GEMM: one; Add: each summand; pooling etc.: one
  TensorView output;
  int elem_bytes = 1;
  int psum_bytes = 4;  ///< accumulators (int32 / fp32)

  // On-chip residency (liveness reuse), by storage index.
  std::vector<char> resident;  ///< resident[s]: storage s is in SRAM, reads cost no DRAM
  bool output_resident = false;
  bool is_resident(int storage) const {
    return storage >= 0 && static_cast<std::size_t>(storage) < resident.size() &&
           resident[static_cast<std::size_t>(storage)];
  }
  /// A vector op whose every output channel reads every input channel (softmax, reorg):
  /// its tiles hold all channels.
  bool all_channels = false;
  /// Channels of input `i` that must come from DRAM.
  std::int64_t dram_channels(std::size_t i) const;
  /// Input `i` is one value per channel broadcast over an output of more than one pixel
  /// (a Mul's gate): every tile reads its channels at row 0, column 0.
  bool broadcast(std::size_t i) const { return inputs[i].h == 1 && inputs[i].w == 1 && out_h * out_w > 1; }
};

/// The box of a MatMul's right operand (input p.weights_input, image n) that holds the
/// weight tile of output channels [out0, out1) and input channels [in0, in1) (whole groups
/// or a range within one): its channels and, on the side B's pixels index, the pixels
/// [pixel0, pixel1) of B in row-major order. Returned as at most three boxes of B's view
/// (a partial first row, whole rows, a partial last row).
std::vector<Region> weight_tile_regions(const LayerProblem& p, std::int64_t n, std::int64_t out0, std::int64_t out1,
                                        std::int64_t in0, std::int64_t in1);

/// Everything of a problem the tiling search (map_layer) reads, as numbers: two problems
/// with equal keys get the same search result but for their layer's index and name. Not
/// in it: the index, the name, and where the tensors live (storage indices, addresses),
/// of which the search sees only each input's shape and its channels to load from DRAM.
/// A field added to LayerProblem that the search reads must be added here.
std::vector<std::int64_t> search_key(const LayerProblem& p);

/// Builds the problem of layer `index`. `placement` must be the graph's placement; FC
/// inputs get a flattened alias storage appended to it.
LayerProblem make_layer_problem(const workloads::Graph& graph, int index, Placement& placement,
                                int batch, int elem_bytes);

hw::vector::ActivationKind vector_activation(workloads::Activation a);

}  // namespace npusim::mapping
