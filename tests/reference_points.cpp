#include "reference_points.h"

#include <cmath>
#include <stdexcept>

namespace ref {

namespace {

int64_t numel4(const Shape &s) { return s[0] * s[1] * s[2] * s[3]; }

int64_t at4(const Shape &s, int64_t a, int64_t b, int64_t c, int64_t d) {
    return ((a * s[1] + b) * s[2] + c) * s[3] + d;
}

PointsDims require_dims(const Shape &t, const Shape &d) {
    PointsDims dims;
    if (!points_dims(t, d, &dims)) throw std::invalid_argument("reference: invalid points collection shapes");
    return dims;
}

PointsResult zeros(const Shape &shape) {
    PointsResult r;
    r.shape = shape;
    const size_t n = (size_t)numel4(shape);
    r.value.assign(n, 0.0);
    r.abs_sum.assign(n, 0.0);
    r.position_bound.assign(n, 0.0);
    return r;
}

}  // namespace

bool points_dims(const Shape &t, const Shape &d, PointsDims *dims) {
    if (t.size() != 4 || d.size() != 4) return false;
    for (int k = 0; k < 4; k++)
        if (t[k] < 1 || d[k] < 1) return false;
    if (t[1] % 2 != 0 || d[1] % 2 != 0) return false;
    if (t[0] != d[0]) return false;
    dims->B = t[0];
    dims->N = t[1] / 2;
    dims->H = t[2];
    dims->W = t[3];
    dims->M = d[1] / 2;
    dims->h = d[2];
    dims->w = d[3];
    return true;
}

Shape points_output_shape(const Shape &t, const Shape &d) {
    PointsDims dims;
    if (!points_dims(t, d, &dims)) return {};
    return {dims.B, 2 * dims.N * dims.M, dims.H, dims.W};
}

PointsAxis points_axis(double offset, int64_t pixel, double ratio, int64_t size) {
    PointsAxis axis;
    const double a = ((double)pixel + offset) * ratio;
    axis.position = a;
    // Non-finite positions and positions with no grid point at distance < 1
    // sample nothing.
    if (!std::isfinite(a) || !(a > -1.0) || !(a < (double)size)) return axis;
    const double lo = std::floor(a);
    for (double k : {lo, lo + 1.0}) {
        if (k < 0.0 || k >= (double)size) continue;
        const double dist = std::fabs(a - k);
        const int slot = axis.count++;
        axis.index[slot] = (int64_t)k;
        axis.weight[slot] = std::max(0.0, 1.0 - dist);
        axis.sign[slot] = dist >= 1.0 ? 0.0 : (k >= a ? 1.0 : -1.0);
    }
    return axis;
}

PointsSample points_sample(double y, double x, int64_t i, int64_t j, const PointsDims &dims) {
    PointsSample s;
    s.rows = points_axis(y, i, dims.ratio_h(), dims.h);
    s.cols = points_axis(x, j, dims.ratio_w(), dims.w);
    return s;
}

PointsResult points_collection(const float *t, const Shape &t_shape, const float *d, const Shape &d_shape) {
    const PointsDims dims = require_dims(t_shape, d_shape);
    const double rh = dims.ratio_h(), rw = dims.ratio_w();
    PointsResult out = zeros(points_output_shape(t_shape, d_shape));
    for (int64_t b = 0; b < dims.B; b++) {
        for (int64_t n = 0; n < dims.N; n++) {
            for (int64_t i = 0; i < dims.H; i++) {
                for (int64_t j = 0; j < dims.W; j++) {
                    const double y = t[at4(t_shape, b, 2 * n, i, j)];
                    const double x = t[at4(t_shape, b, 2 * n + 1, i, j)];
                    const PointsSample s = points_sample(y, x, i, j, dims);
                    // Only samples that take something from d move with their positions
                    // (and only their positions are finite).
                    const double spread =
                        s.samples() ? std::fabs(s.rows.position) + std::fabs(s.cols.position) + 1.0 : 0.0;
                    for (int64_t m = 0; m < dims.M; m++) {
                        double su = 0.0, sv = 0.0, au = 0.0, av = 0.0, lu = 0.0, lv = 0.0;
                        if (s.samples()) {
                            for (int pr = 0; pr < s.rows.count; pr++) {
                                for (int pc = 0; pc < s.cols.count; pc++) {
                                    const int64_t p = s.rows.index[pr], q = s.cols.index[pc];
                                    const double K = s.rows.weight[pr] * s.cols.weight[pc];
                                    const double u = d[at4(d_shape, b, 2 * m, p, q)];
                                    const double v = d[at4(d_shape, b, 2 * m + 1, p, q)];
                                    su += u * K;
                                    sv += v * K;
                                    au += std::fabs(u * K);
                                    av += std::fabs(v * K);
                                    lu += std::fabs(u);
                                    lv += std::fabs(v);
                                }
                            }
                        }
                        const int64_t c = 2 * (n * dims.M + m);
                        const size_t o0 = (size_t)at4(out.shape, b, c, i, j);
                        const size_t o1 = (size_t)at4(out.shape, b, c + 1, i, j);
                        out.value[o0] = su / rh + y;
                        out.value[o1] = sv / rw + x;
                        out.abs_sum[o0] = au / rh + std::fabs(y);
                        out.abs_sum[o1] = av / rw + std::fabs(x);
                        // |d p / d a| and |d p / d c| are at most sum |u| / r_h (each
                        // weight is 1-Lipschitz in both positions, and at most 1).
                        out.position_bound[o0] = lu / rh * spread;
                        out.position_bound[o1] = lv / rw * spread;
                    }
                }
            }
        }
    }
    return out;
}

PointsGradients points_collection_backward(const float *t, const Shape &t_shape, const float *d,
                                           const Shape &d_shape, const float *g) {
    const PointsDims dims = require_dims(t_shape, d_shape);
    const double rh = dims.ratio_h(), rw = dims.ratio_w();
    const Shape p_shape = points_output_shape(t_shape, d_shape);
    PointsGradients grads;
    grads.grad_t = zeros(t_shape);
    grads.grad_d = zeros(d_shape);
    PointsResult &gt = grads.grad_t, &gd = grads.grad_d;
    for (int64_t b = 0; b < dims.B; b++) {
        for (int64_t n = 0; n < dims.N; n++) {
            for (int64_t i = 0; i < dims.H; i++) {
                for (int64_t j = 0; j < dims.W; j++) {
                    const size_t ty = (size_t)at4(t_shape, b, 2 * n, i, j);
                    const size_t tx = (size_t)at4(t_shape, b, 2 * n + 1, i, j);
                    const PointsSample s = points_sample(t[ty], t[tx], i, j, dims);
                    // Only samples that take something from d move with their positions
                    // (and only their positions are finite).
                    const double spread =
                        s.samples() ? std::fabs(s.rows.position) + std::fabs(s.cols.position) + 1.0 : 0.0;
                    for (int64_t m = 0; m < dims.M; m++) {
                        const int64_t c = 2 * (n * dims.M + m);
                        const double G0 = g[at4(p_shape, b, c, i, j)];
                        const double G1 = g[at4(p_shape, b, c + 1, i, j)];
                        // sum u gx s_y, sum v gx s_y, sum u gy s_x, sum v gy s_x
                        double uy = 0.0, vy = 0.0, ux = 0.0, vx = 0.0;
                        double auy = 0.0, avy = 0.0, aux = 0.0, avx = 0.0, lu = 0.0, lv = 0.0;
                        if (s.samples()) {
                            for (int pr = 0; pr < s.rows.count; pr++) {
                                for (int pc = 0; pc < s.cols.count; pc++) {
                                    const int64_t p = s.rows.index[pr], q = s.cols.index[pc];
                                    const double gy = s.rows.weight[pr], gx = s.cols.weight[pc];
                                    const double sy = s.rows.sign[pr], sx = s.cols.sign[pc];
                                    const size_t iu = (size_t)at4(d_shape, b, 2 * m, p, q);
                                    const size_t iv = (size_t)at4(d_shape, b, 2 * m + 1, p, q);
                                    const double u = d[iu], v = d[iv];
                                    uy += u * gx * sy;
                                    vy += v * gx * sy;
                                    ux += u * gy * sx;
                                    vx += v * gy * sx;
                                    auy += std::fabs(u * gx * sy);
                                    avy += std::fabs(v * gx * sy);
                                    aux += std::fabs(u * gy * sx);
                                    avx += std::fabs(v * gy * sx);
                                    lu += std::fabs(u);
                                    lv += std::fabs(v);
                                    // The scatter into grad_d.
                                    const double du = gy * gx / rh * G0, dv = gy * gx / rw * G1;
                                    gd.value[iu] += du;
                                    gd.value[iv] += dv;
                                    gd.abs_sum[iu] += std::fabs(du);
                                    gd.abs_sum[iv] += std::fabs(dv);
                                    gd.position_bound[iu] += std::fabs(G0) / rh * spread;
                                    gd.position_bound[iv] += std::fabs(G1) / rw * spread;
                                }
                            }
                        }
                        gt.value[ty] += G0 * (1.0 + uy) + G1 * (rh / rw) * vy;
                        gt.value[tx] += G0 * (rw / rh) * ux + G1 * (1.0 + vx);
                        gt.abs_sum[ty] += std::fabs(G0) * (1.0 + auy) + std::fabs(G1) * (rh / rw) * avy;
                        gt.abs_sum[tx] += std::fabs(G0) * (rw / rh) * aux + std::fabs(G1) * (1.0 + avx);
                        // Away from the kinks the signs are constant and the
                        // weights 1-Lipschitz: |d grad / d position| <= sum |u|.
                        const double lip_y = std::fabs(G0) * lu + std::fabs(G1) * (rh / rw) * lv;
                        const double lip_x = std::fabs(G0) * (rw / rh) * lu + std::fabs(G1) * lv;
                        gt.position_bound[ty] += lip_y * spread;
                        gt.position_bound[tx] += lip_x * spread;
                    }
                }
            }
        }
    }
    return grads;
}

}  // namespace ref
