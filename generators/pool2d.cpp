// Pooling generators (forward): max_pool2d, max_pool2d_with_indices,
// avg_pool2d, subsample2d, adaptive_avg_pool2d, adaptive_max_pool2d. The
// algorithms are those of generators/pool.h; schedules are chosen by target
// from schedules/cpu/pool.h or schedules/cuda/pool.h.
#include "generators/pool.h"
#include "schedules/cpu/pool.h"
#include "schedules/cuda/pool.h"

namespace halconv {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Every buffer the runtime passes is a whole, dense NCHW tensor.
template<typename B>
void dense_nchw(B &buffer) {
    buffer.dim(kDimX).set_stride(1);
    for (int d = 0; d < buffer.dimensions(); d++) buffer.dim(d).set_min(0);
}

// A Tuple output's buffers after the first share its mins and extents.
void dense_nchw_outputs(Func output) {
    std::vector<OutputImageParam> buffers = output.output_buffers();
    dense_nchw(buffers[0]);
    for (size_t i = 1; i < buffers.size(); i++) buffers[i].dim(kDimX).set_stride(1);
}

// AutoscheduleEstimates (generators/common.h) on an Output<Func>, which has
// no dimensions(): the Func's estimates (every Tuple element's) under the
// name of its first buffer as the pipeline's argument is named: "output", or
// "output.0" for the (value, index) Tuple ("output.1" shares its extents).
// (From the Output's own name: the Func's may carry a "$n" suffix when the
// generator is built again in the same process.)
struct FuncOutputEstimates {
    Func func;
    std::string buffer;
    FuncOutputEstimates(const std::string &output_name, Func f)
        : func(f), buffer(f.outputs() > 1 ? output_name + ".0" : output_name) {}
    int dimensions() const { return func.dimensions(); }
    const std::string &name() const { return buffer; }
    void set_estimates(const Region &region) { func.set_estimates(region); }
};

template<typename Algorithm>
void apply_schedule(const PoolCpuSchedule &cpu, const PoolGpuSchedule &gpu, Algorithm &algorithm,
                    const Target &target) {
    if (target.has_gpu_feature()) {
        gpu.apply(algorithm, target);
    } else {
        cpu.apply(algorithm, target);
    }
}

// The windowed pools (generators/pool.h). `dil` is 1 for average pooling;
// `count_include_pad`, `divisor_override` matter for average pooling only.
void define_window_pool(WindowPoolAlgorithm &a, Func input, Expr count_include_pad, Expr divisor_override) {
    const bool average = a.kind == WindowPoolAlgorithm::Kind::Average;
    Var x = a.x, y = a.y, c = a.c, n = a.n;
    a.padded(x, y, c, n) = BoundaryConditions::constant_exterior(
        input, average ? 0.0f : kNegInf, {{0, a.in_width}, {0, a.in_height}})(x, y, c, n);
    a.taps = RDom(0, a.kernel_x, 0, a.kernel_y, "taps");
    Expr start_x = x * a.stride_x - a.pad_x, start_y = y * a.stride_y - a.pad_y;
    Expr ix = start_x + a.taps.x * a.dil_x, iy = start_y + a.taps.y * a.dil_y;
    // When the runtime has checked that every window lies inside the input
    // (windows_inside), taps read the input directly: no padding test, no
    // clamp (which would turn vector loads into gathers). The schedules
    // specialize on windows_inside == 0 and == 1, so each branch holds only
    // one of the two reads.
    Expr direct = input(unsafe_promise_clamped(ix, 0, a.in_width - 1), unsafe_promise_clamped(iy, 0, a.in_height - 1),
                        c, n);
    Expr v = select(a.windows_inside != 0, direct, a.padded(ix, iy, c, n));

    if (average) {
        a.pool(x, y, c, n) = 0.0f;
        a.pool(x, y, c, n) += v;
        Expr area = avg_window_extent(x, a.stride_x, a.pad_x, a.kernel_x, a.in_width, count_include_pad) *
                    avg_window_extent(y, a.stride_y, a.pad_y, a.kernel_y, a.in_height, count_include_pad);
        // Windows wholly inside the input (the runtime says so): every
        // divisor is the kernel's area, a constant under the schedule's
        // specializations.
        Expr divisor = select(divisor_override != 0, divisor_override,
                              select(a.windows_inside != 0, a.kernel_x * a.kernel_y, area));
        a.output(x, y, c, n) = a.pool(x, y, c, n) / cast<float>(divisor);
        return;
    }
    a.pool(x, y, c, n) = kNegInf;
    a.pool(x, y, c, n) = nan_propagating_max(a.pool(x, y, c, n), v);
    if (a.kind == WindowPoolAlgorithm::Kind::Max) {
        a.output(x, y, c, n) = a.pool(x, y, c, n);
        return;
    }
    // Indices (generators/pool.h). likely(): lets Halide split off the
    // border like the padding's own conditions, so the interior runs
    // without them.
    Expr in_plane = likely(ix >= 0 && ix < a.in_width && iy >= 0 && iy < a.in_height);
    a.index(x, y, c, n) = -1;
    a.index(x, y, c, n) =
        index_update(in_plane, v, a.pool(x, y, c, n), plane_index(ix, iy, a.in_width), a.index(x, y, c, n));
    a.first_tap_x(x) = first_valid_tap(start_x, a.dil_x);  // a table: one division per column
    Expr nothing_taken = plane_index(a.first_tap_x(x), first_valid_tap(start_y, a.dil_y), a.in_width);
    Expr index = select(a.index(x, y, c, n) == -1, nothing_taken, a.index(x, y, c, n));
    a.output(x, y, c, n) = Tuple(a.pool(x, y, c, n), cast<int64_t>(index));
}

// max_pool2d, and max_pool2d_with_indices whose output is the Tuple (value,
// index): the AOT function takes two output buffers, values then PyTorch's
// int64 flat positions h*W + w.
template<bool kIndices>
class MaxPoolGenerator : public Generator<MaxPoolGenerator<kIndices>> {
    using Base = Generator<MaxPoolGenerator<kIndices>>;

public:
    template<typename T>
    using Input = typename Base::template Input<T>;
    template<typename T>
    using Output = typename Base::template Output<T>;

    Input<Buffer<float>> input{"input", 4};  // [N, C, H, W]
    Input<int> kernel_x{"kernel_x", 1, 1, 1 << 24};
    Input<int> kernel_y{"kernel_y", 1, 1, 1 << 24};
    Input<int> stride_x{"stride_x", 1, 1, 1 << 24};
    Input<int> stride_y{"stride_y", 1, 1, 1 << 24};
    Input<int> pad_x{"pad_x", 0, 0, 1 << 24};
    Input<int> pad_y{"pad_y", 0, 0, 1 << 24};
    Input<int> dil_x{"dil_x", 1, 1, 1 << 24};
    Input<int> dil_y{"dil_y", 1, 1, 1 << 24};
    // 1 when no window reaches outside the input (no padding, no ceil-mode
    // overhang), as the runtime checks: taps then read the input directly.
    Input<int> windows_inside{"windows_inside", 0, 0, 1};
    Output<Func> output{"output", kIndices ? std::vector<Type>{Float(32), Int(64)} : std::vector<Type>{Float(32)},
                        4};  // [N, C, OH, OW]

    PoolCpuSchedule cpu_schedule;
    PoolGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        WindowPoolAlgorithm a;
        a.kind = kIndices ? WindowPoolAlgorithm::Kind::MaxWithIndices : WindowPoolAlgorithm::Kind::Max;
        a.kernel_x = kernel_x;
        a.kernel_y = kernel_y;
        a.stride_x = stride_x;
        a.stride_y = stride_y;
        a.pad_x = pad_x;
        a.pad_y = pad_y;
        a.dil_x = dil_x;
        a.dil_y = dil_y;
        a.windows_inside = windows_inside;
        a.in_width = input.dim(kDimX).extent();
        a.in_height = input.dim(kDimY).extent();
        a.output = output;
        define_window_pool(a, input, Expr(), Expr());
        a.out_width = Func(output).output_buffers()[0].dim(kDimX).extent();
        a.out_height = Func(output).output_buffers()[0].dim(kDimY).extent();
        dense_nchw(input);
        dense_nchw_outputs(output);
        if (this->get_auto_schedule()) {
            FuncOutputEstimates output_estimates(output.name(), output);
            estimates.apply(input, kernel_x, kernel_y, stride_x, stride_y, pad_x, pad_y, dil_x, dil_y, windows_inside,
                            output_estimates);
        } else {
            apply_schedule(cpu_schedule, gpu_schedule, a, this->get_target());
        }
    }
};

using MaxPool2dGenerator = MaxPoolGenerator<false>;
using MaxPool2dWithIndicesGenerator = MaxPoolGenerator<true>;

class AvgPool2dGenerator : public Generator<AvgPool2dGenerator> {
public:
    Input<Buffer<float>> input{"input", 4};
    Input<int> kernel_x{"kernel_x", 1, 1, 1 << 24};
    Input<int> kernel_y{"kernel_y", 1, 1, 1 << 24};
    Input<int> stride_x{"stride_x", 1, 1, 1 << 24};
    Input<int> stride_y{"stride_y", 1, 1, 1 << 24};
    Input<int> pad_x{"pad_x", 0, 0, 1 << 24};
    Input<int> pad_y{"pad_y", 0, 0, 1 << 24};
    Input<int> count_include_pad{"count_include_pad", 1, 0, 1};
    Input<int> divisor_override{"divisor_override", 0};  // 0 = none
    // 1 when no window reaches outside the input (no padding, no ceil-mode
    // overhang): lets the schedule specialize on a constant divisor.
    Input<int> windows_inside{"windows_inside", 0, 0, 1};
    Output<Buffer<float>> output{"output", 4};

    PoolCpuSchedule cpu_schedule;
    PoolGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        WindowPoolAlgorithm a;
        a.kind = WindowPoolAlgorithm::Kind::Average;
        a.kernel_x = kernel_x;
        a.kernel_y = kernel_y;
        a.stride_x = stride_x;
        a.stride_y = stride_y;
        a.pad_x = pad_x;
        a.pad_y = pad_y;
        a.dil_x = 1;
        a.dil_y = 1;
        a.windows_inside = windows_inside;
        a.divisor_override = divisor_override;
        a.in_width = input.dim(kDimX).extent();
        a.in_height = input.dim(kDimY).extent();
        a.output = output;
        define_window_pool(a, input, count_include_pad, divisor_override);
        a.out_width = output.dim(kDimX).extent();
        a.out_height = output.dim(kDimY).extent();
        dense_nchw(input);
        dense_nchw(output);
        if (get_auto_schedule()) {
            estimates.apply(input, kernel_x, kernel_y, stride_x, stride_y, pad_x, pad_y, count_include_pad,
                            divisor_override, windows_inside, output);
        } else {
            apply_schedule(cpu_schedule, gpu_schedule, a, this->get_target());
        }
    }
};

class Subsample2dGenerator : public Generator<Subsample2dGenerator> {
public:
    Input<Buffer<float>> input{"input", 4};
    Input<int> stride_x{"stride_x", 2, 1, 1 << 24};
    Input<int> stride_y{"stride_y", 2, 1, 1 << 24};
    Input<int> offset_x{"offset_x", 0, 0, 1 << 24};
    Input<int> offset_y{"offset_y", 0, 0, 1 << 24};
    Output<Buffer<float>> output{"output", 4};

    PoolCpuSchedule cpu_schedule;
    PoolGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        SubsampleAlgorithm a;
        a.stride_x = stride_x;
        a.stride_y = stride_y;
        a.offset_x = offset_x;
        a.offset_y = offset_y;
        Var x = a.x, y = a.y, c = a.c, n = a.n;
        output(x, y, c, n) = input(offset_x + x * stride_x, offset_y + y * stride_y, c, n);
        a.output = output;
        dense_nchw(input);
        dense_nchw(output);
        if (get_auto_schedule()) {
            estimates.apply(input, stride_x, stride_y, offset_x, offset_y, output);
        } else {
            apply_schedule(cpu_schedule, gpu_schedule, a, this->get_target());
        }
    }
};

// Adaptive pooling; the max variant always writes indices (PyTorch's
// adaptive_max_pool2d computes them either way).
template<bool kMax>
class AdaptivePoolGenerator : public Generator<AdaptivePoolGenerator<kMax>> {
    using Base = Generator<AdaptivePoolGenerator<kMax>>;

public:
    template<typename T>
    using Input = typename Base::template Input<T>;
    template<typename T>
    using Output = typename Base::template Output<T>;

    Input<Buffer<float>> input{"input", 4};
    Input<int> out_width{"out_width", 1, 1, 1 << 24};
    Input<int> out_height{"out_height", 1, 1, 1 << 24};
    // The largest window along each axis (ceil(I/O) or one more), from the runtime.
    Input<int> window_x{"window_x", 1, 1, 1 << 24};
    Input<int> window_y{"window_y", 1, 1, 1 << 24};
    // Max: the Tuple (value, int64 flat index), two output buffers.
    Output<Func> output{"output", kMax ? std::vector<Type>{Float(32), Int(64)} : std::vector<Type>{Float(32)}, 4};

    PoolCpuSchedule cpu_schedule;
    PoolGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        AdaptivePoolAlgorithm a;
        a.max = kMax;
        a.window_x = window_x;
        a.window_y = window_y;
        a.in_width = input.dim(kDimX).extent();
        a.in_height = input.dim(kDimY).extent();
        a.out_width = out_width;
        a.out_height = out_height;
        Var x = a.x, y = a.y, c = a.c, n = a.n;
        // 64-bit products: o * I overflows 32 bits for large planes.
        auto window_start = [](Expr o, Expr in, Expr out) {
            return cast<int>(cast<int64_t>(o) * in / out);
        };
        auto window_end = [](Expr o, Expr in, Expr out) {
            return cast<int>((cast<int64_t>(o + 1) * in + out - 1) / out);
        };
        a.start_x(x) = window_start(x, a.in_width, out_width);
        a.end_x(x) = window_end(x, a.in_width, out_width);
        a.start_y(y) = window_start(y, a.in_height, out_height);
        a.end_y(y) = window_end(y, a.in_height, out_height);

        a.taps = RDom(0, window_x, 0, window_y, "taps");
        Expr ix = a.start_x(x) + a.taps.x, iy = a.start_y(y) + a.taps.y;
        Expr in_window = ix < a.end_x(x) && iy < a.end_y(y);
        // Tables are opaque to bounds inference: clamped reads stay in the
        // plane (taps past a window's end are masked).
        Expr v = input(clamp(ix, 0, a.in_width - 1), clamp(iy, 0, a.in_height - 1), c, n);
        if (kMax) {
            a.pool(x, y, c, n) = kNegInf;
            a.pool(x, y, c, n) = nan_propagating_max(a.pool(x, y, c, n), select(in_window, v, kNegInf));
            // Indices as for max_pool2d (generators/pool.h); windows are never empty.
            a.index(x, y, c, n) = -1;
            a.index(x, y, c, n) = index_update(in_window, v, a.pool(x, y, c, n), plane_index(ix, iy, a.in_width),
                                               a.index(x, y, c, n));
            Expr index = select(a.index(x, y, c, n) == -1, plane_index(a.start_x(x), a.start_y(y), a.in_width),
                                a.index(x, y, c, n));
            output(x, y, c, n) = Tuple(a.pool(x, y, c, n), cast<int64_t>(index));
        } else {
            a.pool(x, y, c, n) = 0.0f;
            a.pool(x, y, c, n) += select(in_window, v, 0.0f);
            Expr area = (a.end_x(x) - a.start_x(x)) * (a.end_y(y) - a.start_y(y));
            output(x, y, c, n) = a.pool(x, y, c, n) / cast<float>(area);
        }
        a.output = output;
        dense_nchw(input);
        dense_nchw_outputs(output);
        OutputImageParam first = Func(output).output_buffers()[0];
        first.dim(kDimX).set_extent(out_width);
        first.dim(kDimY).set_extent(out_height);
        if (this->get_auto_schedule()) {
            FuncOutputEstimates output_estimates(output.name(), output);
            estimates.apply(input, out_width, out_height, window_x, window_y, output_estimates);
        } else {
            apply_schedule(cpu_schedule, gpu_schedule, a, this->get_target());
        }
    }
};

using AdaptiveAvgPool2dGenerator = AdaptivePoolGenerator<false>;
using AdaptiveMaxPool2dGenerator = AdaptivePoolGenerator<true>;

}  // namespace
}  // namespace halconv

HALIDE_REGISTER_GENERATOR(halconv::MaxPool2dGenerator, max_pool2d)
HALIDE_REGISTER_GENERATOR(halconv::MaxPool2dWithIndicesGenerator, max_pool2d_with_indices)
HALIDE_REGISTER_GENERATOR(halconv::AvgPool2dGenerator, avg_pool2d)
HALIDE_REGISTER_GENERATOR(halconv::Subsample2dGenerator, subsample2d)
HALIDE_REGISTER_GENERATOR(halconv::AdaptiveAvgPool2dGenerator, adaptive_avg_pool2d)
HALIDE_REGISTER_GENERATOR(halconv::AdaptiveMaxPool2dGenerator, adaptive_max_pool2d)
