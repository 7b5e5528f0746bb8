// CPU-SIMD schedules of the convolution family (conv2d, conv_transpose2d).
//
// conv2d, dense (groups == 1): NCHW in and out, vectorized over output
// channels. Weights arrive blocked by output channel (generators/conv.h), so
// one aligned vector load gives a tile's channels; the input value of each
// output position is a broadcast. Register tile: x_tile positions x
// tile_rows rows, each a vector of `vec` output channels:
//   AVX2 (16 ymm):   7 x 2 = 14 accumulators + 1 weight + 1 broadcast = 16.
//   AVX-512 (32 zmm): 7 x 4 = 28 accumulators + 2 = 30.
// Per step (one input channel and tap): 1 vector load + 14 broadcasts for 14
// FMAs (Zen3 issues 3 loads and 2 FMAs a cycle: FMA-bound). x_tile = 7 tiles
// the 56/28/14/7-wide ResNet layers exactly, whatever the stride or
// dilation (broadcasts need no shuffles). Each finished tile goes into a row
// buffer (NCHW order, one scattered store per output: ~2% of a 3x3x64
// reduction, but ~15% of a 1x1x64 one), from which the output stage copies
// rows with full vectors.
// Peak (2 cores) = 2 cores x 2 FMA ports x lanes x 2 flop x clock: 205
// GFLOP/s measured on the Zen3 CI machine; 3x3 layers reach 44-59% of it
// (bench/results/conv.md, kept current with scripts/bench). On Zen 4 (the
// AVX-512 variant; 512-bit FMAs issue as two 256-bit halves, so the same
// peak, 233 GFLOP/s measured) the 28-tile's 7 x 4 fills the 32 registers and
// 3x3 layers reach 64-79%.
//
// The zero-padded input is materialised once per task (strip of rows, or a
// whole small image), so the inner loops read it without bounds checks.
#pragma once

#include "tune/space.h"

#include <functional>

#include "generators/conv.h"

namespace halconv {

struct ConvCpuSchedule {
    // 0 = the hand-tuned value for the target's vector registers (see above).
    GeneratorParam<int> x_tile{"cpu_x_tile", 7};
    GeneratorParam<int> tile_rows{"cpu_tile_rows", 0};
    GeneratorParam<int> strip_rows{"cpu_strip_rows", 4};
    // Below this many input channels per group the kernel-column loop is the
    // innermost reduction loop instead (the RGB stem: C = 3, 7x7 taps).
    GeneratorParam<int> few_channels{"cpu_few_channels", 8};
    // Input channels per reduction chunk: the chunk's input rows and weights
    // for one kernel tap stay in L1 while every tap sweeps them.
    GeneratorParam<int> channel_chunk{"cpu_channel_chunk", 32};
    // Output images of at most this many pixels are split across cores by
    // output channels instead of by rows (see apply()).
    GeneratorParam<int> small_image_pixels{"cpu_small_image_pixels", 1024};
    // conv_transpose2d: coarse rows per register tile (x_tile positions each).
    GeneratorParam<int> phase_rows{"cpu_phase_rows", 2};
    // Depthwise: vectorized along x, dw_x_vectors vectors x dw_rows rows
    // accumulators of one channel.
    GeneratorParam<int> dw_x_vectors{"cpu_dw_x_vectors", 2};
    GeneratorParam<int> dw_rows{"cpu_dw_rows", 4};

    // Search space for `halconv tune` (tune/space.h): one line per knob,
    // {name, hand-tuned default, candidates}. conv2d and conv_transpose2d
    // share this schedule; each is offered only the knobs it reads.
    static tune::SearchSpace space(const std::string &op) {
        tune::SearchSpace s;
        if (op == "conv_transpose2d") {
            // Phase tiles: x_tile coarse positions x phase_rows coarse rows.
            s.knobs = {
                {"cpu_x_tile", 7, {3, 4, 5, 6, 7, 8, 10, 12, 14}},
                {"cpu_phase_rows", 2, {1, 2, 3, 4}},
                {"cpu_channel_chunk", 32, {8, 16, 32, 64}},
            };
            s.constraints = {{"accumulators + weight + broadcast fit the vector registers: "
                              "x_tile * phase_rows + 2 <= registers",
                              [](const tune::Params &p, const tune::TargetInfo &t) {
                                  return p.at("cpu_x_tile") * p.at("cpu_phase_rows") + 2 <= t.vector_registers;
                              }}};
            return s;
        }
        s.knobs = {
            {"cpu_x_tile", 7, {3, 4, 5, 6, 7, 8, 10, 12, 14}},
            {"cpu_tile_rows", 0, {0, 1, 2, 3, 4}},  // 0: 2 rows on AVX2, 4 on AVX-512
            {"cpu_strip_rows", 4, {2, 4, 6, 8, 12, 16}},
            {"cpu_channel_chunk", 32, {8, 16, 32, 64}},
            {"cpu_few_channels", 8, {4, 8}},
            {"cpu_small_image_pixels", 1024, {0, 256, 1024, 4096}},
            {"cpu_dw_x_vectors", 2, {1, 2, 3, 4}},
            {"cpu_dw_rows", 4, {1, 2, 4, 6}},
        };
        auto rows = [](const tune::Params &p, const tune::TargetInfo &t) {
            const int r = p.at("cpu_tile_rows");
            return r > 0 ? r : (t.vector_registers >= 32 ? 4 : 2);
        };
        s.constraints = {
            {"accumulators + weight + broadcast fit the vector registers: x_tile * tile_rows + 2 <= registers",
             [rows](const tune::Params &p, const tune::TargetInfo &t) {
                 return p.at("cpu_x_tile") * rows(p, t) + 2 <= t.vector_registers;
             }},
            {"a strip holds at least one register tile: strip_rows >= tile_rows",
             [rows](const tune::Params &p, const tune::TargetInfo &t) { return p.at("cpu_strip_rows") >= rows(p, t); }},
            {"depthwise accumulators fit: dw_x_vectors * dw_rows + 2 <= registers",
             [](const tune::Params &p, const tune::TargetInfo &t) {
                 return p.at("cpu_dw_x_vectors") * p.at("cpu_dw_rows") + 2 <= t.vector_registers;
             }},
        };
        return s;
    }

    bool wide(const Target &t) const { return t.has_feature(Target::AVX512); }
    int resolved_tile_rows(const Target &t) const {
        if (tile_rows > 0) return tile_rows;
        return wide(t) ? 4 : 2;
    }

    void apply(Conv2dAlgorithm &a, const Target &t) const {
        const int vec = t.natural_vector_size<float>();
        const int tx = x_tile, rows = resolved_tile_rows(t);
        const int strip = std::max<int>(strip_rows, rows) / rows * rows;  // whole tiles
        const int dw_xv = dw_x_vectors, dw_r = dw_rows;
        Var x = a.x, y = a.y, k = a.k, n = a.n;
        Var yo("yo"), yi("yi"), yio("yio"), yii("yii"), ko("ko"), ki("ki"), task("task");
        Var k_half("k_half"), k_rest("k_rest");
        Func out = a.output, conv = a.conv;
        RDom red = a.red;

        Expr depthwise = a.group_in_channels == 1 && a.group_out_channels == 1;
        Expr dw_fits = a.out_width >= vec * dw_xv && a.out_height >= 2 * dw_r;
        // (The output stage copies rows with vectors of row_vec floats: with
        // AVX-512's 16, a 14-wide layer (ResNet's 14 x 14) would otherwise
        // fall to the guarded path below, 9x slower, 11% of peak.)
        const int row_vec = std::min(vec, 8);
        Expr dense_fits = a.groups == 1 && a.out_channels % vec == 0 && a.out_width >= row_vec &&
                          a.out_height >= strip;
        Expr small_image = a.out_width * a.out_height <= small_image_pixels && a.out_channels >= 2 * vec;
        Expr kernel_3x3 = a.kernel_w == 3 && a.kernel_h == 3;

        // --- output loops ----------------------------------------------------
        // conv is computed per (row tile, channel block) over the full width
        // (loop yio), then copied out with full vectors.
        out.specialize(depthwise && dw_fits)
            .split(y, yo, yi, 2 * dw_r)
            .split(yi, yio, yii, dw_r)
            .reorder(x, yii, yio, k, yo, n)
            .fuse(yo, n, task)
            .parallel(task)
            .vectorize(x, vec);
        // Small images, many channels (14x14 to 32x32 ResNet/ASPP layers):
        // too few rows to split across cores, so each task owns half of the
        // output channel blocks for the whole image (one padded input copy
        // each). RoundUp on channels (exact: K % vec == 0) keeps each
        // block aligned to vec, so its weights are one aligned load.
        auto row_vectors = [&](Stage s) {
            if (row_vec < vec) s.specialize(a.out_width >= vec).vectorize(x, vec).unroll(yii);
            s.vectorize(x, row_vec).unroll(yii);
        };
        row_vectors(out.specialize(dense_fits && small_image)
                        .split(k, ko, ki, vec, TailStrategy::RoundUp)
                        .split(ko, k_half, k_rest, (a.out_channels / vec + 1) / 2)
                        .split(y, yio, yii, rows)
                        .reorder(x, yii, ki, yio, k_rest, k_half, n)
                        .fuse(k_half, n, task)
                        .parallel(task));
        // Otherwise one task per strip of strip_rows rows.
        row_vectors(out.specialize(dense_fits)
                        .split(y, yo, yi, strip)
                        .split(yi, yio, yii, rows)
                        .split(k, ko, ki, vec, TailStrategy::RoundUp)
                        .reorder(x, yii, ki, yio, ko, yo, n)
                        .fuse(yo, n, task)
                        .parallel(task));
        // Anything else (tiny outputs, grouped conv): guarded vectors, one
        // output row per task.
        out.split(y, yo, yi, 1, TailStrategy::GuardWithIf)
            .split(yi, yio, yii, 1)
            .reorder(x, yii, yio, k, yo, n)
            .fuse(yo, n, task)
            .parallel(task)
            .vectorize(x, vec, TailStrategy::GuardWithIf);

        // --- row buffer and register tiles ------------------------------------
        // `rows_buf` holds conv for (row tile, channel block) over the full
        // width; each register tile of conv is computed into it with constant
        // indices, so LLVM keeps the accumulators in registers.
        Func rows_buf = conv.in(out);
        Var sxo("sxo"), sxi("sxi");
        rows_buf.compute_at(out, yio);
        // (x-vectorized cases: channel loop outermost, so a register tile
        // holds one channel and its storage is dense along x.)
        rows_buf.specialize(depthwise && dw_fits)
            .split(x, sxo, sxi, vec * dw_xv, TailStrategy::RoundUp)
            .reorder(sxi, y, sxo, k)
            .vectorize(sxi, vec)
            .unroll(sxi)
            .unroll(y);
        rows_buf.specialize(dense_fits)
            .split(x, sxo, sxi, tx, TailStrategy::RoundUp)
            .reorder(k, sxi, y, sxo)
            .vectorize(k, vec)
            .unroll(sxi)
            .unroll(y);
        rows_buf.split(x, sxo, sxi, vec, TailStrategy::RoundUp).reorder(sxi, y, sxo, k).vectorize(sxi);

        conv.compute_at(rows_buf, sxo).reorder_storage(a.k, a.x, a.y, a.n);  // dense tiles: a vector per position
        // (The depthwise case first, with the same condition as out's branch,
        // so that inside it the tile's channel extent simplifies to 1.)
        conv.specialize(depthwise && dw_fits).vectorize(x, vec).unroll(x).unroll(y);
        conv.specialize(dense_fits).vectorize(k, vec).unroll(x).unroll(y);
        conv.vectorize(x, vec, TailStrategy::RoundUp).unroll(y);
        Stage acc = conv.update();
        // Each x-vectorized case gets copies for constant strides 1 and 2
        // (dense loads, or two loads and a shuffle, instead of gathers).
        auto with_strides = [&](Stage s, const std::function<void(Stage)> &body) {
            body(s.specialize(a.stride_x == 1));
            body(s.specialize(a.stride_x == 2));
            body(s);
        };
        RVar c_outer("c_outer"), c_inner("c_inner");
        // Depthwise: dw_xv vectors x dw_r rows of one channel, taps innermost.
        Stage dw = acc.specialize(depthwise && dw_fits);
        with_strides(dw.specialize(kernel_3x3), [&](Stage s) {
            s.reorder(x, y, k, red.x, red.y, red.z).vectorize(x, vec).unroll(x).unroll(y).unroll(red.x).unroll(
                red.y);
        });
        with_strides(dw, [&](Stage s) {
            s.reorder(x, y, k, red.x, red.y, red.z).vectorize(x, vec).unroll(x).unroll(y);
        });
        // Dense: tx positions x rows, channels vectorized. Constant strides
        // make the broadcasts' addresses immediate offsets of one pointer.
        Stage dense = acc.specialize(dense_fits);
        auto dense_tile = [&](Stage s) -> Stage { return s.vectorize(k, vec).unroll(x).unroll(y); };
        // Few input channels (the RGB stem): the kernel column innermost.
        with_strides(dense.specialize(a.group_in_channels < few_channels),
                     [&](Stage s) { dense_tile(s).reorder(k, x, y, red.x, red.z, red.y); });
        // Many channels: chunks of channel_chunk innermost, then the taps.
        with_strides(dense.specialize(a.group_in_channels >= 2 * channel_chunk &&
                                      a.group_in_channels % channel_chunk == 0),
                     [&](Stage s) {
                         dense_tile(s)
                             .split(red.z, c_outer, c_inner, channel_chunk)
                             .reorder(k, x, y, c_inner, red.x, red.y, c_outer);
                     });
        with_strides(dense, [&](Stage s) { dense_tile(s).reorder(k, x, y, red.z, red.x, red.y); });
        with_strides(acc, [&](Stage s) {
            s.reorder(x, y, k, red.x, red.y, red.z).vectorize(x, vec, TailStrategy::RoundUp);
        });

        // --- zero-padded input, shared by every channel block of a task ------
        // Unrolled by a vector of scalar copies: loop partitioning strips the
        // boundary selects from the interior, where LLVM's SLP vectorizer
        // turns the copies into vector moves (a vectorized select would keep
        // per-lane clamps: gathers).
        Var pxo("pxo"), pxi("pxi");
        a.padded.compute_at(out, task).split(x, pxo, pxi, vec, TailStrategy::RoundUp).unroll(pxi);
    }

    // conv_transpose2d: the same register tiles as dense conv2d (x_tile
    // coarse positions x phase_rows coarse rows x a vector of output
    // channels), one output phase (bx, by) at a time; weights arrive phase-
    // packed with channels innermost. Each task owns one channel block for
    // the whole image, so phase tiles cover exactly the phases' rows; they are
    // stored phase innermost, and the output stage reads them densely.
    void apply(ConvTranspose2dAlgorithm &a, const Target &t) const {
        const int vec = t.natural_vector_size<float>();
        const int tx = x_tile, rows = phase_rows;
        Var x = a.x, y = a.y, k = a.k, n = a.n;
        Var ax = a.ax, bx = a.bx, ay = a.ay, by = a.by;
        Var ko("ko"), ki("ki"), task("task"), axo("axo"), axi("axi"), ayo("ayo"), ayi("ayi");
        Func out = a.output;
        RDom red = a.red;

        // Channel blocks aligned to vec (RoundUp is exact: K % vec == 0).
        Expr dense = a.groups == 1 && a.out_channels % vec == 0;
        // Constant strides fold the output stage's index arithmetic into
        // dense loads.
        for (int st : {1, 2}) {
            out.specialize(dense && a.stride_x == st)
                .split(k, ko, ki, vec, TailStrategy::RoundUp)
                .reorder(x, y, ki, ko, n)
                .fuse(ko, n, task)
                .parallel(task)
                .vectorize(x, vec, TailStrategy::GuardWithIf);
        }
        out.specialize(dense)
            .split(k, ko, ki, vec, TailStrategy::RoundUp)
            .reorder(x, y, ki, ko, n)
            .fuse(ko, n, task)
            .parallel(task)
            .vectorize(x, vec, TailStrategy::GuardWithIf);
        // Grouped, or channels not a multiple of the vector: one channel per task.
        out.split(k, ko, ki, 1)
            .reorder(x, y, ki, ko, n)
            .fuse(ko, n, task)
            .parallel(task)
            .vectorize(x, vec, TailStrategy::GuardWithIf);

        a.phase_out.compute_at(out, task).reorder_storage(bx, ax, by, ay, k, n);
        a.phase_out.specialize(dense)
            .split(ax, axo, axi, tx, TailStrategy::RoundUp)
            .split(ay, ayo, ayi, rows, TailStrategy::RoundUp)
            .reorder(k, axi, ayi, axo, ayo, bx, by)
            .vectorize(k, vec)
            .unroll(axi)
            .unroll(ayi);
        // (Fallback: channel loop outermost, so its tiles hold one channel.)
        a.phase_out.split(ax, axo, axi, 2 * vec, TailStrategy::RoundUp)
            .split(ay, ayo, ayi, rows, TailStrategy::RoundUp)
            .reorder(axi, ayi, axo, ayo, bx, by, k)
            .vectorize(axi, vec)
            .unroll(axi)
            .unroll(ayi);

        // Register tiles, channels innermost; the dense condition first so
        // that the fallback's tile extent in k simplifies to 1.
        a.acc.compute_at(a.phase_out, axo).reorder_storage(k, ax, ay, bx, by, n);
        a.acc.specialize(dense).vectorize(k, vec).unroll(ax).unroll(ay);
        a.acc.vectorize(ax, vec).unroll(ax).unroll(ay);
        Stage acc = a.acc.update();
        RVar c_outer("c_outer"), c_inner("c_inner");
        Stage acc_dense = acc.specialize(dense);
        acc_dense.specialize(a.group_in_channels >= 2 * channel_chunk && a.group_in_channels % channel_chunk == 0)
            .split(red.z, c_outer, c_inner, channel_chunk)
            .reorder(k, ax, ay, c_inner, red.x, red.y, c_outer)
            .vectorize(k, vec)
            .unroll(ax)
            .unroll(ay);
        acc_dense.reorder(k, ax, ay, red.z, red.x, red.y).vectorize(k, vec).unroll(ax).unroll(ay);
        acc.reorder(ax, ay, k, red.z, red.x, red.y).vectorize(ax, vec).unroll(ax).unroll(ay);
        // One zero-padded copy of the input, shared by every channel block.
        a.padded.compute_root().parallel(a.k);
    }
};

}  // namespace halconv
