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

enum SampleIndexPart { kRowLo, kRowHi, kColLo, kColHi, kIndexParts };
enum SampleWeightPart { kWyLo, kWyHi, kWxLo, kWxHi, kAnyInside, kWeightParts };
enum SampleSlopePart { kSyLo, kSyHi, kSxLo, kSxHi, kSlopeParts };

struct PointsCollectionAlgorithm {
    Var x{"x"}, y{"y"}, k{"k"}, n{"n"}, b{"b"}, comp{"comp"}, part{"part"};
    Var q{"q"}, p{"p"}, strip{"strip"};

    Expr channels;  // 2M
    Expr ratio_h, ratio_w, lower_h, lower_w;

    // (part, x, y, n, b), per sample, shared by its 2M channels:
    Func index{"sample_index"};    // SampleIndexPart: neighbour rows / columns (clamped)
    Func weight{"sample_weight"};  // SampleWeightPart: weights; kAnyInside 1 when a neighbour is in the grid
    Func slope{"sample_slope"};    // SampleSlopePart: the spec's sign terms (backward)
    // (k, q, p, b): d(k) / r_comp, channel innermost, read by every sample.
    Func lower{"lower_scaled"};
    // (k, x, y, n, b): the bilinear interpolation of lower(k).
    Func interp{"interp"};
    Func output;  // forward: (x, y, k, n, b)

    // Backward.
    Func dinterp{"dinterp"};      // (comp, k, x, y, n, b): d interp(k) / d t(comp)
    Func grad_t;                  // (x, y, comp, n, b)
    Func partial{"grad_d_partial"};  // deterministic: (k, q, p, strip, b)
    Func scattered;               // (k, q, p, b): grad_d before the 1/r scale, channel innermost
    Func grad_d;                  // (q, p, k, b)
    RDom over_k;                  // grad_t: the channels k
    RDom over_samples;            // partial / scattered: (cx, cy, x, y or row in strip, n)
    RDom over_strips;             // deterministic: the strips, in order
    Expr strip_rows, strips;
    bool deterministic = true;
};

// t(x, y, comp, n, b), d(q, p, k, b): the inputs; image_h/w = H, W;
// channels = 2M; lower_h/w = h, w.
inline void define_points_collection_samples(PointsCollectionAlgorithm &a, Func t, Func d, Expr image_h,
                                             Expr image_w, Expr channels, Expr lower_h, Expr lower_w) {
    Var x = a.x, y = a.y, k = a.k, n = a.n, b = a.b, q = a.q, p = a.p, part = a.part;
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
    a.index(part, x, y, n, b) = select_part(part, {rows.lo, rows.hi, cols.lo, cols.hi});
    a.weight(part, x, y, n, b) = select_part(part, {rows.weight_lo, rows.weight_hi, cols.weight_lo, cols.weight_hi,
                                            select(rows.usable && cols.usable, 1.0f, 0.0f)});
    // The spec's s: +1 where the neighbour is at or past the position, -1
    // before it, 0 once |a - p| >= 1 (so at an integer position the lower
    // neighbour has +1 and the upper one, at distance 1, has 0).
    Expr exact_row = rows.fraction == 0.0f, exact_col = cols.fraction == 0.0f;
    a.slope(part, x, y, n, b) = select_part(part, {select(rows.lo_inside, select(exact_row, 1.0f, -1.0f), 0.0f),
                                           select(rows.hi_inside && !exact_row, 1.0f, 0.0f),
                                           select(cols.lo_inside, select(exact_col, 1.0f, -1.0f), 0.0f),
                                           select(cols.hi_inside && !exact_col, 1.0f, 0.0f)});
    a.lower(k, q, p, b) = d(q, p, k, b) / select(k % 2 == 0, a.ratio_h, a.ratio_w);
}

// The four neighbours of a sample and their weights.
struct SampleNeighbours {
    Expr row_lo, row_hi, col_lo, col_hi, wy_lo, wy_hi, wx_lo, wx_hi, any;
    SampleNeighbours(const PointsCollectionAlgorithm &a, Expr x, Expr y, Expr n, Expr b) {
        Func index = a.index, weight = a.weight;
        // The index Func holds rows and columns, so its value bounds are
        // their union; the promise (true: the algorithm clamps) restores
        // each axis's range for bounds inference at no cost.
        auto row = [&](int part) { return unsafe_promise_clamped(index(part, x, y, n, b), 0, a.lower_h - 1); };
        auto col = [&](int part) { return unsafe_promise_clamped(index(part, x, y, n, b), 0, a.lower_w - 1); };
        row_lo = row(kRowLo);
        row_hi = row(kRowHi);
        col_lo = col(kColLo);
        col_hi = col(kColHi);
        wy_lo = weight(kWyLo, x, y, n, b);
        wy_hi = weight(kWyHi, x, y, n, b);
        wx_lo = weight(kWxLo, x, y, n, b);
        wx_hi = weight(kWxHi, x, y, n, b);
        any = weight(kAnyInside, x, y, n, b);
    }
};

// Forward: output(x, y, k, n, b).
inline void define_points_collection(PointsCollectionAlgorithm &a, Func t, Func d, Expr image_h, Expr image_w,
                                     Expr channels, Expr lower_h, Expr lower_w) {
    define_points_collection_samples(a, t, d, image_h, image_w, channels, lower_h, lower_w);
    Var x = a.x, y = a.y, k = a.k, n = a.n, b = a.b;
    SampleNeighbours s(a, x, y, n, b);
    Func L = a.lower;
    Expr value = s.wy_lo * (s.wx_lo * L(k, s.col_lo, s.row_lo, b) + s.wx_hi * L(k, s.col_hi, s.row_lo, b)) +
                 s.wy_hi * (s.wx_lo * L(k, s.col_lo, s.row_hi, b) + s.wx_hi * L(k, s.col_hi, s.row_hi, b));
    // A sample with no neighbour in the grid adds exactly 0 (its clamped
    // loads may hold anything, NaN included).
    a.interp(k, x, y, n, b) = select(s.any != 0.0f, value, 0.0f);
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
    Var x = a.x, y = a.y, k = a.k, n = a.n, b = a.b, q = a.q, p = a.p, comp = a.comp, strip = a.strip;
    Func L = a.lower;
    a.deterministic = deterministic;

    // d interp(k) / d(row offset) (comp 0) and / d(column offset) (comp 1).
    {
        SampleNeighbours s(a, x, y, n, b);
        Func sl = a.slope;
        Expr sy_lo = sl(kSyLo, x, y, n, b), sy_hi = sl(kSyHi, x, y, n, b);
        Expr sx_lo = sl(kSxLo, x, y, n, b), sx_hi = sl(kSxHi, x, y, n, b);
        Expr l00 = L(k, s.col_lo, s.row_lo, b), l01 = L(k, s.col_hi, s.row_lo, b);
        Expr l10 = L(k, s.col_lo, s.row_hi, b), l11 = L(k, s.col_hi, s.row_hi, b);
        Expr along_y = a.ratio_h * (sy_lo * (s.wx_lo * l00 + s.wx_hi * l01) + sy_hi * (s.wx_lo * l10 + s.wx_hi * l11));
        Expr along_x = a.ratio_w * (sx_lo * (s.wy_lo * l00 + s.wy_hi * l10) + sx_hi * (s.wy_lo * l01 + s.wy_hi * l11));
        a.dinterp(comp, k, x, y, n, b) = select(s.any != 0.0f, select(comp == 0, along_y, along_x), 0.0f);
    }

    // grad_t: the output's own +t term adds the g of matching parity.
    a.over_k = RDom(0, channels, "over_k");
    Expr rk = a.over_k;
    a.grad_t = Func("grad_t");
    a.grad_t(x, y, comp, n, b) = 0.0f;
    a.grad_t(x, y, comp, n, b) +=
        g(x, y, rk, n, b) * (a.dinterp(comp, rk, x, y, n, b) + select(rk % 2 == comp, 1.0f, 0.0f));

    // grad_d: every sample adds weight * g(k) to its four neighbours
    // (cx, cy: neighbour column / row, 0 = lo).
    Expr scale = 1.0f / select(k % 2 == 0, a.ratio_h, a.ratio_w);
    a.strip_rows = strip_rows;
    a.strips = (image_h + strip_rows - 1) / strip_rows;
    auto add_samples = [&](Func f, std::vector<Expr> lhs_tail, Expr sx, Expr sy, Expr sn, RVar cx, RVar cy) {
        SampleNeighbours s(a, sx, sy, sn, b);
        Expr row = select(cy == 0, s.row_lo, s.row_hi), col = select(cx == 0, s.col_lo, s.col_hi);
        Expr w = select(cy == 0, s.wy_lo, s.wy_hi) * select(cx == 0, s.wx_lo, s.wx_hi);
        std::vector<Expr> lhs = {k, col, row};
        lhs.insert(lhs.end(), lhs_tail.begin(), lhs_tail.end());
        f(lhs) += w * g(sx, sy, k, sn, b);
    };
    a.scattered = Func("grad_d_scatter");
    if (deterministic) {
        a.over_samples = RDom({{0, 2}, {0, 2}, {0, image_w}, {0, strip_rows}, {0, count_n}}, "over_samples");
        RDom &r = a.over_samples;
        // The last strip may be short: the predicate skips its missing rows
        // (the clamp only tells bounds inference, which ignores predicates).
        r.where(strip * strip_rows + r[3] < image_h);
        Expr sy = min(strip * strip_rows + r[3], image_h - 1);
        a.partial(k, q, p, strip, b) = 0.0f;
        add_samples(a.partial, {strip, b}, r[2], sy, r[4], r[0], r[1]);
        a.over_strips = RDom(0, a.strips, "over_strips");
        a.scattered(k, q, p, b) = 0.0f;
        a.scattered(k, q, p, b) += a.partial(k, q, p, a.over_strips, b);
    } else {
        a.over_samples = RDom({{0, 2}, {0, 2}, {0, image_w}, {0, image_h}, {0, count_n}}, "over_samples");
        RDom &r = a.over_samples;
        a.scattered(k, q, p, b) = 0.0f;
        add_samples(a.scattered, {b}, r[2], r[3], r[4], r[0], r[1]);
    }
    a.grad_d = Func("grad_d");
    a.grad_d(q, p, k, b) = a.scattered(k, q, p, b) * scale;
}

}  // namespace halconv
