// Image-filter algorithms (no scheduling): 2-D cross-correlation of
// interleaved images, as separable (two 1-D passes) or direct 2-D sums, and
// the 3x3 gradient magnitude. Semantics: include/halconv/filter.h.
//
// Layout: an interleaved image is a 2-D Halide buffer in(fx, y) with
// fx = x * C + c (a row of W pixels is W * C consecutive samples). A
// horizontal tap at pixel offset d reads fx + d * C: every tap of a row is a
// dense load, whatever the channel count. Only the border needs the pixel
// coordinate (fx / C, fx % C).
#pragma once

#include "generators/common.h"

namespace halconv {

// The border modes of halconv::Border, in the same order.
enum FilterBorder { kBorderZero = 0, kBorderClamp = 1, kBorderMirror = 2, kBorderWrap = 3 };

// Maps any integer coordinate v into [0, n) for the clamp, mirror (reflect
// 101) and wrap modes; the zero mode clamps here and masks the value.
// Used for scalar coordinates only (rows, border columns).
inline Expr border_coordinate(const Expr &v, const Expr &n, const Expr &border) {
    Expr period = max(2 * (n - 1), 1);  // n == 1: every coordinate maps to 0
    Expr m = v % period;                // Euclidean: in [0, period)
    Expr mirrored = select(m < n, m, period - m);
    Expr wrapped = v % n;
    // (The outer clamps are no-ops that tell bounds inference the range.)
    Expr mapped = clamp(select(border == kBorderMirror, mirrored, border == kBorderWrap, wrapped, v), 0, n - 1);
    return select(v >= 0 && v < n, unsafe_promise_clamped(v, 0, n - 1), mapped);
}

// The interleaved input extended past its edges by the border mode, in the
// form that keeps SIMD loads dense: row passes (vertical sums, the float
// conversion) read the input at clamp(likely(fx)), which Halide splits into
// a clamp-free interior and tiny edge loops, map rows (a scalar per row) by
// the border mode, and then overwrite their `halo` columns on each side
// with the mode's values (fix_border_columns): any column of a row pass is
// a function of its own input column, so a border column's value is the
// value at the column it maps to (or 0 for the zero mode).
struct BorderedImage {
    Func input;
    Expr channels, row_samples, width, height;  // width in pixels
    Expr border;

    BorderedImage(Func input_, Expr channels_, Expr row_samples_, Expr height_, Expr border_)
        : input(input_), channels(channels_), row_samples(row_samples_), width(row_samples_ / channels_),
          height(height_), border(border_) {}

    // The sample at column fx (exact for 0 <= fx < row_samples) of row y
    // mapped into the image.
    Expr sample(const Expr &fx, const Expr &y) const {
        return input(clamp(likely(fx), 0, row_samples - 1), border_coordinate(y, height, border));
    }
    // 0 for rows outside the image in the zero mode, else 1.
    Expr row_weight(const Expr &y, Type t) const {
        return select(border == kBorderZero && (y < 0 || y >= height), cast(t, 0), cast(t, 1));
    }
    // The column a border column fx maps to.
    Expr column(const Expr &fx) const {
        Expr px = fx / channels, c = fx % channels;  // floor / Euclidean: right for fx < 0
        return clamp(border_coordinate(px, width, border) * channels + c, 0, row_samples - 1);
    }
    // Rewrites f(fx, y) for fx in [-halo, 0) and [row_samples, row_samples + halo).
    void fix_border_columns(Func f, const Expr &halo) const {
        Var y = f.args()[1];
        RDom left(-halo, halo, "left_border"), right(row_samples, halo, "right_border");
        for (const RDom &r : {left, right}) {
            Expr mapped = f(column(r.x), y);
            f(r.x, y) = select(border == kBorderZero, cast(mapped.type(), 0), mapped);
        }
    }
};

// Integer outputs round half up and saturate; `v` is a float response.
inline Expr round_and_saturate(Expr v, Type t) {
    if (t.is_float()) return cast(t, v);
    return saturating_cast(t, floor(v + 0.5f));
}

// Two 1-D passes: vertical (column taps) first, into `vertical`, then
// horizontal (row taps) into `horizontal`; anchors at the centres.
//   integer path: vertical in `vertical_type`, horizontal in
//     `horizontal_type`; the final value is floor(2 * sum / (2 * divisor) +
//     1/2 + offset) computed exactly as (2 * sum + bias) * multiplier >>
//     shift, with bias, multiplier and shift from the runtime (which proves
//     the identity for every reachable sum).
//   float path: both passes in float, then / divisor, |.|, + offset.
struct SeparableFilterAlgorithm {
    Var fx{"fx"}, y{"y"};
    Func vertical{"vertical"}, horizontal{"horizontal"}, output;
    // Integer path: the horizontal pass in 16 bits, used (narrow == 1) when
    // the runtime has checked that every sum and the rounding fit 16 bits
    // (box and motion blurs on uint8): twice the lanes per instruction.
    Func horizontal_narrow{"horizontal_narrow"};
    Expr narrow;
    RDom column_taps, row_taps;
    Expr column_size, row_size;  // for the schedules' specializations
    Expr border, row_samples;
    bool integer = false;
    Expr multiplier;  // integer path: == 1 for power-of-two divisors
};

inline void define_separable_filter(SeparableFilterAlgorithm &a, const BorderedImage &image, Func column, Func row,
                                    Expr column_size, Expr row_size, Type accumulate_vertical,
                                    Type accumulate_horizontal) {
    Var fx = a.fx, y = a.y;
    a.column_size = column_size;
    a.row_size = row_size;
    a.border = image.border;
    a.column_taps = RDom(0, column_size, "column_taps");
    a.row_taps = RDom(0, row_size, "row_taps");
    Expr anchor_y = column_size / 2, anchor_x = row_size / 2;
    Expr tap_y = y + a.column_taps - anchor_y;
    a.vertical(fx, y) = cast(accumulate_vertical, 0);
    // Rows outside the image in the zero mode: a zero tap (a scalar per row).
    a.vertical(fx, y) += cast(accumulate_vertical, image.sample(fx, tap_y)) *
                         (cast(accumulate_vertical, column(a.column_taps)) * image.row_weight(tap_y, accumulate_vertical));
    image.fix_border_columns(a.vertical, anchor_x * image.channels);
    a.horizontal(fx, y) = cast(accumulate_horizontal, 0);
    a.horizontal(fx, y) +=
        cast(accumulate_horizontal, a.vertical(fx + (a.row_taps - anchor_x) * image.channels, y)) *
        cast(accumulate_horizontal, row(a.row_taps));
    if (a.integer) {
        a.horizontal_narrow(fx, y) = cast<uint16_t>(0);
        a.horizontal_narrow(fx, y) +=
            cast<uint16_t>(a.vertical(fx + (a.row_taps - anchor_x) * image.channels, y)) * cast<uint16_t>(row(a.row_taps));
    }
}

// Direct 2-D sum with float accumulation: `samples` is the bordered input
// converted to float (materialized by the schedules so that the tap loop
// reads it without border tests).
struct DirectFilterAlgorithm {
    Var fx{"fx"}, y{"y"};
    Func samples{"samples"}, sum{"sum"}, output;
    RDom taps;
    Expr kernel_width, kernel_height, border;
};

inline void define_direct_filter(DirectFilterAlgorithm &a, const BorderedImage &image, Func taps, Expr kernel_width,
                                 Expr kernel_height) {
    Var fx = a.fx, y = a.y;
    a.kernel_width = kernel_width;
    a.kernel_height = kernel_height;
    a.border = image.border;
    a.samples(fx, y) = cast<float>(image.sample(fx, y)) * image.row_weight(y, Float(32));
    image.fix_border_columns(a.samples, (kernel_width / 2) * image.channels);
    a.taps = RDom(0, kernel_width, 0, kernel_height, "taps");
    a.sum(fx, y) = 0.0f;
    a.sum(fx, y) += taps(a.taps.x, a.taps.y) * a.samples(fx + (a.taps.x - kernel_width / 2) * image.channels,
                                                         y + a.taps.y - kernel_height / 2);
}

// |gx| + |gy| of the 3x3 operator [1 w 1] (x) [-1 0 1] in `accumulate`
// (exact for integer images). `rows` is the bordered input in `accumulate`,
// its border columns fixed; the vertical smoothing and difference read it
// with no clamp at all. (Reading the input's three rows through
// image.sample() in each of them instead, Halide 14 split off the right
// edge of their loops but not the left: every load of the steady loop kept
// its clamp and went lane by lane, ~2.5 ms for 1920x1080.)
struct GradientAlgorithm {
    Var fx{"fx"}, y{"y"};
    Func rows{"rows"}, smooth_y{"smooth_y"}, diff_y{"diff_y"}, magnitude{"magnitude"}, output;
    Expr border;
};

inline void define_gradient(GradientAlgorithm &a, const BorderedImage &image, Expr weight, Type accumulate) {
    Var fx = a.fx, y = a.y;
    a.border = image.border;
    a.rows(fx, y) = cast(accumulate, image.sample(fx, y)) * image.row_weight(y, accumulate);
    image.fix_border_columns(a.rows, image.channels);
    Expr w = cast(accumulate, weight);
    a.smooth_y(fx, y) = a.rows(fx, y - 1) + w * a.rows(fx, y) + a.rows(fx, y + 1);
    a.diff_y(fx, y) = a.rows(fx, y + 1) - a.rows(fx, y - 1);
    Expr C = image.channels;
    Expr gx = a.smooth_y(fx + C, y) - a.smooth_y(fx - C, y);
    Expr gy = a.diff_y(fx - C, y) + w * a.diff_y(fx, y) + a.diff_y(fx + C, y);
    a.magnitude(fx, y) = abs(gx) + abs(gy);  // abs of a signed int is unsigned: no overflow
}

}  // namespace halconv
