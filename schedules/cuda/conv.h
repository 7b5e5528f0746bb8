// GPU schedules of the convolution family. The same schedule is compiled for
// CUDA (the shipped GPU path) and OpenCL (run on PoCL by the test suite, so
// the schedule's indexing is checked on every CI run without a GPU).
//
// Each thread owns a register tile of rows_per_thread output rows x
// k_per_thread output channels at one x: per reduction step it loads
// rows_per_thread inputs (coalesced along x across the warp) and
// k_per_thread weights (uniform across the warp: one broadcast transaction)
// for rows_per_thread * k_per_thread FMAs (8 x 2 = 16 accumulators).
// Registers (ptxas -v, sm_80/sm_90): conv2d 72-77, conv_transpose2d 128
// (its phase tables and tap offsets). Halide 14's CUDA runtime would cap
// them at 64 and spill; the runtime sets HL_CUDA_JIT_MAX_REGISTERS=128 (a
// user's value wins), and tests/ptx assembles every kernel under that cap
// and fails on any spill. No shared-memory staging yet: without a GPU to
// measure on, L1/texture-cache reuse is the unmeasured baseline.
#pragma once

#include "tune/space.h"

#include "generators/conv.h"

namespace halconv {

struct ConvGpuSchedule {
    GeneratorParam<int> threads_x{"gpu_threads_x", 32};
    GeneratorParam<int> threads_y{"gpu_threads_y", 4};
    GeneratorParam<int> k_per_thread{"gpu_k_per_thread", 8};
    GeneratorParam<int> rows_per_thread{"gpu_rows_per_thread", 2};
    GeneratorParam<int> reduction_unroll{"gpu_reduction_unroll", 1};

    // Search space for `halconv tune` (tune/space.h): {name, default, candidates}.
    static tune::SearchSpace space(const std::string &op) {
        tune::SearchSpace s;
        s.knobs = {
            {"gpu_threads_x", 32, {8, 16, 32, 64}},
            {"gpu_threads_y", 4, {1, 2, 4, 8, 16}},
            {"gpu_k_per_thread", 8, {1, 2, 4, 8, 16}},
        };
        // conv_transpose2d's thread tiles are one row, not unrolled.
        if (op == "conv2d") {
            s.knobs.push_back({"gpu_rows_per_thread", 2, {1, 2, 4}});
            s.knobs.push_back({"gpu_reduction_unroll", 1, {1, 2, 3}});
        }
        s.constraints = {
            {"a block has at most 1024 threads and whole warps: threads_x * threads_y in [32, 1024], % 32 == 0",
             [](const tune::Params &p, const tune::TargetInfo &) {
                 const int n = p.at("gpu_threads_x") * p.at("gpu_threads_y");
                 return n >= 32 && n <= 1024 && n % 32 == 0;
             }},
            {"accumulators stay in registers: k_per_thread * rows_per_thread <= 32",
             [](const tune::Params &p, const tune::TargetInfo &) {
                 const int rows = p.count("gpu_rows_per_thread") ? p.at("gpu_rows_per_thread") : 1;
                 return p.at("gpu_k_per_thread") * rows <= 32;
             }},
        };
        return s;
    }

    // Shared by both operators: out(x, y, k, n) in thread tiles; `acc` is
    // the per-thread accumulator Func computed inside the thread loops.
    void tile_output(Func out, Var x, Var y, Var k, Var n, Var &thread_x, int rows) const {
        Var xo("xo"), yo("yo"), yi("yi"), ty("ty"), yr("yr"), ko("ko"), ki("ki"), block_kn("block_kn");
        out.split(x, xo, thread_x, threads_x, TailStrategy::GuardWithIf)
            .split(y, yo, yi, threads_y * rows, TailStrategy::GuardWithIf)
            .split(yi, ty, yr, rows, TailStrategy::GuardWithIf)
            .split(k, ko, ki, k_per_thread, TailStrategy::GuardWithIf)
            .reorder(yr, ki, thread_x, ty, xo, yo, ko, n)
            .fuse(ko, n, block_kn)
            .gpu_blocks(xo, yo, block_kn)
            .gpu_threads(thread_x, ty)
            .unroll(yr)
            .unroll(ki);
    }

    void apply(Conv2dAlgorithm &a, const Target &) const {
        Var thread_x("thread_x");
        tile_output(a.output, a.x, a.y, a.k, a.n, thread_x, rows_per_thread);
        a.conv.compute_at(a.output, thread_x).unroll(a.y).unroll(a.k);
        Stage acc = a.conv.update().reorder(a.y, a.k, a.red.x, a.red.y, a.red.z).unroll(a.y).unroll(a.k);
        if (reduction_unroll > 1) {
            acc.unroll(a.red.x, reduction_unroll, TailStrategy::GuardWithIf);
        }
        a.padded.compute_inline();
    }

    void apply(ConvTranspose2dAlgorithm &a, const Target &) const {
        Var thread_x("thread_x");
        // One row per thread: rows of different phases share no taps.
        tile_output(a.output, a.x, a.y, a.k, a.n, thread_x, 1);
        a.phase_out.compute_inline();
        a.acc.compute_at(a.output, thread_x).unroll(a.k);
        a.acc.update().reorder(a.k, a.red.x, a.red.y, a.red.z).unroll(a.k);
        a.padded.compute_inline();
    }
};

}  // namespace halconv
