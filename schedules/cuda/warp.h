// GPU schedules of flow_warp, compiled for CUDA (the shipped GPU path) and
// OpenCL (run on PoCL by the test suite).
//
// Forward and grad_flow: one thread per pixel in 2-D blocks, looping over
// the channels with the pixel's sample in registers; a warp's loads of the
// flow and stores of the output coalesce, its gathers hit neighbouring rows.
// grad_input: deterministic = one thread per plane (c, n) adding its pixels
// in order (slow but the same bits every run); atomic = one thread per
// (pixel, plane) with float atomics (fast; the order varies).
#pragma once

#include "generators/flow_warp.h"

namespace halconv {

struct WarpGpuSchedule {
    GeneratorParam<int> threads_x{"gpu_warp_threads_x", 32};
    GeneratorParam<int> threads_y{"gpu_warp_threads_y", 8};

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
        per_pixel(a.output, a.c, a.x, a.y, a.n);
        for (Func part : {a.index, a.weight}) {
            part.compute_at(a.output, Var("tx")).bound(a.part, 0, part_count(a, part)).unroll(a.part);
        }
    }

    void apply_backward(FlowWarpAlgorithm &a, const Target &) const {
        Func gf = a.grad_flow;
        per_pixel(gf, a.comp, a.x, a.y, a.n);
        {
            Var bx("bx"), by("by"), tx("tx"), ty("ty");
            gf.update()
                .reorder(a.comp, a.over_c, a.x, a.y, a.n)
                .split(a.x, bx, tx, threads_x, TailStrategy::GuardWithIf)
                .split(a.y, by, ty, threads_y, TailStrategy::GuardWithIf)
                .reorder(a.comp, a.over_c, tx, ty, bx, by, a.n)
                .gpu_blocks(bx, by, a.n)
                .gpu_threads(tx, ty)
                .unroll(a.comp);
        }
        for (Func part : {a.index, a.weight, a.slope}) {
            part.in(gf).compute_at(gf, Var("tx")).bound(a.part, 0, part_count(a, part)).unroll(a.part);
        }
        Func gi = a.grad_input;
        Var plane("plane"), bx("bx"), tx("tx");
        RDom r = a.over_samples;
        gi.fuse(a.c, a.n, plane)
            .split(a.x, bx, tx, threads_x, TailStrategy::GuardWithIf)
            .gpu_blocks(bx, a.y, plane)
            .gpu_threads(tx);
        if (a.deterministic) {
            // One thread per plane, its pixels in order.
            gi.update().reorder(r[0], r[1], r[2], a.c, a.n).fuse(a.c, a.n, plane).gpu_blocks(plane);
        } else {
            RVar rbx("rbx"), rtx("rtx");
            gi.update()
                .atomic()
                .reorder(r[0], r[1], r[2], a.c, a.n)
                .split(r[1], rbx, rtx, threads_x, TailStrategy::GuardWithIf)
                .fuse(a.c, a.n, plane)
                .gpu_blocks(rbx, r[2], plane)
                .gpu_threads(rtx);
        }
    }
};

}  // namespace halconv
