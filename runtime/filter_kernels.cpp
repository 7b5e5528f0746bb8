// The pure C++ half of include/halconv/filter.h: border names and the
// FilterKernel factories (no Halide here, so the CLI's spec parser and its
// fuzzer can use this file on its own).
//
// Conventions kept by every factory:
//   * `taps` is always filled (height * width, row-major), the weight is
//     taps / divisor;
//   * integer kernels (box, binomial, integer shifts, axis-aligned motion,
//     Laplacian, sharpen, emboss, integer custom kernels) keep integer taps
//     and put the normalization in `divisor`;
//   * separable kernels fill `column` and `row` with
//     taps[i * width + j] == column[i] * row[j] exactly (in float);
//   * bad arguments throw halconv::Error(InvalidArgument) naming the factory
//     and the argument.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "halconv/halconv.h"

namespace halconv {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kMaxSize = 255;   // largest kernel side
constexpr int kMaxShift = 127;  // (kMaxSize - 1) / 2
// Binomial kernels stay exact integers in float (2-D taps up to
// C(14,7)^2 < 2^24) up to this size.
constexpr int kMaxBinomial = 15;

[[noreturn]] void fail(const std::string &message) { throw Error(ErrorCode::InvalidArgument, message); }

// A number for names and messages: up to 10 significant digits, no
// trailing zeros ("1.1", "50", "3.36" for 0.56 * 6, "1e-05").
std::string num(double v) {
    if (v == 0) return "0";  // also -0
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

void check_size(const char *fn, const char *arg, int size) {
    if (size <= 0 || size % 2 == 0) {
        fail(std::string(fn) + ": " + arg + " must be odd and positive, got " + std::to_string(size));
    }
    if (size > kMaxSize) {
        fail(std::string(fn) + ": " + arg + " must be at most " + std::to_string(kMaxSize) + ", got " +
             std::to_string(size));
    }
}

void check_finite(const char *fn, const char *arg, double v) {
    if (!std::isfinite(v)) fail(std::string(fn) + ": " + arg + " must be finite, got " + num(v));
}

// 2 * ceil(3 * sigma) + 1, or an error naming `fn` when that exceeds kMaxSize.
int auto_size(const char *fn, double sigma) {
    const double half = std::ceil(3.0 * sigma);
    if (!(half <= (kMaxSize - 1) / 2)) {
        fail(std::string(fn) + ": sigma " + num(sigma) + " needs a kernel of 2 * ceil(3 * sigma) + 1 = " +
             num(2 * half + 1) + " taps, more than " + std::to_string(kMaxSize));
    }
    return 2 * int(half) + 1;
}

bool is_integer(float v) { return std::isfinite(v) && std::nearbyint(v) == v; }

// A separable kernel from its two factors: taps = column x row (float
// products, so the factors multiply to the taps exactly).
FilterKernel make_separable(std::string name, std::vector<float> column, std::vector<float> row, double divisor,
                       bool integer) {
    FilterKernel k;
    k.name = std::move(name);
    k.height = int(column.size());
    k.width = int(row.size());
    k.taps.resize(column.size() * row.size());
    for (size_t i = 0; i < column.size(); i++) {
        for (size_t j = 0; j < row.size(); j++) k.taps[i * row.size() + j] = column[i] * row[j];
    }
    k.column = std::move(column);
    k.row = std::move(row);
    k.divisor = divisor;
    k.integer = integer;
    return k;
}

FilterKernel make_dense(std::string name, int height, int width, std::vector<float> taps, double divisor) {
    FilterKernel k;
    k.name = std::move(name);
    k.height = height;
    k.width = width;
    k.taps = std::move(taps);
    k.divisor = divisor;
    k.integer = std::all_of(k.taps.begin(), k.taps.end(), is_integer);
    return k;
}

// The 1-D kernel `g` (sum 1, symmetric) in 8-bit fixed point: non-negative
// integers summing to exactly 256. Rounds each tap, then moves the sum to 256
// one unit at a time on the taps whose rounding error is largest, a mirror
// pair at a time (the centre tap alone for odd corrections), so that a
// symmetric kernel stays symmetric.
std::vector<float> fixed_point_256(const std::vector<double> &g) {
    const int n = int(g.size());
    const int c = n / 2;
    std::vector<int> q(n);
    int sum = 0;
    for (int k = 0; k < n; k++) {
        q[k] = int(std::lround(g[k] * 256.0));
        sum += q[k];
    }
    int diff = 256 - sum;
    auto error = [&](int k) { return g[k] * 256.0 - q[k]; };  // > 0: rounded down
    while (diff != 0) {
        const int step = diff > 0 ? 1 : -1;
        int best = -1;
        if (diff >= 2 || diff <= -2) {
            // The mirror pair (k, n - 1 - k) whose rounding error points most
            // in the direction of the correction.
            double best_err = 0;
            for (int k = 0; k < c; k++) {
                if (step < 0 && (q[k] < 1 || q[n - 1 - k] < 1)) continue;
                const double e = step * (error(k) + error(n - 1 - k));
                if (best < 0 || e > best_err) {
                    best = k;
                    best_err = e;
                }
            }
        }
        if (best >= 0) {
            q[best] += step;
            q[n - 1 - best] += step;
            diff -= 2 * step;
        } else {
            // An odd correction, or no pair can take it: the centre tap.
            q[c] += step;
            diff -= step;
        }
    }
    return std::vector<float>(q.begin(), q.end());
}

}  // namespace

// ---------------------------------------------------------------------------
// Borders
// ---------------------------------------------------------------------------
const char *border_name(Border b) {
    switch (b) {
    case Border::Zero: return "zero";
    case Border::Clamp: return "clamp";
    case Border::Mirror: return "mirror";
    case Border::Wrap: return "wrap";
    }
    return "unknown";
}

Border parse_border(const std::string &name) {
    for (Border b : {Border::Zero, Border::Clamp, Border::Mirror, Border::Wrap}) {
        if (name == border_name(b)) return b;
    }
    fail("unknown border '" + name + "' (expected zero, clamp, mirror or wrap)");
}

// ---------------------------------------------------------------------------
// FilterKernel
// ---------------------------------------------------------------------------
FilterKernel FilterKernel::flipped() const {
    FilterKernel k = *this;
    std::reverse(k.taps.begin(), k.taps.end());
    std::reverse(k.column.begin(), k.column.end());
    std::reverse(k.row.begin(), k.row.end());
    std::reverse(k.fixed_column.begin(), k.fixed_column.end());
    std::reverse(k.fixed_row.begin(), k.fixed_row.end());
    k.name = name + ":flipped";
    return k;
}

FilterKernel FilterKernel::box(int size) {
    check_size("box", "size", size);
    return make_separable("box:" + std::to_string(size), std::vector<float>(size, 1.0f), std::vector<float>(size, 1.0f),
                     double(size) * size, true);
}

FilterKernel FilterKernel::gaussian(double sigma, int size) {
    if (!(sigma > 0) || !std::isfinite(sigma)) {
        fail("gaussian: sigma must be positive and finite, got " + num(sigma));
    }
    if (size == 0) {
        size = auto_size("gaussian", sigma);
    } else if (size < 0 || size % 2 == 0) {
        fail("gaussian: size must be odd and positive (or 0 for 2 * ceil(3 * sigma) + 1), got " +
             std::to_string(size));
    }
    check_size("gaussian", "size", size);
    const int r = size / 2;
    std::vector<double> g(size);
    double sum = 0;
    for (int k = 0; k < size; k++) {
        const double u = (k - r) / sigma;  // not x*x / sigma^2: sigma^2 may underflow
        g[k] = std::exp(-0.5 * u * u);
        sum += g[k];
    }
    for (double &v : g) v /= sum;
    std::vector<float> f(g.begin(), g.end());
    FilterKernel k = make_separable("gaussian:" + num(sigma) + "," + std::to_string(size), f, f, 1.0, false);
    k.fixed_column = fixed_point_256(g);
    k.fixed_row = k.fixed_column;
    return k;
}

FilterKernel FilterKernel::binomial(int size) {
    check_size("binomial", "size", size);
    if (size > kMaxBinomial) {
        fail("binomial: size must be at most " + std::to_string(kMaxBinomial) +
             " (larger binomial kernels are not exact in float; use a gaussian), got " + std::to_string(size));
    }
    std::vector<float> pascal(size);
    double c = 1;  // C(size - 1, k), exact in double
    for (int k = 0; k < size; k++) {
        pascal[k] = float(c);
        c = c * (size - 1 - k) / (k + 1);
    }
    return make_separable("binomial:" + std::to_string(size), pascal, pascal, std::ldexp(1.0, 2 * (size - 1)), true);
}

FilterKernel FilterKernel::motion(int length, double angle_deg) {
    check_size("motion", "length", length);
    check_finite("motion", "angle", angle_deg);
    const std::string name = "motion:" + std::to_string(length) + "," + num(angle_deg);
    double a = std::fmod(angle_deg, 360.0);
    if (a < 0) a += 360.0;
    for (int q = 0; q <= 4; q++) {
        if (std::fabs(a - 90.0 * q) <= 1e-9) {
            const std::vector<float> ones(length, 1.0f), one(1, 1.0f);
            return q % 2 == 0 ? make_separable(name, one, ones, length, true)   // 1 x length
                              : make_separable(name, ones, one, length, true);  // length x 1
        }
    }
    const double rad = a * kPi / 180.0;
    const double dx = std::cos(rad), dy = -std::sin(rad);  // image y points down
    const int r = length / 2;
    std::vector<double> w(size_t(length) * length);
    double sum = 0;
    for (int i = 0; i < length; i++) {
        for (int j = 0; j < length; j++) {
            const double x = j - r, y = i - r;
            const double t = std::clamp(x * dx + y * dy, -double(r), double(r));
            const double dist = std::hypot(x - t * dx, y - t * dy);
            w[size_t(i) * length + j] = std::max(0.0, 1.0 - dist);
            sum += w[size_t(i) * length + j];
        }
    }
    std::vector<float> taps(w.size());
    for (size_t k = 0; k < w.size(); k++) taps[k] = float(w[k] / sum);
    FilterKernel k = make_dense(name, length, length, std::move(taps), 1.0);
    k.integer = false;
    return k;
}

FilterKernel FilterKernel::shift(double dx, double dy) {
    check_finite("shift", "dx", dx);
    check_finite("shift", "dy", dy);
    for (auto [arg, v] : {std::pair<const char *, double>{"dx", dx}, {"dy", dy}}) {
        if (std::fabs(v) > kMaxShift) {
            fail(std::string("shift: ") + arg + " must be within [-" + std::to_string(kMaxShift) + ", " +
                 std::to_string(kMaxShift) + "] pixels, got " + num(v));
        }
    }
    // out(x) = in(x - d): read offset s = -d, between floor(s) and floor(s) + 1.
    auto factor = [](double d) {
        const double s = -d, f = std::floor(s), t = s - f;
        const int lo = int(f);
        const int r = t == 0 ? std::abs(lo) : std::max(std::abs(lo), std::abs(lo + 1));
        std::vector<float> v(size_t(2 * r + 1), 0.0f);
        v[size_t(r + lo)] = float(1.0 - t);
        if (t != 0) v[size_t(r + lo + 1)] = float(t);
        return v;
    };
    const bool integer = dx == std::floor(dx) && dy == std::floor(dy);
    return make_separable("shift:" + num(dx) + "," + num(dy), factor(dy), factor(dx), 1.0, integer);
}

FilterKernel FilterKernel::laplacian() { return make_dense("laplacian", 3, 3, {0, 1, 0, 1, -4, 1, 0, 1, 0}, 1.0); }

FilterKernel FilterKernel::sharpen() { return make_dense("sharpen", 3, 3, {0, -1, 0, -1, 5, -1, 0, -1, 0}, 1.0); }

FilterKernel FilterKernel::emboss() { return make_dense("emboss", 3, 3, {-2, -1, 0, -1, 1, 1, 0, 1, 2}, 1.0); }

FilterKernel FilterKernel::gabor(double theta_deg, double wavelength, double sigma, double phase_deg) {
    check_finite("gabor", "theta", theta_deg);
    check_finite("gabor", "phase", phase_deg);
    if (!(wavelength > 0) || !std::isfinite(wavelength)) {
        fail("gabor: wavelength must be positive and finite, got " + num(wavelength));
    }
    if (!(sigma >= 0) || !std::isfinite(sigma)) {
        fail("gabor: sigma must be positive and finite (or 0 for 0.56 * wavelength), got " + num(sigma));
    }
    if (sigma == 0) sigma = 0.56 * wavelength;
    const int size = auto_size("gabor", sigma);
    const int r = size / 2;
    const double t = theta_deg * kPi / 180.0, phase = phase_deg * kPi / 180.0;
    const double ct = std::cos(t), st = std::sin(t);
    std::vector<double> g(size_t(size) * size);
    double mean = 0;
    for (int i = 0; i < size; i++) {
        for (int j = 0; j < size; j++) {
            const double x = j - r, y = i - r;
            const double xp = x * ct - y * st;  // along theta, counter-clockwise on screen
            const double yp = x * st + y * ct;
            const double u = xp / sigma, w = yp / sigma;
            const double v = std::exp(-0.5 * (u * u + w * w)) *
                             std::cos(2 * kPi * xp / wavelength + phase);
            g[size_t(i) * size + j] = v;
            mean += v;
        }
    }
    mean /= double(g.size());
    double positive = 0;
    for (double &v : g) {
        v -= mean;
        if (v > 0) positive += v;
    }
    // The envelope peaks at 1: a kernel whose positive part is this small is
    // numerical noise (e.g. an odd filter narrower than a pixel).
    if (!(positive > 1e-6)) {
        fail("gabor: the kernel vanishes (sigma " + num(sigma) + " is too small for wavelength " + num(wavelength) +
             " and phase " + num(phase_deg) + ")");
    }
    std::vector<float> taps(g.size());
    for (size_t k = 0; k < g.size(); k++) taps[k] = float(g[k] / positive);
    std::string name = "gabor:" + num(theta_deg) + "," + num(wavelength) + "," + num(sigma);
    if (phase_deg != 0) name += "," + num(phase_deg);
    FilterKernel k = make_dense(std::move(name), size, size, std::move(taps), 1.0);
    k.integer = false;
    return k;
}

FilterKernel FilterKernel::custom(int height, int width, std::vector<float> taps, bool normalize) {
    check_size("custom", "height", height);
    check_size("custom", "width", width);
    if (taps.size() != size_t(height) * size_t(width)) {
        fail("custom: a " + std::to_string(height) + "x" + std::to_string(width) + " kernel needs " +
             std::to_string(height * width) + " taps, got " + std::to_string(taps.size()));
    }
    for (size_t k = 0; k < taps.size(); k++) {
        if (!std::isfinite(taps[k])) {
            fail("custom: tap " + std::to_string(k) + " (row " + std::to_string(k / width) + ", column " +
                 std::to_string(k % width) + ") is not finite: " + num(taps[k]));
        }
    }
    double divisor = 1.0;
    if (normalize) {
        double sum = 0, positive = 0, magnitude = 0;
        for (float v : taps) {
            sum += v;
            magnitude += std::fabs(v);
            if (v > 0) positive += v;
        }
        // A sum that is zero up to rounding (0.1 + 0.2 - 0.3) counts as zero.
        if (std::fabs(sum) > 1e-6 * magnitude) {
            divisor = sum;
        } else if (positive > 0) {
            divisor = positive;
        } else {
            fail("custom: cannot normalize a kernel whose taps are all zero");
        }
    }
    FilterKernel k = make_dense("custom:" + std::to_string(height) + "x" + std::to_string(width), height, width,
                           std::move(taps), divisor);
    if (k.integer) {
        // Exactly rank 1 (e.g. a Sobel operator): every row is an integer
        // multiple of one primitive integer row.
        int p = -1;
        for (int i = 0; i < height && p < 0; i++) {
            for (int j = 0; j < width; j++) {
                if (k.taps[size_t(i) * width + j] != 0) {
                    p = i;
                    break;
                }
            }
        }
        if (p < 0) return k;  // all zero
        // gcd of row p (integers below 2^63: taps are floats, exact integers)
        long long g = 0;
        bool small = true;
        for (int j = 0; j < width; j++) {
            const double v = std::fabs(double(k.taps[size_t(p) * width + j]));
            if (v > 1e15) small = false;
            else g = std::gcd(g, (long long)v);
        }
        if (!small || g == 0) return k;
        std::vector<float> row(width), column(height);
        int q = 0;
        for (int j = 0; j < width; j++) {
            row[j] = float(double(k.taps[size_t(p) * width + j]) / double(g));
            if (row[j] != 0 && row[q] == 0) q = j;
        }
        for (int i = 0; i < height; i++) {
            const double c = double(k.taps[size_t(i) * width + q]) / double(row[q]);
            if (c != std::nearbyint(c)) return k;
            column[i] = float(c);
        }
        for (int i = 0; i < height; i++) {
            for (int j = 0; j < width; j++) {
                if (column[i] * row[j] != k.taps[size_t(i) * width + j]) return k;
            }
        }
        k.column = std::move(column);
        k.row = std::move(row);
    }
    return k;
}

}  // namespace halconv
