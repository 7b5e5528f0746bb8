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
// (converted samples) the same way.
#pragma once

#include "tune/space.h"

#include "generators/filter.h"

namespace halconv {

struct FilterGpuSchedule {
    GeneratorParam<int> tile_x{"gpu_filter_tile_x", 64};
    GeneratorParam<int> tile_y{"gpu_filter_tile_y", 4};

    // Search space for `halconv tune` (tune/space.h): {name, default,
    // candidates}; the same knobs for every filter pipeline. The direct
    // filter's staged rows (row_pass_in_shared) span the tile plus the
    // kernel's vertical halo, so its blocks have tile_x * (tile_y + kh - 1)
    // threads: bounded here for kernels up to 9 rows.
    static tune::SearchSpace space(const std::string &op) {
        tune::SearchSpace s;
        s.knobs = {
            {"gpu_filter_tile_x", 64, {16, 32, 64, 128, 256}},
            {"gpu_filter_tile_y", 4, {1, 2, 4, 8, 16}},
        };
        s.constraints = {
            {"a block has at most 1024 threads and whole warps: tile_x * tile_y in [32, 1024], % 32 == 0",
             [](const tune::Params &p, const tune::TargetInfo &) {
                 const int n = p.at("gpu_filter_tile_x") * p.at("gpu_filter_tile_y");
                 return n >= 32 && n <= 1024 && n % 32 == 0;
             }},
        };
        if (op.rfind("gradient_magnitude", 0) == 0) {
            s.constraints.push_back({"gradient: the staged rows' threads fit a block: tile_x * (tile_y + 2) <= 1024",
                                     [](const tune::Params &p, const tune::TargetInfo &) {
                                         return p.at("gpu_filter_tile_x") * (p.at("gpu_filter_tile_y") + 2) <= 1024;
                                     }});
        }
        if (op.rfind("filter_direct", 0) == 0) {
            s.constraints.push_back({"direct: the staged rows' threads fit a block: tile_x * (tile_y + 8) <= 1024",
                                     [](const tune::Params &p, const tune::TargetInfo &) {
                                         return p.at("gpu_filter_tile_x") * (p.at("gpu_filter_tile_y") + 8) <= 1024;
                                     }});
        }
        return s;
    }

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
        // The block's bordered rows (tile + a row above and below, + the
        // horizontal halo) in shared memory; each thread then reads its
        // 3 x 3 neighbourhood from there.
        row_pass_in_shared(a.rows, a.output, bx, 0);
        a.smooth_y.compute_inline();
        a.diff_y.compute_inline();
        a.magnitude.compute_inline();
    }
};

}  // namespace halconv
