// Tuning problems of conv_transpose2d (suite family "conv_transpose2d"). The
// pipeline takes the weight phase-packed and the per-phase tap tables; both
// are computed here for the shape exactly as runtime/conv.cpp computes them
// (phase_taps, pack_conv_transpose_weights: copied, since the runtime keeps
// them private). The weight is random (the tuner compares a candidate with
// the hand schedule on the same buffers), with zeros in the slots of taps a
// phase lacks, as the runtime's packing leaves them.
#include <algorithm>
#include <numeric>

#include "runtime/shape_class.h"
#include "schedules/cpu/conv.h"
#include "schedules/cuda/conv.h"
#include "tune/problem.h"

namespace halconv {
namespace tune {
namespace {

// Output phases along one axis (runtime/conv.cpp): phase b = (o + pad) mod
// stride is reached by taps s = first(b) + j*step, step = stride /
// gcd(stride, dilation), read at coarse position minus (s*dil - b)/stride.
struct PhaseTaps {
    int stride = 1, step = 1, taps = 1;  // taps: the most any phase has
    std::vector<int> tap;                // [phase][j] -> s, or -1 (no such tap)
    std::vector<int32_t> offset;         // [phase][j] -> (s*dil - phase)/stride, 0 for none
    std::vector<int32_t> count;          // [phase] -> taps the phase has (a prefix of j)
    int max_offset = 0;
};

PhaseTaps phase_taps(int stride, int dilation, int kernel) {
    PhaseTaps p;
    p.stride = stride;
    p.step = stride / std::gcd(stride, dilation);
    p.taps = (kernel + p.step - 1) / p.step;
    p.tap.assign((size_t)stride * p.taps, -1);
    p.offset.assign((size_t)stride * p.taps, 0);
    p.count.assign((size_t)stride, 0);
    for (int s = 0; s < kernel; s++) {
        const int64_t reach = (int64_t)s * dilation;
        const int b = (int)(reach % stride);
        const int j = s / p.step;
        p.tap[(size_t)b * p.taps + j] = s;
        p.offset[(size_t)b * p.taps + j] = (int32_t)((reach - b) / stride);
        p.max_offset = std::max<int>(p.max_offset, (int)((reach - b) / stride));
        p.count[b] = std::max(p.count[b], j + 1);
    }
    return p;
}

// A table [phase][j] as the Halide buffer (j, phase).
Halide::Buffer<int32_t> table(const std::vector<int32_t> &values, int taps, int stride) {
    Halide::Buffer<int32_t> b(taps, stride);
    for (int phase = 0; phase < stride; phase++)
        for (int j = 0; j < taps; j++) b(j, phase) = values[(size_t)phase * taps + j];
    return b;
}

Problem make_conv_transpose2d(const json::Value &e) {
    const int N = e.get_int("N", 1), C = e.at("C").integer(), H = e.at("H").integer(), W = e.at("W").integer();
    const int K = e.at("K").integer(), R = e.at("R").integer(), S = e.at("S").integer();
    const int stride = e.get_int("stride", 1), pad = e.get_int("pad", 0), dil = e.get_int("dil", 1);
    const int out_pad = e.get_int("output_pad", 0), groups = e.get_int("groups", 1);
    const int OH = (H - 1) * stride - 2 * pad + dil * (R - 1) + out_pad + 1;
    const int OW = (W - 1) * stride - 2 * pad + dil * (S - 1) + out_pad + 1;
    const int Kg = K / groups;
    const PhaseTaps px = phase_taps(stride, dil, S), py = phase_taps(stride, dil, R);

    Problem p;
    p.op = p.generator = "conv_transpose2d";
    p.entry = e.get_string("id", "custom");
    p.shape = e;
    p.shape_class = shape_class("conv_transpose2d",
                                {{"C", C}, {"H", H}, {"W", W}, {"K", K}, {"R", R}, {"S", S}, {"sy", stride},
                                 {"sx", stride}, {"py", pad}, {"px", pad}, {"oy", out_pad}, {"ox", out_pad},
                                 {"dy", dil}, {"dx", dil}, {"g", groups}});
    Halide::Buffer<float> input(W, H, C, N), bias(K), output(OW, OH, K, N);
    // (k, c, jx, jy, bx, by), zero where phase (bx, by) lacks tap (jx, jy).
    Halide::Buffer<float> weight(Kg, C, px.taps, py.taps, px.stride, py.stride);
    fill_uniform(input, -1, 1, 1);
    fill_uniform(weight, -1, 1, 2);
    fill_uniform(bias, -1, 1, 3);
    weight.for_each_element([&](const int *i) {
        const int jx = i[2], jy = i[3], bx = i[4], by = i[5];
        if (px.tap[(size_t)bx * px.taps + jx] < 0 || py.tap[(size_t)by * py.taps + jy] < 0) weight(i) = 0.0f;
    });
    Halide::Buffer<int32_t> count_x(px.stride), count_y(py.stride);
    for (int b = 0; b < px.stride; b++) count_x(b) = px.count[b];
    for (int b = 0; b < py.stride; b++) count_y(b) = py.count[b];
    p.buffers = {{"input", input},
                 {"weight", weight},
                 {"bias", bias},
                 {"tap_offset_x", table(px.offset, px.taps, px.stride)},
                 {"tap_offset_y", table(py.offset, py.taps, py.stride)},
                 {"tap_count_x", count_x},
                 {"tap_count_y", count_y},
                 {"output", output}};
    p.scalars = {{"max_tap_offset_x", Scalar::i32(px.max_offset)},
                 {"max_tap_offset_y", Scalar::i32(py.max_offset)},
                 {"stride_x", Scalar::i32(stride)},
                 {"stride_y", Scalar::i32(stride)},
                 {"pad_x", Scalar::i32(pad)},
                 {"pad_y", Scalar::i32(pad)},
                 {"groups", Scalar::i32(groups)}};
    p.outputs = {"output"};
    // Every input pixel times every kernel tap (as bench/bench_conv.cpp counts).
    p.flops = 2.0 * N * C * H * W * double(Kg) * R * S;
    p.bytes = 4.0 * (double(N) * C * H * W + double(C) * Kg * R * S + K + double(N) * K * OH * OW);
    // Sums over C/groups * taps-per-phase terms reassociated by the
    // schedule (channel chunks): float rounding only.
    p.rel_tolerance = 1e-4;
    return p;
}

const bool registered = register_op(OpAdapter{
    "conv_transpose2d", "conv_transpose2d", [](const json::Value &) { return true; }, make_conv_transpose2d,
    [](const TargetInfo &t) {
        return t.gpu() ? ConvGpuSchedule::space("conv_transpose2d") : ConvCpuSchedule::space("conv_transpose2d");
    }});

}  // namespace
}  // namespace tune
}  // namespace halconv
