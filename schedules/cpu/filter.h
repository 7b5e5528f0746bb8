// CPU-SIMD schedules of the image filters.
//
// A 1920x1080 RGB8 filter moves 12.4 MB (6.2 in, 6.2 out): ~0.4 ms at the
// machine's ~30 GB/s, while a 5x5 separable filter does 10 multiply-adds per
// sample (62 M) -- 16-lane uint16 vectors make that ~4 M vector ops, ~0.7 ms
// on one Zen3 core at 2 ops/cycle, so two cores land near the memory floor
// only if no pass goes through memory. Hence, for every filter:
//   * output rows in strips of `strip_rows`, strips in parallel;
//   * the vertical pass computed one row at a time right where the
//     horizontal pass consumes it (an ~11 KB row for 1920 RGB8 pixels in
//     uint16: L1-resident), so each intermediate sample is written once to
//     L1 and read kw times from it; the input rows the vertical pass reads
//     (kh of them) stay in L1/L2 while the strip walks down;
//   * samples along x are vectorized with dense loads: in the interleaved
//     layout a horizontal tap is a constant offset of taps * channels;
//   * row passes read the input with dense loads and fix their few border
//     columns afterwards (generators/filter.h), so no loop carries border
//     tests or gathers;
//   * common tap counts (1, 3, 5, 7, 9) get unrolled loops; others run the
//     generic tap loop.
// Measured (bench/results/filters.md, 2 Zen3 cores, vs OpenCV 2 strips):
// box3_rgb8 1.36 ms (3.2x), motion9_rgb8 1.80 ms (1.46-1.64x over two
// runs), gauss5_rgb8 2.18 ms (0.68x: the 32-bit horizontal pass) and
// gauss5_rgbf 4.50 ms (0.78x). The gradient's row passes used to read the
// input's rows through the clamp themselves; Halide 14 did not split the
// left edge off those loops, so their loads went lane by lane (sobel_gray8
// 2.51 ms, 0.40x OpenCV, on Zen 4). It now converts each bordered row once
// into `rows` (a sliding window, as the direct filter's samples), whose loop
// Halide does split, and the vertical passes read that with no clamp:
// 0.33 ms, 3.46x OpenCV in the same run.
// The direct 2-D filter keeps a sliding window of `kernel height` float
// rows of the bordered input (each input row converted once) and reduces
// each output vector's taps in registers.
#pragma once

#include "tune/space.h"

#include "generators/filter.h"

namespace halconv {

struct FilterCpuSchedule {
    // 0 = the target's natural vector for the sample type (32 uint8, 16
    // uint16, 8 float on AVX2).
    GeneratorParam<int> vector_width{"cpu_filter_vector_width", 0};
    GeneratorParam<int> strip_rows{"cpu_filter_strip_rows", 16};
    // Tap counts up to this get unrolled specializations (odd counts only).
    GeneratorParam<int> max_unrolled_taps{"cpu_filter_max_unrolled_taps", 9};

    // Search space for `halconv tune` (tune/space.h): {name, hand-tuned
    // default, candidates}, for a pipeline named as the generators are
    // ("filter_separable_integer_u8", "filter_direct_f32",
    // "gradient_magnitude_u8", ...). vector_width counts samples for the
    // separable filters and the gradient (natural: 4 / 2 / 1 float vectors
    // of uint8 / uint16 / float samples) and float lanes for the direct
    // filter (all its stages are float); only the separable filters read
    // max_unrolled_taps (the direct one unrolls 3x3 and 5x5 regardless).
    static tune::SearchSpace space(const std::string &op) {
        tune::SearchSpace s;
        s.knobs = {
            {"cpu_filter_vector_width", 0, {0, 8, 16, 32, 64, 128}},  // 0: natural
            {"cpu_filter_strip_rows", 16, {2, 4, 8, 16, 32, 64}},
        };
        const bool separable = op.rfind("filter_separable", 0) == 0;
        if (separable) s.knobs.push_back({"cpu_filter_max_unrolled_taps", 9, {1, 3, 5, 7, 9}});
        const bool direct = op.rfind("filter_direct", 0) == 0;
        const auto ends_with = [&](const char *suffix) {
            const std::string x = suffix;
            return op.size() >= x.size() && op.compare(op.size() - x.size(), x.size(), x) == 0;
        };
        const int per_float_lane = direct ? 1 : ends_with("_u8") ? 4 : ends_with("_u16") ? 2 : 1;
        // (4 natural vectors of uint8 widen to 16 uint32 vectors in the
        // horizontal pass: 3-4 minute compiles, measured; so at most 2.)
        s.constraints = {
            {"vector_width is 0 (natural) or 1 or 2 natural vectors of the sample type",
             [per_float_lane](const tune::Params &p, const tune::TargetInfo &t) {
                 const int v = p.at("cpu_filter_vector_width"), natural = t.vector_lanes * per_float_lane;
                 return v == 0 || (v % natural == 0 && v <= 2 * natural);
             }},
        };
        return s;
    }

    int vec(Type sample, const Target &t) const {
        return vector_width > 0 ? (int)vector_width : t.natural_vector_size(sample);
    }

    // out(fx, y): strips of rows in parallel, fx in vectors (ShiftInwards
    // when the row is at least a vector wide).
    void tile_output(Func out, Expr row_samples, Var fx, Var y, int v, Var &xo, Var &yi, Var &strip,
                     const std::vector<Expr> &cases = {}) const {
        Var xi("xi");
        auto tile = [&](Stage s, bool full_vectors) {
            s.split(y, strip, yi, strip_rows, TailStrategy::GuardWithIf).parallel(strip);
            if (full_vectors) {
                s.split(fx, xo, xi, v, TailStrategy::ShiftInwards).vectorize(xi);
            } else {
                s.split(fx, xo, xi, v, TailStrategy::GuardWithIf);
            }
        };
        for (const Expr &c : cases) tile(out.specialize(c && row_samples >= v), true);
        tile(out.specialize(row_samples >= v), true);
        tile(out, false);
    }

    // Unrolled taps for the common odd tap counts of a 1-D tap loop.
    void unroll_taps(Stage update, Expr size, RVar r) const {
        for (int k = 1; k <= max_unrolled_taps; k += 2) update.specialize(size == k).unroll(r);
    }

    void apply(SeparableFilterAlgorithm &a, Type sample, const Target &t) const {
        const int v = vec(sample, t);
        Var xo("xo"), yi("yi"), strip("strip");
        // Integer path: one loop nest with the 16-bit horizontal pass, one
        // with the 32-bit one.
        tile_output(a.output, a.row_samples, a.fx, a.y, v, xo, yi, strip,
                    a.integer ? std::vector<Expr>{a.narrow == 1, a.narrow == 0} : std::vector<Expr>{});
        // One row of the vertical pass per output row, in L1; stored per strip
        // (Halide folds it to one row) so it is allocated once per strip.
        // Its border columns (stages 2 and 3) are a few scalar stores.
        a.vertical.store_at(a.output, strip).compute_at(a.output, yi).vectorize(a.fx, v, TailStrategy::RoundUp);
        a.vertical.update(0).vectorize(a.fx, v, TailStrategy::RoundUp);
        unroll_taps(a.vertical.update(0), a.column_size, RVar(a.column_taps));
        a.vertical.update(1).unscheduled();
        a.vertical.update(2).unscheduled();
        a.horizontal.compute_at(a.output, xo).vectorize(a.fx, v, TailStrategy::RoundUp);
        a.horizontal.update().vectorize(a.fx, v, TailStrategy::RoundUp);
        unroll_taps(a.horizontal.update(), a.row_size, RVar(a.row_taps));
        if (a.integer) {
            a.horizontal_narrow.compute_at(a.output, xo).vectorize(a.fx, v, TailStrategy::RoundUp);
            a.horizontal_narrow.update().vectorize(a.fx, v, TailStrategy::RoundUp);
            unroll_taps(a.horizontal_narrow.update(), a.row_size, RVar(a.row_taps));
        }
    }

    void apply(DirectFilterAlgorithm &a, Type sample, const Target &t) const {
        const int v = vec(Float(32), t);
        const int vs = std::max(v, vec(sample, t) / 2);
        Var xo("xo"), yi("yi"), strip("strip");
        tile_output(a.output, a.output.output_buffer().dim(0).extent(), a.fx, a.y, vs, xo, yi, strip);
        // Each bordered input row converted to float once per strip: Halide
        // slides a window of kernel_height rows down the strip.
        a.samples.store_at(a.output, strip).compute_at(a.output, yi).vectorize(a.fx, v, TailStrategy::RoundUp);
        a.samples.update(0).unscheduled();
        a.samples.update(1).unscheduled();
        a.sum.compute_at(a.output, xo).vectorize(a.fx, v, TailStrategy::RoundUp);
        Stage update = a.sum.update();
        update.vectorize(a.fx, v, TailStrategy::RoundUp);
        for (int k = 3; k <= 5; k += 2) {
            update.specialize(a.kernel_width == k && a.kernel_height == k).unroll(a.taps.x).unroll(a.taps.y);
        }
    }

    void apply(GradientAlgorithm &a, Type sample, const Target &t) const {
        const int v = vec(sample, t);
        Var xo("xo"), yi("yi"), strip("strip");
        tile_output(a.output, a.output.output_buffer().dim(0).extent(), a.fx, a.y, v, xo, yi, strip);
        // Each bordered input row converted once per strip (a sliding window
        // of 3 rows), then the vertical smoothing and difference one row at
        // a time, then the horizontal halves straight into the output vector.
        a.rows.store_at(a.output, strip).compute_at(a.output, yi).vectorize(a.fx, v, TailStrategy::RoundUp);
        a.rows.update(0).unscheduled();
        a.rows.update(1).unscheduled();
        for (Func f : {a.smooth_y, a.diff_y}) {
            f.store_at(a.output, strip).compute_at(a.output, yi).vectorize(a.fx, v, TailStrategy::RoundUp);
        }
        a.magnitude.compute_inline();
    }
};

}  // namespace halconv
