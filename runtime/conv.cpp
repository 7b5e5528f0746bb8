// Public API of the convolution family: argument checks (PyTorch's rules),
// device choice and dispatch to the AOT pipelines.
#include <algorithm>
#include <numeric>

#include "conv2d_cpu.h"
#include "conv2d_cuda.h"
#include "conv2d_opencl.h"
#include "conv_transpose2d_cpu.h"
#include "conv_transpose2d_cuda.h"
#include "conv_transpose2d_opencl.h"
#include "internal.h"
#include "shape_class.h"
#include "tuned.h"

namespace halconv {
namespace {

using detail::fail;
using detail::shape_to_string;

template<typename Fn>
Fn pick(Device device, Fn cpu, Fn cuda, Fn opencl) {
    switch (device) {
    case Device::CUDA: return cuda;
    case Device::OpenCL: return opencl;
    default: return cpu;
    }
}

// The checks after the output shape is known, shared by both operators:
// optional bias [K], the caller's output, and the device.
void check_bias_output_device(const char *fn, ConstTensor bias, Tensor output, const Shape &expected,
                              Device device) {
    const int64_t K = expected[1];
    if (detail::check_optional_tensor(fn, "bias", bias.shape, bias.data, 1) && bias.shape[0] != K) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": bias must have shape [" + std::to_string(K) +
                                             "] (one per output channel), got " + shape_to_string(bias.shape));
    }
    detail::check_tensor(fn, "output", output.shape, output.data, 4);
    detail::check_output_shape(fn, output.shape, expected);
    detail::require_device(fn, device);
}

// Checks shared by both operators: ranks, sizes, strides, groups.
void check_common(const char *fn, const Shape &input, const Shape &weight, const std::array<int, 2> &stride,
                  const std::array<int, 2> &padding, const std::array<int, 2> &dilation, int groups) {
    detail::check_tensor(fn, "input", input, reinterpret_cast<const void *>(1), 4);
    detail::check_tensor(fn, "weight", weight, reinterpret_cast<const void *>(1), 4);
    detail::check_positive_pair(fn, "stride", stride);
    detail::check_non_negative_pair(fn, "padding", padding);
    detail::check_positive_pair(fn, "dilation", dilation);
    if (groups <= 0) fail(ErrorCode::InvalidArgument, std::string(fn) + ": groups must be positive, got " + std::to_string(groups));
}

int64_t conv_out_size(int64_t in, int pad, int dil, int64_t kernel, int stride) {
    int64_t span = in + 2 * (int64_t)pad - (int64_t)dil * (kernel - 1) - 1;
    return span < 0 ? 0 : span / stride + 1;
}

}  // namespace

Shape conv2d_output_shape(const Shape &input, const Shape &weight, const Conv2dOptions &o) {
    const char *fn = "conv2d";
    check_common(fn, input, weight, o.stride, o.padding, o.dilation, o.groups);
    const int64_t N = input[0], C = input[1], H = input[2], W = input[3];
    const int64_t K = weight[0], Cg = weight[1], R = weight[2], S = weight[3];
    if (C % o.groups != 0) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": input channels (" + std::to_string(C) +
                                             ") must be divisible by groups (" + std::to_string(o.groups) + ")");
    }
    if (K % o.groups != 0) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": weight's output channels (" + std::to_string(K) +
                                             ") must be divisible by groups (" + std::to_string(o.groups) + ")");
    }
    if (Cg != C / o.groups) {
        fail(ErrorCode::InvalidArgument,
             std::string(fn) + ": weight must have shape [K, C/groups, R, S] with C/groups = " +
                 std::to_string(C / o.groups) + ", got " + shape_to_string(weight));
    }
    const int64_t OH = conv_out_size(H, o.padding[0], o.dilation[0], R, o.stride[0]);
    const int64_t OW = conv_out_size(W, o.padding[1], o.dilation[1], S, o.stride[1]);
    if (OH <= 0 || OW <= 0) {
        fail(ErrorCode::InvalidArgument,
             std::string(fn) + ": the padded input " + shape_to_string({H + 2 * o.padding[0], W + 2 * o.padding[1]}) +
                 " is smaller than the dilated kernel " +
                 shape_to_string({(R - 1) * o.dilation[0] + 1, (S - 1) * o.dilation[1] + 1}) + " (input " +
                 shape_to_string(input) + ")");
    }
    return {N, K, OH, OW};
}

namespace {

// conv2d's weight layout (generators/conv.h): blocks of kBlock output
// channels, [K/kBlock][R][S][I][kBlock], zero-padded to whole blocks.
constexpr int64_t kBlock = 16;

int64_t conv2d_packed_size(const Shape &shape) {
    return (shape[0] + kBlock - 1) / kBlock * kBlock * shape[1] * shape[2] * shape[3];
}

Shape conv2d_packed_shape(const Shape &shape) {  // PyTorch order of the Halide dims
    return {(shape[0] + kBlock - 1) / kBlock, shape[2], shape[3], shape[1], kBlock};
}

// PyTorch [O, I, R, S] -> blocked, rotated by 180 degrees when `flip`.
// One task per block of kBlock output channels on Halide's thread pool
// (the pipelines' own threads): reads are kBlock rows of the source (L2),
// writes are sequential.
struct PackConv2dTask {
    const float *w;
    float *packed;
    int64_t O, I, R, S;
    bool flip;
};

int pack_conv2d_block(void *, int ob, uint8_t *closure) {
    const PackConv2dTask &t = *reinterpret_cast<const PackConv2dTask *>(closure);
    float *dst = t.packed + (int64_t)ob * t.R * t.S * t.I * kBlock;
    for (int64_t r = 0; r < t.R; r++) {
        for (int64_t s = 0; s < t.S; s++) {
            const int64_t sr = t.flip ? t.R - 1 - r : r, ss = t.flip ? t.S - 1 - s : s;
            for (int64_t i = 0; i < t.I; i++) {
                for (int64_t o16 = 0; o16 < kBlock; o16++) {
                    const int64_t o = ob * kBlock + o16;
                    *dst++ = o < t.O ? t.w[((o * t.I + i) * t.R + sr) * t.S + ss] : 0.0f;
                }
            }
        }
    }
    return 0;
}

void pack_conv2d_weights(const float *w, const Shape &shape, bool flip, float *packed) {
    PackConv2dTask task{w, packed, shape[0], shape[1], shape[2], shape[3], flip};
    const int blocks = (int)((shape[0] + kBlock - 1) / kBlock);
    halide_do_par_for(nullptr, pack_conv2d_block, 0, blocks, reinterpret_cast<uint8_t *>(&task));
}

// Per-thread scratch for the plain calls' repacking: grows, never shrinks,
// so repeated calls touch no fresh pages.
float *packing_scratch(int64_t size) {
    thread_local std::vector<float> scratch;
    if ((int64_t)scratch.size() < size) scratch.resize(size);
    return scratch.data();
}

void check_packed(const char *fn, const PackedWeights &w, bool transposed) {
    if (w.transposed_conv != transposed || w.shape.size() != 4 ||
        w.data.size() != (size_t)conv2d_packed_size(w.shape)) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": weight was not packed by " + fn +
                                             "_pack_weights (shape " + shape_to_string(w.shape) + ")");
    }
}

// Runs the conv2d pipeline on packed weights; `weight_shape` is PyTorch's.
void run_conv2d(ConstTensor input, const float *packed, const Shape &weight_shape, ConstTensor bias, Tensor output,
                const Conv2dOptions &o) {
    const char *fn = "conv2d";
    detail::check_tensor(fn, "input", input.shape, input.data, 4);
    Shape expected = conv2d_output_shape(input.shape, weight_shape, o);
    const int64_t K = expected[1];
    check_bias_output_device(fn, bias, output, expected, o.device);

    auto in = detail::wrap(input.data, input.shape);
    auto w = detail::wrap(packed, conv2d_packed_shape(weight_shape));
    auto b = detail::wrap(bias.data ? bias.data : detail::zero_bias(K), Shape{K});
    auto out = detail::wrap(output.data, output.shape);
    auto run = detail::tuned_or(
        pick(o.device, halconv_conv2d_cpu, halconv_conv2d_cuda, halconv_conv2d_opencl), "conv2d",
        [&] {
            const Shape &i = input.shape, &w = weight_shape;
            return shape_class("conv2d", {{"C", i[1]}, {"H", i[2]}, {"W", i[3]}, {"K", w[0]}, {"R", w[2]},
                                          {"S", w[3]}, {"sy", o.stride[0]}, {"sx", o.stride[1]},
                                          {"py", o.padding[0]}, {"px", o.padding[1]}, {"dy", o.dilation[0]},
                                          {"dx", o.dilation[1]}, {"g", o.groups}});
        },
        o.device);
    detail::PipelineCall call(fn, o.device);
    // Halide's x is PyTorch's last dimension (w), y is h.
    int status = run(call.input(in), call.input(w), call.input(b), o.stride[1], o.stride[0], o.padding[1],
                     o.padding[0], o.dilation[1], o.dilation[0], o.groups, call.output(out));
    call.finish(status);
}

}  // namespace

PackedWeights conv2d_pack_weights(ConstTensor weight, const Conv2dOptions &o) {
    detail::check_tensor("conv2d_pack_weights", "weight", weight.shape, weight.data, 4);
    PackedWeights p;
    p.shape = weight.shape;
    p.flipped = o.flip_kernel;
    p.data.resize(conv2d_packed_size(weight.shape));
    pack_conv2d_weights(weight.data, weight.shape, o.flip_kernel, p.data.data());
    return p;
}

void conv2d(ConstTensor input, const PackedWeights &weight, ConstTensor bias, Tensor output,
            const Conv2dOptions &o) {
    check_packed("conv2d", weight, false);
    if (weight.flipped != o.flip_kernel) {
        fail(ErrorCode::InvalidArgument,
             "conv2d: weight was packed with flip_kernel = " + std::string(weight.flipped ? "true" : "false") +
                 " but options.flip_kernel = " + (o.flip_kernel ? "true" : "false"));
    }
    run_conv2d(input, weight.data.data(), weight.shape, bias, output, o);
}

void conv2d(ConstTensor input, ConstTensor weight, ConstTensor bias, Tensor output, const Conv2dOptions &o) {
    detail::check_tensor("conv2d", "weight", weight.shape, weight.data, 4);
    conv2d_output_shape(input.shape, weight.shape, o);  // all shape errors before any work
    float *packed = packing_scratch(conv2d_packed_size(weight.shape));
    pack_conv2d_weights(weight.data, weight.shape, o.flip_kernel, packed);
    run_conv2d(input, packed, weight.shape, bias, output, o);
}

std::vector<float> conv2d(ConstTensor input, ConstTensor weight, ConstTensor bias, const Conv2dOptions &o,
                          Shape *output_shape) {
    Shape shape = conv2d_output_shape(input.shape, weight.shape, o);
    std::vector<float> result(Tensor(nullptr, shape).numel());
    conv2d(input, weight, bias, Tensor(result.data(), shape), o);
    if (output_shape) *output_shape = shape;
    return result;
}

Shape conv_transpose2d_output_shape(const Shape &input, const Shape &weight, const ConvTranspose2dOptions &o) {
    const char *fn = "conv_transpose2d";
    check_common(fn, input, weight, o.stride, o.padding, o.dilation, o.groups);
    detail::check_non_negative_pair(fn, "output_padding", o.output_padding);
    for (int i = 0; i < 2; i++) {
        if (o.output_padding[i] >= o.stride[i] && o.output_padding[i] >= o.dilation[i]) {
            fail(ErrorCode::InvalidArgument,
                 std::string(fn) + ": output_padding must be smaller than either stride or dilation, got "
                                   "output_padding " + detail::pair_to_string(o.output_padding) + ", stride " +
                     detail::pair_to_string(o.stride) + ", dilation " + detail::pair_to_string(o.dilation));
        }
    }
    const int64_t N = input[0], C = input[1], H = input[2], W = input[3];
    const int64_t Cw = weight[0], Kg = weight[1], R = weight[2], S = weight[3];
    if (C % o.groups != 0) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": input channels (" + std::to_string(C) +
                                             ") must be divisible by groups (" + std::to_string(o.groups) + ")");
    }
    if (Cw != C) {
        fail(ErrorCode::InvalidArgument,
             std::string(fn) + ": weight must have shape [C, K/groups, R, S] with C = " + std::to_string(C) +
                 " input channels, got " + shape_to_string(weight));
    }
    const int64_t OH = (H - 1) * o.stride[0] - 2 * (int64_t)o.padding[0] + (int64_t)o.dilation[0] * (R - 1) +
                       o.output_padding[0] + 1;
    const int64_t OW = (W - 1) * o.stride[1] - 2 * (int64_t)o.padding[1] + (int64_t)o.dilation[1] * (S - 1) +
                       o.output_padding[1] + 1;
    if (OH <= 0 || OW <= 0) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": padding " + detail::pair_to_string(o.padding) +
                                             " leaves an empty output " + shape_to_string({OH, OW}) +
                                             " for input " + shape_to_string(input));
    }
    return {N, Kg * o.groups, OH, OW};
}

namespace {

// Output phases of conv_transpose2d along one axis: phase b (= (o + pad) mod
// stride) is reached by taps s = first(b) + j*step, step = stride/gcd(stride,
// dilation), read at input coarse position minus (s*dil - b)/stride.
struct PhaseTaps {
    int stride = 1, step = 1, taps = 1;  // taps: the most any phase has
    std::vector<int> tap;                // [phase][j] -> s, or -1 (no such tap)
    std::vector<int32_t> offset;         // [phase][j] -> (s*dil - phase)/stride, 0 for none
    std::vector<int32_t> count;          // [phase] -> taps the phase has (a prefix of j)
    int max_offset = 0;
};

PhaseTaps phase_taps(int stride, int dilation, int64_t kernel) {
    PhaseTaps p;
    p.stride = stride;
    p.step = stride / std::gcd(stride, dilation);
    p.taps = (int)((kernel + p.step - 1) / p.step);
    p.tap.assign((size_t)stride * p.taps, -1);
    p.offset.assign((size_t)stride * p.taps, 0);
    p.count.assign((size_t)stride, 0);
    for (int s = 0; s < kernel; s++) {
        int64_t reach = (int64_t)s * dilation;
        int b = (int)(reach % stride);
        int j = s / p.step;  // taps of one phase are step apart, from the first s < step
        p.tap[(size_t)b * p.taps + j] = s;
        p.offset[(size_t)b * p.taps + j] = (int32_t)((reach - b) / stride);
        p.max_offset = std::max<int>(p.max_offset, (int)((reach - b) / stride));
        p.count[b] = std::max(p.count[b], j + 1);
    }
    return p;
}

// PyTorch's convT weight [C, K/groups, R, S] -> phase-packed
// [by][bx][jy][jx][c][k] (Halide dims k, c, jx, jy, bx, by), zero where a
// phase lacks a tap.
void pack_conv_transpose_weights(const float *w, const Shape &shape, const PhaseTaps &px, const PhaseTaps &py,
                                 float *packed) {
    const int64_t C = shape[0], Kg = shape[1], R = shape[2], S = shape[3];
    for (int by = 0; by < py.stride; by++) {
        for (int bx = 0; bx < px.stride; bx++) {
            for (int jy = 0; jy < py.taps; jy++) {
                for (int jx = 0; jx < px.taps; jx++) {
                    int r = py.tap[(size_t)by * py.taps + jy], s = px.tap[(size_t)bx * px.taps + jx];
                    float *dst = packed + ((((int64_t)by * px.stride + bx) * py.taps + jy) * px.taps + jx) * C * Kg;
                    for (int64_t c = 0; c < C; c++) {
                        for (int64_t k = 0; k < Kg; k++) {
                            dst[c * Kg + k] = (r < 0 || s < 0) ? 0.0f : w[((c * Kg + k) * R + r) * S + s];
                        }
                    }
                }
            }
        }
    }
}

int64_t packed_conv_transpose_size(const Shape &shape, const PhaseTaps &px, const PhaseTaps &py) {
    return (int64_t)py.stride * px.stride * py.taps * px.taps * shape[0] * shape[1];
}

void run_conv_transpose2d(ConstTensor input, const float *packed, const Shape &weight_shape, ConstTensor bias,
                          Tensor output, const ConvTranspose2dOptions &o) {
    const char *fn = "conv_transpose2d";
    detail::check_tensor(fn, "input", input.shape, input.data, 4);
    Shape expected = conv_transpose2d_output_shape(input.shape, weight_shape, o);
    const int64_t K = expected[1];
    check_bias_output_device(fn, bias, output, expected, o.device);

    PhaseTaps px = phase_taps(o.stride[1], o.dilation[1], weight_shape[3]);
    PhaseTaps py = phase_taps(o.stride[0], o.dilation[0], weight_shape[2]);
    auto in = detail::wrap(input.data, input.shape);
    auto w = detail::wrap(packed, {py.stride, px.stride, py.taps, px.taps, weight_shape[0], weight_shape[1]});
    auto b = detail::wrap(bias.data ? bias.data : detail::zero_bias(K), Shape{K});
    auto off_x = detail::wrap(px.offset.data(), {px.stride, px.taps});
    auto off_y = detail::wrap(py.offset.data(), {py.stride, py.taps});
    auto count_x = detail::wrap(px.count.data(), {px.stride});
    auto count_y = detail::wrap(py.count.data(), {py.stride});
    auto out = detail::wrap(output.data, output.shape);
    auto run = detail::tuned_or(
        pick(o.device, halconv_conv_transpose2d_cpu, halconv_conv_transpose2d_cuda, halconv_conv_transpose2d_opencl),
        "conv_transpose2d",
        [&] {
            const Shape &i = input.shape, &w = weight_shape;
            return shape_class("conv_transpose2d",
                               {{"C", i[1]}, {"H", i[2]}, {"W", i[3]}, {"K", K}, {"R", w[2]}, {"S", w[3]},
                                {"sy", o.stride[0]}, {"sx", o.stride[1]}, {"py", o.padding[0]},
                                {"px", o.padding[1]}, {"oy", o.output_padding[0]}, {"ox", o.output_padding[1]},
                                {"dy", o.dilation[0]}, {"dx", o.dilation[1]}, {"g", o.groups}});
        },
        o.device);
    detail::PipelineCall call(fn, o.device);
    int status = run(call.input(in), call.input(w), call.input(b), call.input(off_x), call.input(off_y),
                     call.input(count_x), call.input(count_y), px.max_offset, py.max_offset, o.stride[1], o.stride[0], o.padding[1], o.padding[0], o.groups,
                     call.output(out));
    call.finish(status);
}

}  // namespace

PackedWeights conv_transpose2d_pack_weights(ConstTensor weight, const ConvTranspose2dOptions &o) {
    const char *fn = "conv_transpose2d_pack_weights";
    detail::check_tensor(fn, "weight", weight.shape, weight.data, 4);
    detail::check_positive_pair(fn, "stride", o.stride);
    detail::check_positive_pair(fn, "dilation", o.dilation);
    PackedWeights p;
    p.shape = weight.shape;
    p.transposed_conv = true;
    p.stride = o.stride;
    p.dilation = o.dilation;
    PhaseTaps px = phase_taps(o.stride[1], o.dilation[1], weight.shape[3]);
    PhaseTaps py = phase_taps(o.stride[0], o.dilation[0], weight.shape[2]);
    p.data.resize(packed_conv_transpose_size(weight.shape, px, py));
    pack_conv_transpose_weights(weight.data, weight.shape, px, py, p.data.data());
    return p;
}

void conv_transpose2d(ConstTensor input, const PackedWeights &weight, ConstTensor bias, Tensor output,
                      const ConvTranspose2dOptions &o) {
    const char *fn = "conv_transpose2d";
    if (!weight.transposed_conv || weight.shape.size() != 4) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": weight was not packed by conv_transpose2d_pack_weights");
    }
    if (weight.stride != o.stride || weight.dilation != o.dilation) {
        fail(ErrorCode::InvalidArgument,
             std::string(fn) + ": weight was packed for stride " + detail::pair_to_string(weight.stride) +
                 " and dilation " + detail::pair_to_string(weight.dilation) + ", but options have stride " +
                 detail::pair_to_string(o.stride) + " and dilation " + detail::pair_to_string(o.dilation));
    }
    run_conv_transpose2d(input, weight.data.data(), weight.shape, bias, output, o);
}

void conv_transpose2d(ConstTensor input, ConstTensor weight, ConstTensor bias, Tensor output,
                      const ConvTranspose2dOptions &o) {
    detail::check_tensor("conv_transpose2d", "weight", weight.shape, weight.data, 4);
    conv_transpose2d_output_shape(input.shape, weight.shape, o);  // all shape errors before any work
    PhaseTaps px = phase_taps(o.stride[1], o.dilation[1], weight.shape[3]);
    PhaseTaps py = phase_taps(o.stride[0], o.dilation[0], weight.shape[2]);
    float *packed = packing_scratch(packed_conv_transpose_size(weight.shape, px, py));
    pack_conv_transpose_weights(weight.data, weight.shape, px, py, packed);
    run_conv_transpose2d(input, packed, weight.shape, bias, output, o);
}

std::vector<float> conv_transpose2d(ConstTensor input, ConstTensor weight, ConstTensor bias,
                                    const ConvTranspose2dOptions &o, Shape *output_shape) {
    Shape shape = conv_transpose2d_output_shape(input.shape, weight.shape, o);
    std::vector<float> result(Tensor(nullptr, shape).numel());
    conv_transpose2d(input, weight, bias, Tensor(result.data(), shape), o);
    if (output_shape) *output_shape = shape;
    return result;
}

}  // namespace halconv
