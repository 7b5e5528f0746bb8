// GPU schedules of the pooling family, compiled for CUDA (the shipped GPU
// path) and OpenCL (run on PoCL by the test suite, so the indexing of these
// schedules is checked on every CI run without a GPU).
//
// Pooling does ~1 op per byte: a kernel is good when its global loads
// coalesce and every output is written once. One thread per output (or a
// few along y), threads along x so that a warp reads consecutive input
// columns (stride-2 windows touch every byte of the 128-byte lines they
// load), blocks over (x, y, plane). Windows are reduced in registers; the
// overlap of neighbouring windows is served by L1/L2.
// Scatters (unpool, max-pool backward) give each thread one source element;
// max_pool2d_backward adds with float atomics (the order of additions to one
// input position, from overlapping windows only, varies from run to run,
// as in PyTorch's CUDA kernel); unpool writes are plain stores.
#pragma once

#include "tune/space.h"

#include "generators/pool.h"

namespace halconv {

struct PoolGpuSchedule {
    GeneratorParam<int> threads_x{"gpu_pool_threads_x", 32};
    GeneratorParam<int> threads_y{"gpu_pool_threads_y", 8};
    // Scatters: source elements per block.
    GeneratorParam<int> scatter_threads{"gpu_pool_scatter_threads", 256};

    // Search space for `halconv tune` (tune/space.h): {name, default,
    // candidates}. The scatters (max_unpool2d, max_pool2d_backward) read
    // only scatter_threads; every other pool reads the 2-D block.
    static tune::SearchSpace space(const std::string &op) {
        tune::SearchSpace s;
        if (op == "max_unpool2d" || op == "max_pool2d_backward") {
            s.knobs = {{"gpu_pool_scatter_threads", 256, {64, 128, 256, 512, 1024}}};
            return s;
        }
        s.knobs = {
            {"gpu_pool_threads_x", 32, {8, 16, 32, 64, 128}},
            {"gpu_pool_threads_y", 8, {1, 2, 4, 8, 16}},
        };
        s.constraints = {
            {"a block has at most 1024 threads and whole warps: threads_x * threads_y in [32, 1024], % 32 == 0",
             [](const tune::Params &p, const tune::TargetInfo &) {
                 const int n = p.at("gpu_pool_threads_x") * p.at("gpu_pool_threads_y");
                 return n >= 32 && n <= 1024 && n % 32 == 0;
             }},
        };
        return s;
    }

    // out(x, y, c, n) with one thread per output, (plane, y-blocks) fused.
    void tile_output(Stage out, VarOrRVar x, VarOrRVar y, Var c, Var n, Var &tx) const {
        Var bx("bx"), by("by"), ty("ty"), plane("plane");
        out.split(x, bx, tx, threads_x, TailStrategy::GuardWithIf)
            .split(y, by, ty, threads_y, TailStrategy::GuardWithIf)
            .reorder(tx, ty, bx, by, c, n)
            .fuse(c, n, plane)
            .gpu_blocks(bx, by, plane)
            .gpu_threads(tx, ty);
    }

    void apply(WindowPoolAlgorithm &a, const Target &) const {
        Var tx("tx");
        // windows_inside must be known in every branch (the algorithm reads
        // the input unchecked when it is 1); the unspecialized remainder is
        // unreachable (the Input is range-checked to 0..1).
        for (int inside : {1, 0}) tile_output(a.output.specialize(a.windows_inside == inside), a.x, a.y, a.c, a.n, tx);
        tile_output(a.output, a.x, a.y, a.c, a.n, tx);
        // Each thread reduces its window in registers, any kernel size.
        a.pool.compute_at(a.output, tx);
        if (a.index.defined()) {
            a.index.compute_at(a.output, tx);
            a.first_tap_x.compute_inline();
        }
        a.padded.compute_inline();
    }

    void apply(SubsampleAlgorithm &a, const Target &) const {
        Var tx("tx");
        tile_output(a.output, a.x, a.y, a.c, a.n, tx);
    }

    void apply(AdaptivePoolAlgorithm &a, const Target &) const {
        Var tx("tx");
        tile_output(a.output, a.x, a.y, a.c, a.n, tx);
        a.pool.compute_at(a.output, tx);
        if (a.index.defined()) a.index.compute_at(a.output, tx);
        for (Func table : {a.start_x, a.end_x, a.start_y, a.end_y}) table.compute_inline();
    }

    void apply(ScatterAlgorithm &a, const Target &) const {
        Var plane("plane"), bi("bi"), ti("ti");
        a.output.fuse(a.c, a.n, plane)
            .split(a.i, bi, ti, scatter_threads, TailStrategy::GuardWithIf)
            .gpu_blocks(bi, plane)
            .gpu_threads(ti);
        RVar bs("bs"), ts("ts");
        // Atomics: float adds for the backward; for unpool the writes are
        // plain stores (any one of duplicate indices wins, as in PyTorch's
        // CUDA kernel), which Halide's associativity check cannot see.
        a.output.update()
            .atomic(/*override_associativity_test=*/!a.accumulate)
            .fuse(a.c, a.n, plane)
            .split(a.src, bs, ts, scatter_threads, TailStrategy::GuardWithIf)
            .gpu_blocks(bs, plane)
            .gpu_threads(ts);
    }

    void apply(AvgPoolBackwardAlgorithm &a, const Target &) const {
        Var tx("tx"), tx2("tx2");
        tile_output(a.output, a.x, a.y, a.c, a.n, tx);
        tile_output(a.output.update(), a.x, a.y, a.c, a.n, tx2);
        a.row.compute_at(a.output, a.taps_y);
        a.scaled.compute_inline();
    }
};

}  // namespace halconv
