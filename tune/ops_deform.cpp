// Tuning problems of deformable convolution (suite family "deform_conv2d"):
// the forward and the (deterministic) backward on the same shapes. Offsets
// are uniform in [-2, 2] px, so samples spread over neighbouring cells and
// some fall outside, as in real alignment layers.
#include "runtime/deform_dispatch.h"
#include "runtime/shape_class.h"
#include "schedules/cpu/deform.h"
#include "schedules/cuda/deform.h"
#include "tune/jit.h"
#include "tune/problem.h"

namespace halconv {
namespace tune {
namespace {

struct DeformShape {
    int N, C, H, W, K, R, S, stride, pad, dil, G, groups, OH, OW;
    bool mask;
    explicit DeformShape(const json::Value &e)
        : N(e.get_int("N", 1)), C(e.at("C").integer()), H(e.at("H").integer()), W(e.at("W").integer()),
          K(e.at("K").integer()), R(e.at("R").integer()), S(e.at("S").integer()), stride(e.get_int("stride", 1)),
          pad(e.get_int("pad", 0)), dil(e.get_int("dil", 1)), G(e.get_int("offset_groups", 1)),
          groups(e.get_int("groups", 1)), mask(e.get_bool("mask", false)) {
        OH = (H + 2 * pad - dil * (R - 1) - 1) / stride + 1;
        OW = (W + 2 * pad - dil * (S - 1) - 1) / stride + 1;
    }
    double flops() const { return 2.0 * N * K * OH * OW * (double(C) / groups) * R * S; }
};

// The inputs both passes share.
Problem deform_common(const std::string &op, const json::Value &e, const DeformShape &d) {
    Problem p;
    p.op = p.generator = op;
    p.entry = e.get_string("id", "custom");
    p.shape = e;
    p.shape_class = shape_class(op, {{"C", d.C}, {"H", d.H}, {"W", d.W}, {"K", d.K}, {"R", d.R}, {"S", d.S},
                                     {"sy", d.stride}, {"sx", d.stride}, {"py", d.pad}, {"px", d.pad},
                                     {"dy", d.dil}, {"dx", d.dil}, {"G", d.G}, {"g", d.groups}, {"mask", d.mask}});
    const int T = d.R * d.S;
    Halide::Buffer<float> input(d.W, d.H, d.C, d.N), offset(d.OW, d.OH, 2 * d.G * T, d.N);
    Halide::Buffer<float> mask = d.mask ? Halide::Buffer<float>(d.OW, d.OH, d.G * T, d.N) : Halide::Buffer<float>(1, 1, 1, 1);
    Halide::Buffer<float> weight(d.S, d.R, d.C / d.groups, d.K);
    fill_uniform(input, -1, 1, 11);
    fill_uniform(offset, -2, 2, 12);
    fill_uniform(mask, 0, 1, 13);
    fill_uniform(weight, -1, 1, 14);
    p.buffers = {{"input", input}, {"offset", offset}, {"mask", mask}, {"weight", weight}};
    p.scalars = {{"has_mask", Scalar::boolean(d.mask)}, {"stride_x", Scalar::i32(d.stride)},
                 {"stride_y", Scalar::i32(d.stride)},   {"pad_x", Scalar::i32(d.pad)},
                 {"pad_y", Scalar::i32(d.pad)},         {"dil_x", Scalar::i32(d.dil)},
                 {"dil_y", Scalar::i32(d.dil)},         {"groups", Scalar::i32(d.groups)}};
    return p;
}

Problem make_forward(const json::Value &e) {
    const DeformShape d(e);
    Problem p = deform_common("deform_conv2d", e, d);
    Halide::Buffer<float> bias(d.K), output(d.OW, d.OH, d.K, d.N);
    fill_uniform(bias, -1, 1, 15);
    p.buffers["bias"] = bias;
    p.buffers["output"] = output;
    p.outputs = {"output"};
    // (As the library dispatches: 8-channel blocks for groups of 8k channels,
    // sampled a tile at a time; CMakeLists.txt's deform_conv2d_wide_blocks.)
    if (deform_forward_wide_blocks(d.C, d.G)) {
        p.hand_overrides["cpu_deform_channel_block"] = 8;
        p.hand_overrides["cpu_deform_columns_per_chunk"] = 0;
    }
    p.flops = d.flops();
    return p;
}

Problem make_backward(const json::Value &e) {
    const DeformShape d(e);
    Problem p = deform_common("deform_conv2d_backward", e, d);
    p.fixed_params = {{"accumulation", "deterministic"}};
    Halide::Buffer<float> grad_output(d.OW, d.OH, d.K, d.N);
    fill_uniform(grad_output, -1, 1, 16);
    p.buffers["grad_output"] = grad_output;
    const auto &off = p.buffers.at("offset");
    const auto &mask = p.buffers.at("mask");
    p.buffers["grad_input"] = Halide::Buffer<float>(d.W, d.H, d.C, d.N);
    p.buffers["grad_offset"] = Halide::Buffer<float>(off.dim(0).extent(), off.dim(1).extent(), off.dim(2).extent(), d.N);
    p.buffers["grad_mask"] = Halide::Buffer<float>(mask.dim(0).extent(), mask.dim(1).extent(), mask.dim(2).extent(),
                                                   mask.dim(3).extent());
    p.buffers["grad_weight"] = Halide::Buffer<float>(d.S, d.R, d.C / d.groups, d.K);
    p.buffers["grad_bias"] = Halide::Buffer<float>(d.K);
    p.outputs = {"grad_input", "grad_offset", "grad_mask", "grad_weight", "grad_bias"};
    // (As the library dispatches: bands of rows for small images; rows, on
    // its AVX-512 CPU target, in 8-channel blocks for groups of 8k channels,
    // CMakeLists.txt's deform_conv2d_backward_wide_blocks.)
    const bool bands = deform_backward_bands(d.OH, d.OW, d.K);
    if (bands) p.hand_overrides["cpu_deform_grad_band_rows"] = kDeformBackwardBandRows;
    if (!bands && deform_backward_wide_blocks(d.C, d.G) && library_target("cpu").has_feature(Halide::Target::AVX512)) {
        p.hand_overrides["cpu_deform_channel_block"] = kDeformBackwardWideChannelBlock;
        p.hand_overrides["cpu_deform_grad_c_tile"] = kDeformBackwardWideGradCTile;
    }
    // Sums of many terms in another order: looser than the forward.
    p.rel_tolerance = 1e-3;
    p.flops = 2 * d.flops();  // the two GEMMs, as bench/bench_deform.cpp counts
    return p;
}

SearchSpace space_of(const std::string &op, const TargetInfo &t) {
    return t.gpu() ? DeformGpuSchedule::space(op) : DeformCpuSchedule::space(op);
}

const bool registered_forward = register_op(OpAdapter{
    "deform_conv2d", "deform_conv2d", [](const json::Value &) { return true; }, make_forward,
    [](const TargetInfo &t) { return space_of("deform_conv2d", t); }});
const bool registered_backward = register_op(OpAdapter{
    "deform_conv2d_backward", "deform_conv2d", [](const json::Value &) { return true; }, make_backward,
    [](const TargetInfo &t) { return space_of("deform_conv2d_backward", t); }});

}  // namespace
}  // namespace tune
}  // namespace halconv
