#include "npusim/hw/pe/conv_lowering.hpp"

#include "npusim/hw/pe/fast_tile_model.hpp"
#include "npusim/hw/pe/systolic_reference.hpp"

namespace npusim::hw::pe {

void ConvShape::validate() const {
  if (batch < 1 || in_channels < 1 || in_h < 1 || in_w < 1 || out_channels < 1 ||
      kernel_h < 1 || kernel_w < 1 || stride_h < 1 || stride_w < 1 || dilation_h < 1 ||
      dilation_w < 1 || groups < 1 || pad_top < 0 || pad_left < 0 || pad_bottom < 0 ||
      pad_right < 0)
    throw std::invalid_argument("convolution: sizes must be positive and pads non-negative");
  if (in_channels % groups != 0 || out_channels % groups != 0)
    throw std::invalid_argument("convolution: groups must divide the channels");
  if (out_h() < 1 || out_w() < 1)
    throw std::invalid_argument("convolution: the kernel does not fit the padded input");
}

GemmShape conv_gemm_shape(const ConvShape& c) {
  return GemmShape{static_cast<std::int64_t>(c.batch) * c.out_h() * c.out_w(),
                   static_cast<std::int64_t>(c.in_channels / c.groups) * c.kernel_h * c.kernel_w,
                   c.out_channels / c.groups};
}

GemmTileCost fast_conv_cost(const ConvShape& conv, const ArrayShape& array, Dataflow d,
                            OsDrain os_drain) {
  conv.validate();
  return repeated(fast_gemm_cost(conv_gemm_shape(conv), array, d, os_drain), conv.groups);
}

std::vector<std::int8_t> im2col(const std::vector<std::int8_t>& in, const ConvShape& c,
                                int group) {
  const GemmShape g = conv_gemm_shape(c);
  const int cpg = c.in_channels / c.groups, oh = c.out_h(), ow = c.out_w();
  std::vector<std::int8_t> A(static_cast<std::size_t>(g.M * g.K), 0);
  for (int n = 0; n < c.batch; ++n)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x) {
        const std::int64_t m = (static_cast<std::int64_t>(n) * oh + y) * ow + x;
        for (int ci = 0; ci < cpg; ++ci)
          for (int ky = 0; ky < c.kernel_h; ++ky)
            for (int kx = 0; kx < c.kernel_w; ++kx) {
              const int iy = y * c.stride_h - c.pad_top + ky * c.dilation_h;
              const int ix = x * c.stride_w - c.pad_left + kx * c.dilation_w;
              if (iy < 0 || iy >= c.in_h || ix < 0 || ix >= c.in_w) continue;
              const std::int64_t k = (static_cast<std::int64_t>(ci) * c.kernel_h + ky) *
                                         c.kernel_w + kx;
              const std::int64_t channel = group * cpg + ci;
              A[static_cast<std::size_t>(m * g.K + k)] = in[static_cast<std::size_t>(
                  ((static_cast<std::int64_t>(n) * c.in_channels + channel) * c.in_h + iy) *
                      c.in_w + ix)];
            }
      }
  return A;
}

std::vector<std::int8_t> weight_matrix(const std::vector<std::int8_t>& w, const ConvShape& c,
                                       int group) {
  const GemmShape g = conv_gemm_shape(c);
  std::vector<std::int8_t> B(static_cast<std::size_t>(g.K * g.N));
  for (std::int64_t n = 0; n < g.N; ++n)
    for (std::int64_t k = 0; k < g.K; ++k)
      B[static_cast<std::size_t>(k * g.N + n)] =
          w[static_cast<std::size_t>((group * g.N + n) * g.K + k)];  // OIHW: o, then (i,h,w)
  return B;
}

ConvResult reference_conv(const std::vector<std::int8_t>& input,
                          const std::vector<std::int8_t>& weights, const ConvShape& c,
                          const ArrayShape& array, Dataflow d, OsDrain os_drain) {
  c.validate();
  const GemmShape g = conv_gemm_shape(c);
  const int oh = c.out_h(), ow = c.out_w();
  ConvResult r;
  r.out.assign(static_cast<std::size_t>(c.batch) * c.out_channels * oh * ow, 0);
  std::vector<GemmOperands> groups;
  for (int grp = 0; grp < c.groups; ++grp)
    groups.push_back({im2col(input, c, grp), weight_matrix(weights, c, grp), g});
  const RunResult run = reference_run(groups, array, d, os_drain);  // groups back to back
  r.counters = run.counters;
  for (int grp = 0; grp < c.groups; ++grp) {
    const std::vector<std::int32_t>& out = run.outs[static_cast<std::size_t>(grp)];
    for (std::int64_t m = 0; m < g.M; ++m)
      for (std::int64_t n = 0; n < g.N; ++n) {
        const std::int64_t batch = m / (static_cast<std::int64_t>(oh) * ow);
        const std::int64_t pix = m % (static_cast<std::int64_t>(oh) * ow);
        const std::int64_t o = grp * g.N + n;
        r.out[static_cast<std::size_t>((batch * c.out_channels + o) * oh * ow + pix)] =
            out[static_cast<std::size_t>(m * g.N + n)];
      }
  }
  return r;
}

}  // namespace npusim::hw::pe
