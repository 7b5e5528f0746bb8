// GPU schedules of deformable convolution, compiled for CUDA (the shipped
// GPU path) and OpenCL (run on PoCL by the test suite).
//
// Forward: each thread owns one output pixel x k_per_thread output channels
// (accumulators in registers); per (channel, tap) it samples the column
// value once (4 loads from the zero-bordered input, which is cached: a
// warp's pixels are neighbours) and uses it for all its channels. The
// sample's cell and weights are recomputed per channel (the offset group can
// change with the channel). No shared-memory staging: without a GPU to
// measure on, this is the unmeasured baseline (see the issue note).
//
// Backward: grad_columns one thread per (pixel, channel) with the reduction
// over the weight group's output channels in the thread; the per-group sums
// one thread per (pixel, tap, group); grad_input's scatter deterministic =
// one thread per channel adding its samples in order (the same bits every
// run, serial), atomic = one thread per pixel with float atomics;
// grad_weight per output row then rows in order, one thread per weight.
#pragma once

#include "tune/space.h"

#include "generators/deform_conv.h"

namespace halconv {

struct DeformGpuSchedule {
    GeneratorParam<int> threads_x{"gpu_deform_threads_x", 32};
    GeneratorParam<int> threads_y{"gpu_deform_threads_y", 4};
    GeneratorParam<int> k_per_thread{"gpu_deform_k_per_thread", 8};

    // Search space for `halconv tune` (tune/space.h): {name, default, candidates}.
    static tune::SearchSpace space(const std::string &) {
        tune::SearchSpace s;
        s.knobs = {
            {"gpu_deform_threads_x", 32, {8, 16, 32, 64}},
            {"gpu_deform_threads_y", 4, {1, 2, 4, 8, 16}},
            {"gpu_deform_k_per_thread", 8, {1, 2, 4, 8, 16}},
        };
        s.constraints = {
            {"a block has at most 1024 threads and whole warps: threads_x * threads_y in [32, 1024], % 32 == 0",
             [](const tune::Params &p, const tune::TargetInfo &) {
                 const int n = p.at("gpu_deform_threads_x") * p.at("gpu_deform_threads_y");
                 return n >= 32 && n <= 1024 && n % 32 == 0;
             }},
        };
        return s;
    }

    // (A row's columns over a block's threads, rows and channels over
    // blocks: the RDom's order kept, px inside py. Rows do not overlap,
    // which Halide cannot prove of py * padded_width + px:
    // allow_race_conditions.)
    void pad_input(DeformConv2dAlgorithm &a) const {
        RVar px = a.over_padded.x, py = a.over_padded.y, bx("bx"), tx("tx");
        a.padded.compute_root().bound(a.lane, 0, 1);
        a.padded.update()
            .allow_race_conditions()
            .split(px, bx, tx, int(threads_x) * int(threads_y), TailStrategy::GuardWithIf)
            .reorder(a.lane, tx, bx, py, a.block, a.n)
            .gpu_threads(tx)
            .gpu_blocks(bx, py, a.block);
    }

    // A pure stage over (x, y, inner..., n): threads over x and y tiles,
    // `outer` as a third block dimension.
    void pixels(Func f, Var x, Var y, Var outer) const {
        Var bx("bx"), by("by"), tx("tx"), ty("ty");
        f.compute_root()
            .split(x, bx, tx, threads_x, TailStrategy::GuardWithIf)
            .split(y, by, ty, threads_y, TailStrategy::GuardWithIf)
            .reorder(tx, ty, bx, by, outer)
            .gpu_blocks(bx, by, outer)
            .gpu_threads(tx, ty);
    }

    void apply_forward(DeformConv2dAlgorithm &a, const Target &) const {
        Var x = a.x, y = a.y, k = a.k, n = a.n;
        Var xo("xo"), tx("tx"), yo("yo"), ty("ty"), ko("ko"), ki("ki"), block_kn("block_kn");
        Func out = a.output;
        out.split(x, xo, tx, threads_x, TailStrategy::GuardWithIf)
            .split(y, yo, ty, threads_y, TailStrategy::GuardWithIf)
            .split(k, ko, ki, k_per_thread, TailStrategy::GuardWithIf)
            .reorder(ki, tx, ty, xo, yo, ko, n)
            .fuse(ko, n, block_kn)
            .gpu_blocks(xo, yo, block_kn)
            .gpu_threads(tx, ty)
            .unroll(ki);
        a.conv.compute_at(out, tx).bound_extent(k, k_per_thread).unroll(k);
        RDom r = a.red;
        a.conv.update().reorder(k, r[0], r[1], r[2], r[3]).unroll(k);
        a.columns.compute_at(a.conv, r[0]).bound(a.lane, 0, 1);
        a.sample_weight.compute_inline();
        a.sample_position.compute_inline();
        a.sample_pixel.compute_inline();
        a.sample_fraction.compute_inline();
        a.sample_cell.compute_inline();
        a.packed_weight.compute_inline();
        pad_input(a);
    }

    void apply_backward(DeformConv2dAlgorithm &a, Func grad_weight, Func grad_bias, const Target &) const {
        Var x = a.x, y = a.y, k = a.k, n = a.n, c = a.c, tap = a.tap, g = a.g, part = a.part;
        pad_input(a);
        a.grad_out.compute_inline();
        a.grad_out_blocked.compute_inline();
        a.transposed_weight.compute_inline();
        a.sample_position.compute_inline();
        a.sample_pixel.compute_inline();
        a.sample_fraction.compute_inline();
        a.sample_cell.compute_inline();
        a.sample_weight.compute_inline();
        a.sum_terms.compute_inline();
        a.scatter_factors.compute_inline();

        // grad_columns (c, tap, pixel, n): a thread per pixel of the
        // flattened plane, blocks over (pixels, channel); the taps and the
        // reduction in the thread.
        {
            Func gcol = a.grad_columns_flat;
            Var pixel = a.pixel, bp("bp"), tp("tp"), cn("cn");
            const int block_threads = int(threads_x) * int(threads_y);
            gcol.compute_root()
                .reorder(tap, pixel, c, n)
                .split(pixel, bp, tp, block_threads, TailStrategy::GuardWithIf)
                .fuse(c, n, cn)
                .reorder(tap, tp, bp, cn)
                .gpu_blocks(bp, cn)
                .gpu_threads(tp);
            gcol.update()
                .reorder(a.over_group_out, tap, pixel, c, n)
                .split(pixel, bp, tp, block_threads, TailStrategy::GuardWithIf)
                .fuse(c, n, cn)
                .reorder(a.over_group_out, tap, tp, bp, cn)
                .gpu_blocks(bp, cn)
                .gpu_threads(tp);
        }

        // Per-group sums: a thread per (x, y), blocks over (tiles, tap * group).
        {
            Func gs = a.group_sums;
            Var bx("bx"), by("by"), tx("tx"), ty("ty"), tg("tg");
            gs.compute_root()
                .bound(part, 0, kDeformSumParts)
                .reorder(part, x, y, tap, g, n)
                .split(x, bx, tx, threads_x, TailStrategy::GuardWithIf)
                .split(y, by, ty, threads_y, TailStrategy::GuardWithIf)
                .fuse(tap, g, tg)
                .fuse(tg, n, tg)
                .reorder(part, tx, ty, bx, by, tg)
                .gpu_blocks(bx, by, tg)
                .gpu_threads(tx, ty)
                .unroll(part);
            a.lane_sums.compute_at(gs, tx).bound(a.lane, 0, 1);
        }
        Var gxo("gxo"), gyo("gyo"), gxi("gxi"), gyi("gyi");
        for (Func f : {a.grad_offset, a.grad_mask, a.grad_input}) {
            f.compute_root().gpu_tile(x, y, gxo, gyo, gxi, gyi, threads_x, threads_y, TailStrategy::GuardWithIf);
        }

        // The scatter (lane, px, py, block, n) with blocks of one channel.
        {
            Func sc = a.scatter;
            RDom r = a.over_samples;
            Var bx("bx"), tx("tx"), cb("cb"), ct("ct");
            sc.compute_root()
                .bound(a.lane, 0, 1)
                .split(a.pixel, bx, tx, threads_x, TailStrategy::GuardWithIf)
                .reorder(tx, a.lane, bx, a.block, n)
                .gpu_blocks(bx, a.block)
                .gpu_threads(tx);
            if (a.deterministic) {
                sc.update()
                    .split(a.block, cb, ct, threads_x, TailStrategy::GuardWithIf)
                    .reorder(a.lane, r[0], r[1], r[2], r[3], ct, cb, n)
                    .gpu_blocks(cb, n)
                    .gpu_threads(ct);
            } else {
                RVar rbx("rbx"), rtx("rtx");
                sc.update()
                    .atomic()
                    .split(r[2], rbx, rtx, threads_x, TailStrategy::GuardWithIf)
                    .reorder(a.lane, r[0], r[1], a.block, rtx, rbx, r[3], n)
                    .gpu_blocks(rbx, r[3], n)
                    .gpu_threads(rtx);
            }
        }

        // grad_weight: per output row, one thread per (k, c'); then rows in order.
        {
            Func rw = a.row_weight_grads;
            Var kb("kb"), kt("kt"), yn("yn"), lb("lb"), lbg("lbg");
            rw.compute_root()
                .bound(a.lane, 0, 1)
                .split(k, kb, kt, threads_x, TailStrategy::GuardWithIf)
                .reorder(kt, a.lane, a.bi, g, kb, tap, y, n)
                .fuse(a.lane, a.bi, lb)
                .fuse(lb, g, lbg)
                .fuse(tap, y, yn)
                .fuse(yn, n, yn)
                .gpu_blocks(kb, lbg, yn)
                .gpu_threads(kt);
            rw.update()
                .split(k, kb, kt, threads_x, TailStrategy::GuardWithIf)
                .reorder(a.over_row, kt, a.lane, a.bi, g, kb, tap, y, n)
                .fuse(a.lane, a.bi, lb)
                .fuse(lb, g, lbg)
                .fuse(tap, y, yn)
                .fuse(yn, n, yn)
                .gpu_blocks(kb, lbg, yn)
                .gpu_threads(kt);
            a.columns.compute_inline();
            Func gw = a.grad_weight;
            Var s = gw.args()[0], rr = gw.args()[1], cg = gw.args()[2];
            Var k4 = gw.args()[3];
            gw.compute_root()
                .split(k4, kb, kt, threads_x, TailStrategy::GuardWithIf)
                .reorder(kt, s, rr, cg, kb)
                .gpu_blocks(cg, kb)
                .gpu_threads(kt);
            // The rows summed in order: one thread per (k, channel slot, tap).
            Func sw = a.summed_weight_grads;
            sw.compute_root()
                .bound(a.lane, 0, 1)
                .split(k, kb, kt, threads_x, TailStrategy::GuardWithIf)
                .reorder(kt, a.lane, a.bi, g, kb, tap)
                .fuse(a.lane, a.bi, lb)
                .fuse(lb, g, lbg)
                .gpu_blocks(kb, lbg, tap)
                .gpu_threads(kt);
            sw.update()
                .split(k, kb, kt, threads_x, TailStrategy::GuardWithIf)
                .reorder(a.over_rows.x, a.over_rows.y, kt, a.lane, a.bi, g, kb, tap)
                .fuse(a.lane, a.bi, lb)
                .fuse(lb, g, lbg)
                .gpu_blocks(kb, lbg, tap)
                .gpu_threads(kt);
            Func gb = a.grad_bias;
            Var kk = gb.args()[0];
            gb.compute_root().split(kk, kb, kt, threads_x, TailStrategy::GuardWithIf).gpu_blocks(kb).gpu_threads(kt);
            gb.update()
                .split(kk, kb, kt, threads_x, TailStrategy::GuardWithIf)
                .reorder(a.over_pixels.x, a.over_pixels.y, a.over_pixels.z, kt, kb)
                .gpu_blocks(kb)
                .gpu_threads(kt);
            // The outputs copy the reductions.
            Var o0 = grad_weight.args()[0], o1 = grad_weight.args()[1];
            grad_weight.gpu_tile(o0, o1, gxo, gyo, gxi, gyi, 4, 4, TailStrategy::GuardWithIf);
            Var b0 = grad_bias.args()[0];
            grad_bias.split(b0, kb, kt, threads_x, TailStrategy::GuardWithIf).gpu_blocks(kb).gpu_threads(kt);
        }
    }
};

}  // namespace halconv
