// GPU schedules of points collection, compiled for CUDA (the shipped GPU
// path) and OpenCL (run on PoCL by the test suite).
//
// Forward and grad_t: one thread per sample (x, y) in 2-D blocks, looping
// over the 2M channels with the sample's neighbours and weights in
// registers; a warp reads consecutive t and writes consecutive outputs.
// grad_d, deterministic: one thread per (channel, strip) scans its strip's
// samples in order into a per-strip partial sum; the strips are then added
// in order. Atomic: one thread per (sample, channel) adds into grad_d with
// float atomics.
#pragma once

#include "tune/space.h"

#include "generators/points_collection.h"

namespace halconv {

struct PointsGpuSchedule {
    GeneratorParam<int> threads_x{"gpu_points_threads_x", 32};
    GeneratorParam<int> threads_y{"gpu_points_threads_y", 8};
    // Image rows per partial grad_d sum (deterministic backward); fewer rows
    // = more parallel scans.
    GeneratorParam<int> strip_rows{"gpu_points_strip_rows", 2};
    GeneratorParam<int> channel_threads{"gpu_points_channel_threads", 32};

    // Search space for `halconv tune` (tune/space.h): {name, default,
    // candidates}. The backward also reads strip_rows (deterministic grad_d;
    // it changes the order of additions) and channel_threads.
    static tune::SearchSpace space(const std::string &op) {
        tune::SearchSpace s;
        s.knobs = {
            {"gpu_points_threads_x", 32, {8, 16, 32, 64, 128}},
            {"gpu_points_threads_y", 8, {1, 2, 4, 8, 16}},
        };
        if (op == "points_collection_backward") {
            s.knobs.push_back({"gpu_points_strip_rows", 2, {1, 2, 4, 8, 16}});
            s.knobs.push_back({"gpu_points_channel_threads", 32, {8, 16, 32, 64, 128}});
        }
        s.constraints = {
            {"a block has at most 1024 threads and whole warps: threads_x * threads_y in [32, 1024], % 32 == 0",
             [](const tune::Params &p, const tune::TargetInfo &) {
                 const int n = p.at("gpu_points_threads_x") * p.at("gpu_points_threads_y");
                 return n >= 32 && n <= 1024 && n % 32 == 0;
             }},
        };
        return s;
    }

    static int part_count(const PointsCollectionAlgorithm &a, Func part) {
        if (part.function().same_as(a.slope.function())) return kSlopeParts;
        return kCorners;
    }

    void per_sample_threads(Stage s, VarOrRVar x, VarOrRVar y, Var n, Var b) const {
        Var bx("bx"), by("by"), tx("tx"), ty("ty"), plane("plane");
        s.split(x, bx, tx, threads_x, TailStrategy::GuardWithIf)
            .split(y, by, ty, threads_y, TailStrategy::GuardWithIf)
            .reorder(tx, ty, bx, by, n, b)
            .fuse(n, b, plane)
            .gpu_blocks(bx, by, plane)
            .gpu_threads(tx, ty);
    }

    void apply_forward(PointsCollectionAlgorithm &a, const Target &) const {
        Func out = a.output;
        out.reorder(a.k, a.x, a.y, a.n, a.b);
        per_sample_threads(out, a.x, a.y, a.n, a.b);
        for (Func part : {a.index, a.weight}) {
            part.compute_at(out, Var("tx")).bound(a.part, 0, part_count(a, part)).unroll(a.part);
        }
        a.lower.compute_inline();
    }

    void apply_backward(PointsCollectionAlgorithm &a, Func grad_targets, const Target &) const {
        grad_targets.reorder(a.comp, a.x, a.y, a.n, a.b);
        per_sample_threads(grad_targets, a.x, a.y, a.n, a.b);
        a.grad_t.compute_at(grad_targets, Var("tx")).unroll(a.comp);
        a.grad_t.update().reorder(a.comp, a.over_k).unroll(a.comp);
        for (Func part : {a.index, a.slope}) {
            part.in(a.dinterp).compute_at(grad_targets, Var("tx")).bound(a.part, 0, part_count(a, part)).unroll(a.part);
        }
        a.lower.compute_inline();

        RDom r = a.over_samples;
        Var kb("kb"), kt("kt"), pb("pb"), pt("pt"), qb("qb"), qt("qt");
        RVar xb("xb"), xt("xt");
        auto channel_threads_over = [&](Stage s, VarOrRVar outer0, VarOrRVar outer1) {
            s.split(a.k, kb, kt, channel_threads, TailStrategy::GuardWithIf).gpu_blocks(kb, outer0, outer1).gpu_threads(kt);
        };
        if (a.deterministic) {
            a.partial.compute_root();
            channel_threads_over(a.partial, a.pixel, a.strip);
            // One thread per (channel, strip) scans the strip's samples in order.
            a.partial.update()
                .split(a.k, kb, kt, channel_threads, TailStrategy::GuardWithIf)
                .reorder(kt, r[0], r[1], r[2], r[3], kb, a.strip, a.b)
                .gpu_blocks(kb, a.strip, a.b)
                .gpu_threads(kt);
            a.scattered.compute_root();
            channel_threads_over(a.scattered, a.pixel, a.b);
            channel_threads_over(a.scattered.update(), a.pixel, a.b);
        } else {
            a.scattered.compute_root();
            channel_threads_over(a.scattered, a.pixel, a.b);
            a.scattered.update()
                .atomic()
                .split(a.k, kb, kt, channel_threads, TailStrategy::GuardWithIf)
                .split(r[1], xb, xt, threads_x, TailStrategy::GuardWithIf)
                .reorder(r[0], kt, xt, kb, xb, r[2], r[3], a.b)
                .gpu_blocks(xb, r[2], r[3])
                .gpu_threads(kt, xt);
        }
        a.g_channels.compute_inline();
        a.grad_d.gpu_tile(a.q, a.p, qb, pb, qt, pt, threads_x, threads_y, TailStrategy::GuardWithIf);
    }
};

}  // namespace halconv
