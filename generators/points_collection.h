// Points collection, forward and backward, from docs/points_collection.md
// (algorithms only; schedules in schedules/cpu/points.h and
// schedules/cuda/points.h).
//
// Layouts. The runtime views the NCHW tensors with the channel pair split
// out, so that no pipeline divides by a runtime channel count:
//   t       (x, y, comp, n, b)   = t[b, 2n + comp, y, x]
//   d       (q, p, k, b)         = d[b, k, p, q],  k = 2m + comp
//   output  (x, y, k, n, b)      = p[b, 2(nM + m) + comp, y, x] = p[b, 2nM + k, y, x]
//   grad_p  same as output; grad_t like t; grad_d like d.
// A sample is one (x, y, n, b): its position in the lower grid, its
// bilinear neighbours and their weights are shared by all 2M channels k.
//
// Forward, per sample and channel k (comp = k % 2):
//   interp(k)  = sum over the 2x2 neighbours of weight * d(k) / r_comp
//   output(k)  = interp(k) + t(comp)
// Backward, with the spec's sign terms s (slope of the bilinear kernel):
//   grad_t(0) = sum_k g(k) * (r_h * sum_nb L(k) wx s_y) + sum_{k even} g(k)
//   grad_t(1) = sum_k g(k) * (r_w * sum_nb L(k) wy s_x) + sum_{k odd} g(k)
//   grad_d(k, nb) += weight(nb) * g(k) / r_comp over every sample,
// where L(k) = d(k) / r_comp. grad_d is a scatter; two formulations:
//   * deterministic: the samples of each strip of `strip_rows` image rows
//     add into the strip's own partial grad_d in a fixed order, and the
//     strips are summed in order: same bits for any thread count or run;
//   * atomic: every sample adds straight into grad_d (GPU schedules mark
//     it atomic; the order of additions varies).
#pragma once

#include "generators/bilinear.h"

namespace halconv {

// Halide 14's propagate_adjoints silently returns wrong adjoints through
// Tuple-valued Funcs (found while checking this operator), so the
// per-sample quantities are Funcs with a `part` dimension, not Tuples.
// Halide 14's autodiff also drops gradients through mux(): parts are chosen
// by a chain of selects (constant-folded once a schedule unrolls `part`).
inline Expr select_part(const Expr &part, const std::vector<Expr> &values) {
    Expr result = values.back();
    for (int i = (int)values.size() - 2; i >= 0; i--) result = select(part == i, values[i], result);
    return result;
}

// A sample's four neighbours, in this order: (row lo, col lo), (lo, hi),
// (hi, lo), (hi, hi); `corner` below is this index. A neighbour outside the
// lower grid (or every neighbour of a position that is not usable: far
// outside, NaN, Inf) is the extra pixel h*w of the lower table, which holds
// zeros: the sums need no masks, and the scatter's adds to it are dropped.
constexpr int kCorners = 4;
// Parts of a sample's slope Func (backward): per corner, d weight / d row
// offset (r_h s_y w_x), then per corner d weight / d column offset (r_w s_x w_y).
constexpr int kSlopeParts = 2 * kCorners;

struct PointsCollectionAlgorithm {
    Var x{"x"}, y{"y"}, k{"k"}, n{"n"}, b{"b"}, comp{"comp"}, part{"part"};
    Var q{"q"}, p{"p"}, pixel{"pixel"}, strip{"strip"};

    Expr channels;  // 2M
    Expr ratio_h, ratio_w, lower_h, lower_w;

    // (part, x, y, n, b), per sample, shared by its 2M channels:
    Func index{"sample_index"};    // neighbour `part`'s flat pixel p * w + q, or h * w (zeros)
    Func weight{"sample_weight"};  // the neighbours' bilinear weights
    Func slope{"sample_slope"};    // backward: derivative coefficients, kSlopeParts
    // (k, pixel, b): d(k) / r_comp, channels innermost (a sample reads 2M
    // contiguous values per neighbour); pixel h * w is 0.
    Func lower{"lower_scaled"};
    // (k, x, y, n, b): the bilinear interpolation of lower(k).
    Func interp{"interp"};
    Func output;  // forward: (x, y, k, n, b)

    // Backward.
    Func dinterp{"dinterp"};      // (comp, k, x, y, n, b): d interp(k) / d t(comp)
    Func grad_t;                  // (x, y, comp, n, b)
    Func g_channels{"grad_p_channels"};  // (k, x, y, n, b): grad_p read by the grad_d scatter
    Func partial{"grad_d_partial"};  // deterministic: (k, pixel, strip, b)
    Func scattered;               // (k, pixel, b): grad_d before the 1/r scale
    Func grad_d;                  // (q, p, k, b)
    RDom over_k;                  // grad_t: the channels k
    RDom over_samples;            // partial / scattered: (corner, x, y or row in strip, n)
    RDom over_strips;             // deterministic: the strips, in order
    Expr strip_rows, strips;
    bool deterministic = true;
};

// t(x, y, comp, n, b), d(q, p, k, b): the inputs; image_h/w = H, W;
// channels = 2M; lower_h/w = h, w.
inline void define_points_collection_samples(PointsCollectionAlgorithm &a, Func t, Func d, Expr image_h,
                                             Expr image_w, Expr channels, Expr lower_h, Expr lower_w) {
    Var x = a.x, y = a.y, k = a.k, n = a.n, b = a.b, pixel = a.pixel, part = a.part;
    a.channels = channels;
    a.lower_h = lower_h;
    a.lower_w = lower_w;
    a.ratio_h = cast<float>(lower_h) / cast<float>(image_h);
    a.ratio_w = cast<float>(lower_w) / cast<float>(image_w);

    // Positions in the lower grid: a = (i + y) r_h, c = (j + x) r_w.
    Expr row_position = (cast<float>(y) + t(x, y, 0, n, b)) * a.ratio_h;
    Expr col_position = (cast<float>(x) + t(x, y, 1, n, b)) * a.ratio_w;
    BilinearAxis rows = bilinear_axis(row_position, lower_h);
    BilinearAxis cols = bilinear_axis(col_position, lower_w);
    Expr outside = lower_h * lower_w;
    auto pixel_of = [&](const Expr &row, const Expr &col, const Expr &inside) {
        return select(inside, row * lower_w + col, outside);
    };
    a.index(part, x, y, n, b) = select_part(part, {pixel_of(rows.lo, cols.lo, rows.lo_inside && cols.lo_inside),
                                                   pixel_of(rows.lo, cols.hi, rows.lo_inside && cols.hi_inside),
                                                   pixel_of(rows.hi, cols.lo, rows.hi_inside && cols.lo_inside),
                                                   pixel_of(rows.hi, cols.hi, rows.hi_inside && cols.hi_inside)});
    // Unmasked weights (1 - f, f): neighbours outside read zeros.
    Expr fy = rows.fraction, fx = cols.fraction;
    a.weight(part, x, y, n, b) =
        select_part(part, {(1.0f - fy) * (1.0f - fx), (1.0f - fy) * fx, fy * (1.0f - fx), fy * fx});
    // The spec's s: +1 where the neighbour is at or past the position, -1
    // before it, 0 once |a - p| >= 1: at an integer position the lower
    // neighbour has +1 and the upper one, at distance 1, has 0 (neighbours
    // outside the grid read zeros, so s needs no mask).
    Expr exact_row = fy == 0.0f, exact_col = fx == 0.0f;
    Expr sy_lo = select(exact_row, 1.0f, -1.0f), sy_hi = select(exact_row, 0.0f, 1.0f);
    Expr sx_lo = select(exact_col, 1.0f, -1.0f), sx_hi = select(exact_col, 0.0f, 1.0f);
    Expr rh = a.ratio_h, rw = a.ratio_w;
    a.slope(part, x, y, n, b) =
        select_part(part, {rh * sy_lo * (1.0f - fx), rh * sy_lo * fx, rh * sy_hi * (1.0f - fx), rh * sy_hi * fx,
                           rw * sx_lo * (1.0f - fy), rw * sx_hi * (1.0f - fy), rw * sx_lo * fy, rw * sx_hi * fy});
    // k is clamped so that a schedule may round its channel loops up to
    // whole vectors (the extra channels repeat the last one, never stored).
    Expr inside = pixel < outside;
    Expr in_grid = min(pixel, outside - 1);
    Expr q = in_grid % lower_w, p = in_grid / lower_w;
    a.lower(k, pixel, b) =
        select(inside, d(q, p, clamp(k, 0, channels - 1), b) / select(k % 2 == 0, a.ratio_h, a.ratio_w), 0.0f);
}

// A sample's neighbour `corner` (0..3): its pixel (h * w when outside),
// promised in range (true by construction; bounds inference cannot see the
// value range of a Func that is computed rather than inlined).
inline Expr neighbour_pixel(const PointsCollectionAlgorithm &a, Expr corner, Expr x, Expr y, Expr n, Expr b) {
    return unsafe_promise_clamped(a.index(corner, x, y, n, b), 0, a.lower_h * a.lower_w);
}

// Forward: output(x, y, k, n, b).
inline void define_points_collection(PointsCollectionAlgorithm &a, Func t, Func d, Expr image_h, Expr image_w,
                                     Expr channels, Expr lower_h, Expr lower_w) {
    define_points_collection_samples(a, t, d, image_h, image_w, channels, lower_h, lower_w);
    Var x = a.x, y = a.y, k = a.k, n = a.n, b = a.b;
    Expr value = 0.0f;
    for (int c = 0; c < kCorners; c++) {
        value += a.weight(c, x, y, n, b) * a.lower(k, neighbour_pixel(a, c, x, y, n, b), b);
    }
    a.interp(k, x, y, n, b) = value;
    a.output = Func("points");
    a.output(x, y, k, n, b) = a.interp(k, x, y, n, b) + t(x, y, k % 2, n, b);
}

// Backward: grad_t(x, y, comp, n, b) and grad_d(q, p, k, b) from
// g(x, y, k, n, b). count_n = N. strip_rows: image rows per partial sum
// (deterministic path).
inline void define_points_collection_backward(PointsCollectionAlgorithm &a, Func t, Func d, Func g, Expr image_h,
                                              Expr image_w, Expr channels, Expr lower_h, Expr lower_w, Expr count_n,
                                              bool deterministic, Expr strip_rows) {
    define_points_collection_samples(a, t, d, image_h, image_w, channels, lower_h, lower_w);
    Var x = a.x, y = a.y, k = a.k, n = a.n, b = a.b, q = a.q, p = a.p, comp = a.comp, strip = a.strip,
        pixel = a.pixel;
    a.deterministic = deterministic;

    // d interp(k) / d(row offset) (comp 0) and / d(column offset) (comp 1).
    Expr along_y = 0.0f, along_x = 0.0f;
    for (int c = 0; c < kCorners; c++) {
        Expr value = a.lower(k, neighbour_pixel(a, c, x, y, n, b), b);
        along_y += a.slope(c, x, y, n, b) * value;
        along_x += a.slope(kCorners + c, x, y, n, b) * value;
    }
    a.dinterp(comp, k, x, y, n, b) = select(comp == 0, along_y, along_x);

    // grad_t: the output's own +t term adds the g of matching parity.
    a.over_k = RDom(0, channels, "over_k");
    Expr rk = a.over_k;
    a.grad_t = Func("grad_t");
    a.grad_t(x, y, comp, n, b) = 0.0f;
    a.grad_t(x, y, comp, n, b) +=
        g(x, y, rk, n, b) * (a.dinterp(comp, rk, x, y, n, b) + select(rk % 2 == comp, 1.0f, 0.0f));
    // grad_p as read by the grad_d scatter, k and x clamped (like lower) so
    // that schedules may round channel and sample loops up to whole vectors.
    a.g_channels(k, x, y, n, b) = g(clamp(x, 0, image_w - 1), y, clamp(k, 0, channels - 1), n, b);

    // grad_d: every sample adds weight * g(k) to its four neighbours.
    a.strip_rows = strip_rows;
    a.strips = (image_h + strip_rows - 1) / strip_rows;
    a.scattered = Func("grad_d_scatter");
    if (deterministic) {
        a.over_samples = RDom({{0, kCorners}, {0, image_w}, {0, strip_rows}, {0, count_n}}, "over_samples");
        RDom &r = a.over_samples;
        // The last strip may be short: the predicate skips its missing rows
        // (the clamp only tells bounds inference, which ignores predicates).
        r.where(strip * strip_rows + r[2] < image_h);
        Expr sy = min(strip * strip_rows + r[2], image_h - 1);
        a.partial(k, pixel, strip, b) = 0.0f;
        a.partial(k, neighbour_pixel(a, r[0], r[1], sy, r[3], b), strip, b) +=
            a.weight(r[0], r[1], sy, r[3], b) * a.g_channels(k, r[1], sy, r[3], b);
        a.over_strips = RDom(0, a.strips, "over_strips");
        a.scattered(k, pixel, b) = 0.0f;
        a.scattered(k, pixel, b) += a.partial(k, pixel, a.over_strips, b);
    } else {
        a.over_samples = RDom({{0, kCorners}, {0, image_w}, {0, image_h}, {0, count_n}}, "over_samples");
        RDom &r = a.over_samples;
        a.scattered(k, pixel, b) = 0.0f;
        a.scattered(k, neighbour_pixel(a, r[0], r[1], r[2], r[3], b), b) +=
            a.weight(r[0], r[1], r[2], r[3], b) * a.g_channels(k, r[1], r[2], r[3], b);
    }
    a.grad_d = Func("grad_d");
    // (pixel h * w collected the adds of neighbours outside the grid.)
    a.grad_d(q, p, k, b) = a.scattered(k, p * lower_w + q, b) / select(k % 2 == 0, a.ratio_h, a.ratio_w);
}

}  // namespace halconv
