// CPU-SIMD schedules of the convolution family (conv2d, conv_transpose2d).
//
// NCHW in and out: the output is vectorized along x (unit-stride rows) and
// register-blocked as  x_vectors vectors  x  tile_rows rows  x  k_block
// output channels. Weights arrive HWIO (output channels innermost), so the
// k_block weights of one (c, r, s) are adjacent broadcasts. The reduction
// runs with the input channel innermost: one input pointer and one weight
// pointer advance per step, whatever the kernel size.
//
// Register budget per step, AVX2 (16 ymm): 1 x 2 x 6 = 12 accumulators +
// 2 input rows + 1 broadcast = 15. 12 independent FMA chains cover 2 FMA
// ports x 4-5 cycles latency (Zen3, Skylake). Loads per step: 2 vectors + 6
// broadcasts for 12 FMAs (0.67 per FMA; Zen3 and Skylake issue 2-3 loads per
// cycle against 2 FMAs). AVX-512 (32 zmm): 2 x 2 x 6 = 24 accumulators.
// One 8-wide vector along x wastes at most 7 lanes per row; tiles along rows
// instead of x keep narrow layers (14x14, 28x28) efficient.
// Peak (2 cores) = 2 cores x 2 FMA ports x lanes x 2 flop x clock; the bench
// harness measures it and bench/results/conv.md gives each layer's % of it.
//
// The zero-padded input is materialised once per strip of strip_rows output
// rows (all channels): inner loops read it without bounds checks, and the
// strip stays in L2 while every k block sweeps it.
#pragma once

#include <functional>

#include "generators/conv.h"

namespace halconv {

struct ConvCpuSchedule {
    // 0 = the hand-tuned value for the target's vector registers (see above).
    GeneratorParam<int> x_vectors{"cpu_x_vectors", 0};
    GeneratorParam<int> tile_rows{"cpu_tile_rows", 2};
    GeneratorParam<int> k_block{"cpu_k_block", 6};
    GeneratorParam<int> strip_rows{"cpu_strip_rows", 4};
    // Below this many input channels per group the kernel-column loop is the
    // innermost reduction loop instead (the RGB stem: C = 3, 7x7 taps).
    GeneratorParam<int> few_channels{"cpu_few_channels", 8};
    // Input channels per reduction chunk: the chunk's input rows and weights
    // for one kernel tap stay in L1 while every tap sweeps them.
    GeneratorParam<int> channel_chunk{"cpu_channel_chunk", 32};
    // Depthwise: dw_x_vectors x dw_rows accumulators, one channel at a time.
    GeneratorParam<int> dw_x_vectors{"cpu_dw_x_vectors", 2};
    GeneratorParam<int> dw_rows{"cpu_dw_rows", 4};

    int resolved_x_vectors(const Target &t) const {
        if (x_vectors > 0) return x_vectors;
        return t.has_feature(Target::AVX512) ? 2 : 1;
    }

    void apply(Conv2dAlgorithm &a, const Target &t) const {
        const int vec = t.natural_vector_size<float>();
        const int xv = resolved_x_vectors(t);
        const int rows = tile_rows, kb = k_block;
        const int strip = std::max<int>(strip_rows, rows) / rows * rows;  // whole tiles
        const int dw_xv = dw_x_vectors, dw_r = dw_rows;
        Var x = a.x, y = a.y, k = a.k, n = a.n;
        Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), yio("yio"), yii("yii"), ko("ko"), ki("ki"),
            task("task");
        Func out = a.output, conv = a.conv;
        RDom red = a.red;

        Expr depthwise = a.group_in_channels == 1 && a.group_out_channels == 1;
        Expr dw_fits = a.out_width >= vec * dw_xv && a.out_height >= dw_r;
        Expr dense_fits = a.groups == 1 && a.out_width >= vec * xv && a.out_channels >= kb &&
                          a.out_height >= strip;
        Expr kernel_3x3 = a.kernel_w == 3 && a.kernel_h == 3;

        // --- output loops: one parallel task per (strip of rows, image) ----
        out.specialize(depthwise && dw_fits)
            .split(y, yo, yi, dw_r)
            .split(x, xo, xi, vec * dw_xv)
            .reorder(xi, yi, xo, k, yo, n)
            .fuse(yo, n, task)
            .parallel(task)
            .vectorize(xi, vec)
            .unroll(xi)
            .unroll(yi);
        out.specialize(dense_fits)
            .split(y, yo, yi, strip)
            .split(yi, yio, yii, rows)
            .split(k, ko, ki, kb)
            .split(x, xo, xi, vec * xv)
            .reorder(xi, yii, ki, xo, yio, ko, yo, n)
            .fuse(yo, n, task)
            .parallel(task)
            .vectorize(xi, vec)
            .unroll(xi)
            .unroll(yii)
            .unroll(ki);
        // Anything else (tiny outputs, grouped conv): plain vectors with a
        // guarded tail, one output row per task.
        out.split(y, yo, yi, 1, TailStrategy::GuardWithIf)
            .split(x, xo, xi, vec, TailStrategy::GuardWithIf)
            .reorder(xi, xo, yi, k, yo, n)
            .fuse(yo, n, task)
            .parallel(task)
            .vectorize(xi);

        // --- the accumulator tile, in registers ------------------------------
        conv.compute_at(out, xo).vectorize(x, vec, TailStrategy::RoundUp).unroll(x).unroll(y).unroll(k);
        Stage acc = conv.update();
        // Each case gets copies for constant strides 1 and 2: dense vector
        // loads (stride 1) or two loads and a shuffle (stride 2) instead of
        // gathers. `body` schedules one copy.
        auto with_strides = [&](Stage s, const std::function<void(Stage)> &body) {
            body(s.specialize(a.stride_x == 1));
            body(s.specialize(a.stride_x == 2));
            body(s);
        };
        RVar c_outer("c_outer"), c_inner("c_inner");
        // Depthwise: one channel, taps innermost (unrolled for 3x3).
        Stage dw = acc.specialize(depthwise && dw_fits);
        with_strides(dw.specialize(kernel_3x3), [&](Stage s) {
            s.reorder(x, y, k, red.x, red.y, red.z).vectorize(x, vec).unroll(x).unroll(y).unroll(red.x).unroll(red.y);
        });
        with_strides(dw, [&](Stage s) {
            s.reorder(x, y, k, red.x, red.y, red.z).vectorize(x, vec).unroll(x).unroll(y);
        });
        Stage dense = acc.specialize(dense_fits);
        // Few input channels (the RGB stem): the kernel column innermost.
        with_strides(dense.specialize(a.group_in_channels < few_channels), [&](Stage s) {
            s.reorder(x, y, k, red.x, red.z, red.y).vectorize(x, vec).unroll(x).unroll(y).unroll(k);
        });
        // Many channels: chunks of channel_chunk innermost, then the taps.
        with_strides(
            dense.specialize(a.group_in_channels >= 2 * channel_chunk && a.group_in_channels % channel_chunk == 0),
            [&](Stage s) {
                s.split(red.z, c_outer, c_inner, channel_chunk)
                    .reorder(x, y, k, c_inner, red.x, red.y, c_outer)
                    .vectorize(x, vec)
                    .unroll(x)
                    .unroll(y)
                    .unroll(k);
            });
        with_strides(dense, [&](Stage s) {
            s.reorder(x, y, k, red.z, red.x, red.y).vectorize(x, vec).unroll(x).unroll(y).unroll(k);
        });
        with_strides(acc, [&](Stage s) {
            s.reorder(x, y, k, red.x, red.y, red.z).vectorize(x, vec, TailStrategy::RoundUp);
        });

        // --- zero-padded input strip, shared by every channel block ---------
        a.padded.compute_at(out, task);
    }

    // conv_transpose2d: the same register blocking (x_vectors vectors x
    // tile_rows coarse rows x k_block channels) over one output phase
    // (bx, by). Each task owns a block of k_block output channels for the
    // whole image, so the phase tiles cover exactly the phases' rows; they are
    // stored phase innermost, and the output stage reads them densely.
    void apply(ConvTranspose2dAlgorithm &a, const Target &t) const {
        const int vec = t.natural_vector_size<float>();
        const int xv = resolved_x_vectors(t);
        const int rows = tile_rows, kb = k_block;
        Var x = a.x, y = a.y, k = a.k, n = a.n;
        Var ax = a.ax, bx = a.bx, ay = a.ay, by = a.by;
        Var ko("ko"), ki("ki"), task("task"), axo("axo"), axi("axi"), ayo("ayo"), ayi("ayi"), v("v");
        Func out = a.output;
        RDom red = a.red;

        Expr fits = a.groups == 1 && a.out_channels >= kb;
        // Constant strides fold the output stage's index arithmetic into
        // dense loads.
        for (int st : {1, 2}) {
            out.specialize(fits && a.stride_x == st)
                .split(k, ko, ki, kb)
                .reorder(x, y, ki, ko, n)
                .fuse(ko, n, task)
                .parallel(task)
                .vectorize(x, vec, TailStrategy::GuardWithIf);
        }
        out.specialize(fits)
            .split(k, ko, ki, kb)
            .reorder(x, y, ki, ko, n)
            .fuse(ko, n, task)
            .parallel(task)
            .vectorize(x, vec, TailStrategy::GuardWithIf);
        out.split(k, ko, ki, 1)
            .reorder(x, y, ki, ko, n)
            .fuse(ko, n, task)
            .parallel(task)
            .vectorize(x, vec, TailStrategy::GuardWithIf);

        a.phase_out.compute_at(out, task).reorder_storage(bx, ax, by, ay, k, n);
        // Stride 2 (the usual upsampler): both x phases of a tile are
        // interleaved by shuffles into dense stores.
        a.phase_out.specialize(a.stride_x == 2)
            .split(ax, axo, axi, vec * xv, TailStrategy::RoundUp)
            .split(ay, ayo, ayi, rows, TailStrategy::RoundUp)
            .reorder(bx, axi, ayi, k, axo, ayo, by)
            .fuse(bx, axi, v)
            .vectorize(v, vec)
            .unroll(v)
            .unroll(ayi)
            .unroll(k);
        a.phase_out.split(ax, axo, axi, vec * xv, TailStrategy::RoundUp)
            .split(ay, ayo, ayi, rows, TailStrategy::RoundUp)
            .reorder(axi, ayi, k, axo, bx, ayo, by)
            .vectorize(axi, vec)
            .unroll(axi)
            .unroll(ayi)
            .unroll(k);
        // Registers: one phase's xv vectors x rows x kb channels; input channel innermost.
        a.acc.compute_at(a.phase_out, axo).reorder(ax, ay, k, bx).vectorize(ax, vec).unroll(ax).unroll(ay).unroll(k);
        Stage acc = a.acc.update();
        RVar c_outer("c_outer"), c_inner("c_inner");
        acc.specialize(a.group_in_channels >= 2 * channel_chunk && a.group_in_channels % channel_chunk == 0)
            .split(red.z, c_outer, c_inner, channel_chunk)
            .reorder(ax, ay, k, c_inner, red.x, red.y, c_outer, bx)
            .vectorize(ax, vec)
            .unroll(ax)
            .unroll(ay)
            .unroll(k);
        acc.reorder(ax, ay, k, red.z, red.x, red.y, bx).vectorize(ax, vec).unroll(ax).unroll(ay).unroll(k);
        // One zero-padded copy of the input, shared by every channel block.
        a.padded.compute_root().parallel(a.k);
    }
};

}  // namespace halconv
