// CPU-SIMD schedules of points collection (first version: correctness and
// threads; the arithmetic below is filled in with measurements).
#pragma once

#include "generators/points_collection.h"

namespace halconv {

struct PointsCpuSchedule {
    // 0 = the target's natural float vector (8 on AVX2, 16 on AVX-512).
    GeneratorParam<int> vector_width{"cpu_points_vector_width", 0};
    // Image rows per partial grad_d sum (deterministic backward). Part of
    // the result's definition: changing it changes the order of additions.
    GeneratorParam<int> strip_rows{"cpu_points_strip_rows", 16};

    int vec(const Target &t) const { return vector_width > 0 ? (int)vector_width : t.natural_vector_size<float>(); }

    // Per-sample parts (index, weight, slope) for one image row, computed
    // once and shared by the 2M channels.
    // `consumer`: the Func that calls them (a wrapper is made for it), or
    // undefined when they have a single consumer.
    void sample_parts_at(const PointsCollectionAlgorithm &a, std::vector<Func> parts, Func consumer, LoopLevel level,
                         int v) const {
        for (Func part : parts) {
            const int count = part.function().same_as(a.weight.function()) ? (int)kWeightParts : 4;
            Func f = consumer.defined() ? part.in(consumer) : part;
            f.compute_at(level).bound(a.part, 0, count).reorder(a.part, a.x).unroll(a.part).vectorize(a.x, v, TailStrategy::GuardWithIf);
        }
    }

    void apply_forward(PointsCollectionAlgorithm &a, const Target &t) const {
        const int v = vec(t);
        Func out = a.output;
        Var row("row");
        out.reorder(a.x, a.k, a.y, a.n, a.b).fuse(a.y, a.n, row).fuse(row, a.b, row).parallel(row);
        out.vectorize(a.x, v, TailStrategy::GuardWithIf);
        sample_parts_at(a, {a.index, a.weight}, Func(), LoopLevel(out, row), v);
        a.lower.compute_root().parallel(a.p).vectorize(a.k, v, TailStrategy::GuardWithIf);
    }

    void apply_backward(PointsCollectionAlgorithm &a, Func grad_targets, const Target &t) const {
        const int v = vec(t);
        Var row("row");
        grad_targets.reorder(a.x, a.comp, a.y, a.n, a.b).fuse(a.y, a.n, row).fuse(row, a.b, row).parallel(row);
        grad_targets.vectorize(a.x, v, TailStrategy::GuardWithIf);
        a.grad_t.compute_at(grad_targets, row).vectorize(a.x, v, TailStrategy::GuardWithIf);
        a.grad_t.update().reorder(a.x, a.comp, a.over_k).vectorize(a.x, v, TailStrategy::GuardWithIf).unroll(a.comp);
        sample_parts_at(a, {a.index, a.weight, a.slope}, a.dinterp, LoopLevel(grad_targets, row), v);
        a.lower.compute_root().parallel(a.p).vectorize(a.k, v, TailStrategy::GuardWithIf);

        RDom r = a.over_samples;
        if (a.deterministic) {
            a.partial.compute_root().parallel(a.strip).vectorize(a.k, v, TailStrategy::GuardWithIf);
            a.partial.update()
                .reorder(a.k, r[0], r[1], r[2], r[3], r[4], a.strip, a.b)
                .vectorize(a.k, v, TailStrategy::GuardWithIf)
                .parallel(a.strip);
        }
        a.scattered.compute_root().parallel(a.p).vectorize(a.k, v, TailStrategy::GuardWithIf);
        a.scattered.update().reorder(a.k, a.q, a.p).parallel(a.p).vectorize(a.k, v, TailStrategy::GuardWithIf);
        a.grad_d.parallel(a.k).vectorize(a.q, v, TailStrategy::GuardWithIf);
    }
};

}  // namespace halconv
