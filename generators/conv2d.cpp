// conv2d generator: the algorithm of Conv2dAlgorithm; the schedule is chosen
// by target from schedules/cpu/conv.h or schedules/cuda/conv.h.
#include "generators/conv.h"
#include "schedules/cpu/conv.h"
#include "schedules/cuda/conv.h"

namespace halconv {
namespace {

class Conv2dGenerator : public Generator<Conv2dGenerator> {
public:
    Input<Buffer<float>> input{"input", 4};    // [N, C, H, W]
    // Blocked by output channel (see kWeightBlock in generators/conv.h): the
    // runtime packs PyTorch's [K, C/groups, R, S] into it (flipped for true
    // convolution).
    Input<Buffer<float>> weight{"weight", 5};
    Input<Buffer<float>> bias{"bias", 1};      // [K] (zeros when the caller has none)
    Input<int> stride_x{"stride_x", 1, 1, 1 << 24};
    Input<int> stride_y{"stride_y", 1, 1, 1 << 24};
    Input<int> pad_x{"pad_x", 0, 0, 1 << 24};
    Input<int> pad_y{"pad_y", 0, 0, 1 << 24};
    Input<int> dil_x{"dil_x", 1, 1, 1 << 24};
    Input<int> dil_y{"dil_y", 1, 1, 1 << 24};
    Input<int> groups{"groups", 1, 1, 1 << 24};
    Output<Buffer<float>> output{"output", 4};  // [N, K, OH, OW]

    ConvCpuSchedule cpu_schedule;
    ConvGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        Conv2dAlgorithm a;
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
        a.out_channels = bias.dim(0).extent();
        a.group_in_channels = weight.dim(1).extent();
        a.kernel_w = weight.dim(2).extent();
        a.kernel_h = weight.dim(3).extent();
        a.group_out_channels = a.out_channels / groups;

        Var x = a.x, y = a.y, k = a.k, n = a.n;
        a.padded(x, y, k, n) = zero_padded_xy(input, a.in_width, a.in_height)(x, y, k, n);

        a.red = RDom(0, a.kernel_w, 0, a.kernel_h, 0, a.group_in_channels, "red");
        Expr s = a.red.x, r = a.red.y, c = a.red.z;
        // select(): under a groups == 1 specialization this folds to 0, so the
        // channels of a register tile share their input loads.
        Expr group = select(groups == 1, 0, k / a.group_out_channels);
        Expr in_x = x * stride_x - pad_x + s * dil_x;
        Expr in_y = y * stride_y - pad_y + r * dil_y;
        a.conv(x, y, k, n) = bias(k);
        a.conv(x, y, k, n) += weight(k % kWeightBlock, c, s, r, k / kWeightBlock) *
                              a.padded(in_x, in_y, group * a.group_in_channels + c, n);
        output(x, y, k, n) = a.conv(x, y, k, n);
        a.output = output;
        a.out_width = output.dim(kDimX).extent();
        a.out_height = output.dim(kDimY).extent();

        // NCHW, dense in x: lets vector loads and stores be unit-stride.
        input.dim(kDimX).set_stride(1);
        weight.dim(0).set_extent(kWeightBlock).set_stride(1);
        output.dim(kDimX).set_stride(1);
        // The runtime passes whole tensors: every coordinate starts at 0
        // (lets the compiler prove channel blocks aligned).
        for (int d = 0; d < 4; d++) {
            input.dim(d).set_min(0);
            output.dim(d).set_min(0);
        }

        if (get_auto_schedule()) {
            estimates.apply(input, weight, bias, stride_x, stride_y, pad_x, pad_y, dil_x, dil_y, groups, output);
        } else if (get_target().has_gpu_feature()) {
            gpu_schedule.apply(a, get_target());
        } else {
            cpu_schedule.apply(a, get_target());
        }
    }
};

}  // namespace
}  // namespace halconv

HALIDE_REGISTER_GENERATOR(halconv::Conv2dGenerator, conv2d)
