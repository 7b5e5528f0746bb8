// Public API of deform_conv2d: shape checks, device choice and dispatch to
// the AOT pipelines (include/halconv/deform.h).
#include <cstdint>
#include <string>
#include <vector>

#include "deform_conv2d_backward_atomic_cuda.h"
#include "deform_conv2d_backward_cpu.h"
#include "deform_conv2d_backward_cuda.h"
#include "deform_conv2d_backward_opencl.h"
#include "deform_conv2d_cpu.h"
#include "deform_conv2d_cuda.h"
#include "deform_conv2d_opencl.h"
#include "deform_conv2d_backward_bands_cpu.h"
#include "deform_conv2d_wide_blocks_cpu.h"
#if HALCONV_AVX512_CPU_VARIANT >= 0
#include "deform_conv2d_backward_wide_blocks_cpu.h"
#endif
#include "internal.h"
#include "shape_class.h"
#include "deform_dispatch.h"
#include "tuned.h"

namespace halconv {
namespace {

using detail::fail;
using detail::shape_to_string;

std::string str(int64_t v) { return std::to_string(v); }

// The problem's sizes, from checked shapes.
struct Problem {
    int64_t N, C, H, W, K, Cg, R, S, G, OH, OW;
    bool has_mask;
};

int64_t out_size(int64_t in, int pad, int dil, int64_t kernel, int stride) {
    int64_t span = in + 2 * (int64_t)pad - (int64_t)dil * (kernel - 1) - 1;
    return span < 0 ? -1 : span / stride + 1;
}

Problem check_problem(const char *fn, const Shape &input, const Shape &offset, const Shape &weight,
                      const Shape &mask, const DeformConv2dOptions &o) {
    const void *present = reinterpret_cast<const void *>(1);
    detail::check_tensor(fn, "input", input, present, 4);
    detail::check_tensor(fn, "weight", weight, present, 4);
    detail::check_tensor(fn, "offset", offset, present, 4);
    detail::check_positive_pair(fn, "stride", o.stride);
    detail::check_non_negative_pair(fn, "padding", o.padding);
    detail::check_positive_pair(fn, "dilation", o.dilation);
    Problem p;
    p.N = input[0], p.C = input[1], p.H = input[2], p.W = input[3];
    p.K = weight[0], p.Cg = weight[1], p.R = weight[2], p.S = weight[3];
    if (o.groups <= 0) fail(ErrorCode::InvalidArgument, std::string(fn) + ": groups must be positive, got " + str(o.groups));
    if (p.C % o.groups != 0) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": input channels (" + str(p.C) +
                                             ") must be divisible by groups (" + str(o.groups) + ")");
    }
    if (p.K % o.groups != 0) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": weight's output channels (" + str(p.K) +
                                             ") must be divisible by groups (" + str(o.groups) + ")");
    }
    if (p.Cg != p.C / o.groups) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": weight must have shape [K, C/groups, R, S] with C/groups = " +
                                             str(p.C / o.groups) + ", got " + shape_to_string(weight));
    }
    p.OH = out_size(p.H, o.padding[0], o.dilation[0], p.R, o.stride[0]);
    p.OW = out_size(p.W, o.padding[1], o.dilation[1], p.S, o.stride[1]);
    if (p.OH <= 0 || p.OW <= 0) {
        fail(ErrorCode::InvalidArgument,
             std::string(fn) + ": the padded input " + shape_to_string({p.H + 2 * o.padding[0], p.W + 2 * o.padding[1]}) +
                 " is smaller than the dilated kernel " +
                 shape_to_string({(p.R - 1) * o.dilation[0] + 1, (p.S - 1) * o.dilation[1] + 1}) + " (input " +
                 shape_to_string(input) + ")");
    }
    const int64_t taps = p.R * p.S;
    if (offset[1] % (2 * taps) != 0) {
        fail(ErrorCode::InvalidArgument,
             std::string(fn) + ": offset has " + str(offset[1]) + " channels, expected a multiple of 2*R*S = " +
                 str(2 * taps) + " (offset_groups * 2 * kernel taps; offset shape " + shape_to_string(offset) + ")");
    }
    p.G = offset[1] / (2 * taps);
    if (p.C % p.G != 0) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": input channels (" + str(p.C) +
                                             ") must be divisible by offset_groups (" + str(p.G) +
                                             " = offset channels " + str(offset[1]) + " / (2*R*S = " +
                                             str(2 * taps) + "))");
    }
    detail::check_shape(fn, "offset", offset, {p.N, 2 * p.G * taps, p.OH, p.OW},
                        "[N, 2*offset_groups*R*S, OH, OW]: one (dy, dx) per offset group, tap and output pixel");
    p.has_mask = !mask.empty();
    if (p.has_mask) {
        detail::check_tensor(fn, "mask", mask, present, 4);
        detail::check_shape(fn, "mask", mask, {p.N, p.G * taps, p.OH, p.OW},
                            "[N, offset_groups*R*S, OH, OW]: one value per offset group, tap and output pixel");
    }
    return p;
}

// The shape class of a call (runtime/shape_class.h):
// C H W K R S sy sx py px dy dx G g mask.
std::string deform_class(const char *op, const Problem &p, const DeformConv2dOptions &o) {
    return shape_class(op, {{"C", p.C}, {"H", p.H}, {"W", p.W}, {"K", p.K}, {"R", p.R}, {"S", p.S},
                            {"sy", o.stride[0]}, {"sx", o.stride[1]}, {"py", o.padding[0]}, {"px", o.padding[1]},
                            {"dy", o.dilation[0]}, {"dx", o.dilation[1]}, {"G", p.G}, {"g", o.groups},
                            {"mask", p.has_mask ? 1 : 0}});
}

// Placeholder for the pipelines' mask input when there is none (never read).
float kUnusedMask[1] = {1.0f};

}  // namespace

Shape deform_conv2d_output_shape(const Shape &input, const Shape &offset, const Shape &weight, const Shape &mask,
                                 const DeformConv2dOptions &o) {
    Problem p = check_problem("deform_conv2d", input, offset, weight, mask, o);
    return {p.N, p.K, p.OH, p.OW};
}

void deform_conv2d(ConstTensor input, ConstTensor offset, ConstTensor weight, ConstTensor bias, ConstTensor mask,
                   Tensor output, const DeformConv2dOptions &o) {
    const char *fn = "deform_conv2d";
    detail::check_tensor(fn, "input", input.shape, input.data, 4);
    detail::check_tensor(fn, "offset", offset.shape, offset.data, 4);
    detail::check_tensor(fn, "weight", weight.shape, weight.data, 4);
    const bool has_mask = detail::check_optional_tensor(fn, "mask", mask.shape, mask.data, 4);
    Problem p = check_problem(fn, input.shape, offset.shape, weight.shape, has_mask ? mask.shape : Shape{}, o);
    if (detail::check_optional_tensor(fn, "bias", bias.shape, bias.data, 1) && bias.shape[0] != p.K) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": bias must have shape [" + str(p.K) +
                                             "] (one per output channel), got " + shape_to_string(bias.shape));
    }
    detail::check_tensor(fn, "output", output.shape, output.data, 4);
    detail::check_shape(fn, "output", output.shape, {p.N, p.K, p.OH, p.OW}, "[N, K, OH, OW]");
    detail::check_disjoint(fn, "output", output, "input", input);
    detail::check_disjoint(fn, "output", output, "offset", offset);
    detail::check_disjoint(fn, "output", output, "weight", weight);
    if (has_mask) detail::check_disjoint(fn, "output", output, "mask", mask);
    if (bias.data) detail::check_disjoint(fn, "output", output, "bias", bias);
    detail::require_device(fn, o.device);

    auto in = detail::wrap(input.data, input.shape);
    auto off = detail::wrap(offset.data, offset.shape);
    auto m = has_mask ? detail::wrap(mask.data, mask.shape)
                      : detail::wrap(static_cast<const float *>(kUnusedMask), Shape{1, 1, 1, 1});
    auto w = detail::wrap(weight.data, weight.shape);
    auto b = detail::wrap(bias.data ? bias.data : detail::zero_bias(p.K), Shape{p.K});
    auto out = detail::wrap(output.data, output.shape);
    // (Offset groups of 8k channels: 8-channel blocks, see runtime/deform_dispatch.h.)
    const bool wide_blocks = deform_forward_wide_blocks(p.C, p.G);
    auto run = detail::tuned_or(detail::pick_pipeline(o.device,
                                                      wide_blocks ? halconv_deform_conv2d_wide_blocks_cpu
                                                                  : halconv_deform_conv2d_cpu,
                                                      halconv_deform_conv2d_cuda, halconv_deform_conv2d_opencl),
                                "deform_conv2d", [&] { return deform_class("deform_conv2d", p, o); }, o.device);
    detail::PipelineCall call(fn, o.device);
    auto *ii = call.input(in);
    auto *oi = call.input(off);
    auto *mi = call.input(m);
    auto *wi = call.input(w);
    auto *bi = call.input(b);
    // Halide's x is PyTorch's last dimension (w), y is h.
    int status = run(ii, oi, mi, has_mask, wi, o.stride[1], o.stride[0], o.padding[1], o.padding[0], o.dilation[1],
                     o.dilation[0], o.groups, bi, call.output(out));
    call.finish(status);
}

std::vector<float> deform_conv2d(ConstTensor input, ConstTensor offset, ConstTensor weight, ConstTensor bias,
                                 ConstTensor mask, const DeformConv2dOptions &o, Shape *output_shape) {
    Shape shape = deform_conv2d_output_shape(input.shape, offset.shape, weight.shape, mask.shape, o);
    int64_t count = 1;
    for (int64_t d : shape) count *= d;
    std::vector<float> result(count);
    deform_conv2d(input, offset, weight, bias, mask, Tensor(result.data(), shape), o);
    if (output_shape) *output_shape = shape;
    return result;
}

void deform_conv2d_backward(ConstTensor input, ConstTensor offset, ConstTensor weight, ConstTensor mask,
                            ConstTensor grad_output, const DeformConv2dGrads &grads, const DeformConv2dOptions &o) {
    const char *fn = "deform_conv2d_backward";
    detail::check_tensor(fn, "input", input.shape, input.data, 4);
    detail::check_tensor(fn, "offset", offset.shape, offset.data, 4);
    detail::check_tensor(fn, "weight", weight.shape, weight.data, 4);
    const bool has_mask = detail::check_optional_tensor(fn, "mask", mask.shape, mask.data, 4);
    Problem p = check_problem(fn, input.shape, offset.shape, weight.shape, has_mask ? mask.shape : Shape{}, o);
    detail::check_tensor(fn, "grad_output", grad_output.shape, grad_output.data, 4);
    detail::check_shape(fn, "grad_output", grad_output.shape, {p.N, p.K, p.OH, p.OW},
                        "[N, K, OH, OW], the forward output's shape");
    struct Out {
        const char *name;
        const Tensor *t;
        Shape shape;
    };
    std::vector<Out> outs = {{"grads.input", &grads.input, input.shape},
                             {"grads.offset", &grads.offset, offset.shape},
                             {"grads.weight", &grads.weight, weight.shape}};
    for (const Out &out : outs) {
        detail::check_tensor(fn, out.name, out.t->shape, out.t->data, 4);
        detail::check_shape(fn, out.name, out.t->shape, out.shape, "the shape of the tensor it is the gradient of");
    }
    const bool want_bias = detail::check_optional_tensor(fn, "grads.bias", grads.bias.shape, grads.bias.data, 1);
    if (want_bias) {
        detail::check_shape(fn, "grads.bias", grads.bias.shape, {p.K}, "[K], one per output channel");
        outs.push_back({"grads.bias", &grads.bias, {p.K}});
    }
    const bool mask_grad = detail::check_optional_tensor(fn, "grads.mask", grads.mask.shape, grads.mask.data, 4);
    if (mask_grad && !has_mask) {
        fail(ErrorCode::InvalidArgument,
             std::string(fn) + ": grads.mask is given but the call has no mask (DCN v1): leave grads.mask empty");
    }
    if (has_mask && !mask_grad) {
        fail(ErrorCode::InvalidArgument,
             std::string(fn) + ": the call has a mask (DCN v2), so grads.mask is required (shape " +
                 shape_to_string(mask.shape) + ")");
    }
    if (has_mask) {
        detail::check_shape(fn, "grads.mask", grads.mask.shape, mask.shape, "the shape of mask");
        outs.push_back({"grads.mask", &grads.mask, mask.shape});
    }
    for (size_t i = 0; i < outs.size(); i++) {
        const Tensor &t = *outs[i].t;
        detail::check_disjoint(fn, outs[i].name, t, "input", input);
        detail::check_disjoint(fn, outs[i].name, t, "offset", offset);
        detail::check_disjoint(fn, outs[i].name, t, "weight", weight);
        detail::check_disjoint(fn, outs[i].name, t, "grad_output", grad_output);
        if (has_mask) detail::check_disjoint(fn, outs[i].name, t, "mask", mask);
        for (size_t j = 0; j < i; j++) detail::check_disjoint(fn, outs[i].name, t, outs[j].name, *outs[j].t);
    }
    // The backward pass holds the whole column-gradient matrix (and, per
    // output row, the weight gradient): both must fit Halide's 2^31-byte
    // allocations.
    const int64_t taps = p.R * p.S;
    const double columns = double(p.N) * double(p.C) * double(taps) * double(p.OH) * double(p.OW);
    const double row_grads = double(p.N) * double(p.OH) * double(p.K) * double(p.C) * double(taps);
    if (columns * 4 >= 2147483648.0 || row_grads * 4 >= 2147483648.0) {
        fail(ErrorCode::InvalidArgument,
             std::string(fn) + ": the problem is too large for one call: its column gradient N*C*R*S*OH*OW = " +
                 std::to_string((int64_t)columns) + " floats and per-row weight gradients N*OH*K*C*R*S = " +
                 std::to_string((int64_t)row_grads) +
                 " floats must each stay below 2^31 bytes; split the batch (or the image) into several calls");
    }
    detail::check_accumulation(fn, o.accumulation);
    detail::require_device(fn, o.device);

    std::vector<float> bias_scratch(want_bias ? 0 : p.K);
    float mask_scratch[1];
    auto in = detail::wrap(input.data, input.shape);
    auto off = detail::wrap(offset.data, offset.shape);
    auto m = has_mask ? detail::wrap(mask.data, mask.shape)
                      : detail::wrap(static_cast<const float *>(kUnusedMask), Shape{1, 1, 1, 1});
    auto w = detail::wrap(weight.data, weight.shape);
    auto g = detail::wrap(grad_output.data, grad_output.shape);
    auto gi = detail::wrap(grads.input.data, grads.input.shape);
    auto go = detail::wrap(grads.offset.data, grads.offset.shape);
    auto gm = has_mask ? detail::wrap(grads.mask.data, grads.mask.shape) : detail::wrap(mask_scratch, Shape{1, 1, 1, 1});
    auto gw = detail::wrap(grads.weight.data, grads.weight.shape);
    auto gb = detail::wrap(want_bias ? grads.bias.data : bias_scratch.data(), Shape{p.K});
    // Tuned variants replace the deterministic pipelines only, never the
    // CUDA atomic one.
    const bool atomic = o.device == Device::CUDA && o.accumulation == GradAccumulation::Atomic;
    // (Small images: grad_weight summed over bands of rows, see runtime/deform_dispatch.h.)
    const bool bands = deform_backward_bands(p.OH, p.OW, p.K);
    auto cpu_pipeline = bands ? halconv_deform_conv2d_backward_bands_cpu : halconv_deform_conv2d_backward_cpu;
#if HALCONV_AVX512_CPU_VARIANT >= 0
    // (8-channel blocks where the library runs its AVX-512 code: runtime/deform_dispatch.h.)
    if (!bands && deform_backward_wide_blocks(p.C, p.G) && detail::host_cpu_variant() == HALCONV_AVX512_CPU_VARIANT) {
        cpu_pipeline = halconv_deform_conv2d_backward_wide_blocks_cpu;
    }
#endif
    auto run = detail::tuned_or(
        detail::pick_pipeline(o.device, o.accumulation, cpu_pipeline,
                              halconv_deform_conv2d_backward_cuda, halconv_deform_conv2d_backward_atomic_cuda,
                              halconv_deform_conv2d_backward_opencl),
        "deform_conv2d_backward", [&] { return deform_class("deform_conv2d_backward", p, o); }, o.device, !atomic);
    detail::PipelineCall call(fn, o.device);
    auto *ii = call.input(in);
    auto *oi = call.input(off);
    auto *mi = call.input(m);
    auto *wi = call.input(w);
    auto *gg = call.input(g);
    auto *gio = call.output(gi);
    auto *goo = call.output(go);
    auto *gmo = call.output(gm);
    auto *gwo = call.output(gw);
    auto *gbo = call.output(gb);
    int status = run(ii, oi, mi, has_mask, wi, o.stride[1], o.stride[0], o.padding[1], o.padding[0], o.dilation[1],
                     o.dilation[0], o.groups, gg, gio, goo, gmo, gwo, gbo);
    call.finish(status);
}

}  // namespace halconv
