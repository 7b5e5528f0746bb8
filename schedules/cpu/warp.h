// CPU-SIMD schedules of flow_warp.
//
// Forward and grad_flow: rows in parallel; a row's samples (neighbours,
// weights, derivative coefficients: the bilinear arithmetic) are computed
// once, vectorized, and shared by all C channels; each channel's output
// vector then gathers its 4 neighbours (flow positions differ per pixel, so
// the loads are gathers; they hit the rows around the output row, in L1/L2).
// grad_input, the scatter: channels in the vector lanes (the pattern of the
// points-collection scatter): one block of 8 channels per parallel task,
// pixels in order (deterministic for any thread count), vector
// read-modify-writes into a channel-innermost sum, register-transposed
// blocks of grad_output in and of the sum out.
#pragma once

#include "tune/space.h"

#include "generators/flow_warp.h"

namespace halconv {

struct WarpCpuSchedule {
    // 0 = the target's natural float vector (8 on AVX2, 16 on AVX-512).
    GeneratorParam<int> vector_width{"cpu_warp_vector_width", 0};

    // Search space for `halconv tune` (tune/space.h): {name, hand-tuned
    // default, candidates}; forward and backward share the one knob (it is
    // also the channel block of the algorithm).
    static tune::SearchSpace space(const std::string &) {
        tune::SearchSpace s;
        s.knobs = {{"cpu_warp_vector_width", 0, {0, 8, 16, 32}}};  // 0: the natural float vector
        s.constraints = {
            {"vector_width is 0 (natural) or 1-2 whole vectors (v x v register blocks): % lanes == 0, <= 2 * lanes",
             [](const tune::Params &p, const tune::TargetInfo &t) {
                 const int v = p.at("cpu_warp_vector_width");
                 return v == 0 || (v % t.vector_lanes == 0 && v <= 2 * t.vector_lanes);
             }},
        };
        return s;
    }

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

    // The input in channel blocks (lane, x, y, block, n): v x v register
    // transposes of dense NCHW rows, once per call.
    void block_input(FlowWarpAlgorithm &a, int v) const {
        Var xo("xo"), xi("xi");
        Func bi = a.blocked_input;
        bi.compute_root()
            .bound(a.lane, 0, a.channel_block)
            .split(a.x, xo, xi, v, TailStrategy::GuardWithIf)
            .reorder(a.lane, xi, xo, a.y, a.block, a.n)
            .vectorize(a.lane)
            .unroll(xi)
            .parallel(a.y);
        a.input_rows.compute_at(bi, xo)
            .store_in(MemoryType::Register)
            .bound_extent(a.x, v)
            .bound_extent(a.c, v)
            .reorder(a.x, a.c)
            .vectorize(a.x)
            .unroll(a.c);
    }

    // Forward: for a block of v pixels x v channels, the samples are
    // computed channel-vectorized (4 dense loads and FMAs per pixel) into
    // registers and read back pixel-vectorized for dense NCHW stores.
    void apply_forward(FlowWarpAlgorithm &a, const Target &t) const {
        const int v = vec(t);
        Func out = a.output;
        Var xo("xo"), xi("xi"), co("co"), ci("ci");
        for (int full : {1, 0}) {
            Stage s = full ? out.specialize(a.width >= v) : Stage(out);
            s.split(a.c, co, ci, v, TailStrategy::GuardWithIf)
                .split(a.x, xo, xi, full ? v : 1, TailStrategy::ShiftInwards)
                .reorder(xi, ci, co, xo, a.y, a.n)
                .vectorize(xi)
                .unroll(ci)
                .parallel(a.y);
        }
        a.interp.compute_at(out, co)
            .store_in(MemoryType::Register)
            .bound_extent(a.lane, v)
            .vectorize(a.lane)
            .unroll(a.x);
        parts_at(a, {a.index, a.weight}, Func(), LoopLevel(out, xo), v);
        block_input(a, v);
    }

    void apply_backward(FlowWarpAlgorithm &a, const Target &t) const {
        const int v = vec(t);
        // grad_flow: per block of v pixels, per channel block, the
        // derivatives channel-vectorized (4 dense loads per pixel) times
        // grad_output's block (loaded pixel-vectorized into registers, read
        // back channel-vectorized), accumulated per lane; then the lanes
        // are summed pixel-vectorized.
        Func gf = a.grad_flow;
        Var xo("xo"), xi("xi");
        for (int full : {1, 0}) {
            Stage s = full ? gf.specialize(a.width >= v) : Stage(gf);
            s.split(a.x, xo, xi, full ? v : 1, TailStrategy::ShiftInwards)
                .reorder(xi, a.comp, xo, a.y, a.n)
                .vectorize(xi)
                .unroll(a.comp)
                .parallel(a.y);
        }
        // (An update may not recompute overlapping vectors: GuardWithIf.)
        gf.update()
            .split(a.x, xo, xi, v, TailStrategy::GuardWithIf)
            .reorder(xi, a.comp, a.over_lanes, xo, a.y, a.n)
            .vectorize(xi)
            .unroll(a.comp)
            .unroll(a.over_lanes)
            .parallel(a.y);
        Func lanes = a.flow_lanes;
        lanes.compute_at(gf, xo)
            .bound(a.comp, 0, 2)
            .bound_extent(a.x, v)
            .reorder(a.lane, a.comp, a.x)
            .vectorize(a.lane)
            .unroll(a.comp)
            .unroll(a.x);
        lanes.update().reorder(a.lane, a.comp, a.x, a.over_blocks).vectorize(a.lane).unroll(a.comp).unroll(a.x);
        a.g_blocked.compute_at(lanes, a.over_blocks)
            .store_in(MemoryType::Register)
            .bound_extent(a.lane, v)
            .bound_extent(a.x, v)
            .reorder(a.x, a.lane)
            .vectorize(a.x)
            .unroll(a.lane);
        parts_at(a, {a.index, a.slope}, a.flow_lanes, LoopLevel(gf, xo), v);
        parts_at(a, {a.weight}, gf, LoopLevel(gf, xo), v);
        block_input(a, v);

        // The scatter: channels in the vector lanes (vector read-modify-
        // writes into a channel-innermost sum), one block of v channels per
        // parallel task, pixels in order (deterministic for any thread
        // count). grad_output's v x v blocks (v pixels x v channels) are
        // loaded pixel-vectorized into registers and read back
        // channel-vectorized; the sum is transposed back to NCHW the same way.
        Func sc = a.scatter;
        RDom r = a.over_samples;
        Var co("co"), ci("ci");
        RVar rxo("rxo"), rxi("rxi");
        sc.compute_root().reorder(a.lane, a.x, a.y, a.block, a.n).parallel(a.block).vectorize(a.lane);
        sc.bound(a.lane, 0, a.channel_block);
        Stage update = sc.update();
        update.split(r[1], rxo, rxi, v, TailStrategy::GuardWithIf)
            .reorder(a.lane, r[0], rxi, rxo, r[2], a.block, a.n)
            .vectorize(a.lane)
            .unroll(r[0]);
        if (a.deterministic) update.parallel(a.block);
        a.g_channels.in(sc)
            .compute_at(sc, rxo)
            .store_in(MemoryType::Register)
            .bound_extent(a.c, v)
            .bound_extent(a.x, v)
            .reorder(a.x, a.c)
            .vectorize(a.x)
            .unroll(a.c);
        // Every pixel's sample, once for all channels.
        for (Func part : {a.index, a.weight}) {
            part.in(sc)
                .compute_root()
                .bound(a.part, 0, part_count(a, part))
                .reorder_storage(a.x, a.part)
                .reorder(a.part, a.x, a.y, a.n)
                .unroll(a.part)
                .parallel(a.y)
                .vectorize(a.x, v, TailStrategy::GuardWithIf);
        }
        // Back to NCHW: v x v register transposes.
        Func gi = a.grad_input;
        for (int full : {1, 0}) {
            Stage s = full ? gi.specialize(a.width >= v) : Stage(gi);
            s.split(a.c, co, ci, v, TailStrategy::GuardWithIf)
                .split(a.x, xo, xi, full ? v : 1, TailStrategy::ShiftInwards)
                .reorder(xi, ci, co, xo, a.y, a.n)
                .vectorize(xi)
                .unroll(ci)
                .parallel(a.y);
        }
        sc.in(gi)
            .compute_at(gi, co)
            .store_in(MemoryType::Register)
            .bound_extent(a.lane, v)
            .reorder(a.lane, a.x)
            .vectorize(a.lane)
            .unroll(a.x);
    }
};

}  // namespace halconv
