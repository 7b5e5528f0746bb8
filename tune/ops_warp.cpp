// Tuning problems of flow_warp (suite family "flow_warp"): the forward and
// the deterministic backward on the same shapes. Views as runtime/warp.cpp
// passes them: input / output / grads (W, H, C, N), flow (W, H, 2, N) with
// comp 0 = dx, 1 = dy. input and grad_output uniform in [-1, 1]; the flow
// uniform in [-3.5, 3.5] px (the spread of bench/bench_warp.cpp's Gaussian
// flow, std 2 px), so samples cross cells and some leave the image.
#include "runtime/shape_class.h"
#include "schedules/cpu/warp.h"
#include "schedules/cuda/warp.h"
#include "tune/problem.h"

namespace halconv {
namespace tune {
namespace {

struct WarpShape {
    int N, C, H, W;
    explicit WarpShape(const json::Value &e)
        : N(e.get_int("N", 1)), C(e.at("C").integer()), H(e.at("H").integer()), W(e.at("W").integer()) {}
    double x_size() const { return double(N) * C * H * W; }
    double f_size() const { return double(N) * 2 * H * W; }
};

Problem warp_common(const std::string &op, const json::Value &e, const WarpShape &s) {
    Problem p;
    p.op = p.generator = op;
    p.entry = e.get_string("id", "custom");
    p.shape = e;
    p.shape_class = shape_class(op, {{"C", s.C}, {"H", s.H}, {"W", s.W}});
    Halide::Buffer<float> input(s.W, s.H, s.C, s.N), flow(s.W, s.H, 2, s.N);
    fill_uniform(input, -1, 1, 51);
    fill_uniform(flow, -3.5f, 3.5f, 52);
    p.buffers = {{"input", input}, {"flow", flow}};
    return p;
}

Problem make_forward(const json::Value &e) {
    const WarpShape s(e);
    Problem p = warp_common("flow_warp", e, s);
    p.buffers["output"] = Halide::Buffer<float>(s.W, s.H, s.C, s.N);
    p.outputs = {"output"};
    // Four multiply-adds per output: rounding only.
    p.rel_tolerance = 1e-5;
    p.bytes = 4.0 * (2 * s.x_size() + s.f_size());
    return p;
}

Problem make_backward(const json::Value &e) {
    const WarpShape s(e);
    Problem p = warp_common("flow_warp_backward", e, s);
    p.fixed_params = {{"accumulation", "deterministic"}};
    Halide::Buffer<float> grad_output(s.W, s.H, s.C, s.N);
    fill_uniform(grad_output, -1, 1, 53);
    p.buffers["grad_output"] = grad_output;
    p.buffers["grad_input"] = Halide::Buffer<float>(s.W, s.H, s.C, s.N);
    p.buffers["grad_flow"] = Halide::Buffer<float>(s.W, s.H, 2, s.N);
    p.outputs = {"grad_input", "grad_flow"};
    // grad_flow sums over C channels in channel blocks of the vector width
    // (then over lanes), so the width changes the order of the additions;
    // grad_input's scatter adds a few terms per pixel in pixel order.
    p.rel_tolerance = 1e-4;
    p.bytes = 4.0 * (3 * s.x_size() + 2 * s.f_size());
    return p;
}

SearchSpace space_of(const std::string &op, const TargetInfo &t) {
    return t.gpu() ? WarpGpuSchedule::space(op) : WarpCpuSchedule::space(op);
}

const bool registered_forward = register_op(OpAdapter{
    "flow_warp", "flow_warp", [](const json::Value &) { return true; }, make_forward,
    [](const TargetInfo &t) { return space_of("flow_warp", t); }});
const bool registered_backward = register_op(OpAdapter{
    "flow_warp_backward", "flow_warp", [](const json::Value &) { return true; }, make_backward,
    [](const TargetInfo &t) { return space_of("flow_warp_backward", t); }});

}  // namespace
}  // namespace tune
}  // namespace halconv
