// Tuning problems of points collection (suite family "points_collection"):
// the forward and the deterministic backward on the same shapes. Views as
// runtime/points.cpp passes them (generators/points_collection.h):
//   targets t (W, H, 2, N, B), offsets d (w, h, 2M, B),
//   points / grad_points (W, H, 2M, N, B).
// t and d uniform in [-3, 3] pixels (each in its own grid), grad_points in
// [-1, 1], as bench/bench_points.cpp draws them.
#include "runtime/shape_class.h"
#include "schedules/cpu/points.h"
#include "schedules/cuda/points.h"
#include "tune/problem.h"

namespace halconv {
namespace tune {
namespace {

struct PointsShape {
    int B, N, M, H, W, h, w;
    explicit PointsShape(const json::Value &e)
        : B(e.get_int("B", 1)), N(e.at("N").integer()), M(e.at("M").integer()), H(e.at("H").integer()),
          W(e.at("W").integer()), h(e.at("h").integer()), w(e.at("w").integer()) {}
    double t_size() const { return double(B) * 2 * N * H * W; }
    double d_size() const { return double(B) * 2 * M * h * w; }
    double p_size() const { return double(B) * 2 * N * M * H * W; }
};

Problem points_common(const std::string &op, const json::Value &e, const PointsShape &s) {
    Problem p;
    p.op = p.generator = op;
    p.entry = e.get_string("id", "custom");
    p.shape = e;
    p.shape_class = shape_class(op, {{"N", s.N}, {"M", s.M}, {"H", s.H}, {"W", s.W}, {"h", s.h}, {"w", s.w}});
    Halide::Buffer<float> targets(s.W, s.H, 2, s.N, s.B), offsets(s.w, s.h, 2 * s.M, s.B);
    fill_uniform(targets, -3, 3, 41);
    fill_uniform(offsets, -3, 3, 42);
    p.buffers = {{"targets", targets}, {"offsets", offsets}};
    return p;
}

Problem make_forward(const json::Value &e) {
    const PointsShape s(e);
    Problem p = points_common("points_collection", e, s);
    p.buffers["points"] = Halide::Buffer<float>(s.W, s.H, 2 * s.M, s.N, s.B);
    p.outputs = {"points"};
    // Four multiply-adds per output in a fixed order: rounding only.
    p.rel_tolerance = 1e-5;
    p.bytes = 4.0 * (s.t_size() + s.d_size() + s.p_size());
    return p;
}

Problem make_backward(const json::Value &e) {
    const PointsShape s(e);
    Problem p = points_common("points_collection_backward", e, s);
    p.fixed_params = {{"accumulation", "deterministic"}};
    Halide::Buffer<float> grad_points(s.W, s.H, 2 * s.M, s.N, s.B);
    fill_uniform(grad_points, -1, 1, 43);
    p.buffers["grad_points"] = grad_points;
    p.buffers["grad_targets"] = Halide::Buffer<float>(s.W, s.H, 2, s.N, s.B);
    p.buffers["grad_offsets"] = Halide::Buffer<float>(s.w, s.h, 2 * s.M, s.B);
    p.outputs = {"grad_targets", "grad_offsets"};
    // grad_offsets is a scatter of every sample into the lower grid (up to
    // tens of thousands of terms per pixel); strip_rows changes the order of
    // those additions (measured: up to 2e-6 relative on the suite), and the
    // vector width the order of grad_targets' channel sums: looser than the
    // forward.
    p.rel_tolerance = 1e-4;
    p.bytes = 4.0 * (2 * s.t_size() + 2 * s.d_size() + s.p_size());
    return p;
}

SearchSpace space_of(const std::string &op, const TargetInfo &t) {
    return t.gpu() ? PointsGpuSchedule::space(op) : PointsCpuSchedule::space(op);
}

const bool registered_forward = register_op(OpAdapter{
    "points_collection", "points_collection", [](const json::Value &) { return true; }, make_forward,
    [](const TargetInfo &t) { return space_of("points_collection", t); }});
const bool registered_backward = register_op(OpAdapter{
    "points_collection_backward", "points_collection", [](const json::Value &) { return true; }, make_backward,
    [](const TargetInfo &t) { return space_of("points_collection_backward", t); }});

}  // namespace
}  // namespace tune
}  // namespace halconv
