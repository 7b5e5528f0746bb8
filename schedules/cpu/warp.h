// CPU-SIMD schedules of flow_warp.
//
// Forward and grad_flow: rows in parallel; a row's samples (neighbours,
// weights, derivative coefficients: the bilinear arithmetic) are computed
// once, vectorized, and shared by all C channels; each channel's output
// vector then gathers its 4 neighbours (flow positions differ per pixel, so
// the loads are gathers; they hit the rows around the output row, in L1/L2).
// grad_input, the scatter: one plane (c, n) per parallel task, its pixels in
// order (deterministic for any thread count), scalar read-modify-writes into
// the plane, which stays in L2 for planes up to ~256x256.
#pragma once

#include "generators/flow_warp.h"

namespace halconv {

struct WarpCpuSchedule {
    // 0 = the target's natural float vector (8 on AVX2, 16 on AVX-512).
    GeneratorParam<int> vector_width{"cpu_warp_vector_width", 0};

    int vec(const Target &t) const { return vector_width > 0 ? (int)vector_width : t.natural_vector_size<float>(); }

    static int part_count(const FlowWarpAlgorithm &a, Func part) {
        if (part.function().same_as(a.weight.function())) return kWarpWeightParts;
        if (part.function().same_as(a.slope.function())) return kWarpSlopeParts;
        return kWarpIndexParts;
    }

    void parts_at(const FlowWarpAlgorithm &a, std::vector<Func> parts, Func consumer, LoopLevel level, int v) const {
        for (Func part : parts) {
            Func f = consumer.defined() ? part.in(consumer) : part;
            f.compute_at(level)
                .bound(a.part, 0, part_count(a, part))
                .reorder_storage(a.x, a.part)
                .reorder(a.part, a.x)
                .unroll(a.part)
                .vectorize(a.x, v, TailStrategy::GuardWithIf);
        }
    }

    // A per-pixel stage: rows in parallel, `inner` (c or comp) outside the
    // row's vectors.
    void rows_in_parallel(Stage s, VarOrRVar x, VarOrRVar inner, Var y, Var n, Expr width, int v, bool full) const {
        s.reorder(x, inner, y, n).parallel(y);
        s.vectorize(x, full ? v : 1, full ? TailStrategy::ShiftInwards : TailStrategy::GuardWithIf);
    }

    void apply_forward(FlowWarpAlgorithm &a, const Target &t) const {
        const int v = vec(t);
        Func out = a.output;
        for (int full : {1, 0}) {
            Stage s = full ? out.specialize(a.width >= v) : Stage(out);
            rows_in_parallel(s, a.x, a.c, a.y, a.n, a.width, v, full);
        }
        parts_at(a, {a.index, a.weight}, Func(), LoopLevel(out, a.y), v);
    }

    void apply_backward(FlowWarpAlgorithm &a, const Target &t) const {
        const int v = vec(t);
        Func gf = a.grad_flow;
        for (int full : {1, 0}) {
            Stage pure = full ? gf.specialize(a.width >= v) : Stage(gf);
            rows_in_parallel(pure, a.x, a.comp, a.y, a.n, a.width, v, full);
        }
        // (An update may not recompute overlapping vectors: GuardWithIf.)
        gf.update()
            .reorder(a.x, a.comp, a.over_c, a.y, a.n)
            .unroll(a.comp)
            .parallel(a.y)
            .vectorize(a.x, v, TailStrategy::GuardWithIf);
        parts_at(a, {a.index, a.weight, a.slope}, gf, LoopLevel(gf, a.y), v);

        // The scatter: one plane per task, pixels in order. Its samples are
        // computed once for all planes.
        Func gi = a.grad_input;
        Var plane("plane");
        RDom r = a.over_samples;
        gi.fuse(a.c, a.n, plane).parallel(plane).vectorize(a.x, v, TailStrategy::GuardWithIf);
        if (a.deterministic) {
            gi.update().reorder(r[0], r[1], r[2], a.c, a.n).fuse(a.c, a.n, plane).parallel(plane);
        } else {
            // (The CPU never runs the atomic pipeline; kept compilable.)
            gi.update().reorder(r[0], r[1], r[2], a.c, a.n);
        }
        for (Func part : {a.index, a.weight}) {
            part.in(gi)
                .compute_root()
                .bound(a.part, 0, part_count(a, part))
                .reorder_storage(a.x, a.part)
                .reorder(a.part, a.x, a.y, a.n)
                .unroll(a.part)
                .parallel(a.y)
                .vectorize(a.x, v, TailStrategy::GuardWithIf);
        }
    }
};

}  // namespace halconv
