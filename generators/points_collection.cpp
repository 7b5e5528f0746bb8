// Points-collection generators: forward and backward (deterministic or
// atomic grad_d). Algorithms: generators/points_collection.h; schedules by
// target from schedules/cpu/points.h or schedules/cuda/points.h.
#include <stdexcept>

#include "generators/points_collection.h"
#include "schedules/cpu/points.h"
#include "schedules/cuda/points.h"

namespace halconv {
namespace {

// Dense tensors starting at 0 (the runtime's views of NCHW memory).
template<typename B>
void dense_from_zero(B &buffer, int dims) {
    buffer.dim(0).set_stride(1);
    for (int d = 0; d < dims; d++) buffer.dim(d).set_min(0);
}

// Inputs and sizes shared by both generators. Views (see the algorithm):
//   t (x, y, comp, n, b), d (q, p, k, b), outputs / grad_p (x, y, k, n, b).
#define HALCONV_POINTS_INPUTS                                        \
    Input<Buffer<float>> targets{"targets", 5};  /* t */             \
    Input<Buffer<float>> offsets{"offsets", 4};  /* d */

class PointsCollectionGenerator : public Generator<PointsCollectionGenerator> {
public:
    HALCONV_POINTS_INPUTS
    Output<Buffer<float>> points{"points", 5};

    PointsCpuSchedule cpu_schedule;
    PointsGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        PointsCollectionAlgorithm a;
        Expr H = targets.dim(1).extent(), W = targets.dim(0).extent();
        Expr h = offsets.dim(1).extent(), w = offsets.dim(0).extent(), channels = offsets.dim(2).extent();
        define_points_collection(a, targets, offsets, H, W, channels, h, w);
        points(a.x, a.y, a.k, a.n, a.b) = a.output(a.x, a.y, a.k, a.n, a.b);
        a.output.compute_inline();
        a.output = points;
        dense_from_zero(targets, 5);
        dense_from_zero(offsets, 4);
        dense_from_zero(points, 5);
        targets.dim(2).set_extent(2);
        for (int dim : {0, 1, 3, 4}) points.dim(dim).set_extent(targets.dim(dim).extent());
        points.dim(2).set_extent(channels);
        if (get_auto_schedule()) {
            estimates.apply(targets, offsets, points);
        } else if (get_target().has_gpu_feature()) {
            gpu_schedule.apply_forward(a, get_target());
        } else {
            cpu_schedule.apply_forward(a, get_target());
        }
    }
};

class PointsCollectionBackwardGenerator : public Generator<PointsCollectionBackwardGenerator> {
public:
    // deterministic: per-strip partial sums added in order (the default);
    // atomic: float atomics straight into grad_d (GPU targets).
    GeneratorParam<std::string> accumulation{"accumulation", "deterministic"};

    HALCONV_POINTS_INPUTS
    Input<Buffer<float>> grad_points{"grad_points", 5};
    Output<Buffer<float>> grad_targets{"grad_targets", 5};
    Output<Buffer<float>> grad_offsets{"grad_offsets", 4};

    PointsCpuSchedule cpu_schedule;
    PointsGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        const std::string mode = accumulation;
        if (mode != "deterministic" && mode != "atomic") {
            throw std::invalid_argument("accumulation must be deterministic or atomic, got " + mode);
        }
        const bool gpu = get_target().has_gpu_feature();
        PointsCollectionAlgorithm a;
        Expr H = targets.dim(1).extent(), W = targets.dim(0).extent(), N = targets.dim(3).extent();
        Expr h = offsets.dim(1).extent(), w = offsets.dim(0).extent(), channels = offsets.dim(2).extent();
        const int strip_rows = gpu ? (int)gpu_schedule.strip_rows : (int)cpu_schedule.strip_rows;
        define_points_collection_backward(a, targets, offsets, grad_points, H, W, channels, h, w, N,
                                          mode == "deterministic", strip_rows);
        grad_targets(a.x, a.y, a.comp, a.n, a.b) = a.grad_t(a.x, a.y, a.comp, a.n, a.b);
        grad_offsets(a.q, a.p, a.k, a.b) = a.grad_d(a.q, a.p, a.k, a.b);
        a.grad_d.compute_inline();
        a.grad_d = grad_offsets;
        dense_from_zero(targets, 5);
        dense_from_zero(offsets, 4);
        dense_from_zero(grad_points, 5);
        dense_from_zero(grad_targets, 5);
        dense_from_zero(grad_offsets, 4);
        targets.dim(2).set_extent(2);
        for (int dim : {0, 1, 3, 4}) grad_points.dim(dim).set_extent(targets.dim(dim).extent());
        grad_points.dim(2).set_extent(channels);
        for (int dim = 0; dim < 5; dim++) grad_targets.dim(dim).set_extent(targets.dim(dim).extent());
        for (int dim = 0; dim < 4; dim++) grad_offsets.dim(dim).set_extent(offsets.dim(dim).extent());
        if (get_auto_schedule()) {
            estimates.apply(targets, offsets, grad_points, grad_targets, grad_offsets);
        } else if (gpu) {
            gpu_schedule.apply_backward(a, grad_targets, get_target());
        } else {
            cpu_schedule.apply_backward(a, grad_targets, get_target());
        }
    }
};

}  // namespace
}  // namespace halconv

HALIDE_REGISTER_GENERATOR(halconv::PointsCollectionGenerator, points_collection)
HALIDE_REGISTER_GENERATOR(halconv::PointsCollectionBackwardGenerator, points_collection_backward)
