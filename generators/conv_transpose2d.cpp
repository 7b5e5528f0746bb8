// conv_transpose2d generator: the algorithm of ConvTranspose2dAlgorithm; the
// schedule is chosen by target from schedules/cpu/conv.h or schedules/cuda/conv.h.
#include "generators/conv.h"
#include "schedules/cpu/conv.h"
#include "schedules/cuda/conv.h"

namespace halconv {
namespace {

// Smallest tap s >= 0 with s*dilation = phase (mod stride), or kernel_size if
// no tap reaches the phase. Taps of one phase are then first, first+step, ...
Func first_tap_of_phase(Expr stride, Expr dilation, Expr kernel_size, const std::string &name) {
    Var phase("phase");
    RDom t(0, stride, name + "_search");
    Func f(name);
    f(phase) = kernel_size;
    f(phase) = select((t.x * dilation) % stride == phase, min(f(phase), t.x), f(phase));
    return f;
}

class ConvTranspose2dGenerator : public Generator<ConvTranspose2dGenerator> {
public:
    Input<Buffer<float>> input{"input", 4};    // [N, C, H, W]
    // [R, S, C, K/groups] (output channels innermost, like conv2d's HWIO);
    // the runtime packs PyTorch's [C, K/groups, R, S] into it.
    Input<Buffer<float>> weight{"weight", 4};
    Input<Buffer<float>> bias{"bias", 1};      // [K]
    Input<int> stride_x{"stride_x", 1, 1, 1 << 24};
    Input<int> stride_y{"stride_y", 1, 1, 1 << 24};
    Input<int> pad_x{"pad_x", 0, 0, 1 << 24};
    Input<int> pad_y{"pad_y", 0, 0, 1 << 24};
    Input<int> dil_x{"dil_x", 1, 1, 1 << 24};
    Input<int> dil_y{"dil_y", 1, 1, 1 << 24};
    Input<int> groups{"groups", 1, 1, 1 << 24};
    // stride / gcd(stride, dilation): the distance between the taps that reach
    // one output phase (Halide has no gcd Expr; the runtime computes it).
    Input<int> tap_step_x{"tap_step_x", 1, 1, 1 << 24};
    Input<int> tap_step_y{"tap_step_y", 1, 1, 1 << 24};
    Output<Buffer<float>> output{"output", 4};  // [N, K, OH, OW]

    ConvCpuSchedule cpu_schedule;
    ConvGpuSchedule gpu_schedule;

    void generate() {
        ConvTranspose2dAlgorithm a;
        a.stride_x = stride_x;
        a.stride_y = stride_y;
        a.pad_x = pad_x;
        a.pad_y = pad_y;
        a.dil_x = dil_x;
        a.dil_y = dil_y;
        a.groups = groups;
        a.in_width = input.dim(kDimX).extent();
        a.in_height = input.dim(kDimY).extent();
        a.in_channels = input.dim(kDimC).extent();
        a.group_out_channels = weight.dim(0).extent();
        a.kernel_w = weight.dim(2).extent();
        a.kernel_h = weight.dim(3).extent();
        a.out_channels = a.group_out_channels * groups;
        a.group_in_channels = a.in_channels / groups;

        a.first_tap_x = first_tap_of_phase(stride_x, dil_x, a.kernel_w, "first_tap_x");
        a.first_tap_y = first_tap_of_phase(stride_y, dil_y, a.kernel_h, "first_tap_y");
        Expr step_x = tap_step_x;
        Expr step_y = tap_step_y;
        a.tap_step_x = step_x;
        a.tap_step_y = step_y;
        a.max_taps_x = (a.kernel_w + step_x - 1) / step_x;
        a.max_taps_y = (a.kernel_h + step_y - 1) / step_y;

        Var x = a.x, y = a.y, k = a.k, n = a.n;
        Var ax = a.ax, bx = a.bx, ay = a.ay, by = a.by;
        a.padded(x, y, k, n) = zero_padded_xy(input, a.in_width, a.in_height)(x, y, k, n);

        a.red = RDom(0, a.max_taps_x, 0, a.max_taps_y, 0, a.group_in_channels, "red");
        Expr s = clamp(a.first_tap_x(bx), 0, a.kernel_w) + a.red.x * step_x;  // clamp: bounds for inference
        Expr r = clamp(a.first_tap_y(by), 0, a.kernel_h) + a.red.y * step_y;
        a.red.where(s < a.kernel_w && r < a.kernel_h);
        Expr group = select(groups == 1, 0, k / a.group_out_channels);  // folds to 0 when specialized
        Expr c = group * a.group_in_channels + a.red.z;
        Expr in_x = ax - (s * dil_x - bx) / stride_x;  // exact division
        Expr in_y = ay - (r * dil_y - by) / stride_y;
        a.acc(ax, bx, ay, by, k, n) = bias(k);
        // min(): the where() above keeps s, r in range; the clamp only tells
        // bounds inference so.
        a.acc(ax, bx, ay, by, k, n) += weight(select(groups == 1, k, k % a.group_out_channels), c, min(s, a.kernel_w - 1),
                                              min(r, a.kernel_h - 1)) *
                                       a.padded(in_x, in_y, c, n);
        a.phase_out(ax, bx, ay, by, k, n) = a.acc(ax, bx, ay, by, k, n);

        Expr u = x + pad_x, v = y + pad_y;
        output(x, y, k, n) = a.phase_out(u / stride_x, u % stride_x, v / stride_y, v % stride_y, k, n);
        a.output = output;
        a.out_width = output.dim(kDimX).extent();
        a.out_height = output.dim(kDimY).extent();

        input.dim(kDimX).set_stride(1);
        weight.dim(kDimX).set_stride(1);
        output.dim(kDimX).set_stride(1);

        if (get_target().has_gpu_feature()) {
            gpu_schedule.apply(a, get_target());
        } else {
            cpu_schedule.apply(a, get_target());
        }
    }
};

}  // namespace
}  // namespace halconv

HALIDE_REGISTER_GENERATOR(halconv::ConvTranspose2dGenerator, conv_transpose2d)
