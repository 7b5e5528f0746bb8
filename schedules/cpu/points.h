// CPU-SIMD schedules of points collection.
//
// Every sample (x, y, n, b) reads 4 neighbours x 2M channels of the lower
// layer and writes 2M outputs, so the kernel lives on how those values move:
//   * the lower layer is tiny (2M x (h*w + 1) floats, the extra pixel holds
//     the zeros that neighbours outside the grid read) and stored channels
//     innermost (lower_scaled, computed once per call), so a neighbour's 2M
//     channels are contiguous: with channels in the vector lanes, each
//     neighbour is one dense load and one FMA per 8 channels;
//   * the output wants samples in the lanes (dense rows of p), so for a
//     block of 8 samples x 8 channels interp is computed channel-vectorized
//     into registers (MemoryType::Register) and read back sample-vectorized:
//     an 8 x 8 transpose done with shuffles, not through memory;
//   * per-sample parts (flat neighbour pixels, weights: the bilinear axis
//     arithmetic) are computed once per 8 samples, vectorized, and shared by
//     all 2M channels; 3x3 layers (2M = 18) get their 3 channel blocks
//     unrolled so a sample's addresses and weights are loaded once.
// Backward: grad_t the same way (both derivatives from the same loads,
// then the sum over channels against grad_p's dense rows). grad_d, the
// scatter: each strip of `strip_rows` image rows scans its samples in order
// (deterministic: the order depends on neither threads nor runs); per block
// of 8 samples x 8 channels grad_p is loaded sample-vectorized (dense rows)
// into registers and read back one channel vector per sample, times each
// neighbour's weight, into the strip's partial sums (channels innermost:
// vector read-modify-writes); the strips are then added in order.
//
// Arithmetic (2 Zen3 cores, AVX2; bench/results/points.md, same-run plain
// OpenMP loop as the peer):
//   * forward pc_9x9_64 (36.9k samples x 18 outputs): per 8x8 block 32
//     loads + 32 FMAs + the transpose + 8 stores; ~0.46 ms = ~2 cycles per
//     output on 2 cores, 4.7x the plain loop (per-pixel stages run in
//     chunks of 256 pixels: one task per pixel cost 0.1 ms in task
//     overhead). Measured single-thread split:
//     stores alone 0.21 ms (the 2.65 MB output does not fit L2), loads and
//     FMAs ~0.28 ms, sample parts and transposes ~0.14 ms. LLVM lowers the
//     register transpose with ~140 blends/permutes per 8x8 block where a
//     3-stage unpack/shuffle/permute network needs 24: the open gap.
//   * forward pc_81x9_128 (191 MB written): ~30 ms = 3.4-3.7x the copy-bandwidth
//     floor (compute-bound at the same ~2 cycles per output); write-allocate
//     traffic (no non-temporal stores in Halide 14) would bound it at ~2x.
//   * backward: 4.6-6.0x the plain loop (whose grad_d uses omp atomics).
#pragma once

#include "tune/space.h"

#include "generators/points_collection.h"

namespace halconv {

struct PointsCpuSchedule {
    // 0 = 8 floats, AVX2's vector, also under AVX-512: its 16-float vectors
    // make the v x v register transposes 16 x 16 (JIT A/B on Zen 4, 16
    // against 8: pc_81x9_128 forward 1.13x the time, backward 1.38x;
    // pc_9x9_64 1.08x and 1.32x).
    GeneratorParam<int> vector_width{"cpu_points_vector_width", 0};
    // Image rows per partial grad_d sum (deterministic backward). Part of
    // the result's definition: changing it changes the order of additions.
    GeneratorParam<int> strip_rows{"cpu_points_strip_rows", 16};

    // Search space for `halconv tune` (tune/space.h): {name, hand-tuned
    // default, candidates}. strip_rows is read by the backward only (and
    // changes its order of additions: results agree to rounding).
    static tune::SearchSpace space(const std::string &op) {
        tune::SearchSpace s;
        s.knobs = {{"cpu_points_vector_width", 0, {0, 8, 16, 32}}};  // 0: 8 floats
        if (op == "points_collection_backward") s.knobs.push_back({"cpu_points_strip_rows", 16, {2, 4, 8, 16, 32, 64}});
        s.constraints = {
            {"vector_width is 0 (8) or whole AVX2 vectors up to 2 of the target's (v x v register blocks): "
             "% 8 == 0, <= 2 * lanes",
             [](const tune::Params &p, const tune::TargetInfo &t) {
                 const int v = p.at("cpu_points_vector_width");
                 return v == 0 || (v % 8 == 0 && v <= 2 * t.vector_lanes);
             }},
        };
        return s;
    }

    int vec(const Target &t) const {
        return vector_width > 0 ? (int)vector_width : std::min(8, t.natural_vector_size<float>());
    }

    static int part_count(const PointsCollectionAlgorithm &a, Func part) {
        if (part.function().same_as(a.slope.function())) return kSlopeParts;
        return kCorners;
    }

    // Per-sample parts computed at `level` for the samples it covers,
    // vectorized along x (`block`: constant samples per computation, or 0
    // for a whole row). `consumer`: the Func that calls them (a wrapper is
    // made for it), or undefined when they have a single consumer.
    void sample_parts_at(const PointsCollectionAlgorithm &a, std::vector<Func> parts, Func consumer, LoopLevel level,
                         int v) const {
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

    // A per-sample stage f(x, ..., y, n, b) whose inner `inner` loop (k or
    // comp) runs inside blocks of v samples (xo); rows in parallel. Rows
    // narrower than a vector take one sample at a time, so that blocks keep
    // constant extents (register allocations) in both branches.
    void sample_blocks(Stage s, VarOrRVar inner_o, Var &xo, Var &xi, Var x, Var y, Var n, Var b, bool full,
                       int v) const {
        s.split(x, xo, xi, full ? v : 1, TailStrategy::ShiftInwards).reorder(xi, inner_o, xo, y, n, b).vectorize(xi).parallel(y);
    }

    void apply_forward(PointsCollectionAlgorithm &a, const Target &t) const {
        const int v = vec(t);
        Func out = a.output;
        Var xo("xo"), xi("xi"), ko("ko"), ki("ki"), row("row");
        Expr width = out.output_buffer().dim(0).extent();
        for (int full : {3, 1, 0}) {
            // full == 3: 3x3 deformable layers (M = 9, 2M = 18 channels),
            // channel blocks unrolled so that a sample's addresses and
            // weights are computed once for all its channels.
            Stage s = full == 3 ? out.specialize(width >= v && a.channels == 18)
                                : full ? out.specialize(width >= v) : Stage(out);
            s.split(a.k, ko, ki, v, TailStrategy::GuardWithIf).unroll(ki);
            if (full == 3) s.unroll(ko);
            s.split(a.x, xo, xi, full ? v : 1, TailStrategy::ShiftInwards)
                .reorder(xi, ki, ko, xo, a.n, a.y, a.b)
                .vectorize(xi)
                .parallel(a.y);
        }
        a.interp.compute_at(out, ko)
            .store_in(MemoryType::Register)
            .bound_extent(a.k, v)
            .vectorize(a.k)
            .unroll(a.x);
        sample_parts_at(a, {a.index, a.weight}, Func(), LoopLevel(out, xo), v);
        a.lower.compute_root().parallel(a.pixel, 256, TailStrategy::GuardWithIf).vectorize(a.k, v, TailStrategy::RoundUp);
    }

    void apply_backward(PointsCollectionAlgorithm &a, Func grad_targets, const Target &t) const {
        const int v = vec(t);
        Var xo("xo"), xi("xi");
        RVar rko("rko"), rki("rki");
        Expr width = grad_targets.output_buffer().dim(0).extent();
        for (int full : {1, 0}) {
            Stage s = full ? grad_targets.specialize(width >= v) : Stage(grad_targets);
            s.split(a.x, xo, xi, full ? v : 1, TailStrategy::ShiftInwards)
                .reorder(xi, a.comp, xo, a.n, a.y, a.b)
                .vectorize(xi)
                .unroll(a.comp)
                .parallel(a.y);
        }
        a.grad_t.compute_at(grad_targets, xo).vectorize(a.x).unroll(a.comp);
        for (int three_by_three : {1, 0}) {
            // 3x3 deformable layers (2M = 18): the channel blocks unrolled.
            Stage s = three_by_three ? a.grad_t.update().specialize(a.channels == 18) : a.grad_t.update();
            s.split(a.over_k.x, rko, rki, v, TailStrategy::GuardWithIf)
                .reorder(a.x, a.comp, rki, rko)
                .vectorize(a.x)
                .unroll(a.comp)
                .unroll(rki);
            if (three_by_three) s.unroll(rko);
        }
        a.dinterp.compute_at(a.grad_t, rko)
            .store_in(MemoryType::Register)
            .bound(a.comp, 0, 2)
            .bound_extent(a.k, v)
            .reorder(a.k, a.comp, a.x)
            .vectorize(a.k)
            .unroll(a.comp)
            .unroll(a.x);
        sample_parts_at(a, {a.index, a.slope}, a.dinterp, LoopLevel(grad_targets, xo), v);
        a.lower.compute_root().parallel(a.pixel, 256, TailStrategy::GuardWithIf).vectorize(a.k, v, TailStrategy::RoundUp);

        // grad_d: blocks of v samples x v channels; grad_p's block is loaded
        // sample-vectorized (dense rows) into registers and read back
        // channel-vectorized, one vector per sample, for its 4 adds.
        RDom r = a.over_samples;
        RVar rxo("rxo"), rxi("rxi");
        Var ko("ko"), ki("ki");
        Func sums = a.deterministic ? a.partial : a.scattered;
        for (int three_by_three : {1, 0}) {
            Stage scatter = three_by_three ? sums.update().specialize(a.channels == 18) : sums.update();
            scatter.split(r[1], rxo, rxi, v, TailStrategy::GuardWithIf)
                .split(a.k, ko, ki, v, TailStrategy::RoundUp)
                .reorder(ki, r[0], rxi, ko, rxo, r[2], r[3])
                .vectorize(ki)
                .unroll(r[0]);
            if (three_by_three) scatter.unroll(ko);
            if (a.deterministic) scatter.parallel(a.strip);
        }
        if (a.deterministic) a.partial.compute_root().parallel(a.strip).vectorize(a.k, v, TailStrategy::RoundUp);
        // Each image row's sample parts, computed once for its 4 x 2M adds.
        sample_parts_at(a, {a.index, a.weight}, sums, LoopLevel(sums, r[2]), v);
        a.g_channels.in(sums)
            .compute_at(sums, ko)
            .store_in(MemoryType::Register)
            .bound_extent(a.k, v)
            .bound_extent(a.x, v)
            .reorder(a.x, a.k)
            .vectorize(a.x)
            .unroll(a.k);
        a.scattered.compute_root().parallel(a.pixel, 256, TailStrategy::GuardWithIf).vectorize(a.k, v, TailStrategy::RoundUp);
        if (a.deterministic) {
            a.scattered.update().reorder(a.k, a.over_strips, a.pixel).parallel(a.pixel, 256, TailStrategy::GuardWithIf).vectorize(a.k, v, TailStrategy::RoundUp);
        }
        a.grad_d.parallel(a.k).vectorize(a.q, v, TailStrategy::GuardWithIf);
    }
};

}  // namespace halconv
