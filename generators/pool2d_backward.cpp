// Pooling generators that move values back to input positions:
// max_unpool2d and max_pool2d_backward (scatters through the indices) and
// avg_pool2d_backward (a gather). Algorithms of generators/pool.h; schedules
// by target from schedules/cpu/pool.h or schedules/cuda/pool.h.
#include "generators/pool.h"
#include "schedules/cpu/pool.h"
#include "schedules/cuda/pool.h"

namespace halconv {
namespace {

template<typename Algorithm>
void apply_schedule(const PoolCpuSchedule &cpu, const PoolGpuSchedule &gpu, Algorithm &algorithm,
                    const Target &target) {
    if (target.has_gpu_feature()) {
        gpu.apply(algorithm, target);
    } else {
        cpu.apply(algorithm, target);
    }
}

// Planes flattened by the runtime: (i, c, n) with i = h*W + w.
template<typename B>
void dense_planes(B &buffer) {
    buffer.dim(0).set_stride(1);
    for (int d = 0; d < 3; d++) buffer.dim(d).set_min(0);
}

// max_unpool2d (kAccumulate = false) and max_pool2d_backward (true).
template<bool kAccumulate>
class ScatterGenerator : public Generator<ScatterGenerator<kAccumulate>> {
    using Base = Generator<ScatterGenerator<kAccumulate>>;

public:
    template<typename T>
    using Input = typename Base::template Input<T>;
    template<typename T>
    using Output = typename Base::template Output<T>;

    Input<Buffer<float>> source{"source", 3};      // values (unpool) or grad_output, (j, c, n)
    Input<Buffer<int64_t>> indices{"indices", 3};  // (j, c, n): flat positions in the target plane
    Output<Buffer<float>> output{"output", 3};     // (i, c, n)

    PoolCpuSchedule cpu_schedule;
    PoolGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        ScatterAlgorithm a;
        a.accumulate = kAccumulate;
        Var i = a.i, c = a.c, n = a.n;
        output(i, c, n) = 0.0f;
        Expr plane = output.dim(0).extent();  // (readable once output is defined)
        a.src = RDom(0, source.dim(0).extent(), "src");
        // The runtime rejects indices outside the plane before the call; the
        // clamp keeps the pipeline's writes inside the plane regardless.
        Expr target = clamp(cast<int>(indices(a.src, c, n)), 0, plane - 1);
        if (kAccumulate) {
            output(target, c, n) += source(a.src, c, n);
        } else {
            output(target, c, n) = source(a.src, c, n);
        }
        a.output = output;
        dense_planes(source);
        dense_planes(indices);
        dense_planes(output);
        indices.dim(1).set_extent(source.dim(1).extent());
        indices.dim(2).set_extent(source.dim(2).extent());
        indices.dim(0).set_extent(source.dim(0).extent());
        if (this->get_auto_schedule()) {
            estimates.apply(source, indices, output);
        } else {
            apply_schedule(cpu_schedule, gpu_schedule, a, this->get_target());
        }
    }
};

using MaxUnpool2dGenerator = ScatterGenerator<false>;
using MaxPool2dBackwardGenerator = ScatterGenerator<true>;

class AvgPool2dBackwardGenerator : public Generator<AvgPool2dBackwardGenerator> {
public:
    Input<Buffer<float>> grad_output{"grad_output", 4};  // [N, C, OH, OW]
    Input<int> kernel_x{"kernel_x", 1, 1, 1 << 24};
    Input<int> kernel_y{"kernel_y", 1, 1, 1 << 24};
    Input<int> stride_x{"stride_x", 1, 1, 1 << 24};
    Input<int> stride_y{"stride_y", 1, 1, 1 << 24};
    Input<int> pad_x{"pad_x", 0, 0, 1 << 24};
    Input<int> pad_y{"pad_y", 0, 0, 1 << 24};
    Input<int> count_include_pad{"count_include_pad", 1, 0, 1};
    Input<int> divisor_override{"divisor_override", 0};  // 0 = none
    // The forward input's size (grad_input's), needed by the divisor before
    // grad_input is defined.
    Input<int> in_width{"in_width", 1, 1, 1 << 24};
    Input<int> in_height{"in_height", 1, 1, 1 << 24};
    Output<Buffer<float>> grad_input{"grad_input", 4};    // [N, C, H, W]

    PoolCpuSchedule cpu_schedule;
    PoolGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        AvgPoolBackwardAlgorithm a;
        a.kernel_x = kernel_x;
        a.kernel_y = kernel_y;
        a.stride_x = stride_x;
        a.stride_y = stride_y;
        a.pad_x = pad_x;
        a.pad_y = pad_y;
        a.out_width = grad_output.dim(kDimX).extent();
        a.out_height = grad_output.dim(kDimY).extent();
        a.in_width = in_width;
        a.in_height = in_height;
        Var x = a.x, y = a.y, c = a.c, n = a.n;

        Expr area = avg_window_extent(x, stride_x, pad_x, kernel_x, a.in_width, count_include_pad) *
                    avg_window_extent(y, stride_y, pad_y, kernel_y, a.in_height, count_include_pad);
        Expr divisor = select(divisor_override != 0, divisor_override, area);
        a.scaled(x, y, c, n) = grad_output(x, y, c, n) / cast<float>(divisor);

        // Windows covering a position: at most ceil(kernel / stride) per axis.
        a.taps_x = RDom(0, (kernel_x + stride_x - 1) / stride_x, "taps_x");
        a.taps_y = RDom(0, (kernel_y + stride_y - 1) / stride_y, "taps_y");
        Expr ox = (x + pad_x) / stride_x - a.taps_x;
        Expr covers_x = ox >= 0 && ox < a.out_width && x + pad_x - ox * stride_x < kernel_x;
        a.row(x, y, c, n) = 0.0f;
        a.row(x, y, c, n) += select(covers_x, a.scaled(clamp(ox, 0, a.out_width - 1), y, c, n), 0.0f);
        Expr oy = (y + pad_y) / stride_y - a.taps_y;
        Expr covers_y = oy >= 0 && oy < a.out_height && y + pad_y - oy * stride_y < kernel_y;
        grad_input(x, y, c, n) = 0.0f;
        grad_input(x, y, c, n) += select(covers_y, a.row(x, clamp(oy, 0, a.out_height - 1), c, n), 0.0f);
        a.output = grad_input;
        grad_input.dim(kDimX).set_extent(in_width);
        grad_input.dim(kDimY).set_extent(in_height);
        for (int d = 0; d < 4; d++) {
            grad_output.dim(d).set_min(0);
            grad_input.dim(d).set_min(0);
        }
        grad_output.dim(kDimX).set_stride(1);
        grad_input.dim(kDimX).set_stride(1);
        if (get_auto_schedule()) {
            estimates.apply(grad_output, kernel_x, kernel_y, stride_x, stride_y, pad_x, pad_y, count_include_pad,
                            divisor_override, in_width, in_height, grad_input);
        } else {
            apply_schedule(cpu_schedule, gpu_schedule, a, this->get_target());
        }
    }
};

}  // namespace
}  // namespace halconv

HALIDE_REGISTER_GENERATOR(halconv::MaxUnpool2dGenerator, max_unpool2d)
HALIDE_REGISTER_GENERATOR(halconv::MaxPool2dBackwardGenerator, max_pool2d_backward)
HALIDE_REGISTER_GENERATOR(halconv::AvgPool2dBackwardGenerator, avg_pool2d_backward)
