// GPU schedules of the image filters, compiled for CUDA (the shipped GPU
// path) and OpenCL (run on PoCL by the test suite, so these schedules'
// indexing is checked on every CI run without a GPU).
//
// Filters read each input sample kw*kh times but from neighbouring threads:
// one thread per output sample, threads along the interleaved row (fx) so a
// warp's loads coalesce. The separable filters stage the vertical pass of a
// block's tile (tile plus the horizontal halo) in shared memory, then each
// thread sums its row taps from it: kh + kw reads per output instead of
// kh * kw. The direct filter and the gradient stage their bordered rows
// (converted samples; vertical smoothing and difference) the same way.
#pragma once

#include "generators/filter.h"

namespace halconv {

struct FilterGpuSchedule {
    GeneratorParam<int> tile_x{"gpu_filter_tile_x", 64};
    GeneratorParam<int> tile_y{"gpu_filter_tile_y", 4};

    // One kernel per case (Halide substitutes the condition into it).
    void tile_output(Func out, Var fx, Var y, Var &bx, Var &tx, Var &ty, const std::vector<Expr> &cases = {}) const {
        Var by("by");
        for (const Expr &c : cases) {
            out.specialize(c).gpu_tile(fx, y, bx, by, tx, ty, tile_x, tile_y, TailStrategy::GuardWithIf);
        }
        out.gpu_tile(fx, y, bx, by, tx, ty, tile_x, tile_y, TailStrategy::GuardWithIf);
    }

    // A row pass (pure stage, `reduction_updates` reductions, then the two
    // border-column fixes) computed per block in shared memory: threads
    // across (column, row), tile_x-strided columns per thread; the border
    // columns by one thread per row.
    void row_pass_in_shared(Func f, Func out, Var bx, int reduction_updates) const {
        Var fx = f.args()[0], y = f.args()[1];
        Var vo("vo"), vi("vi");
        f.compute_at(out, bx)
            .store_in(MemoryType::GPUShared)
            .split(fx, vo, vi, tile_x, TailStrategy::GuardWithIf)
            .reorder(vi, y, vo)
            .gpu_threads(vi, y);
        for (int u = 0; u < reduction_updates; u++) {
            f.update(u).split(fx, vo, vi, tile_x, TailStrategy::GuardWithIf).reorder(vi, y, vo).gpu_threads(vi, y);
        }
        // Border columns: one thread per row walks them.
        for (int u = reduction_updates; u < reduction_updates + 2; u++) f.update(u).gpu_threads(y);
    }

    void apply(SeparableFilterAlgorithm &a, Type, const Target &) const {
        Var bx("bx"), tx("tx"), ty("ty");
        // Integer path: one kernel with the 16-bit horizontal pass, one with the 32-bit.
        tile_output(a.output, a.fx, a.y, bx, tx, ty,
                    a.integer ? std::vector<Expr>{a.narrow == 1, a.narrow == 0} : std::vector<Expr>{});
        // The block's vertical pass (tile + halo) in shared memory.
        row_pass_in_shared(a.vertical, a.output, bx, 1);
        a.horizontal.compute_at(a.output, tx);
        if (a.integer) a.horizontal_narrow.compute_at(a.output, tx);
    }

    void apply(DirectFilterAlgorithm &a, Type, const Target &) const {
        Var bx("bx"), tx("tx"), ty("ty");
        tile_output(a.output, a.fx, a.y, bx, tx, ty);
        row_pass_in_shared(a.samples, a.output, bx, 0);
        a.sum.compute_at(a.output, tx);
    }

    void apply(GradientAlgorithm &a, Type, const Target &) const {
        Var bx("bx"), tx("tx"), ty("ty");
        tile_output(a.output, a.fx, a.y, bx, tx, ty);
        row_pass_in_shared(a.smooth_y, a.output, bx, 0);
        row_pass_in_shared(a.diff_y, a.output, bx, 0);
        a.magnitude.compute_inline();
    }
};

}  // namespace halconv
