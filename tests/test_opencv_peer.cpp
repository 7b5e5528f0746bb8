// The OpenCV peer of the image filters (apps/common/opencv_filters.h) against
// a direct evaluation of filter.h's formula: every kernel family (box,
// binomial, Gaussian, motion, shift, custom separable, dense integer and
// non-integer, Sobel / Prewitt magnitude), every border mode, 1/3/4
// channels, uint8 / uint16 / float, absolute and offset; and 1, 2 and 3
// strips give identical results.
//
// Tolerances: exact for integer kernels on integer images and for the uint8
// Gaussian (fixed-point taps quantized as OpenCV does); +-1 for other
// kernels with non-integer taps on integer images (float sums near a .5
// tie); 1e-4 of the largest |response| for float images.
//
// The kernels are built here (not with FilterKernel's factories) so that the
// test depends only on the peer and the header's struct.
#include <halconv/halconv.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "opencv_filters.h"

namespace {

using halconv::Border;
using halconv::FilterKernel;
using halconv::FilterOptions;
using halconv::GradientOperator;
using halconv::ImageView;

const Border kBorders[] = {Border::Zero, Border::Clamp, Border::Mirror, Border::Wrap};
const char *bname(Border b) {
    switch (b) {
    case Border::Zero: return "zero";
    case Border::Clamp: return "clamp";
    case Border::Mirror: return "mirror";
    case Border::Wrap: return "wrap";
    }
    return "?";
}

// --- kernels ------------------------------------------------------------------
FilterKernel separable(const std::string &name, std::vector<float> column, std::vector<float> row, double divisor,
                       bool integer) {
    FilterKernel k;
    k.name = name;
    k.height = int(column.size());
    k.width = int(row.size());
    for (float c : column)
        for (float r : row) k.taps.push_back(c * r);
    k.divisor = divisor;
    k.column = std::move(column);
    k.row = std::move(row);
    k.integer = integer;
    return k;
}

FilterKernel dense(const std::string &name, int h, int w, std::vector<float> taps, double divisor, bool integer) {
    FilterKernel k;
    k.name = name;
    k.height = h;
    k.width = w;
    k.taps = std::move(taps);
    k.divisor = divisor;
    k.integer = integer;
    return k;
}

FilterKernel box(int h, int w) {
    return separable("box:" + std::to_string(h) + "x" + std::to_string(w), std::vector<float>(size_t(h), 1.0f),
                     std::vector<float>(size_t(w), 1.0f), double(h) * w, true);
}

FilterKernel binomial(int n) {
    std::vector<float> f{1.0f};
    for (int i = 1; i < n; i++) {
        std::vector<float> g(f.size() + 1, 0.0f);
        for (size_t j = 0; j < f.size(); j++) {
            g[j] += f[j];
            g[j + 1] += f[j];
        }
        f = g;
    }
    const double s = std::pow(2.0, n - 1);
    return separable("binomial:" + std::to_string(n), f, f, s * s, true);
}

// Sampled Gaussian with 8-bit fixed-point factors (sum 256 each) as
// FilterKernel::gaussian documents, quantized like OpenCV's bit-exact
// GaussianBlur (error diffusion from the outer taps in, the centre tap takes
// the remainder).
std::vector<double> gauss1d(double sigma, int n) {
    std::vector<double> g(static_cast<size_t>(n));
    double s = 0;
    for (int i = 0; i < n; i++) s += g[size_t(i)] = std::exp(-double((i - n / 2) * (i - n / 2)) / (2 * sigma * sigma));
    for (double &v : g) v /= s;
    return g;
}
std::vector<float> to_float(const std::vector<double> &g) { return std::vector<float>(g.begin(), g.end()); }
std::vector<float> fixed8(const std::vector<double> &g) {
    const size_t n = g.size();
    std::vector<float> f(n);
    double err = 0;
    int sum = 0;
    for (size_t i = 0; i < n / 2; i++) {
        const double adj = g[i] * 256.0 + err;
        const double v = std::nearbyint(adj);  // half to even, as cvRound
        err = adj - v;
        f[i] = f[n - 1 - i] = float(v);
        sum += int(v);
    }
    f[n / 2] = float(256 - 2 * sum);
    return f;
}
FilterKernel gaussian(double sigma, int n, const std::string &name) {
    const std::vector<double> g = gauss1d(sigma, n);
    FilterKernel k = separable(name, to_float(g), to_float(g), 1.0, false);
    k.fixed_column = fixed8(g);
    k.fixed_row = fixed8(g);
    return k;
}

// out(x, y) = in(x - dx, y - dy).
FilterKernel shift(int dx, int dy) {
    const int w = 2 * std::abs(dx) + 1, h = 2 * std::abs(dy) + 1;
    std::vector<float> col(size_t(h), 0.0f), row(size_t(w), 0.0f);
    col[size_t(h / 2 - dy)] = 1;
    row[size_t(w / 2 - dx)] = 1;
    return separable("shift", col, row, 1.0, true);
}

// Anti-aliased diagonal line: non-integer dense taps.
FilterKernel diagonal_motion() {
    std::vector<float> t(25);
    double s = 0;
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) {
            const double d = std::fabs(double(i - j)) / std::sqrt(2.0);
            t[size_t(i * 5 + j)] = float(std::max(0.0, 1.0 - d));
            s += t[size_t(i * 5 + j)];
        }
    return dense("motion:5,45", 5, 5, t, s, false);
}

// --- images ---------------------------------------------------------------------
uint64_t next(uint64_t &s) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

template<typename T>
std::vector<T> make_image(int w, int h, int c, uint64_t seed) {
    std::vector<T> v(size_t(w) * h * c);
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (auto &x : v) {
        const uint64_t r = next(s);
        if constexpr (std::is_same_v<T, float>) x = float(double(r % 2000001) / 1e6 - 1.0);
        else x = T(r % (uint64_t(std::numeric_limits<T>::max()) + 1));
    }
    return v;
}

// --- the reference ----------------------------------------------------------------
// Source index for position p (may be far outside) of a line of n; -1: zero.
int border_index(int p, int n, Border b) {
    if (p >= 0 && p < n) return p;
    switch (b) {
    case Border::Zero: return -1;
    case Border::Clamp: return std::clamp(p, 0, n - 1);
    case Border::Wrap: return ((p % n) + n) % n;
    case Border::Mirror: {
        if (n == 1) return 0;
        const int period = 2 * (n - 1);
        int q = ((p % period) + period) % period;
        return q < n ? q : period - q;
    }
    }
    return -1;
}

template<typename T>
double finish(double v, bool absolute, double offset) {
    if (absolute) v = std::fabs(v);
    v += offset;
    if constexpr (std::is_integral_v<T>) {
        v = std::floor(v + 0.5);
        return std::clamp(v, 0.0, double(std::numeric_limits<T>::max()));
    }
    return v;
}

// The response of an h x w weight matrix at every sample.
template<typename T>
std::vector<double> correlate(const std::vector<T> &in, int W, int H, int C, int kh, int kw,
                              const std::vector<double> &weight, Border b) {
    std::vector<double> out(in.size());
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < C; c++) {
                double s = 0;
                for (int i = 0; i < kh; i++) {
                    const int sy = border_index(y + i - kh / 2, H, b);
                    for (int j = 0; j < kw; j++) {
                        const int sx = border_index(x + j - kw / 2, W, b);
                        if (sy < 0 || sx < 0) continue;
                        s += weight[size_t(i * kw + j)] * double(in[(size_t(sy) * W + sx) * C + c]);
                    }
                }
                out[(size_t(y) * W + x) * C + c] = s;
            }
    return out;
}

// Sums of taps * samples divided by the divisor (exact for integer taps:
// the quotient is correctly rounded, ties stay ties); uint8 with fixed-point
// factors: fixed_column[i] * fixed_row[j] / 65536.
template<typename T>
std::vector<double> reference_filter(const std::vector<T> &in, int W, int H, int C, const FilterKernel &k,
                                     const FilterOptions &o) {
    std::vector<double> taps(k.taps.size());
    const bool fixed = std::is_same_v<T, uint8_t> && !k.fixed_column.empty();
    for (int i = 0; i < k.height; i++)
        for (int j = 0; j < k.width; j++)
            taps[size_t(i * k.width + j)] = fixed ? double(k.fixed_column[size_t(i)]) * k.fixed_row[size_t(j)]
                                                  : double(k.taps[size_t(i * k.width + j)]);
    const double divisor = fixed ? 65536.0 : k.divisor;
    std::vector<double> r = correlate(in, W, H, C, k.height, k.width, taps, o.border);
    for (double &v : r) v = finish<T>(v / divisor, o.absolute, o.offset);
    return r;
}

template<typename T>
std::vector<double> reference_gradient(const std::vector<T> &in, int W, int H, int C, GradientOperator op,
                                       const FilterOptions &o) {
    const double w = op == GradientOperator::Sobel ? 2 : 1;
    const std::vector<double> gx{-1, 0, 1, -w, 0, w, -1, 0, 1}, gy{-1, -w, -1, 0, 0, 0, 1, w, 1};
    const std::vector<double> a = correlate(in, W, H, C, 3, 3, gx, o.border);
    const std::vector<double> b = correlate(in, W, H, C, 3, 3, gy, o.border);
    std::vector<double> r(a.size());
    for (size_t i = 0; i < r.size(); i++) r[i] = finish<T>(std::fabs(a[i]) + std::fabs(b[i]), false, o.offset);
    return r;
}

// --- checking ---------------------------------------------------------------------
struct Tol {
    double int_levels = 0;  // integer images
    double float_rel = 1e-4;  // float images: of max |reference|
};

template<typename T>
void expect_close(const std::vector<T> &got, const std::vector<double> &want, const Tol &tol, const std::string &what) {
    ASSERT_EQ(got.size(), want.size());
    double maxref = 0;
    for (double v : want) maxref = std::max(maxref, std::fabs(v));
    const double lim = std::is_integral_v<T> ? tol.int_levels : tol.float_rel * std::max(maxref, 1e-6);
    double worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < got.size(); i++) {
        const double d = std::fabs(double(got[i]) - want[i]);
        if (!(d <= worst)) {
            worst = d;
            at = i;
        }
    }
    EXPECT_LE(worst, lim) << what << ": at sample " << at << " got " << double(got[at]) << " want " << want[at];
}

// Runs the peer with 1, 2 and 3 strips: identical outputs; returns the first.
template<typename T, typename F>
std::vector<T> run_strips(const std::vector<T> &in, int W, int H, int C, F &&call, const std::string &what) {
    std::vector<T> first;
    std::string desc1;
    for (int threads : {1, 2, 3}) {
        std::vector<T> out(in.size(), T(7));
        std::string desc;
        try {
            desc = call(ImageView<const T>(in.data(), W, H, C), ImageView<T>(out.data(), W, H, C), threads);
        } catch (const std::exception &e) {
            ADD_FAILURE() << what << " threads " << threads << ": " << e.what();
            return {};
        }
        EXPECT_FALSE(desc.empty());
        if (threads == 1) {
            first = out;
            desc1 = desc;
        } else {
            EXPECT_TRUE(std::memcmp(first.data(), out.data(), out.size() * sizeof(T)) == 0)
                << what << ": " << threads << " strips differ from one call (" << desc << " vs " << desc1 << ")";
        }
    }
    return first;
}

struct Case {
    FilterKernel kernel;
    FilterOptions options;
    Tol tol;
};

template<typename T>
void check_filter(const Case &cs, int W, int H, int C, uint64_t seed) {
    const std::vector<T> in = make_image<T>(W, H, C, seed);
    const std::string what = cs.kernel.name + " " + bname(cs.options.border) + " " + std::to_string(W) + "x" +
                             std::to_string(H) + "x" + std::to_string(C) + (cs.options.absolute ? " abs" : "") +
                             (cs.options.offset != 0 ? " offset " + std::to_string(cs.options.offset) : "") +
                             " " + (std::is_same_v<T, uint8_t> ? "u8" : std::is_same_v<T, uint16_t> ? "u16" : "f32");
    SCOPED_TRACE(what);
    const std::vector<T> got = run_strips<T>(
        in, W, H, C,
        [&](ImageView<const T> i, ImageView<T> o, int threads) {
            return halconv_peer::opencv_filter2d(i, o, cs.kernel, cs.options, threads);
        },
        what);
    if (got.empty()) return;
    expect_close(got, reference_filter(in, W, H, C, cs.kernel, cs.options), cs.tol, what);
}

template<typename T>
void check_gradient(GradientOperator op, const FilterOptions &o, int W, int H, int C, uint64_t seed) {
    const std::vector<T> in = make_image<T>(W, H, C, seed);
    const std::string what = std::string(op == GradientOperator::Sobel ? "sobel" : "prewitt") + " " +
                             bname(o.border) + " " + std::to_string(W) + "x" + std::to_string(H) + "x" +
                             std::to_string(C) + " offset " + std::to_string(o.offset);
    SCOPED_TRACE(what);
    const std::vector<T> got = run_strips<T>(
        in, W, H, C,
        [&](ImageView<const T> i, ImageView<T> out, int threads) {
            return halconv_peer::opencv_gradient_magnitude(i, out, op, o, threads);
        },
        what);
    if (got.empty()) return;
    expect_close(got, reference_gradient(in, W, H, C, op, o), Tol{}, what);
}

struct Size {
    int w, h;
};
const Size kSizes[] = {{13, 11}, {4, 3}};

template<typename F>
void for_all(F &&f) {
    uint64_t seed = 1;
    for (const Size &s : kSizes)
        for (int c : {1, 3, 4})
            for (Border b : kBorders) f(s.w, s.h, c, b, seed++);
}

template<typename T>
void check_kernel_all(FilterKernel k, Tol tol, bool absolute = false, float offset = 0) {
    for_all([&](int w, int h, int c, Border b, uint64_t seed) {
        Case cs{k, {}, tol};
        cs.options.border = b;
        cs.options.absolute = absolute;
        cs.options.offset = offset;
        check_filter<T>(cs, w, h, c, seed);
    });
}

void check_all_types(const FilterKernel &k, Tol int_tol, bool absolute = false, float offset = 0) {
    check_kernel_all<uint8_t>(k, int_tol, absolute, offset);
    check_kernel_all<uint16_t>(k, int_tol, absolute, offset);
    check_kernel_all<float>(k, Tol{}, absolute, offset);
}

const Tol kExact{0, 1e-4};
const Tol kPlusMinus1{1, 1e-4};

// --- tests --------------------------------------------------------------------------
TEST(OpenCvPeer, Box) {
    check_all_types(box(3, 3), kExact);
    check_all_types(box(5, 5), kExact);
    check_all_types(box(3, 5), kExact);
}

TEST(OpenCvPeer, BoxWithOffsetAndAbsolute) {
    check_all_types(box(3, 3), kExact, false, 10.0f);
    check_all_types(box(3, 3), kExact, true, -20.0f);
    check_all_types(box(3, 3), kExact, false, 0.5f);  // fractional: raw sums + final pass
    FilterKernel neg = box(3, 3);                           // all taps -1: a scaled, negative box
    for (float &t : neg.taps) t = -1.0f;
    neg.name = "negbox";
    check_all_types(neg, kExact, true, 3.0f);
}

TEST(OpenCvPeer, Motion) {
    check_all_types(box(1, 9), kExact);  // FilterKernel::motion(9, 0)
    check_all_types(box(9, 1), kExact);  // FilterKernel::motion(9, 90)
    check_all_types(diagonal_motion(), kPlusMinus1);
}

TEST(OpenCvPeer, BinomialAndShift) {
    check_all_types(binomial(5), kExact);
    check_all_types(binomial(3), kExact, false, 100.0f);
    check_all_types(shift(2, -1), kExact);
}

TEST(OpenCvPeer, Gaussian) {
    // uint8: one GaussianBlur call (bit-exact fixed point); the test's fixed
    // taps follow OpenCV's quantization, so it is exact here (against
    // differently quantized taps it would be +-1). uint16 / float:
    // sepFilter2D with the exact factors.
    for (const FilterKernel &k : {gaussian(1.1, 5, "gaussian:1.1,5"), gaussian(0.8, 3, "gaussian:0.8,3"),
                                  gaussian(1.5, 7, "my blur" /* sigma recovered from the taps */)}) {
        check_kernel_all<uint8_t>(k, kExact);
        check_kernel_all<uint8_t>(k, kExact, false, 5.0f);  // integer offset after GaussianBlur
        check_kernel_all<uint16_t>(k, kPlusMinus1);
        check_kernel_all<float>(k, kExact);
    }
    // A fractional offset: the fixed-point taps through sepFilter2D.
    check_kernel_all<uint8_t>(gaussian(1.1, 5, "gaussian:1.1,5"), kExact, false, 0.25f);
}

TEST(OpenCvPeer, CustomSeparable) {
    // Asymmetric non-integer factors.
    check_all_types(separable("sep", {0.2f, 0.3f, 0.5f}, {0.25f, 0.5f, 0.125f, 0.0625f, 0.0625f}, 1.0, false),
                          kPlusMinus1);
    // Integer factors with a sign change (a derivative), |.|.
    check_all_types(separable("deriv", {1, 2, 1}, {-1, 0, 1}, 4.0, true), kExact, true);
}

TEST(OpenCvPeer, DenseInteger) {
    const FilterKernel lap = dense("laplacian", 3, 3, {0, 1, 0, 1, -4, 1, 0, 1, 0}, 1.0, true);
    check_all_types(lap, kExact, true);
    check_all_types(lap, kExact);  // negative responses saturate to 0
    const FilterKernel emboss = dense("emboss", 3, 3, {-2, -1, 0, -1, 1, 1, 0, 1, 2}, 1.0, true);
    check_all_types(emboss, kExact, false, 128.0f);
    const FilterKernel sharpen = dense("sharpen", 3, 3, {0, -1, 0, -1, 5, -1, 0, -1, 0}, 1.0, true);
    check_all_types(sharpen, kExact);
    // A divisor with ties: sums / 2 round half up.
    const FilterKernel half = dense("half", 3, 3, {1, 0, 0, 0, 0, 0, 0, 0, 0}, 2.0, true);
    check_all_types(half, kExact);
}

TEST(OpenCvPeer, GradientMagnitude) {
    for (GradientOperator op : {GradientOperator::Sobel, GradientOperator::Prewitt})
        for (float offset : {0.0f, 10.0f, -3.5f})
            for_all([&](int w, int h, int c, Border b, uint64_t seed) {
                FilterOptions o;
                o.border = b;
                o.offset = offset;
                check_gradient<uint8_t>(op, o, w, h, c, seed);
                check_gradient<uint16_t>(op, o, w, h, c, seed);
                check_gradient<float>(op, o, w, h, c, seed);
            });
}

TEST(OpenCvPeer, LargerStripCountThanRows) {
    // 2 rows, 3 threads: at most one strip per row.
    Case cs{box(3, 3), {}, kExact};
    check_filter<uint8_t>(cs, 5, 2, 3, 99);
}

TEST(OpenCvPeer, BadInput) {
    std::vector<uint8_t> a(12 * 10 * 3), b(12 * 10 * 3);
    const FilterKernel k = box(3, 3);
    EXPECT_THROW(halconv_peer::opencv_filter2d(ImageView<const uint8_t>(a.data(), 12, 10, 3),
                                               ImageView<uint8_t>(b.data(), 10, 12, 3), k, {}, 2),
                 std::runtime_error);
    FilterKernel even = k;
    even.width = 2;
    EXPECT_THROW(halconv_peer::opencv_filter2d(ImageView<const uint8_t>(a.data(), 12, 10, 3),
                                               ImageView<uint8_t>(b.data(), 12, 10, 3), even, {}, 2),
                 std::runtime_error);
    EXPECT_THROW(halconv_peer::opencv_filter2d(ImageView<const uint8_t>(a.data(), 12, 10, 3),
                                               ImageView<uint8_t>(a.data(), 12, 10, 3), k, {}, 2),
                 std::runtime_error);
}

}  // namespace
