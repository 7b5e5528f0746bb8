// Plain reference of points collection (docs/points_collection.md), written
// directly from the specification's formulas in double precision, forward
// and backward. Like reference.h it is deliberately naive (one loop per
// index) and does not depend on halconv.
//
// Shapes (NCHW, float inputs, double results):
//   t [B, 2N, H, W]  target offsets: channel 2n = y (rows), 2n+1 = x (columns)
//   d [B, 2M, h, w]  lower-layer offsets: channel 2m = u (rows), 2m+1 = v
//   p [B, 2NM, H, W] channel 2(nM + m) = row component, +1 = column component
//
// Per sample (b, n, i, j) with y = t[b,2n,i,j], x = t[b,2n+1,i,j]:
//   r_h = h / H, r_w = w / W,  a = (i + y) r_h,  c = (j + x) r_w
//   gy(p) = max(0, 1 - |a - p|),  gx(q) = max(0, 1 - |c - q|),  K = gy gx
//   s_y(p) = 0 if |a - p| >= 1, +1 if p >= a, -1 if p < a   (s_x alike)
//   p[2(nM+m)]   = sum_pq u K / r_h + y
//   p[2(nM+m)+1] = sum_pq v K / r_w + x
//   grad_y = sum_m G0 (1 + sum_pq u gx s_y) + G1 (r_h / r_w) sum_pq v gx s_y
//   grad_x = sum_m G0 (r_w / r_h) sum_pq u gy s_x + G1 (1 + sum_pq v gy s_x)
//   grad_u[p,q] += gy gx / r_h G0,  grad_v[p,q] += gy gx / r_w G1
// The spec's sums run over the whole grid with K = 0 (and s = 0) wherever
// |a - p| >= 1; the reference sums over the rows p in [0, h) with
// |a - p| < 1 (at most two: floor(a) and floor(a) + 1) and the columns alike,
// which is the same sum for finite data. The documented edge cases
// (include/halconv/points.h) fix what the whole-grid sum leaves open:
//   * a non-finite position (NaN or +-Inf t) samples nothing: p = t for its
//     components, no gradient to d, grad_t = the +t term only;
//   * a sample with no row or no column in range samples nothing (p = t
//     exactly, no gradient to d);
//   * at an integer position a, the row floor(a) + 1 (weight 0, s = 0) is a
//     neighbour too when it lies in the grid: it only matters for
//     non-finite d (0 * NaN = NaN, 0 * Inf = NaN reach the output, IEEE).
#pragma once

#include <cstdint>
#include <vector>

namespace ref {

using Shape = std::vector<int64_t>;

struct PointsDims {
    int64_t B = 0, N = 0, M = 0, H = 0, W = 0, h = 0, w = 0;
    double ratio_h() const { return (double)h / (double)H; }
    double ratio_w() const { return (double)w / (double)W; }
};

// The dims of t [B, 2N, H, W] and d [B, 2M, h, w]; false when the shapes
// are not valid (rank != 4, odd or zero channels, batch mismatch, dims < 1).
bool points_dims(const Shape &t, const Shape &d, PointsDims *dims);
// [B, 2NM, H, W], or empty when the shapes are not valid.
Shape points_output_shape(const Shape &t, const Shape &d);

// One axis of a sample: its position in the lower grid and its neighbours
// (index, bilinear weight g = max(0, 1 - |pos - k|), the spec's sign s).
struct PointsAxis {
    double position = 0.0;
    int count = 0;  // 0, 1 or 2 neighbours in [0, size)
    int64_t index[2] = {0, 0};
    double weight[2] = {0.0, 0.0};
    double sign[2] = {0.0, 0.0};
};
// position = (pixel + offset) * ratio; neighbours as described above.
PointsAxis points_axis(double offset, int64_t pixel, double ratio, int64_t size);

struct PointsSample {
    PointsAxis rows, cols;
    // The sample takes something from d (a neighbour on both axes).
    bool samples() const { return rows.count > 0 && cols.count > 0; }
};
PointsSample points_sample(double y, double x, int64_t i, int64_t j, const PointsDims &dims);

// A reference result: values, the sum of |terms| of each element (bounds
// the rounding of any float summation order) and a bound on how much the
// element moves when the sample positions move: sum over its samples of
// (Lipschitz constant w.r.t. a and c) * (|a| + |c| + 1). A float evaluation
// computes a and c with a relative error of a few ulps, so it may differ by
// about 4 * 2^-24 * position_bound even with exact sums (away from the
// kinks of the kernel, where the result jumps).
struct PointsResult {
    Shape shape;
    std::vector<double> value;
    std::vector<double> abs_sum;
    std::vector<double> position_bound;
};

// Forward. t, d row-major NCHW float.
PointsResult points_collection(const float *t, const Shape &t_shape, const float *d, const Shape &d_shape);

struct PointsGradients {
    PointsResult grad_t;  // t's shape
    PointsResult grad_d;  // d's shape
};

// Backward for the loss gradient g = dL/dp (p's shape).
PointsGradients points_collection_backward(const float *t, const Shape &t_shape, const float *d,
                                           const Shape &d_shape, const float *g);

}  // namespace ref
