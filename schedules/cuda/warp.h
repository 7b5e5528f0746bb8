// GPU schedules of flow_warp, compiled for CUDA (the shipped GPU path) and
// OpenCL (run on PoCL by the test suite).
//
// Forward and grad_flow: one thread per pixel in 2-D blocks, looping over
// the channels with the pixel's sample in registers; a warp's loads of the
// flow and stores of the output coalesce, its gathers hit neighbouring rows.
// grad_input: deterministic = one thread per channel (c, n) adding its
// pixels in order (the same bits every run, but serial over pixels);
// atomic = one thread per pixel with float atomics (fast; the order varies).
#pragma once

#include "tune/space.h"

#include "generators/flow_warp.h"

namespace halconv {

struct WarpGpuSchedule {
    GeneratorParam<int> threads_x{"gpu_warp_threads_x", 32};
    GeneratorParam<int> threads_y{"gpu_warp_threads_y", 8};

    // Search space for `halconv tune` (tune/space.h): {name, default,
    // candidates}; forward and backward (whose deterministic scatter also
    // puts threads_x channels in a block) share them.
    static tune::SearchSpace space(const std::string &) {
        tune::SearchSpace s;
        s.knobs = {
            {"gpu_warp_threads_x", 32, {8, 16, 32, 64, 128}},
            {"gpu_warp_threads_y", 8, {1, 2, 4, 8, 16}},
        };
        s.constraints = {
            {"a block has at most 1024 threads and whole warps: threads_x * threads_y in [32, 1024], % 32 == 0",
             [](const tune::Params &p, const tune::TargetInfo &) {
                 const int n = p.at("gpu_warp_threads_x") * p.at("gpu_warp_threads_y");
                 return n >= 32 && n <= 1024 && n % 32 == 0;
             }},
        };
        return s;
    }

    static int part_count(const FlowWarpAlgorithm &a, Func part) {
        if (part.function().same_as(a.weight.function())) return kWarpWeightParts;
        if (part.function().same_as(a.slope.function())) return kWarpSlopeParts;
        return kWarpIndexParts;
    }

    void per_pixel(Stage s, VarOrRVar inner, Var x, Var y, Var n) const {
        Var bx("bx"), by("by"), tx("tx"), ty("ty");
        s.reorder(inner, x, y, n)
            .split(x, bx, tx, threads_x, TailStrategy::GuardWithIf)
            .split(y, by, ty, threads_y, TailStrategy::GuardWithIf)
            .reorder(inner, tx, ty, bx, by, n)
            .gpu_blocks(bx, by, n)
            .gpu_threads(tx, ty);
    }

    void apply_forward(FlowWarpAlgorithm &a, const Target &) const {
        // (Channel blocks of 1: blocked_input and interp are plain NCHW reads.)
        a.blocked_input.compute_inline();
        a.interp.compute_inline();
        per_pixel(a.output, a.c, a.x, a.y, a.n);
        for (Func part : {a.index, a.weight}) {
            part.compute_at(a.output, Var("tx")).bound(a.part, 0, part_count(a, part)).unroll(a.part);
        }
    }

    void apply_backward(FlowWarpAlgorithm &a, const Target &) const {
        // grad_flow: one thread per pixel; channel blocks of 1 (lanes of
        // extent 1), summed over channels in the thread.
        a.blocked_input.compute_inline();
        a.g_blocked.compute_inline();
        Func gf = a.grad_flow;
        per_pixel(gf, a.comp, a.x, a.y, a.n);
        {
            Var bx("bx"), by("by"), tx("tx"), ty("ty");
            gf.update()
                .reorder(a.comp, a.over_lanes, a.x, a.y, a.n)
                .split(a.x, bx, tx, threads_x, TailStrategy::GuardWithIf)
                .split(a.y, by, ty, threads_y, TailStrategy::GuardWithIf)
                .reorder(a.comp, a.over_lanes, tx, ty, bx, by, a.n)
                .gpu_blocks(bx, by, a.n)
                .gpu_threads(tx, ty)
                .unroll(a.comp);
        }
        a.flow_lanes.compute_at(gf, Var("tx")).bound(a.comp, 0, 2).bound(a.lane, 0, 1).unroll(a.comp);
        a.flow_lanes.update().reorder(a.comp, a.lane, a.over_blocks).unroll(a.comp);
        for (Func part : {a.index, a.slope}) {
            part.in(a.flow_lanes).compute_at(gf, Var("tx")).bound(a.part, 0, part_count(a, part)).unroll(a.part);
        }
        a.weight.in(gf).compute_at(gf, Var("tx")).bound(a.part, 0, part_count(a, a.weight)).unroll(a.part);
        // The scatter's sums (lane, x, y, block, n); on GPUs blocks of one
        // channel (lane extent 1), so block = channel.
        Func sc = a.scatter;
        RDom r = a.over_samples;
        Var bx("bx"), tx("tx"), cb("cb"), ct("ct");
        sc.compute_root()
            .bound(a.lane, 0, 1)
            .split(a.x, bx, tx, threads_x, TailStrategy::GuardWithIf)
            .reorder(tx, a.lane, bx, a.y, a.block, a.n)
            .gpu_blocks(bx, a.y, a.block)
            .gpu_threads(tx);
        if (a.deterministic) {
            // One thread per channel, its pixels in order.
            sc.update()
                .split(a.block, cb, ct, threads_x, TailStrategy::GuardWithIf)
                .reorder(a.lane, r[0], r[1], r[2], ct, cb, a.n)
                .gpu_blocks(cb, a.n)
                .gpu_threads(ct);
        } else {
            RVar rbx("rbx"), rtx("rtx");
            sc.update()
                .atomic()
                .split(r[1], rbx, rtx, threads_x, TailStrategy::GuardWithIf)
                .reorder(a.lane, r[0], a.block, rtx, rbx, r[2], a.n)
                .gpu_blocks(rbx, r[2], a.n)
                .gpu_threads(rtx);
        }
        a.g_channels.compute_inline();
        Var by("by"), ty("ty");
        a.grad_input.gpu_tile(a.x, a.y, bx, by, tx, ty, threads_x, threads_y, TailStrategy::GuardWithIf);
    }
};

}  // namespace halconv
