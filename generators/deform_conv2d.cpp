// deform_conv2d generators, forward and backward (deterministic or atomic
// grad_input scatter). Algorithms: generators/deform_conv.h; schedules by
// target from schedules/cpu/deform.h or schedules/cuda/deform.h.
#include <stdexcept>

#include "generators/deform_conv.h"
#include "schedules/cpu/deform.h"
#include "schedules/cuda/deform.h"

namespace halconv {
namespace {

template<typename B>
void dense_from_zero(B &buffer, int dims) {
    buffer.dim(0).set_stride(1);
    for (int d = 0; d < dims; d++) buffer.dim(d).set_min(0);
}

// The inputs and parameters both generators share.
template<typename G>
void describe_problem(G &gen, DeformConv2dAlgorithm &a, int channel_block) {
    a.channel_block = channel_block;
    a.in_width = gen.input.dim(0).extent();
    a.in_height = gen.input.dim(1).extent();
    a.in_channels = gen.input.dim(2).extent();
    a.batch = gen.input.dim(3).extent();
    a.kernel_w = gen.weight.dim(0).extent();
    a.kernel_h = gen.weight.dim(1).extent();
    a.group_in_channels = gen.weight.dim(2).extent();
    a.out_channels = gen.weight.dim(3).extent();
    a.out_width = gen.offset.dim(0).extent();
    a.out_height = gen.offset.dim(1).extent();
    a.stride_x = gen.stride_x;
    a.stride_y = gen.stride_y;
    a.pad_x = gen.pad_x;
    a.pad_y = gen.pad_y;
    a.dil_x = gen.dil_x;
    a.dil_y = gen.dil_y;
    a.groups = gen.groups;
    a.group_out_channels = a.out_channels / gen.groups;
    a.offset_groups = gen.offset.dim(2).extent() / (2 * a.kernel_w * a.kernel_h);
    a.has_mask = gen.has_mask;
    for (auto *b : {&gen.input, &gen.offset, &gen.mask, &gen.weight}) dense_from_zero(*b, 4);
    define_deform_samples(a, gen.input, gen.offset, gen.mask,
                          {gen.mask.dim(0).extent(), gen.mask.dim(1).extent(), gen.mask.dim(2).extent(),
                           gen.mask.dim(3).extent()});
}

#define HALCONV_DEFORM_INPUTS                                                                       \
    Input<Buffer<float>> input{"input", 4};   /* (x, y, c, n) */                                   \
    Input<Buffer<float>> offset{"offset", 4}; /* (x, y, g*2T + 2*tap + {dy, dx}, n) */             \
    Input<Buffer<float>> mask{"mask", 4};     /* (x, y, g*T + tap, n), or [1,1,1,1] unused */       \
    Input<bool> has_mask{"has_mask"};                                                              \
    Input<Buffer<float>> weight{"weight", 4}; /* (s, r, c', k): PyTorch's [K, C/groups, R, S] */   \
    Input<int> stride_x{"stride_x", 1, 1, 1 << 24};                                                \
    Input<int> stride_y{"stride_y", 1, 1, 1 << 24};                                                \
    Input<int> pad_x{"pad_x", 0, 0, 1 << 24};                                                      \
    Input<int> pad_y{"pad_y", 0, 0, 1 << 24};                                                      \
    Input<int> dil_x{"dil_x", 1, 1, 1 << 24};                                                      \
    Input<int> dil_y{"dil_y", 1, 1, 1 << 24};                                                      \
    Input<int> groups{"groups", 1, 1, 1 << 24};

class DeformConv2dGenerator : public Generator<DeformConv2dGenerator> {
public:
    HALCONV_DEFORM_INPUTS
    Input<Buffer<float>> bias{"bias", 1};  // [K] (zeros when the caller has none)
    Output<Buffer<float>> output{"output", 4};

    DeformCpuSchedule cpu_schedule;
    DeformGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        const bool gpu = get_target().has_gpu_feature();
        DeformConv2dAlgorithm a;
        describe_problem(*this, a, gpu ? 1 : cpu_schedule.channel_block);
        a.weight_k_block = gpu ? 1 : cpu_schedule.k_tile;
        define_deform_conv2d(a, weight, bias);
        output(a.x, a.y, a.k, a.n) = a.conv(a.x, a.y, a.k, a.n);
        a.output = output;
        dense_from_zero(output, 4);
        bias.dim(0).set_min(0);
        if (get_auto_schedule()) {
            estimates.apply(input, offset, mask, has_mask, weight, stride_x, stride_y, pad_x, pad_y, dil_x, dil_y,
                            groups, bias, output);
        } else if (gpu) {
            gpu_schedule.apply_forward(a, get_target());
        } else {
            cpu_schedule.apply_forward(a, get_target());
        }
    }
};

class DeformConv2dBackwardGenerator : public Generator<DeformConv2dBackwardGenerator> {
public:
    GeneratorParam<std::string> accumulation{"accumulation", "deterministic"};

    HALCONV_DEFORM_INPUTS
    Input<Buffer<float>> grad_output{"grad_output", 4};  // (x, y, k, n)
    Output<Buffer<float>> grad_input{"grad_input", 4};
    Output<Buffer<float>> grad_offset{"grad_offset", 4};
    Output<Buffer<float>> grad_mask{"grad_mask", 4};      // [1,1,1,1] placeholder without a mask
    Output<Buffer<float>> grad_weight{"grad_weight", 4};  // (s, r, c', k)
    Output<Buffer<float>> grad_bias{"grad_bias", 1};

    DeformCpuSchedule cpu_schedule;
    DeformGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        const std::string mode = accumulation;
        if (mode != "deterministic" && mode != "atomic") {
            throw std::invalid_argument("accumulation must be deterministic or atomic, got " + mode);
        }
        const bool gpu = get_target().has_gpu_feature();
        DeformConv2dAlgorithm a;
        describe_problem(*this, a, gpu ? 1 : cpu_schedule.channel_block);
        dense_from_zero(grad_output, 4);
        a.band_rows = gpu ? 1 : cpu_schedule.grad_band_rows;
        a.weight_c_block = gpu ? 1 : cpu_schedule.grad_c_tile;
        a.grad_k_block = gpu ? 1 : cpu_schedule.grad_weight_k_tile;
        // (Bands accumulate grad_weight in place: the output is that Func.)
        if (a.band_rows > 1) a.grad_weight = grad_weight;
        define_deform_conv2d_backward(a, weight, grad_output, mode == "deterministic");
        Var x = a.x, y = a.y, c = a.c, n = a.n;
        grad_input(x, y, c, n) = a.grad_input(x, y, c, n);
        grad_offset(x, y, c, n) = a.grad_offset(x, y, c, n);
        grad_mask(x, y, c, n) = a.grad_mask(x, y, c, n);
        if (a.band_rows == 1) {
            grad_weight(x, y, c, n) = a.grad_weight(x, y, c, n);
            a.grad_weight.compute_inline();
        }
        grad_bias(a.k) = a.grad_bias(a.k);
        a.grad_input.compute_inline();
        a.grad_offset.compute_inline();
        a.grad_mask.compute_inline();
        a.grad_input = grad_input;
        a.grad_offset = grad_offset;
        a.grad_mask = grad_mask;
        // (grad_weight and grad_bias are reductions: the outputs copy them.)
        for (auto *b : {&grad_input, &grad_offset, &grad_mask, &grad_weight}) dense_from_zero(*b, 4);
        grad_bias.dim(0).set_min(0);
        if (get_auto_schedule()) {
            estimates.apply(input, offset, mask, has_mask, weight, stride_x, stride_y, pad_x, pad_y, dil_x, dil_y,
                            groups, grad_output, grad_input, grad_offset, grad_mask, grad_weight, grad_bias);
        } else if (gpu) {
            gpu_schedule.apply_backward(a, grad_weight, grad_bias, get_target());
        } else {
            cpu_schedule.apply_backward(a, grad_weight, grad_bias, get_target());
        }
    }
};

}  // namespace
}  // namespace halconv

HALIDE_REGISTER_GENERATOR(halconv::DeformConv2dGenerator, deform_conv2d)
HALIDE_REGISTER_GENERATOR(halconv::DeformConv2dBackwardGenerator, deform_conv2d_backward)
