// conv_transpose2d generator: the algorithm of ConvTranspose2dAlgorithm; the
// schedule is chosen by target from schedules/cpu/conv.h or schedules/cuda/conv.h.
#include "generators/conv.h"
#include "schedules/cpu/conv.h"
#include "schedules/cuda/conv.h"

namespace halconv {
namespace {

class ConvTranspose2dGenerator : public Generator<ConvTranspose2dGenerator> {
public:
    Input<Buffer<float>> input{"input", 4};  // [N, C, H, W]
    // Phase-packed weight, Halide dims (k, c, jx, jy, bx, by): extents K/groups,
    // C, taps_x, taps_y, stride_x, stride_y; zero where a phase has no tap.
    Input<Buffer<float>> weight{"weight", 6};
    Input<Buffer<float>> bias{"bias", 1};  // [K]
    // (s*dil - phase) / stride for tap j of each phase, dims (j, phase).
    Input<Buffer<int32_t>> tap_offset_x{"tap_offset_x", 2};
    Input<Buffer<int32_t>> tap_offset_y{"tap_offset_y", 2};
    // Taps each phase really has (a prefix of the taps_x / taps_y slots): the
    // reduction skips the zero-padded ones.
    Input<Buffer<int32_t>> tap_count_x{"tap_count_x", 1};
    Input<Buffer<int32_t>> tap_count_y{"tap_count_y", 1};
    // The largest entry of each table (bounds the reads for bounds inference).
    Input<int> max_tap_offset_x{"max_tap_offset_x", 0, 0, 1 << 24};
    Input<int> max_tap_offset_y{"max_tap_offset_y", 0, 0, 1 << 24};
    Input<int> stride_x{"stride_x", 1, 1, 1 << 24};
    Input<int> stride_y{"stride_y", 1, 1, 1 << 24};
    Input<int> pad_x{"pad_x", 0, 0, 1 << 24};
    Input<int> pad_y{"pad_y", 0, 0, 1 << 24};
    Input<int> groups{"groups", 1, 1, 1 << 24};
    Output<Buffer<float>> output{"output", 4};  // [N, K, OH, OW]

    ConvCpuSchedule cpu_schedule;
    ConvGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        ConvTranspose2dAlgorithm a;
        a.stride_x = stride_x;
        a.stride_y = stride_y;
        a.pad_x = pad_x;
        a.pad_y = pad_y;
        a.groups = groups;
        a.in_width = input.dim(kDimX).extent();
        a.in_height = input.dim(kDimY).extent();
        a.in_channels = input.dim(kDimC).extent();
        a.group_out_channels = weight.dim(0).extent();
        a.taps_x = weight.dim(2).extent();
        a.taps_y = weight.dim(3).extent();
        a.out_channels = a.group_out_channels * groups;
        a.group_in_channels = a.in_channels / groups;

        Var x = a.x, y = a.y, k = a.k, n = a.n;
        Var ax = a.ax, bx = a.bx, ay = a.ay, by = a.by;
        a.padded(x, y, k, n) = zero_padded_xy(input, a.in_width, a.in_height)(x, y, k, n);

        a.red = RDom(0, a.taps_x, 0, a.taps_y, 0, a.group_in_channels, "red");
        Expr jx = a.red.x, jy = a.red.y;
        // A predicate linear in the tap index: Halide trims the tap loops to
        // each phase's count instead of testing every step.
        a.red.where(jx < tap_count_x(bx) && jy < tap_count_y(by));
        // select(): folds to the plain channel under a groups == 1 specialization.
        Expr group = select(groups == 1, 0, k / a.group_out_channels);
        Expr k_in_group = select(groups == 1, k, k % a.group_out_channels);
        Expr c = group * a.group_in_channels + a.red.z;
        // The clamps change no value (the runtime's tables lie in range); they
        // bound the table reads for bounds inference.
        Expr off_x = clamp(tap_offset_x(jx, bx), 0, max_tap_offset_x);
        Expr off_y = clamp(tap_offset_y(jy, by), 0, max_tap_offset_y);
        a.acc(ax, bx, ay, by, k, n) = bias(k);
        a.acc(ax, bx, ay, by, k, n) += weight(k_in_group, c, jx, jy, bx, by) * a.padded(ax - off_x, ay - off_y, c, n);
        a.phase_out(ax, bx, ay, by, k, n) = a.acc(ax, bx, ay, by, k, n);

        Expr u = x + pad_x, v = y + pad_y;
        output(x, y, k, n) = a.phase_out(u / stride_x, u % stride_x, v / stride_y, v % stride_y, k, n);
        a.output = output;
        a.out_width = output.dim(kDimX).extent();
        a.out_height = output.dim(kDimY).extent();

        input.dim(kDimX).set_stride(1);
        weight.dim(0).set_stride(1);
        output.dim(kDimX).set_stride(1);
        // The runtime passes whole tensors: every coordinate starts at 0
        // (lets the compiler prove channel blocks aligned).
        for (int d = 0; d < 4; d++) {
            input.dim(d).set_min(0);
            output.dim(d).set_min(0);
        }

        if (get_auto_schedule()) {
            estimates.apply(input, weight, bias, tap_offset_x, tap_offset_y, tap_count_x, tap_count_y,
                            max_tap_offset_x, max_tap_offset_y, stride_x, stride_y, pad_x, pad_y, groups, output);
        } else if (get_target().has_gpu_feature()) {
            gpu_schedule.apply(a, get_target());
        } else {
            cpu_schedule.apply(a, get_target());
        }
    }
};

}  // namespace
}  // namespace halconv

HALIDE_REGISTER_GENERATOR(halconv::ConvTranspose2dGenerator, conv_transpose2d)
