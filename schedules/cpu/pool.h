// CPU-SIMD schedules of the pooling family.
//
// Pooling is memory-bound: a 3x3/s2 max pool does 9 compares per output for
// 4 bytes read per input (~0.6 op/byte), so the goal is to touch each input
// byte once, with full vectors, and let the cores stream planes.
// Windowed pools (max, max with indices, average):
//   * one plane per parallel task (N*C tasks: a single small plane runs on
//     one core), the output vectorized along x (NCHW rows); each output
//     vector's window is reduced in registers straight
//     from the caller's input: no staging copy and no separate row pass
//     (measured: either costs more than the taps it saves, 2-4x on these
//     shapes);
//   * stride-2 windows read each input row as pairs of dense vectors
//     de-interleaved by shuffles (Halide shares them between the even and
//     odd taps);
//   * windows wholly inside the input (runtime-checked: no padding, no
//     ceil-mode overhang) read the input with no bounds tests at all;
//     otherwise -inf / 0 outside the input comes from a boundary condition
//     whose `likely` tags let Halide split loops into a bounds-free
//     interior and border loops (partly: producer specializations inside
//     the x loop keep it from splitting x; ~25% on max3s2_r50);
//   * common kernels (2x2, 3x3, no dilation, stride 1 or 2) are specialized
//     with unrolled taps; other windows run the generic loop.
// Measured (bench/results/pool.md, 2 Zen3 cores, AVX2): max3s2_r50 0.34 ms
// (1.2x oneDNN nChw8c), avg2s2_256 0.15 ms (0.34x), max2s2 with int64
// indices 2.55 ms (1.7x). On 2 Zen 4 cores (AVX-512, oneDNN's nChw16c
// kernels): 0.25 ms (0.42x), 0.086 ms (1.14x), 1.90 ms (0.13x): oneDNN's
// AVX-512 max pooling is the open gap. Kept current with scripts/bench.
// Scatters (unpool, max-pool backward) run one plane per task, in index
// order, so duplicates resolve as in PyTorch's CPU kernel (the last write
// wins; gradients add up in a fixed order: bit-identical on every run).
#pragma once

#include "tune/space.h"

#include "generators/pool.h"

namespace halconv {

struct PoolCpuSchedule {
    // 0 = the target's natural float vector (8 on AVX2, 16 on AVX-512).
    GeneratorParam<int> vector_width{"cpu_pool_vector_width", 0};
    // Output rows per strip (the loop inside a plane task).
    GeneratorParam<int> strip_rows{"cpu_pool_strip_rows", 8};
    // Kernels up to this size along an axis get specialized, unrolled taps.
    GeneratorParam<int> max_unrolled_taps{"cpu_pool_max_unrolled_taps", 3};

    // Search space for `halconv tune` (tune/space.h): {name, hand-tuned
    // default, candidates}. Every pool reads the vector width and the strip;
    // only the windowed pools (max, max with indices, average) unroll taps.
    static tune::SearchSpace space(const std::string &op) {
        tune::SearchSpace s;
        s.knobs = {
            {"cpu_pool_vector_width", 0, {0, 8, 16, 32, 64}},  // 0: the natural float vector
            {"cpu_pool_strip_rows", 8, {1, 2, 4, 8, 16, 32}},
        };
        if (op == "max_pool2d" || op == "max_pool2d_with_indices" || op == "avg_pool2d") {
            s.knobs.push_back({"cpu_pool_max_unrolled_taps", 3, {1, 2, 3, 4, 5}});  // 1: no unrolled kernel
        }
        s.constraints = {
            {"vector_width is 0 (natural) or 1 to 4 whole vectors: % vector lanes == 0, <= 4 * lanes",
             [](const tune::Params &p, const tune::TargetInfo &t) {
                 const int v = p.at("cpu_pool_vector_width");
                 return v == 0 || (v % t.vector_lanes == 0 && v <= 4 * t.vector_lanes);
             }},
        };
        return s;
    }

    int vec(const Target &t) const { return vector_width > 0 ? (int)vector_width : t.natural_vector_size<float>(); }

    // Output (x, y, c, n): one plane per parallel task (N*C tasks; a
    // single small plane runs on one core), x in vectors when the output is
    // at least a vector wide (ShiftInwards: the last vector overlaps the
    // previous one), else scalar. Each of `cases` gets its own loop nest
    // (Halide substitutes the condition's parameter values into it).
    // narrow (defined): where it holds, vectors of narrow_vec floats instead.
    void tile_output(Func out, Var x, Var y, Var c, Var n, Expr out_width, Var &xo, const Target &t,
                     const std::vector<Expr> &cases = {}, Expr narrow = Expr()) const {
        const int v = vec(t);
        Var xi("xi"), yi("yi"), strip("strip"), plane("plane");
        out.split(y, strip, yi, strip_rows, TailStrategy::GuardWithIf).fuse(c, n, plane).parallel(plane);
        auto vectorize_x = [&](Stage s, int w) {
            s.specialize(out_width >= w).split(x, xo, xi, w, TailStrategy::ShiftInwards).vectorize(xi);
            s.split(x, xo, xi, w, TailStrategy::GuardWithIf);
        };
        for (const Expr &condition : cases) {
            if (narrow.defined()) vectorize_x(out.specialize(narrow && condition), narrow_vec);
            vectorize_x(out.specialize(condition), v);
        }
        if (narrow.defined()) vectorize_x(out.specialize(narrow), narrow_vec);
        vectorize_x(out, v);
    }

    // With AVX-512's 16 floats, windows of 3 or more taps run faster on
    // 8-float vectors (JIT A/B on Zen 4: max 3x3/s2 into 56-wide rows 0.61x
    // the time, 3x3/s1 on 56x56 0.69x, 3x3/s2 into 64-wide rows 0.96x); 2x2
    // windows stay on 16 (8 took 1.12x on avg2s2_256, 1.29x on max2s2 with
    // indices). (Rows of 56 are 3.5 vectors of 16: half of them border
    // vectors, the left pad and the shifted tail.) Only when the width is
    // the target's own (vector_width 0).
    static constexpr int narrow_vec = 8;
    Expr narrow_windows(const WindowPoolAlgorithm &a, const Target &t) const {
        if (vector_width > 0 || t.natural_vector_size<float>() <= narrow_vec) return Expr();
        return a.kernel_x >= 3;
    }

    // The window reduction's specializations: the common small kernels
    // (unrolled taps) at strides 1 and 2, and any kernel at strides 1 and 2
    // (constant strides let Halide split the loops around the border).
    void specialize_window(Stage update, const WindowPoolAlgorithm &a, int v) const {
        update.vectorize(a.x, v);
        for (int stride : {1, 2}) {
            for (int k = 2; k <= max_unrolled_taps; k++) {
                update.specialize(a.stride_x == stride && a.kernel_x == k && a.kernel_y == k && a.dil_x == 1 &&
                                  a.dil_y == 1)
                    .unroll(a.taps.x)
                    .unroll(a.taps.y);
            }
            update.specialize(a.stride_x == stride);
        }
    }

    void apply(WindowPoolAlgorithm &a, const Target &t) const {
        const int v = vec(t);
        Var xo("xo");
        // windows_inside must be known in every branch: the algorithm reads
        // the input unchecked when it is 1. (The unspecialized remainder is
        // unreachable: the Input is range-checked to 0..1.)
        std::vector<Expr> cases = {a.windows_inside == 1, a.windows_inside == 0};
        if (a.divisor_override.defined()) {
            // Average pooling's common case: a constant divisor (a multiply).
            cases.insert(cases.begin(), a.windows_inside == 1 && a.divisor_override == 0);
        }
        const Expr narrow = narrow_windows(a, t);
        tile_output(a.output, a.x, a.y, a.c, a.n, a.out_width, xo, t, cases, narrow);
        // One vector of outputs' windows, reduced in registers (the narrow
        // branch first: the same condition as the output's).
        auto per_vector = [&](Func f, bool reduction) {
            f.compute_at(a.output, xo);
            if (narrow.defined()) f.specialize(narrow).vectorize(a.x, narrow_vec);
            f.vectorize(a.x, v);
            if (!reduction) return;
            if (narrow.defined()) specialize_window(f.update().specialize(narrow), a, narrow_vec);
            specialize_window(f.update(), a, v);
        };
        per_vector(a.pool, true);
        if (a.index.defined()) {
            per_vector(a.index, true);
            per_vector(a.first_tap_x, false);
        }
        a.padded.compute_inline();
    }

    void apply(SubsampleAlgorithm &a, const Target &t) const {
        Var xo("xo");
        tile_output(a.output, a.x, a.y, a.c, a.n, a.output.output_buffer().dim(kDimX).extent(), xo, t);
    }

    void apply(AdaptivePoolAlgorithm &a, const Target &t) const {
        // Windows start at table positions (not affine in x): rows of planes
        // in parallel, scalar taps; the tables are tiny and computed once.
        Var yo("yo"), yi("yi"), plane("plane"), task("task");
        a.output.split(a.y, yo, yi, strip_rows, TailStrategy::GuardWithIf)
            .fuse(a.c, a.n, plane)
            .fuse(yo, plane, task)
            .parallel(task);
        for (Func table : {a.start_x, a.end_x, a.start_y, a.end_y}) table.compute_root();
        a.pool.compute_at(a.output, a.x);
        if (a.index.defined()) a.index.compute_at(a.output, a.x);
        (void)t;
    }

    void apply(ScatterAlgorithm &a, const Target &t) const {
        const int v = vec(t);
        Var plane("plane"), io("io"), ii("ii");
        // Zero fill: whole planes in parallel, full vectors.
        a.output.fuse(a.c, a.n, plane).parallel(plane).vectorize(a.i, v, TailStrategy::GuardWithIf);
        // Scatter: one plane per task, source elements in order.
        a.output.update().fuse(a.c, a.n, plane).parallel(plane);
    }

    void apply(AvgPoolBackwardAlgorithm &a, const Target &t) const {
        const int v = vec(t);
        Func out = a.output;
        Var yo("yo"), yi("yi"), plane("plane"), task("task"), xo("xo"), xi("xi");
        // Both stages of grad_input (zero, then the gather) in the same strip
        // loops; the row gather is computed per strip.
        out.split(a.y, yo, yi, strip_rows, TailStrategy::GuardWithIf)
            .fuse(a.c, a.n, plane)
            .fuse(yo, plane, task)
            .parallel(task)
            .vectorize(a.x, v, TailStrategy::GuardWithIf);
        out.update()
            .split(a.y, yo, yi, strip_rows, TailStrategy::GuardWithIf)
            .fuse(a.c, a.n, plane)
            .fuse(yo, plane, task)
            .parallel(task)
            .reorder(a.taps_y, a.x, yi, task)
            .vectorize(a.x, v, TailStrategy::GuardWithIf);
        // GuardWithIf: grad_output has no boundary condition, so the stages
        // reading it must not round their extents up.
        a.row.compute_at(out, task).vectorize(a.x, v, TailStrategy::GuardWithIf);
        a.row.update().vectorize(a.x, v, TailStrategy::GuardWithIf);
        a.scaled.compute_at(out, task).vectorize(a.x, v, TailStrategy::GuardWithIf);
    }
};

}  // namespace halconv
