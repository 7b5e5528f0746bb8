// The plain OpenMP peer of points collection and a naive double-precision
// reference; see points_peer.h. Compiled with -O3 -march=native -fopenmp
// (bench/CMakeLists.txt), nothing hand-vectorised.
#include "points_peer.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace points_peer {

namespace {

// One axis of a sample's position in the lower grid (`size` samples): the
// kernel max(0, 1 - |a - p|) has at most two non-zero neighbours, lo =
// floor(a) (weight 1 - f) and lo + 1 (weight f), f = a - lo. A non-finite
// position, or one with no neighbour in the grid, samples nothing.
struct Axis {
    bool usable = false;
    int lo = 0;
    float f = 0;
    bool lo_in = false, hi_in = false;  // the neighbour lies in the grid
};

inline Axis locate(float a, int size) {
    Axis ax;
    ax.usable = std::isfinite(a) && a > -1.0f && a < float(size);
    if (!ax.usable) return ax;
    const float fl = std::floor(a);
    ax.lo = int(fl);
    ax.f = a - fl;
    ax.lo_in = ax.lo >= 0;
    ax.hi_in = ax.lo + 1 < size;
    return ax;
}

}  // namespace

// Loop order: (b, i) in parallel, then n, m and j innermost, so that every
// row of t, p and g is read or written contiguously (NCHW); the sample's
// position is recomputed for each m (cheap next to the memory traffic). The
// other plain order, j then n then m innermost (the position once per
// sample), writes 2NM planes H*W floats apart for every pixel, which maps
// them onto a few cache sets: 1.5-2.5x slower here.
void forward(const Dims &s, const float *t, const float *d, float *p, int threads) {
    const int B = s.B, N = s.N, M = s.M, H = s.H, W = s.W, h = s.h, w = s.w;
    const float rh = float(h) / float(H), rw = float(w) / float(W);
    const float inv_rh = 1.0f / rh, inv_rw = 1.0f / rw;
    const size_t HW = size_t(H) * W, hw = size_t(h) * w;
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads)
    for (int b = 0; b < B; b++) {
        for (int i = 0; i < H; i++) {
            for (int n = 0; n < N; n++) {
                const float *ty = t + (size_t(b) * 2 * N + 2 * n) * HW + size_t(i) * W;  // row i of y
                const float *tx = ty + HW;                                               // row i of x
                for (int m = 0; m < M; m++) {
                    const float *u = d + (size_t(b) * 2 * M + 2 * m) * hw;
                    const float *v = u + hw;
                    float *py = p + ((size_t(b) * N + n) * M + m) * 2 * HW + size_t(i) * W;
                    float *px = py + HW;
                    for (int j = 0; j < W; j++) {
                        const float y = ty[j], x = tx[j];
                        const Axis ay = locate((float(i) + y) * rh, h);
                        const Axis ax = locate((float(j) + x) * rw, w);
                        float su = 0, sv = 0;
                        if (ay.usable && ax.usable) {
                            const float wy0 = 1.0f - ay.f, wy1 = ay.f, wx0 = 1.0f - ax.f, wx1 = ax.f;
                            const size_t k00 = size_t(ay.lo) * w + ax.lo;  // only read where in the grid
                            if (ay.lo_in && ax.lo_in) {
                                su += wy0 * wx0 * u[k00];
                                sv += wy0 * wx0 * v[k00];
                            }
                            if (ay.lo_in && ax.hi_in) {
                                su += wy0 * wx1 * u[k00 + 1];
                                sv += wy0 * wx1 * v[k00 + 1];
                            }
                            if (ay.hi_in && ax.lo_in) {
                                su += wy1 * wx0 * u[k00 + w];
                                sv += wy1 * wx0 * v[k00 + w];
                            }
                            if (ay.hi_in && ax.hi_in) {
                                su += wy1 * wx1 * u[k00 + w + 1];
                                sv += wy1 * wx1 * v[k00 + w + 1];
                            }
                        }
                        py[j] = su * inv_rh + y;
                        px[j] = sv * inv_rw + x;
                    }
                }
            }
        }
    }
}

void backward(const Dims &s, const float *t, const float *d, const float *g, float *grad_t, float *grad_d,
              int threads) {
    const int B = s.B, N = s.N, M = s.M, H = s.H, W = s.W, h = s.h, w = s.w;
    const float rh = float(h) / float(H), rw = float(w) / float(W);
    const float inv_rh = 1.0f / rh, inv_rw = 1.0f / rw, rh_rw = rh / rw, rw_rh = rw / rh;
    const size_t HW = size_t(H) * W, hw = size_t(h) * w;
    const long long d_size = (long long)s.d_size();
#pragma omp parallel for schedule(static) num_threads(threads)
    for (long long k = 0; k < d_size; k++) grad_d[k] = 0.0f;

    // The same loops as the forward; the rows of grad_t for (b, n, i) belong
    // to one thread (no race), grad_d is the scatter (atomic adds).
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads)
    for (int b = 0; b < B; b++) {
        for (int i = 0; i < H; i++) {
            for (int n = 0; n < N; n++) {
                const size_t row = (size_t(b) * 2 * N + 2 * n) * HW + size_t(i) * W;
                const float *ty = t + row, *tx = ty + HW;
                float *gty = grad_t + row, *gtx = gty + HW;
                for (int j = 0; j < W; j++) {
                    gty[j] = 0.0f;
                    gtx[j] = 0.0f;
                }
                for (int m = 0; m < M; m++) {
                    const size_t off = (size_t(b) * 2 * M + 2 * m) * hw;
                    const float *u = d + off, *v = u + hw;
                    float *gu = grad_d + off, *gv = gu + hw;
                    const float *g0 = g + ((size_t(b) * N + n) * M + m) * 2 * HW + size_t(i) * W;
                    const float *g1 = g0 + HW;
                    for (int j = 0; j < W; j++) {
                        const float G0 = g0[j], G1 = g1[j];
                        float dy = G0, dx = G1;  // the +y, +x terms of p
                        const Axis ay = locate((float(i) + ty[j]) * rh, h);
                        const Axis ax = locate((float(j) + tx[j]) * rw, w);
                        if (ay.usable && ax.usable) {
                            const float wy0 = 1.0f - ay.f, wy1 = ay.f, wx0 = 1.0f - ax.f, wx1 = ax.f;
                            // The spec's sign terms: +1 at p >= a, -1 at p < a, 0
                            // once |a - p| >= 1 (the upper neighbour of an
                            // integer position).
                            const float sy0 = ay.f == 0.0f ? 1.0f : -1.0f, sy1 = ay.f == 0.0f ? 0.0f : 1.0f;
                            const float sx0 = ax.f == 0.0f ? 1.0f : -1.0f, sx1 = ax.f == 0.0f ? 0.0f : 1.0f;
                            const bool in00 = ay.lo_in && ax.lo_in, in01 = ay.lo_in && ax.hi_in;
                            const bool in10 = ay.hi_in && ax.lo_in, in11 = ay.hi_in && ax.hi_in;
                            const size_t k00 = size_t(ay.lo) * w + ax.lo;
                            const float u00 = in00 ? u[k00] : 0.0f, v00 = in00 ? v[k00] : 0.0f;
                            const float u01 = in01 ? u[k00 + 1] : 0.0f, v01 = in01 ? v[k00 + 1] : 0.0f;
                            const float u10 = in10 ? u[k00 + w] : 0.0f, v10 = in10 ? v[k00 + w] : 0.0f;
                            const float u11 = in11 ? u[k00 + w + 1] : 0.0f, v11 = in11 ? v[k00 + w + 1] : 0.0f;
                            // sum u gx s_y, sum v gx s_y, sum u gy s_x, sum v gy s_x
                            const float uy = sy0 * (wx0 * u00 + wx1 * u01) + sy1 * (wx0 * u10 + wx1 * u11);
                            const float vy = sy0 * (wx0 * v00 + wx1 * v01) + sy1 * (wx0 * v10 + wx1 * v11);
                            const float ux = sx0 * (wy0 * u00 + wy1 * u10) + sx1 * (wy0 * u01 + wy1 * u11);
                            const float vx = sx0 * (wy0 * v00 + wy1 * v10) + sx1 * (wy0 * v01 + wy1 * v11);
                            dy += G0 * uy + G1 * rh_rw * vy;
                            dx += G0 * rw_rh * ux + G1 * vx;
                            // The scatter into grad_d.
                            const float a0 = G0 * inv_rh, a1 = G1 * inv_rw;
                            if (in00) {
                                const float k = wy0 * wx0;
#pragma omp atomic
                                gu[k00] += k * a0;
#pragma omp atomic
                                gv[k00] += k * a1;
                            }
                            if (in01) {
                                const float k = wy0 * wx1;
#pragma omp atomic
                                gu[k00 + 1] += k * a0;
#pragma omp atomic
                                gv[k00 + 1] += k * a1;
                            }
                            if (in10) {
                                const float k = wy1 * wx0;
#pragma omp atomic
                                gu[k00 + w] += k * a0;
#pragma omp atomic
                                gv[k00 + w] += k * a1;
                            }
                            if (in11) {
                                const float k = wy1 * wx1;
#pragma omp atomic
                                gu[k00 + w + 1] += k * a0;
#pragma omp atomic
                                gv[k00 + w + 1] += k * a1;
                            }
                        }
                        gty[j] += dy;
                        gtx[j] += dx;
                    }
                }
            }
        }
    }
}

// --- the naive double-precision reference -------------------------------------

namespace {

// Lower-grid rows (or columns) where max(0, 1 - |a - p|) may be non-zero:
// [first, last], empty when first > last. Positions are finite here.
inline void window(double a, int size, int &first, int &last) {
    if (!(a > -1.0) || !(a < double(size))) {
        first = 0;
        last = -1;
        return;
    }
    const int fl = int(std::floor(a));
    first = std::max(0, fl - 1);
    last = std::min(size - 1, fl + 2);
}

inline double kernel(double a, int p) { return std::max(0.0, 1.0 - std::fabs(a - double(p))); }
inline double sign_term(double a, int p) { return std::fabs(a - double(p)) >= 1.0 ? 0.0 : (double(p) >= a ? 1.0 : -1.0); }

}  // namespace

double reference_forward_at(const Dims &s, const float *t, const float *d, size_t index) {
    const int N = s.N, M = s.M, H = s.H, W = s.W, h = s.h, w = s.w;
    const size_t HW = size_t(H) * W, hw = size_t(h) * w;
    const size_t channels = size_t(2) * N * M;
    const size_t pix = index % HW;
    const size_t ch = (index / HW) % channels;
    const size_t b = index / (HW * channels);
    const int i = int(pix / size_t(W)), j = int(pix % size_t(W));
    const int n = int(ch / 2 / size_t(M)), m = int(ch / 2 % size_t(M)), comp = int(ch % 2);
    const float y = t[(b * 2 * N + 2 * n) * HW + pix], x = t[(b * 2 * N + 2 * n + 1) * HW + pix];
    // Positions in float, as the implementations compute them.
    const float rhf = float(h) / float(H), rwf = float(w) / float(W);
    const double a = double((float(i) + y) * rhf), c = double((float(j) + x) * rwf);
    const double r = comp == 0 ? double(h) / H : double(w) / W;
    const float *lower = d + (b * 2 * M + 2 * m + comp) * hw;
    double sum = 0;
    if (std::isfinite(a) && std::isfinite(c)) {
        int p0, p1, q0, q1;
        window(a, h, p0, p1);
        window(c, w, q0, q1);
        for (int p = p0; p <= p1; p++)
            for (int q = q0; q <= q1; q++) {
                const double k = kernel(a, p) * kernel(c, q);
                if (k != 0) sum += double(lower[size_t(p) * w + q]) * k;
            }
    }
    return sum / r + double(comp == 0 ? y : x);
}

void reference_forward(const Dims &s, const float *t, const float *d, float *p) {
    const size_t n = s.p_size();
    for (size_t k = 0; k < n; k++) p[k] = float(reference_forward_at(s, t, d, k));
}

void reference_backward(const Dims &s, const float *t, const float *d, const float *g, float *grad_t,
                        float *grad_d) {
    const int B = s.B, N = s.N, M = s.M, H = s.H, W = s.W, h = s.h, w = s.w;
    const size_t HW = size_t(H) * W, hw = size_t(h) * w;
    const float rhf = float(h) / float(H), rwf = float(w) / float(W);
    const double rh = double(h) / H, rw = double(w) / W;
    std::vector<double> gd(s.d_size(), 0.0);
    for (int b = 0; b < B; b++)
        for (int n = 0; n < N; n++)
            for (int i = 0; i < H; i++)
                for (int j = 0; j < W; j++) {
                    const size_t pix = size_t(i) * W + j;
                    const size_t ty = (size_t(b) * 2 * N + 2 * n) * HW + pix, tx = ty + HW;
                    const float y = t[ty], x = t[tx];
                    const double a = double((float(i) + y) * rhf), c = double((float(j) + x) * rwf);
                    const bool finite = std::isfinite(a) && std::isfinite(c);
                    int p0 = 0, p1 = -1, q0 = 0, q1 = -1;
                    if (finite) {
                        window(a, h, p0, p1);
                        window(c, w, q0, q1);
                    }
                    double dy = 0, dx = 0;
                    for (int m = 0; m < M; m++) {
                        const size_t gi = ((size_t(b) * N + n) * M + m) * 2 * HW + pix;
                        const double G0 = g[gi], G1 = g[gi + HW];
                        dy += G0;
                        dx += G1;
                        const size_t off = (size_t(b) * 2 * M + 2 * m) * hw;
                        double uy = 0, vy = 0, ux = 0, vx = 0;
                        for (int p = p0; p <= p1; p++)
                            for (int q = q0; q <= q1; q++) {
                                const double ky = kernel(a, p), kx = kernel(c, q);
                                const double sy = sign_term(a, p), sx = sign_term(c, q);
                                const size_t at = size_t(p) * w + q;
                                const double u = d[off + at], v = d[off + hw + at];
                                gd[off + at] += ky * kx / rh * G0;
                                gd[off + hw + at] += ky * kx / rw * G1;
                                uy += u * kx * sy;
                                vy += v * kx * sy;
                                ux += u * ky * sx;
                                vx += v * ky * sx;
                            }
                        dy += G0 * uy + G1 * (rh / rw) * vy;
                        dx += G0 * (rw / rh) * ux + G1 * vx;
                    }
                    grad_t[ty] = float(dy);
                    grad_t[tx] = float(dx);
                }
    for (size_t k = 0; k < gd.size(); k++) grad_d[k] = float(gd[k]);
}

}  // namespace points_peer
