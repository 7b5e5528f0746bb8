#include "sampling_points.h"

#include "common.h"
#include "font.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace halconv_cli {

namespace {

constexpr double kPi = 3.14159265358979323846;

int ipow(int b, int e) {
    int r = 1;
    for (int i = 0; i < e; i++) r *= b;
    return r;
}

int64_t ipow64(int64_t b, int e) {
    int64_t r = 1;
    for (int i = 0; i < e; i++) r *= b;
    return r;
}

// The regular offset of tap m at step s: (rows, columns).
inline float tap_y(int m, int s) { return float((m / 3 - 1) * s); }
inline float tap_x(int m, int s) { return float((m % 3 - 1) * s); }

std::string fmt_g(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

}  // namespace

const char *offset_field_name(OffsetField f) {
    switch (f) {
    case OffsetField::Gradient: return "gradient";
    case OffsetField::Zoom: return "zoom";
    case OffsetField::Rotate: return "rotate";
    case OffsetField::Swirl: return "swirl";
    }
    return "?";
}

OffsetField parse_offset_field_arg(const std::string &text) {
    for (OffsetField f : {OffsetField::Gradient, OffsetField::Zoom, OffsetField::Rotate, OffsetField::Swirl}) {
        if (text == offset_field_name(f)) return f;
    }
    throw ArgError("--field expects gradient, zoom, rotate or swirl, got '" + text + "'");
}

std::vector<std::array<int, 2>> parse_points_arg(const std::string &text) {
    const std::string usage = "--points expects pixels as 'X,Y;X,Y;...' (up to " +
                              std::to_string(kMaxSamplingPixels) + ", integers from 0), got '" + text + "'";
    std::vector<std::array<int, 2>> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ';')) {
        // Spaces around numbers are fine; an empty item (";;") is not.
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        const size_t comma = item.find(',');
        if (item.empty() || comma == std::string::npos) throw ArgError(usage);
        std::array<int, 2> p{};
        for (int i = 0; i < 2; i++) {
            std::string v = i == 0 ? item.substr(0, comma) : item.substr(comma + 1);
            v.erase(0, v.find_first_not_of(' '));
            v.erase(v.find_last_not_of(' ') + 1);
            char *end = nullptr;
            errno = 0;
            const long n = std::strtol(v.c_str(), &end, 10);
            if (v.empty() || *end != '\0' || errno != 0 || n < 0 || n > 1000000) throw ArgError(usage);
            p[size_t(i)] = int(n);
        }
        out.push_back(p);
    }
    if (out.empty()) throw ArgError(usage);
    if (out.size() > size_t(kMaxSamplingPixels)) {
        throw ArgError("--points: at most " + std::to_string(kMaxSamplingPixels) + " pixels, got " +
                       std::to_string(out.size()));
    }
    return out;
}

// --- the plan ----------------------------------------------------------------------------

int SamplingPlan::points(int depth) const { return ipow(9, depth); }

namespace {

// A bound on |D_l,m| (pixels) for a layer of step s.
double shift_bound(OffsetField field, double strength, int s) {
    const double a = std::fabs(strength), g = std::sqrt(2.0) * s;  // |g_m| <= sqrt(2) s
    switch (field) {
    case OffsetField::Gradient: return a * s;  // clipped to this
    case OffsetField::Zoom: return (std::exp2(a) - 1.0) * g;
    case OffsetField::Rotate: return 2.0 * std::sin(std::min(kPi, a * kRotateDegrees * kPi / 180) / 2) * g;
    case OffsetField::Swirl: return 2.0 * std::sin(std::min(kPi, a * kSwirlDegrees * kPi / 180) / 2) * g;
    }
    return 0;
}

int window_for_reach(double reach) {
    // Window positions a = y + S/2 with |y| <= reach, and a's bilinear
    // neighbour a + 1, must lie in [0, S): reach <= S/2 - 2.
    const double need = 2.0 * (std::ceil(reach) + 2.0);
    int S = 8;
    while (S < need && S < (1 << 20)) S *= 2;
    return S;
}

int64_t call_bytes_per_pixel(int S, int depth_before) {
    const int64_t n = ipow64(9, depth_before);
    return int64_t(sizeof(float)) * (18 * int64_t(S) * S + 2 * n + 2 * n * 9);
}

// The largest window one call allows, and the reach it covers (the t and p
// parts are at most 2 * (729 + 6561) floats).
constexpr int kMaxWindow = 1024;
constexpr int kMaxReach = kMaxWindow / 2 - 2;
static_assert(int64_t(sizeof(float)) * (18 * int64_t(kMaxWindow) * kMaxWindow + 2 * (729 + 6561)) <= kMaxCallBytes &&
                  int64_t(sizeof(float)) * 18 * 4 * int64_t(kMaxWindow) * kMaxWindow > kMaxCallBytes,
              "kMaxWindow is the largest power of two within kMaxCallBytes");

std::string mib(double bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, bytes < 10 * 1048576.0 ? "%.1f" : "%.0f", bytes / 1048576.0);
    return buf;
}

}  // namespace

namespace {

// Steps, displacement bounds, windows and batches for p.dilation; false
// (and the reason) when a window exceeds the memory bound.
bool plan_windows(SamplingPlan &p, std::string *error) {
    const int L = p.layers;
    p.steps.clear();
    p.max_shift.clear();
    for (int l = 1; l <= L; l++) {
        p.steps.push_back(p.dilation * ipow(p.growth, L - l));
        p.max_shift.push_back(shift_bound(p.field, p.strength, p.steps.back()));
    }
    // Layer l (0-based) is sampled at the points of depth l, which lie
    // within sum_{k<l} (s_k + |D_k|) of the pixel along each axis.
    const int K = int(p.pixels.size());
    p.window_regular.assign(size_t(L), 0);
    p.window_deformable.assign(size_t(L), 0);
    p.batch_regular.assign(size_t(L), 0);
    p.batch_deformable.assign(size_t(L), 0);
    p.largest_call_bytes = 0;
    double reach_r = 0, reach_d = 0;
    for (int l = 1; l < L; l++) {
        reach_r += p.steps[size_t(l - 1)];
        reach_d += p.steps[size_t(l - 1)] + p.max_shift[size_t(l - 1)];
        for (int stack = 0; stack < 2; stack++) {
            const double reach = stack == 0 ? reach_r : reach_d;
            const int S = window_for_reach(reach);
            const int64_t per_pixel = call_bytes_per_pixel(S, l);
            if (per_pixel > kMaxCallBytes) {
                std::ostringstream os;
                os << "the " << L << "-layer stack (steps " << join_ints(p.steps) << " px";
                if (stack == 1) {
                    os << ", " << offset_field_name(p.field) << " offsets up to " << fmt(reach_d - reach_r, 0)
                       << " px in all";
                }
                os << ") reaches " << fmt(std::ceil(reach), 0) << " px from a chosen pixel before layer " << l + 1
                   << ": its offset window of " << S << "x" << S << " positions would take "
                   << mib(double(per_pixel)) << " MiB per chosen pixel, more than the " << mib(double(kMaxCallBytes))
                   << " MiB allowed for one points-collection call (a reach of " << kMaxReach << " px).\n"
                   << "Use fewer --layers, or a smaller --dilation, --growth or --strength.";
                *error = os.str();
                return false;
            }
            const int batch = int(std::clamp<int64_t>(kMaxCallBytes / per_pixel, 1, K));
            (stack == 0 ? p.window_regular : p.window_deformable)[size_t(l)] = S;
            (stack == 0 ? p.batch_regular : p.batch_deformable)[size_t(l)] = batch;
            p.largest_call_bytes = std::max(p.largest_call_bytes, per_pixel * batch);
        }
    }
    return true;
}

}  // namespace

SamplingPlan plan_sampling_points(const SamplingPointsOptions &o, int W, int H) {
    if (o.layers < 1 || o.layers > kMaxSamplingLayers) {
        throw ArgError("--layers expects an integer from 1 to " + std::to_string(kMaxSamplingLayers));
    }
    SamplingPlan p;
    p.width = W;
    p.height = H;
    p.layers = o.layers;
    p.growth = o.growth;
    p.field = o.field;
    p.strength = o.strength;
    p.device = o.device;
    p.pixels = o.pixels;
    if (p.pixels.empty()) p.pixels = {{W / 4, H / 4}, {W / 2, H / 2}, {3 * W / 4, 3 * H / 4}};
    for (const auto &q : p.pixels) {
        if (q[0] >= W || q[1] >= H) {
            throw ArgError("--points: pixel (" + std::to_string(q[0]) + "," + std::to_string(q[1]) +
                           ") is outside the " + std::to_string(W) + "x" + std::to_string(H) +
                           " image (x from 0 to " + std::to_string(W - 1) + ", y from 0 to " +
                           std::to_string(H - 1) + ")");
        }
    }
    const int L = p.layers;
    int sum_growth = 0;  // sum over layers of G^(L-l)
    for (int l = 1; l <= L; l++) sum_growth += ipow(p.growth, L - l);
    if (o.dilation > 0) {
        p.dilation = o.dilation;
    } else {
        // The regular field spans about a quarter of the shorter side:
        // half-width D * sum_growth ~ min(W, H) / 8 (less where the memory
        // bound needs it: see below).
        p.auto_dilation = true;
        p.dilation = std::clamp(int(std::lround(std::min(W, H) / 8.0 / sum_growth)), 1, kMaxSamplingDilation);
    }
    std::string error;
    while (!plan_windows(p, &error)) {
        if (!p.auto_dilation || p.dilation == 1) throw ArgError(error);
        p.dilation--;
    }
    return p;
}

// --- the offset fields ---------------------------------------------------------------------

namespace {

// A separable kernel column x row, built directly (FilterKernel's factories
// only make symmetric ones).
halconv::FilterKernel separable_kernel(const std::string &name, const std::vector<float> &column,
                                       const std::vector<float> &row) {
    halconv::FilterKernel k;
    k.name = name;
    k.height = int(column.size());
    k.width = int(row.size());
    k.column = column;
    k.row = row;
    k.taps.resize(column.size() * row.size());
    for (size_t i = 0; i < column.size(); i++)
        for (size_t j = 0; j < row.size(); j++) k.taps[i * row.size() + j] = column[i] * row[j];
    k.divisor = 1.0;
    return k;
}

}  // namespace

OffsetFields::OffsetFields(const SamplingPlan &plan, const pngio::Image &image) : plan_(&plan) {
    const int W = plan.width, H = plan.height;
    cy_ = (H - 1) / 2.0;
    cx_ = (W - 1) / 2.0;
    bump_sigma_ = std::max(1.0, std::min(W, H) / 4.0);
    if (plan.field != OffsetField::Gradient) return;

    // Edge energy: Sobel |gx| + |gy| of the luminance smoothed by a Gaussian
    // of sigma 1 (halconv's float filters, on the CPU).
    std::vector<float> lum = luminance(image), smooth(lum.size()), energy(lum.size());
    halconv::FilterOptions fo;
    fo.border = halconv::Border::Mirror;
    halconv::filter2d(view(lum, W, H, 1), view(smooth, W, H, 1), halconv::FilterKernel::gaussian(1.0), fo);
    halconv::gradient_magnitude(view(smooth, W, H, 1), view(energy, W, H, 1), halconv::GradientOperator::Sobel, fo);
    double mean = 0;
    for (float e : energy) mean += e;
    mean /= double(energy.size());
    // In flat regions the centroid is noise: the denominator's floor keeps
    // taps there (almost) in place.
    const float floor_e = float(0.5 * mean + 1e-6);

    // Per layer: the displacement from each pixel to the centroid of the
    // edge energy under a Gaussian window of sigma = half the layer's step,
    //   shift(q) = sum_v v G(v) E(q + v) / (sum_v G(v) E(q + v) + floor),
    // three separable filters (zero outside the image: no edges there). The
    // shift is smooth at the scale of sigma, so it is computed on the energy
    // averaged over f x f blocks (f = sigma / 3: sigma stays 3 px or more
    // there) and interpolated: O(W H) work whatever the step.
    fo.border = halconv::Border::Zero;
    maps_.resize(size_t(plan.layers));
    for (int l = 0; l < plan.layers; l++) {
        bool reused = false;
        for (int k = 0; k < l && !reused; k++) {
            if (plan.steps[size_t(k)] == plan.steps[size_t(l)]) {
                maps_[size_t(l)] = maps_[size_t(k)];
                reused = true;
            }
        }
        if (reused) continue;
        const double sigma_full = std::max(1.0, 0.5 * plan.steps[size_t(l)]);
        ShiftMap &m = maps_[size_t(l)];
        m.f = std::clamp(int(sigma_full / 3.0), 1, std::max(1, std::min(W, H)));
        m.w = (W + m.f - 1) / m.f;
        m.h = (H + m.f - 1) / m.f;
        std::vector<float> e(size_t(m.w) * size_t(m.h), 0.0f);
        if (m.f == 1) {
            e = energy;
        } else {
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    e[size_t(y / m.f) * size_t(m.w) + size_t(x / m.f)] += energy[size_t(y) * size_t(W) + size_t(x)];
            for (int by = 0; by < m.h; by++)
                for (int bx = 0; bx < m.w; bx++) {
                    const int n = (std::min(H, (by + 1) * m.f) - by * m.f) * (std::min(W, (bx + 1) * m.f) - bx * m.f);
                    e[size_t(by) * size_t(m.w) + size_t(bx)] /= float(n);
                }
        }
        const double sigma = sigma_full / m.f;
        const int r = int(std::ceil(3 * sigma));
        std::vector<float> g(size_t(2 * r + 1)), vg(g.size());
        double sum = 0;
        for (int i = -r; i <= r; i++) sum += std::exp(-0.5 * (i / sigma) * (i / sigma));
        for (int i = -r; i <= r; i++) {
            g[size_t(i + r)] = float(std::exp(-0.5 * (i / sigma) * (i / sigma)) / sum);
            vg[size_t(i + r)] = float(i * m.f) * g[size_t(i + r)];  // in full-resolution pixels
        }
        std::vector<float> den(e.size());
        m.y.resize(e.size());
        m.x.resize(e.size());
        halconv::filter2d(view(e, m.w, m.h, 1), view(den, m.w, m.h, 1), separable_kernel("window", g, g), fo);
        halconv::filter2d(view(e, m.w, m.h, 1), view(m.y, m.w, m.h, 1), separable_kernel("window-y", vg, g), fo);
        halconv::filter2d(view(e, m.w, m.h, 1), view(m.x, m.w, m.h, 1), separable_kernel("window-x", g, vg), fo);
        for (size_t i = 0; i < den.size(); i++) {
            const float d = std::max(den[i], 0.0f) + floor_e;
            m.y[i] /= d;
            m.x[i] /= d;
        }
    }
}

void OffsetFields::at(int layer, double y, double x, float out[18]) const {
    const SamplingPlan &p = *plan_;
    const int s = p.steps[size_t(layer)];
    const double str = p.strength;
    switch (p.field) {
    case OffsetField::Gradient: {
        const ShiftMap &map = maps_[size_t(layer)];
        const double limit = std::fabs(str) * s, half = (map.f - 1) / 2.0;
        for (int m = 0; m < 9; m++) {
            // At the tap's regular position; zero outside the image.
            const double qy = y + tap_y(m, s), qx = x + tap_x(m, s);
            double dy = 0, dx = 0;
            if (qy > -0.5 && qy < p.height - 0.5 && qx > -0.5 && qx < p.width - 0.5) {
                // Block (u, v) is centred on pixel (u f + (f-1)/2, v f + (f-1)/2):
                // bilinear between block centres, clamped at the edges.
                const double u = std::clamp((qy - half) / map.f, 0.0, double(map.h - 1));
                const double v = std::clamp((qx - half) / map.f, 0.0, double(map.w - 1));
                const int u0 = std::min(int(u), map.h - 1), v0 = std::min(int(v), map.w - 1);
                const int u1 = std::min(u0 + 1, map.h - 1), v1 = std::min(v0 + 1, map.w - 1);
                const double fu = u - u0, fv = v - v0;
                auto lerp2 = [&](const std::vector<float> &a) {
                    auto at = [&](int i, int j) { return double(a[size_t(i) * size_t(map.w) + size_t(j)]); };
                    return (1 - fu) * ((1 - fv) * at(u0, v0) + fv * at(u0, v1)) +
                           fu * ((1 - fv) * at(u1, v0) + fv * at(u1, v1));
                };
                dy = str * lerp2(map.y);
                dx = str * lerp2(map.x);
                const double n = std::hypot(dy, dx);
                if (n > limit) {
                    dy *= limit / n;
                    dx *= limit / n;
                }
            }
            out[2 * m] = float(dy);
            out[2 * m + 1] = float(dx);
        }
        return;
    }
    case OffsetField::Zoom:
    case OffsetField::Rotate:
    case OffsetField::Swirl: {
        const double r2 = (y - cy_) * (y - cy_) + (x - cx_) * (x - cx_);
        const double bump = std::exp(-0.5 * r2 / (bump_sigma_ * bump_sigma_));
        double a = 1, b = 0, c = 0, d = 1;  // the matrix applied to g (rows: y, x)
        if (p.field == OffsetField::Zoom) {
            a = d = std::exp2(str * bump);
        } else {
            // Counter-clockwise as seen on screen (y down):
            //   x' = x cos + y sin,  y' = -x sin + y cos.
            const double th = (p.field == OffsetField::Rotate ? str * kRotateDegrees : str * kSwirlDegrees * bump) *
                              kPi / 180.0;
            const double cs = std::cos(th), sn = std::sin(th);
            a = cs, b = -sn;  // y' = cs * y - sn * x
            c = sn, d = cs;   // x' = sn * y + cs * x
        }
        for (int m = 0; m < 9; m++) {
            const double gy = tap_y(m, s), gx = tap_x(m, s);
            out[2 * m] = float(a * gy + b * gx - gy);
            out[2 * m + 1] = float(c * gy + d * gx - gx);
        }
        return;
    }
    }
}

// --- the stack -------------------------------------------------------------------------------

SamplingStack collect_sampling_points(const SamplingPlan &plan, const OffsetFields *fields, CollectStats *stats) {
    const int L = plan.layers, K = int(plan.pixels.size());
    SamplingStack st;
    st.points.assign(size_t(L), std::vector<std::vector<float>>(size_t(K)));
    float D[18] = {0};
    // Depth 1: the top layer's taps at the pixel itself.
    for (int k = 0; k < K; k++) {
        const auto &q = plan.pixels[size_t(k)];
        if (fields) fields->at(0, q[1], q[0], D);
        std::vector<float> &v = st.points[0][size_t(k)];
        v.resize(18);
        for (int m = 0; m < 9; m++) {
            v[size_t(2 * m)] = tap_y(m, plan.steps[0]) + D[2 * m];
            v[size_t(2 * m + 1)] = tap_x(m, plan.steps[0]) + D[2 * m + 1];
        }
    }
    halconv::PointsCollectionOptions po;
    po.device = plan.device;
    std::vector<float> d, t, p;
    for (int l = 1; l < L; l++) {
        const int S = (fields ? plan.window_deformable : plan.window_regular)[size_t(l)];
        const int B = (fields ? plan.batch_deformable : plan.batch_regular)[size_t(l)];
        const int s = plan.steps[size_t(l)];
        const int64_t N = ipow64(9, l);  // points per pixel so far
        const float half = float(S / 2), inv = 1.0f / float(S);
        const size_t plane = size_t(S) * size_t(S);
        for (int k0 = 0; k0 < K; k0 += B) {
            const int b = std::min(B, K - k0);
            // d [b, 18, S, S]: layer l's offsets g_m + D_l,m on the window
            // whose position (a, c) is image pixel (qy - S/2 + a, qx - S/2 + c).
            d.assign(size_t(b) * 18 * plane, 0.0f);
            for (int bi = 0; bi < b; bi++) {
                const auto &q = plan.pixels[size_t(k0 + bi)];
                float *base = d.data() + size_t(bi) * 18 * plane;
                for (int m = 0; m < 9; m++) {
                    std::fill_n(base + size_t(2 * m) * plane, plane, tap_y(m, s));
                    std::fill_n(base + size_t(2 * m + 1) * plane, plane, tap_x(m, s));
                }
                if (!fields) continue;
                for (int a = 0; a < S; a++) {
                    for (int c = 0; c < S; c++) {
                        fields->at(l, double(q[1]) - S / 2 + a, double(q[0]) - S / 2 + c, D);
                        const size_t at = size_t(a) * size_t(S) + size_t(c);
                        for (int ch = 0; ch < 18; ch++) base[size_t(ch) * plane + at] += D[ch];
                    }
                }
            }
            // t [b, 2N, 1, 1]: the points so far, in window units.
            t.resize(size_t(b) * size_t(2 * N));
            for (int bi = 0; bi < b; bi++) {
                const std::vector<float> &prev = st.points[size_t(l - 1)][size_t(k0 + bi)];
                for (size_t i = 0; i < prev.size(); i++) t[size_t(bi) * size_t(2 * N) + i] = (prev[i] + half) * inv;
            }
            p.resize(size_t(b) * size_t(2 * N * 9));
            const auto t0 = std::chrono::steady_clock::now();
            halconv::points_collection(halconv::ConstTensor(t, {b, 2 * N, 1, 1}),
                                       halconv::ConstTensor(d, {b, 18, S, S}),
                                       halconv::Tensor(p, {b, 2 * N * 9, 1, 1}), po);
            if (stats) {
                stats->library_ms +=
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
                stats->calls++;
            }
            for (int bi = 0; bi < b; bi++) {
                std::vector<float> &v = st.points[size_t(l)][size_t(k0 + bi)];
                v.resize(size_t(2 * N * 9));
                for (size_t i = 0; i < v.size(); i++) v[i] = p[size_t(bi) * v.size() + i] * float(S) - half;
            }
        }
    }
    return st;
}

double max_points_diff(const SamplingStack &a, const SamplingStack &b) {
    double worst = 0;
    for (size_t d = 0; d < a.points.size(); d++)
        for (size_t k = 0; k < a.points[d].size(); k++)
            for (size_t i = 0; i < a.points[d][k].size(); i++) {
                const double e = std::fabs(double(a.points[d][k][i]) - double(b.points[d][k][i]));
                if (!(e <= worst)) worst = e;  // NaN counts as the worst
            }
    return worst;
}

double regular_grid_error(const SamplingPlan &plan, const SamplingStack &regular) {
    double worst = 0;
    for (int depth = 1; depth <= plan.layers; depth++) {
        const int n_points = plan.points(depth);
        for (const std::vector<float> &v : regular.points[size_t(depth - 1)]) {
            for (int n = 0; n < n_points; n++) {
                // n = sum_j m_j 9^(depth-j): the last digit is the deepest layer's tap.
                double y = 0, x = 0;
                int rest = n;
                for (int j = depth; j >= 1; j--) {
                    const int m = rest % 9;
                    rest /= 9;
                    y += tap_y(m, plan.steps[size_t(j - 1)]);
                    x += tap_x(m, plan.steps[size_t(j - 1)]);
                }
                const double e = std::max(std::fabs(v[size_t(2 * n)] - y), std::fabs(v[size_t(2 * n + 1)] - x));
                if (!(e <= worst)) worst = e;
            }
        }
    }
    return worst;
}

SpreadStats spread(const SamplingPlan &plan, const SamplingStack &stack, size_t pixel) {
    SpreadStats s;
    const std::vector<float> &v = stack.points.back()[pixel];
    const auto &q = plan.pixels[pixel];
    double sum = 0;
    const size_t n = v.size() / 2;
    for (size_t i = 0; i < n; i++) {
        const double dy = v[2 * i], dx = v[2 * i + 1];
        sum += dy * dy + dx * dx;
        const double y = q[1] + dy, x = q[0] + dx;
        if (!(y > -0.5 && y < plan.height - 0.5 && x > -0.5 && x < plan.width - 0.5)) s.outside++;
    }
    s.rms = n ? std::sqrt(sum / double(n)) : 0.0;
    return s;
}

// --- the figure -------------------------------------------------------------------------------

namespace {

const uint8_t kColours[kMaxSamplingPixels][3] = {
    {255, 64, 48}, {0, 200, 255}, {255, 214, 10}, {200, 100, 255},
    {60, 220, 90}, {255, 140, 0}, {255, 110, 200}, {255, 255, 255},
};

constexpr int kGap = 8;

struct Rect {
    int x0, y0, x1, y1;  // [x0, x1) x [y0, y1)
};

void put_clipped(Canvas &cv, const Rect &clip, int x, int y, const uint8_t c[3]) {
    if (x < clip.x0 || y < clip.y0 || x >= clip.x1 || y >= clip.y1) return;
    cv.put(x, y, c[0], c[1], c[2]);
}

// Pixels whose centre lies within [r_in, r_out] of (cx, cy).
void draw_annulus(Canvas &cv, const Rect &clip, double cx, double cy, double r_in, double r_out, const uint8_t c[3]) {
    const int x0 = int(std::floor(cx - r_out - 1)), x1 = int(std::ceil(cx + r_out + 1));
    const int y0 = int(std::floor(cy - r_out - 1)), y1 = int(std::ceil(cy + r_out + 1));
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            const double dx = x + 0.5 - cx, dy = y + 0.5 - cy, d2 = dx * dx + dy * dy;
            if (d2 <= r_out * r_out && (r_in <= 0 || d2 >= r_in * r_in)) put_clipped(cv, clip, x, y, c);
        }
}

void draw_disc(Canvas &cv, const Rect &clip, double cx, double cy, double r, const uint8_t c[3]) {
    draw_annulus(cv, clip, cx, cy, 0, r, c);
}

void tint(const uint8_t c[3], double white, uint8_t out[3]) {
    for (int i = 0; i < 3; i++) out[i] = uint8_t(std::lround(c[i] + (255 - c[i]) * white));
}

int text_scale(int panel_width) { return panel_width >= 480 ? 2 : 1; }
int line_height(int scale) { return kGlyphHeight * scale + 6; }

// Draws `text` cut to `max_width` pixels; returns the x after it.
int draw_fitted(Canvas &cv, int x, int y, std::string text, int scale, int max_width, const uint8_t c[3]) {
    while (!text.empty() && text_width(text, scale) > max_width) text.pop_back();
    draw_text(cv, x, y, text, scale, c[0], c[1], c[2]);
    return x + text_width(text, scale);
}

// Mark sizes (canvas pixels). The points after layer d (d < L) are rings,
// larger the shallower, drawn only where their children (one step s_{d+1}
// away) fall outside the ring: with growth 3 the deepest rings would sit in
// the dense grid of final dots and only clutter it.
double ring_radius(int layers, int depth) { return 2.0 + 1.5 * (layers - depth); }
bool ring_drawn(const SamplingPlan &p, int zoom, int depth) {
    return depth < p.layers && zoom * p.steps[size_t(depth)] >= ring_radius(p.layers, depth) + 4.0;
}
// The final dots: a gap of at least ~2 px between regular neighbours (one
// pixel each at a spacing of 3 px or less).
double final_dot_radius(const SamplingPlan &p, int zoom) {
    return std::clamp(0.22 * zoom * p.steps.back(), 0.6, 1.8);
}

}  // namespace

int sampling_figure_zoom(int width, int height) {
    const int longer = std::max(width, height);
    if (longer >= 256) return 1;
    return std::min(16, (256 + longer - 1) / longer);
}

std::array<int, 2> sampling_figure_size(int width, int height) {
    const int Z = sampling_figure_zoom(width, height);
    const int T = text_scale(Z * width);
    return {2 * Z * width + 3 * kGap, Z * height + 4 * line_height(T) + 2 * kGap};
}

pngio::Image render_sampling_points(const pngio::Image &image, const SamplingPlan &plan,
                                    const SamplingStack &regular, const SamplingStack &deformable) {
    const int W = plan.width, H = plan.height, Z = sampling_figure_zoom(W, H);
    const int pw = Z * W, ph = Z * H, T = text_scale(pw), lh = line_height(T);
    const auto size = sampling_figure_size(W, H);
    pngio::Image out(size[0], size[1], 3, 8);
    Canvas cv{out.pixels.data(), size[0], size[1]};
    cv.fill(0, 0, size[0], size[1], 36, 36, 40);
    const uint8_t white[3] = {240, 240, 240}, grey[3] = {170, 170, 170};

    // Title.
    const int L = plan.layers, total = plan.points(L);
    std::string title = "sampling points of " + std::to_string(L) + (L == 1 ? " 3x3 layer: " : " stacked 3x3 layers: ");
    title += L == 1 ? "9 per pixel" : "9^" + std::to_string(L) + " = " + std::to_string(total) + " per pixel";
    draw_fitted(cv, kGap, kGap + (lh - kGlyphHeight * T) / 2, title, T, size[0] - 2 * kGap, white);

    // The image, gray and dimmed, so that the colours stand out.
    const std::vector<float> lum = luminance(image);
    const int panel_y = kGap + 2 * lh;
    const int panel_x[2] = {kGap, 2 * kGap + pw};
    for (int y = 0; y < ph; y++)
        for (int x = 0; x < pw; x++) {
            const float v = lum[size_t(y / Z) * size_t(W) + size_t(x / Z)];
            const uint8_t g = uint8_t(std::lround(24.0 + 120.0 * std::clamp(double(v), 0.0, 1.0)));
            for (int i = 0; i < 2; i++) cv.put(panel_x[i] + x, panel_y + y, g, g, g);
        }

    // Panel labels.
    const std::string labels[2] = {
        "regular  steps " + join_ints(plan.steps, ",") + " px",
        "deformable  " + std::string(offset_field_name(plan.field)) + " field x" + fmt_g(plan.strength),
    };
    for (int i = 0; i < 2; i++)
        draw_fitted(cv, panel_x[i], kGap + lh + (lh - kGlyphHeight * T) / 2, labels[i], T, pw, white);

    // The points: intermediate depths as rings (larger and lighter the
    // shallower), the whole stack's points as dots, then the pixels.
    const SamplingStack *stacks[2] = {&regular, &deformable};
    for (int i = 0; i < 2; i++) {
        const Rect clip{panel_x[i], panel_y, panel_x[i] + pw, panel_y + ph};
        const SamplingStack &st = *stacks[i];
        auto to_canvas = [&](double img, int origin) { return origin + (img + 0.5) * Z; };
        for (int depth = 1; depth <= L; depth++) {
            if (depth < L && !ring_drawn(plan, Z, depth)) continue;
            for (size_t k = 0; k < plan.pixels.size(); k++) {
                const auto &q = plan.pixels[k];
                uint8_t c[3];
                tint(kColours[k], depth == L ? 0.0 : 0.35 + 0.1 * (L - 1 - depth), c);
                const std::vector<float> &v = st.points[size_t(depth - 1)][k];
                for (size_t n = 0; n + 1 < v.size(); n += 2) {
                    const double y = q[1] + v[n], x = q[0] + v[n + 1];
                    if (!(y > -0.5 && y < H - 0.5 && x > -0.5 && x < W - 0.5)) continue;
                    const double cx = to_canvas(x, panel_x[i]), cy = to_canvas(y, panel_y);
                    if (depth == L) {
                        draw_disc(cv, clip, cx, cy, final_dot_radius(plan, Z), c);
                    } else {
                        const double r = ring_radius(L, depth);
                        draw_annulus(cv, clip, cx, cy, r - 0.7, r + 0.5, c);
                    }
                }
            }
        }
        for (size_t k = 0; k < plan.pixels.size(); k++) {
            const auto &q = plan.pixels[k];
            const double cx = to_canvas(q[0], panel_x[i]), cy = to_canvas(q[1], panel_y);
            const uint8_t black[3] = {0, 0, 0}, w[3] = {255, 255, 255};
            draw_disc(cv, clip, cx, cy, 6.0, w);
            draw_disc(cv, clip, cx, cy, 5.0, black);
            draw_disc(cv, clip, cx, cy, 4.0, kColours[k]);
        }
    }

    // Legend: the pixels, then what the marks are.
    const int ly = panel_y + ph + kGap / 2, ty = (lh - kGlyphHeight * T) / 2;
    const Rect all{0, 0, size[0], size[1]};
    int x = kGap;
    for (size_t k = 0; k < plan.pixels.size() && x < size[0] - kGap; k++) {
        draw_disc(cv, all, x + 4 * T, ly + lh / 2.0, 3.0 * T, kColours[k]);
        x += 8 * T + 4;
        const std::string s = "(" + std::to_string(plan.pixels[k][0]) + "," + std::to_string(plan.pixels[k][1]) + ")";
        x = draw_fitted(cv, x, ly + ty, s, T, size[0] - kGap - x, white) + 6 * T * 2;
    }
    x = kGap;
    const int ly2 = ly + lh;
    const uint8_t sample[3] = {220, 220, 220};
    std::vector<int> ringed;
    for (int d = 1; d < L; d++)
        if (ring_drawn(plan, Z, d)) ringed.push_back(d);
    if (!ringed.empty()) {
        std::string layers, counts;
        for (size_t i = 0; i < ringed.size(); i++) {
            layers += (i ? "," : "") + std::to_string(ringed[i]);
            counts += (i ? ", " : "") + std::to_string(plan.points(ringed[i]));
        }
        draw_annulus(cv, all, x + 4 * T, ly2 + lh / 2.0, 3.0 * T - 0.7, 3.0 * T + 0.5, sample);
        x += 8 * T + 4;
        x = draw_fitted(cv, x, ly2 + ty,
                        "the " + counts + " points after layer" + (ringed.size() > 1 ? "s " : " ") + layers, T,
                        size[0] - kGap - x, grey) +
            6 * T * 2;
    }
    if (x < size[0] - kGap - 20) {
        draw_disc(cv, all, x + 4 * T, ly2 + lh / 2.0, 1.6 * T, sample);
        x += 8 * T + 4;
        draw_fitted(cv, x, ly2 + ty,
                    "the " + std::to_string(total) + " points of " +
                        (L == 1 ? std::string("the layer") : "all " + std::to_string(L) + " layers"),
                    T, size[0] - kGap - x, grey);
    }
    return out;
}

// --- text output -------------------------------------------------------------------------------

std::string sampling_points_csv(const SamplingPlan &plan, const SamplingStack &regular,
                                const SamplingStack &deformable) {
    std::string out = "stack,pixel,px,py,depth,point,dx,dy\n";
    char buf[160];
    const SamplingStack *stacks[2] = {&regular, &deformable};
    const char *names[2] = {"regular", "deformable"};
    for (int i = 0; i < 2; i++)
        for (size_t k = 0; k < plan.pixels.size(); k++)
            for (int depth = 1; depth <= plan.layers; depth++) {
                const std::vector<float> &v = stacks[i]->points[size_t(depth - 1)][k];
                for (size_t n = 0; 2 * n + 1 < v.size(); n++) {
                    std::snprintf(buf, sizeof buf, "%s,%zu,%d,%d,%d,%zu,%.9g,%.9g\n", names[i], k, plan.pixels[k][0],
                                  plan.pixels[k][1], depth, n, double(v[2 * n + 1]), double(v[2 * n]));
                    out += buf;
                }
            }
    return out;
}

StagedTextFile::StagedTextFile(const std::string &path, const std::string &text) : path_(path) {
    const fs::path target(path);
    fs::path dir = target.parent_path();
    if (dir.empty()) dir = ".";
    std::string tmpl = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    const int fd = ::mkstemp(name.data());
    if (fd < 0) throw std::runtime_error(path + ": cannot create a temporary file: " + std::strerror(errno));
    tmp_ = name.data();
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    size_t done = 0;
    int err = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            err = errno;
            break;
        }
        done += size_t(n);
    }
    if (::close(fd) != 0 && err == 0) err = errno;
    if (err != 0) {
        ::unlink(tmp_.c_str());
        tmp_.clear();
        throw std::runtime_error(path + ": write error: " + std::strerror(err));
    }
}

void StagedTextFile::commit() {
    if (tmp_.empty()) return;
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
        const int e = errno;
        ::unlink(tmp_.c_str());
        tmp_.clear();
        throw std::runtime_error(path_ + ": cannot rename the temporary file into place: " + std::strerror(e));
    }
    tmp_.clear();
}

StagedTextFile::~StagedTextFile() {
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
}

std::string join_ints(const std::vector<int> &v, const char *sep) {
    std::string s;
    for (size_t i = 0; i < v.size(); i++) s += (i ? sep : "") + std::to_string(v[i]);
    return s;
}

std::string describe_field(const SamplingPlan &plan) {
    const std::string s = fmt_g(plan.strength);
    switch (plan.field) {
    case OffsetField::Gradient:
        return "gradient, strength " + s + ": each tap moves " + (plan.strength < 0 ? "away from" : "toward") +
               " the centroid of the edge energy around it (window sigma = step/2), at most " +
               fmt_g(std::fabs(plan.strength)) + " x its layer's step";
    case OffsetField::Zoom:
        return "zoom, strength " + s + ": grids scaled by 2^(" + s + " x b), b = 1 at the image centre, " +
               "Gaussian fall-off (sigma = shorter side / 4)";
    case OffsetField::Rotate:
        return "rotate, strength " + s + ": every grid turned by " + fmt_g(plan.strength * kRotateDegrees) +
               " degrees counter-clockwise";
    case OffsetField::Swirl:
        return "swirl, strength " + s + ": grids turned by " + fmt_g(plan.strength * kSwirlDegrees) +
               " degrees x b counter-clockwise, b = 1 at the image centre, Gaussian fall-off";
    }
    return "";
}

}  // namespace halconv_cli
