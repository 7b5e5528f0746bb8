// Tuning problems of the windowed pools (suite family "pool2d"): the entry's
// "kind" picks the pipeline, max -> max_pool2d, avg -> avg_pool2d,
// max_with_indices -> max_pool2d_with_indices. Scalars as runtime/pool.cpp
// passes them for PyTorch's defaults (no dilation, floor mode,
// count_include_pad, no divisor override), windows_inside computed the same
// way.
//
// Note: the AOT max pipelines are compiled with strict_float (NaN
// propagation, CMakeLists.txt); the tuner's JIT target (tune/jit.h) has no
// such feature, so a max-pool candidate is timed without it. The random
// inputs hold no NaN, so the outputs still compare exactly.
#include "runtime/shape_class.h"
#include "schedules/cpu/pool.h"
#include "schedules/cuda/pool.h"
#include "tune/problem.h"

namespace halconv {
namespace tune {
namespace {

struct PoolShape {
    int N, C, H, W, R, S, stride, pad, OH, OW;
    bool windows_inside;
    explicit PoolShape(const json::Value &e)
        : N(e.get_int("N", 1)), C(e.at("C").integer()), H(e.at("H").integer()), W(e.at("W").integer()),
          R(e.at("R").integer()), S(e.at("S").integer()), stride(e.get_int("stride", R)), pad(e.get_int("pad", 0)) {
        // PyTorch's pooling_output_shape, floor mode, dilation 1.
        OH = (H + 2 * pad - (R - 1) - 1) / stride + 1;
        OW = (W + 2 * pad - (S - 1) - 1) / stride + 1;
        // runtime/pool.cpp windows_lie_inside: no padding, no overhang.
        windows_inside = pad == 0 && (OH - 1) * stride + R - 1 < H && (OW - 1) * stride + S - 1 < W;
    }
};

Problem make_pool(const std::string &op, const json::Value &e) {
    const PoolShape s(e);
    Problem p;
    p.op = p.generator = op;
    // As the library builds them (CMakeLists.txt): max pools must see NaNs.
    if (op != "avg_pool2d") p.target_features = {Halide::Target::StrictFloat};
    p.entry = e.get_string("id", "custom");
    p.shape = e;
    p.shape_class = shape_class(op, {{"C", s.C}, {"H", s.H}, {"W", s.W}, {"R", s.R}, {"S", s.S}, {"sy", s.stride},
                                     {"sx", s.stride}, {"py", s.pad}, {"px", s.pad}});
    Halide::Buffer<float> input(s.W, s.H, s.C, s.N);
    fill_uniform(input, -1, 1, 21);
    p.buffers = {{"input", input}};
    p.scalars = {{"kernel_x", Scalar::i32(s.S)},  {"kernel_y", Scalar::i32(s.R)},
                 {"stride_x", Scalar::i32(s.stride)}, {"stride_y", Scalar::i32(s.stride)},
                 {"pad_x", Scalar::i32(s.pad)},    {"pad_y", Scalar::i32(s.pad)},
                 {"windows_inside", Scalar::i32(s.windows_inside ? 1 : 0)}};
    const double in_n = double(s.N) * s.C * s.H * s.W, out_n = double(s.N) * s.C * s.OH * s.OW;
    p.bytes = 4.0 * (in_n + out_n);
    if (op == "avg_pool2d") {
        p.scalars["count_include_pad"] = Scalar::i32(1);
        p.scalars["divisor_override"] = Scalar::i32(0);
        p.buffers["output"] = Halide::Buffer<float>(s.OW, s.OH, s.C, s.N);
        p.outputs = {"output"};
        // A window's sum in another order (unrolled or not): float rounding.
        p.rel_tolerance = 1e-5;
    } else {
        p.scalars["dil_x"] = Scalar::i32(1);
        p.scalars["dil_y"] = Scalar::i32(1);
        // Max is exact in any order, and so are the indices (integers).
        p.rel_tolerance = 0;
        if (op == "max_pool2d") {
            p.buffers["output"] = Halide::Buffer<float>(s.OW, s.OH, s.C, s.N);
            p.outputs = {"output"};
        } else {
            // The (value, index) Tuple output: its buffers are the pipeline's
            // arguments "output.0" and "output.1" (int64 flat positions h*W + w).
            p.buffers["output.0"] = Halide::Buffer<float>(s.OW, s.OH, s.C, s.N);
            p.buffers["output.1"] = Halide::Buffer<int64_t>(s.OW, s.OH, s.C, s.N);
            p.outputs = {"output.0", "output.1"};
            p.bytes += 8.0 * out_n;
        }
    }
    return p;
}

bool kind_is(const json::Value &e, const char *kind) { return e.get_string("kind", "max") == kind; }

SearchSpace space_of(const std::string &op, const TargetInfo &t) {
    return t.gpu() ? PoolGpuSchedule::space(op) : PoolCpuSchedule::space(op);
}

const bool registered_max = register_op(OpAdapter{
    "max_pool2d", "pool2d", [](const json::Value &e) { return kind_is(e, "max"); },
    [](const json::Value &e) { return make_pool("max_pool2d", e); },
    [](const TargetInfo &t) { return space_of("max_pool2d", t); }});
const bool registered_avg = register_op(OpAdapter{
    "avg_pool2d", "pool2d", [](const json::Value &e) { return kind_is(e, "avg"); },
    [](const json::Value &e) { return make_pool("avg_pool2d", e); },
    [](const TargetInfo &t) { return space_of("avg_pool2d", t); }});
const bool registered_indices = register_op(OpAdapter{
    "max_pool2d_with_indices", "pool2d", [](const json::Value &e) { return kind_is(e, "max_with_indices"); },
    [](const json::Value &e) { return make_pool("max_pool2d_with_indices", e); },
    [](const TargetInfo &t) { return space_of("max_pool2d_with_indices", t); }});

}  // namespace
}  // namespace tune
}  // namespace halconv
