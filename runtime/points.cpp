// Public API of points collection: shape checks, device choice and dispatch
// to the AOT pipelines (docs/points_collection.md).
#include <cstdint>
#include <string>

#include "internal.h"
#include "points_collection_backward_atomic_cuda.h"
#include "points_collection_backward_cpu.h"
#include "points_collection_backward_cuda.h"
#include "points_collection_backward_opencl.h"
#include "points_collection_cpu.h"
#include "points_collection_cuda.h"
#include "points_collection_opencl.h"
#include "shape_class.h"
#include "tuned.h"

namespace halconv {
namespace {

using detail::fail;
using detail::shape_to_string;

[[noreturn]] void invalid(const char *fn, const std::string &message) {
    fail(ErrorCode::InvalidArgument, std::string(fn) + ": " + message);
}


// t [B, 2N, H, W] and d [B, 2M, h, w]: checks both and returns p's shape.
Shape collected_shape(const char *fn, const Shape &t, const void *t_data, const Shape &d, const void *d_data) {
    detail::check_tensor(fn, "t", t, t_data, 4);
    detail::check_tensor(fn, "d", d, d_data, 4);
    if (t[1] % 2 != 0) {
        invalid(fn, "t must have an even number of channels (2N: a (y, x) pair per target point), got " +
                        std::to_string(t[1]) + " in t of shape " + shape_to_string(t));
    }
    if (d[1] % 2 != 0) {
        invalid(fn, "d must have an even number of channels (2M: a (u, v) pair per deformable offset), got " +
                        std::to_string(d[1]) + " in d of shape " + shape_to_string(d));
    }
    if (t[0] != d[0]) {
        invalid(fn, "t and d must have the same batch size, got t " + shape_to_string(t) + " and d " +
                        shape_to_string(d));
    }
    const int64_t N = t[1] / 2, M = d[1] / 2;
    Shape p = {t[0], 2 * N * M, t[2], t[3]};
    // p is the largest tensor: it must fit halconv's 32-bit indexing too.
    detail::check_tensor(fn, "p (the output, [B, 2*N*M, H, W])", p, t_data, 4);
    return p;
}




// The pipelines' views (generators/points_collection.h): the channel pair
// split out of t / grad_t, the 2M block out of p / grad_p.
template<typename T>
Halide::Runtime::Buffer<T> pair_view(T *data, const Shape &t) {
    return Halide::Runtime::Buffer<T>(data, {(int)t[3], (int)t[2], 2, (int)(t[1] / 2), (int)t[0]});
}

template<typename T>
Halide::Runtime::Buffer<T> block_view(T *data, const Shape &p, int64_t channels_2m) {
    return Halide::Runtime::Buffer<T>(
        data, {(int)p[3], (int)p[2], (int)channels_2m, (int)(p[1] / channels_2m), (int)p[0]});
}

// The shape class of a call (runtime/shape_class.h): N M H W h w for
// t [B, 2N, H, W] and d [B, 2M, h, w].
std::string points_class(const char *op, const Shape &t, const Shape &d) {
    return shape_class(op, {{"N", t[1] / 2}, {"M", d[1] / 2}, {"H", t[2]}, {"W", t[3]}, {"h", d[2]}, {"w", d[3]}});
}

}  // namespace

const char *grad_accumulation_name(GradAccumulation a) {
    return a == GradAccumulation::Atomic ? "atomic" : "deterministic";
}

Shape points_collection_output_shape(const Shape &t, const Shape &d) {
    const void *any = reinterpret_cast<const void *>(1);
    return collected_shape("points_collection_output_shape", t, any, d, any);
}

void points_collection(ConstTensor t, ConstTensor d, Tensor p, const PointsCollectionOptions &o) {
    const char *fn = "points_collection";
    Shape expected = collected_shape(fn, t.shape, t.data, d.shape, d.data);
    detail::check_tensor(fn, "p", p.shape, p.data, 4);
    detail::check_shape(fn, "p", p.shape, expected, "[B, 2*N*M, H, W] for t [B, 2N, H, W] and d [B, 2M, h, w]");
    detail::check_disjoint(fn, "p", p, "t", t);
    detail::check_disjoint(fn, "p", p, "d", d);
    detail::check_accumulation(fn, o.accumulation);
    detail::require_device(fn, o.device);

    auto tv = pair_view(t.data, t.shape);
    auto dv = detail::wrap(d.data, d.shape);
    auto pv = block_view(p.data, p.shape, d.shape[1]);
    auto run = detail::tuned_or(detail::pick_pipeline(o.device, halconv_points_collection_cpu,
                                                      halconv_points_collection_cuda, halconv_points_collection_opencl),
                                "points_collection",
                                [&] { return points_class("points_collection", t.shape, d.shape); }, o.device);
    detail::PipelineCall call(fn, o.device);
    auto *ti = call.input(tv);
    auto *di = call.input(dv);
    int status = run(ti, di, call.output(pv));
    call.finish(status);
}

std::vector<float> points_collection(ConstTensor t, ConstTensor d, const PointsCollectionOptions &o, Shape *p_shape) {
    Shape shape = collected_shape("points_collection", t.shape, t.data, d.shape, d.data);
    int64_t count = 1;
    for (int64_t v : shape) count *= v;
    std::vector<float> p((size_t)count);
    points_collection(t, d, Tensor(p.data(), shape), o);
    if (p_shape) *p_shape = shape;
    return p;
}

void points_collection_backward(ConstTensor t, ConstTensor d, ConstTensor grad_p, Tensor grad_t, Tensor grad_d,
                                const PointsCollectionOptions &o) {
    const char *fn = "points_collection_backward";
    Shape p_shape = collected_shape(fn, t.shape, t.data, d.shape, d.data);
    detail::check_tensor(fn, "grad_p", grad_p.shape, grad_p.data, 4);
    detail::check_shape(fn, "grad_p", grad_p.shape, p_shape, "the shape of p, [B, 2*N*M, H, W]");
    detail::check_tensor(fn, "grad_t", grad_t.shape, grad_t.data, 4);
    detail::check_shape(fn, "grad_t", grad_t.shape, t.shape, "the shape of t");
    detail::check_tensor(fn, "grad_d", grad_d.shape, grad_d.data, 4);
    detail::check_shape(fn, "grad_d", grad_d.shape, d.shape, "the shape of d");
    for (auto *out : {&grad_t, &grad_d}) {
        const char *name = out == &grad_t ? "grad_t" : "grad_d";
        detail::check_disjoint(fn, name, *out, "t", t);
        detail::check_disjoint(fn, name, *out, "d", d);
        detail::check_disjoint(fn, name, *out, "grad_p", grad_p);
    }
    detail::check_disjoint(fn, "grad_t", grad_t, "grad_d", grad_d);
    detail::check_accumulation(fn, o.accumulation);
    detail::require_device(fn, o.device);

    auto tv = pair_view(t.data, t.shape);
    auto dv = detail::wrap(d.data, d.shape);
    auto gv = block_view(grad_p.data, grad_p.shape, d.shape[1]);
    auto gtv = pair_view(grad_t.data, grad_t.shape);
    auto gdv = detail::wrap(grad_d.data, grad_d.shape);
    // Tuned variants replace the deterministic pipelines only, never the
    // CUDA atomic one.
    const bool atomic = o.device == Device::CUDA && o.accumulation == GradAccumulation::Atomic;
    auto run = detail::tuned_or(
        detail::pick_pipeline(o.device, o.accumulation, halconv_points_collection_backward_cpu,
                              halconv_points_collection_backward_cuda, halconv_points_collection_backward_atomic_cuda,
                              halconv_points_collection_backward_opencl),
        "points_collection_backward",
        [&] { return points_class("points_collection_backward", t.shape, d.shape); }, o.device, !atomic);
    detail::PipelineCall call(fn, o.device);
    auto *ti = call.input(tv);
    auto *di = call.input(dv);
    auto *gi = call.input(gv);
    auto *gto = call.output(gtv);
    auto *gdo = call.output(gdv);
    int status = run(ti, di, gi, gto, gdo);
    call.finish(status);
}

}  // namespace halconv
