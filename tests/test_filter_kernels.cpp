// Unit tests of the FilterKernel factories and border names
// (runtime/filter_kernels.cpp): taps, divisors, separable factors, the
// uint8 fixed-point Gaussians, shift/motion/Gabor geometry and every
// argument error.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <initializer_list>
#include <numeric>
#include <string>
#include <vector>

#include "halconv/halconv.h"

namespace {

using halconv::Border;
using halconv::ErrorCode;
using halconv::FilterKernel;

// Expects `f` to throw Error(InvalidArgument) whose message contains every
// one of `needles`.
void expect_invalid(const std::function<void()> &f, std::initializer_list<const char *> needles) {
    try {
        f();
    } catch (const halconv::Error &e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << e.what();
        for (const char *n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos)
            << "message \"" << e.what() << "\" lacks \"" << n << "\"";
        return;
    }
    ADD_FAILURE() << "no halconv::Error thrown (expected one mentioning " << *needles.begin() << ")";
}
#define EXPECT_INVALID(expr, ...) expect_invalid([&] { (void)(expr); }, {__VA_ARGS__})

double weight_sum(const FilterKernel &k) {
    double s = 0;
    for (int i = 0; i < k.height; i++)
        for (int j = 0; j < k.width; j++) s += k.weight(i, j);
    return s;
}

// The invariants every kernel keeps.
void check_well_formed(const FilterKernel &k) {
    SCOPED_TRACE(k.name);
    EXPECT_FALSE(k.name.empty());
    ASSERT_GE(k.width, 1);
    ASSERT_GE(k.height, 1);
    EXPECT_EQ(k.width % 2, 1);
    EXPECT_EQ(k.height % 2, 1);
    ASSERT_EQ(k.taps.size(), size_t(k.width) * k.height);
    EXPECT_NE(k.divisor, 0.0);
    EXPECT_TRUE(std::isfinite(k.divisor));
    for (float t : k.taps) EXPECT_TRUE(std::isfinite(t));
    if (k.integer) {
        for (float t : k.taps) EXPECT_EQ(t, std::nearbyint(t));
    }
    if (k.separable()) {
        ASSERT_EQ(k.column.size(), size_t(k.height));
        ASSERT_EQ(k.row.size(), size_t(k.width));
        for (int i = 0; i < k.height; i++)
            for (int j = 0; j < k.width; j++)
                EXPECT_EQ(k.taps[size_t(i) * k.width + j], k.column[i] * k.row[j]) << i << "," << j;
    } else {
        EXPECT_TRUE(k.row.empty());
    }
    if (!k.fixed_column.empty()) {
        ASSERT_EQ(k.fixed_column.size(), size_t(k.height));
        ASSERT_EQ(k.fixed_row.size(), size_t(k.width));
        for (const auto *f : {&k.fixed_column, &k.fixed_row}) {
            double s = 0;
            for (float v : *f) {
                EXPECT_GE(v, 0.0f);
                EXPECT_EQ(v, std::nearbyint(v));
                s += v;
            }
            EXPECT_EQ(s, 256.0);
        }
    }
}

// out(x, y) = sum K[i][j] * in(x + j - w/2, y + i - h/2), zero outside.
std::vector<double> correlate(const FilterKernel &k, const std::vector<double> &in, int w, int h) {
    std::vector<double> out(in.size(), 0.0);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double s = 0;
            for (int i = 0; i < k.height; i++)
                for (int j = 0; j < k.width; j++) {
                    const int xx = x + j - k.width / 2, yy = y + i - k.height / 2;
                    if (xx >= 0 && xx < w && yy >= 0 && yy < h) s += k.weight(i, j) * in[size_t(yy) * w + xx];
                }
            out[size_t(y) * w + x] = s;
        }
    return out;
}

std::vector<double> delta(int w, int h, int x, int y) {
    std::vector<double> v(size_t(w) * h, 0.0);
    v[size_t(y) * w + x] = 1.0;
    return v;
}

// --- borders ----------------------------------------------------------------

TEST(FilterKernels, BorderNamesRoundTrip) {
    EXPECT_STREQ(halconv::border_name(Border::Zero), "zero");
    EXPECT_STREQ(halconv::border_name(Border::Clamp), "clamp");
    EXPECT_STREQ(halconv::border_name(Border::Mirror), "mirror");
    EXPECT_STREQ(halconv::border_name(Border::Wrap), "wrap");
    for (Border b : {Border::Zero, Border::Clamp, Border::Mirror, Border::Wrap})
        EXPECT_EQ(halconv::parse_border(halconv::border_name(b)), b);
    EXPECT_INVALID(halconv::parse_border("reflect"), "'reflect'", "zero", "clamp", "mirror", "wrap");
    EXPECT_INVALID(halconv::parse_border(""), "''");
    EXPECT_INVALID(halconv::parse_border("Mirror "), "'Mirror '");
}

// --- box --------------------------------------------------------------------

TEST(FilterKernels, Box) {
    for (int n : {1, 3, 7, 255}) {
        const FilterKernel k = FilterKernel::box(n);
        check_well_formed(k);
        EXPECT_EQ(k.name, "box:" + std::to_string(n));
        EXPECT_EQ(k.width, n);
        EXPECT_EQ(k.height, n);
        EXPECT_TRUE(k.integer);
        EXPECT_TRUE(k.separable());
        EXPECT_EQ(k.divisor, double(n) * n);
        for (float t : k.taps) EXPECT_EQ(t, 1.0f);
        EXPECT_TRUE(k.fixed_column.empty());
        EXPECT_NEAR(weight_sum(k), 1.0, 1e-9);
    }
    EXPECT_INVALID(FilterKernel::box(4), "box: size must be odd and positive, got 4");
    EXPECT_INVALID(FilterKernel::box(0), "box", "size", "got 0");
    EXPECT_INVALID(FilterKernel::box(-3), "box", "size", "got -3");
    EXPECT_INVALID(FilterKernel::box(257), "box", "at most 255", "257");
}

// --- gaussian ---------------------------------------------------------------

TEST(FilterKernels, GaussianShapeAndName) {
    const FilterKernel k = FilterKernel::gaussian(1.1, 5);
    check_well_formed(k);
    EXPECT_EQ(k.name, "gaussian:1.1,5");
    EXPECT_EQ(k.width, 5);
    EXPECT_FALSE(k.integer);
    EXPECT_EQ(k.divisor, 1.0);
    EXPECT_EQ(k.column, k.row);
    double s = 0;
    for (float v : k.row) s += v;
    EXPECT_NEAR(s, 1.0, 1e-6);
    // exp(-x^2 / (2 sigma^2)) ratios
    EXPECT_NEAR(k.row[1] / k.row[2], std::exp(-1.0 / (2 * 1.21)), 1e-6);
    EXPECT_NEAR(k.row[0] / k.row[2], std::exp(-4.0 / (2 * 1.21)), 1e-6);
    EXPECT_EQ(FilterKernel::gaussian(1.0).width, 7);   // 2 * ceil(3) + 1
    EXPECT_EQ(FilterKernel::gaussian(1.1).width, 9);   // 2 * ceil(3.3) + 1
    EXPECT_EQ(FilterKernel::gaussian(0.2).width, 3);
    EXPECT_EQ(FilterKernel::gaussian(1.1).name, "gaussian:1.1,9");
    EXPECT_EQ(FilterKernel::gaussian(42.0).width, 253);
}

TEST(FilterKernels, GaussianSymmetricNormalizedAndFixedPoint) {
    for (double sigma : {1e-300, 0.05, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 3.3, 7.0, 20.0, 42.0}) {
        for (int size : {0, 1, 3, 5, 9, 31}) {
            const FilterKernel k = FilterKernel::gaussian(sigma, size);
            SCOPED_TRACE(k.name);
            check_well_formed(k);
            const int n = k.width;
            ASSERT_EQ(k.fixed_row.size(), size_t(n));
            EXPECT_EQ(k.fixed_row, k.fixed_column);
            EXPECT_NEAR(weight_sum(k), 1.0, 1e-5);
            for (int j = 0; j < n; j++) {
                EXPECT_EQ(k.row[j], k.row[n - 1 - j]);
                EXPECT_EQ(k.fixed_row[j], k.fixed_row[n - 1 - j]);
                // the quantization stays close to 256 * g
                EXPECT_LE(std::fabs(k.fixed_row[j] - 256.0 * k.row[j]), 2.0) << j;
                if (j > 0 && j <= n / 2) {
                    EXPECT_GE(k.row[j], k.row[j - 1]);  // rises towards the centre
                }
            }
        }
    }
    // A delta-like Gaussian is exactly [.., 0, 256, 0, ..].
    const FilterKernel d = FilterKernel::gaussian(0.05, 3);
    EXPECT_EQ(d.fixed_row, (std::vector<float>{0, 256, 0}));
    EXPECT_EQ(d.row[1], 1.0f);
}

TEST(FilterKernels, GaussianErrors) {
    EXPECT_INVALID(FilterKernel::gaussian(0), "gaussian", "sigma", "got 0");
    EXPECT_INVALID(FilterKernel::gaussian(-1.5), "sigma", "-1.5");
    EXPECT_INVALID(FilterKernel::gaussian(NAN), "sigma", "nan");
    EXPECT_INVALID(FilterKernel::gaussian(INFINITY), "sigma");
    EXPECT_INVALID(FilterKernel::gaussian(1.0, 4), "gaussian", "size", "odd", "got 4");
    EXPECT_INVALID(FilterKernel::gaussian(1.0, -3), "size", "got -3");
    EXPECT_INVALID(FilterKernel::gaussian(1.0, 257), "size", "at most 255", "257");
    EXPECT_INVALID(FilterKernel::gaussian(50.0), "gaussian", "sigma 50", "301", "255");
    EXPECT_INVALID(FilterKernel::gaussian(1e300), "gaussian", "sigma");
    EXPECT_NO_THROW(FilterKernel::gaussian(50.0, 255));
}

// --- binomial ---------------------------------------------------------------

TEST(FilterKernels, Binomial) {
    const FilterKernel k5 = FilterKernel::binomial(5);
    check_well_formed(k5);
    EXPECT_EQ(k5.name, "binomial:5");
    EXPECT_TRUE(k5.integer);
    EXPECT_EQ(k5.row, (std::vector<float>{1, 4, 6, 4, 1}));
    EXPECT_EQ(k5.column, k5.row);
    EXPECT_EQ(k5.divisor, 256.0);
    EXPECT_EQ(k5.taps[12], 36.0f);
    const FilterKernel k1 = FilterKernel::binomial(1);
    EXPECT_EQ(k1.taps, std::vector<float>{1});
    EXPECT_EQ(k1.divisor, 1.0);
    for (int n = 1; n <= 15; n += 2) {
        const FilterKernel k = FilterKernel::binomial(n);
        check_well_formed(k);
        double s = 0;
        for (float t : k.taps) s += t;
        EXPECT_EQ(s, k.divisor) << n;                     // exact integers
        EXPECT_EQ(k.divisor, std::ldexp(1.0, 2 * (n - 1)));
        for (int j = 1; j < n; j++)  // Pascal: C(n-1, j) = C(n-1, j-1) * (n-j) / j
            EXPECT_EQ(double(k.row[j]), double(k.row[j - 1]) * (n - j) / j);
    }
    EXPECT_INVALID(FilterKernel::binomial(4), "binomial", "size", "got 4");
    EXPECT_INVALID(FilterKernel::binomial(-1), "binomial", "got -1");
    EXPECT_INVALID(FilterKernel::binomial(17), "binomial", "at most 15", "17");
}

// --- motion -----------------------------------------------------------------

TEST(FilterKernels, MotionAxisAlignedIsIntegerSeparable) {
    for (double a : {0.0, 180.0, 360.0, -180.0, 720.0, -1e-12, 1e-10, 179.9999999999}) {
        const FilterKernel k = FilterKernel::motion(7, a);
        SCOPED_TRACE(a);
        check_well_formed(k);
        EXPECT_EQ(k.height, 1);
        EXPECT_EQ(k.width, 7);
        EXPECT_TRUE(k.integer);
        EXPECT_TRUE(k.separable());
        EXPECT_EQ(k.divisor, 7.0);
        for (float t : k.taps) EXPECT_EQ(t, 1.0f);
    }
    for (double a : {90.0, 270.0, -90.0, 450.0, 90.0 + 1e-12}) {
        const FilterKernel k = FilterKernel::motion(5, a);
        SCOPED_TRACE(a);
        check_well_formed(k);
        EXPECT_EQ(k.height, 5);
        EXPECT_EQ(k.width, 1);
        EXPECT_TRUE(k.integer);
        EXPECT_EQ(k.divisor, 5.0);
    }
    EXPECT_EQ(FilterKernel::motion(5, 0).name, "motion:5,0");
    EXPECT_EQ(FilterKernel::motion(5, 22.5).name, "motion:5,22.5");
    const FilterKernel one = FilterKernel::motion(1, 33);
    check_well_formed(one);
    EXPECT_NEAR(weight_sum(one), 1.0, 1e-6);
}

TEST(FilterKernels, MotionDiagonal) {
    const int n = 9, r = n / 2;
    const FilterKernel k = FilterKernel::motion(n, 45);
    check_well_formed(k);
    EXPECT_EQ(k.width, n);
    EXPECT_EQ(k.height, n);
    EXPECT_FALSE(k.integer);
    EXPECT_FALSE(k.separable());
    EXPECT_EQ(k.divisor, 1.0);
    EXPECT_NEAR(weight_sum(k), 1.0, 1e-5);
    auto w = [&](int x, int y) { return k.taps[size_t(y + r) * n + (x + r)]; };  // x right, y down
    // 45 degrees counter-clockwise on screen: up and to the right (y down).
    // The segment is length - 1 = 8 pixels long: it ends at radius 4.
    for (int t = 1; t * std::sqrt(2.0) <= r; t++) {
        EXPECT_NEAR(w(t, -t), w(0, 0), 1e-7) << t;  // on the segment: full weight
        EXPECT_NEAR(w(-t, t), w(0, 0), 1e-7) << t;
        EXPECT_EQ(w(t, t), 0.0f) << t;  // the other diagonal: nothing
    }
    // Point-symmetric; pixels next to the line get 1 - distance.
    for (size_t i = 0; i < k.taps.size(); i++) EXPECT_NEAR(k.taps[i], k.taps[k.taps.size() - 1 - i], 1e-7);
    EXPECT_NEAR(w(1, 0) / w(0, 0), 1.0 - std::sqrt(0.5), 1e-6);
    for (float t : k.taps) EXPECT_GE(t, 0.0f);

    // 30 degrees: the weights' centroid direction and the mirror image at -30.
    const FilterKernel a = FilterKernel::motion(15, 30), b = FilterKernel::motion(15, -30);
    double mxx = 0, mxy = 0;
    for (int i = 0; i < 15; i++)
        for (int j = 0; j < 15; j++) {
            const double x = j - 7, y = -(i - 7);  // y up for the angle
            mxx += a.weight(i, j) * x * x;
            mxy += a.weight(i, j) * x * y;
            EXPECT_NEAR(a.taps[size_t(i) * 15 + j], b.taps[size_t(14 - i) * 15 + j], 1e-7);
        }
    // principal direction of the second moments ~ 30 degrees (tan 60 = 2 mxy / (mxx - myy))
    double myy = 0;
    for (int i = 0; i < 15; i++)
        for (int j = 0; j < 15; j++) myy += a.weight(i, j) * (i - 7.0) * (i - 7.0);
    EXPECT_NEAR(0.5 * std::atan2(2 * mxy, mxx - myy) * 180 / M_PI, 30.0, 0.5);
}

TEST(FilterKernels, MotionErrors) {
    EXPECT_INVALID(FilterKernel::motion(4, 0), "motion", "length", "got 4");
    EXPECT_INVALID(FilterKernel::motion(0, 10), "motion", "length", "got 0");
    EXPECT_INVALID(FilterKernel::motion(257, 10), "motion", "at most 255");
    EXPECT_INVALID(FilterKernel::motion(5, NAN), "motion", "angle");
    EXPECT_INVALID(FilterKernel::motion(5, INFINITY), "motion", "angle");
}

// --- shift ------------------------------------------------------------------

TEST(FilterKernels, ShiftIntegerMovesDelta) {
    const int w = 15, h = 11;
    for (auto [dx, dy] : {std::pair<int, int>{2, -1}, {0, 0}, {-3, 4}, {5, 0}, {0, -5}}) {
        const FilterKernel k = FilterKernel::shift(dx, dy);
        SCOPED_TRACE(k.name);
        check_well_formed(k);
        EXPECT_TRUE(k.integer);
        EXPECT_TRUE(k.separable());
        EXPECT_EQ(k.divisor, 1.0);
        EXPECT_EQ(k.width, 2 * std::abs(dx) + 1);
        EXPECT_EQ(k.height, 2 * std::abs(dy) + 1);
        EXPECT_EQ(std::count(k.taps.begin(), k.taps.end(), 1.0f), 1);
        EXPECT_EQ(std::count(k.taps.begin(), k.taps.end(), 0.0f), long(k.taps.size()) - 1);
        // out(x, y) = in(x - dx, y - dy): a delta at (7, 5) moves to (7 + dx, 5 + dy)
        const auto out = correlate(k, delta(w, h, 7, 5), w, h);
        EXPECT_EQ(out, delta(w, h, 7 + dx, 5 + dy));
    }
    EXPECT_EQ(FilterKernel::shift(2, -1).name, "shift:2,-1");
    EXPECT_EQ(FilterKernel::shift(0, 0).taps, std::vector<float>{1});
    check_well_formed(FilterKernel::shift(127, -127));
    EXPECT_EQ(FilterKernel::shift(127, -127).width, 255);
}

TEST(FilterKernels, ShiftFractionalInterpolates) {
    {
        const FilterKernel k = FilterKernel::shift(0.25, 0);
        check_well_formed(k);
        EXPECT_FALSE(k.integer);
        EXPECT_EQ(k.name, "shift:0.25,0");
        EXPECT_EQ(k.height, 1);
        EXPECT_EQ(k.width, 3);
        EXPECT_EQ(std::count_if(k.row.begin(), k.row.end(), [](float v) { return v != 0; }), 2);
        // a ramp in(x) = x moves right by 0.25: out(x) = x - 0.25 inside
        const int w = 9;
        std::vector<double> ramp(w);
        for (int x = 0; x < w; x++) ramp[x] = x;
        const auto out = correlate(k, ramp, w, 1);
        for (int x = 1; x < w - 1; x++) EXPECT_NEAR(out[x], x - 0.25, 1e-6) << x;
    }
    for (auto [dx, dy] : {std::pair<double, double>{-1.5, 2.5}, {0.5, -0.75}, {3.1, 0}, {-126.5, 126.9}}) {
        const FilterKernel k = FilterKernel::shift(dx, dy);
        SCOPED_TRACE(k.name);
        check_well_formed(k);
        EXPECT_LE(k.width, 255);
        EXPECT_LE(k.height, 255);
        EXPECT_NEAR(weight_sum(k), 1.0, 1e-6);
        int nonzero_row = 0, nonzero_col = 0;
        for (float v : k.row) nonzero_row += v != 0;
        for (float v : k.column) nonzero_col += v != 0;
        EXPECT_EQ(nonzero_row, dx == std::floor(dx) ? 1 : 2);
        EXPECT_EQ(nonzero_col, dy == std::floor(dy) ? 1 : 2);
    }
    {  // the centroid of a moved delta is at (x + dx, y + dy)
        const int w = 21, h = 21;
        const FilterKernel k = FilterKernel::shift(-1.5, 2.25);
        const auto out = correlate(k, delta(w, h, 10, 10), w, h);
        double sx = 0, sy = 0, s = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                s += out[size_t(y) * w + x];
                sx += x * out[size_t(y) * w + x];
                sy += y * out[size_t(y) * w + x];
            }
        EXPECT_NEAR(s, 1.0, 1e-6);
        EXPECT_NEAR(sx / s, 10 - 1.5, 1e-6);
        EXPECT_NEAR(sy / s, 10 + 2.25, 1e-6);
        EXPECT_NEAR(out[size_t(12) * w + 8], 0.5 * 0.75, 1e-6);
        EXPECT_NEAR(out[size_t(13) * w + 9], 0.5 * 0.25, 1e-6);
    }
}

TEST(FilterKernels, ShiftErrors) {
    EXPECT_INVALID(FilterKernel::shift(128, 0), "shift", "dx", "127", "128");
    EXPECT_INVALID(FilterKernel::shift(0, -127.5), "shift", "dy", "-127.5");
    EXPECT_INVALID(FilterKernel::shift(NAN, 0), "shift", "dx");
    EXPECT_INVALID(FilterKernel::shift(0, INFINITY), "shift", "dy");
}

// --- fixed 3x3 operators ----------------------------------------------------

TEST(FilterKernels, FixedOperators) {
    struct Case {
        FilterKernel k;
        const char *name;
        std::vector<float> taps;
        double sum;
    };
    for (const Case &c : {Case{FilterKernel::laplacian(), "laplacian", {0, 1, 0, 1, -4, 1, 0, 1, 0}, 0},
                          Case{FilterKernel::sharpen(), "sharpen", {0, -1, 0, -1, 5, -1, 0, -1, 0}, 1},
                          Case{FilterKernel::emboss(), "emboss", {-2, -1, 0, -1, 1, 1, 0, 1, 2}, 1}}) {
        SCOPED_TRACE(c.name);
        check_well_formed(c.k);
        EXPECT_EQ(c.k.name, c.name);
        EXPECT_EQ(c.k.width, 3);
        EXPECT_EQ(c.k.height, 3);
        EXPECT_EQ(c.k.taps, c.taps);
        EXPECT_EQ(c.k.divisor, 1.0);
        EXPECT_TRUE(c.k.integer);
        EXPECT_FALSE(c.k.separable());
        EXPECT_EQ(weight_sum(c.k), c.sum);
    }
}

// --- gabor ------------------------------------------------------------------

// Response of kernel k at the centre of a cosine grating with wave vector
// direction `deg` (counter-clockwise on screen, y down) and period `lambda`.
double grating_response(const FilterKernel &k, double deg, double lambda) {
    const double a = deg * M_PI / 180;
    double best = 0;
    for (double phase = 0; phase < 2 * M_PI; phase += M_PI / 8) {
        double s = 0;
        for (int i = 0; i < k.height; i++)
            for (int j = 0; j < k.width; j++) {
                const double x = j - k.width / 2, y = i - k.height / 2;
                s += k.weight(i, j) * std::cos(2 * M_PI * (x * std::cos(a) - y * std::sin(a)) / lambda + phase);
            }
        best = std::max(best, std::fabs(s));
    }
    return best;
}

TEST(FilterKernels, GaborBasics) {
    const FilterKernel k = FilterKernel::gabor(0, 8);
    check_well_formed(k);
    EXPECT_FALSE(k.integer);
    EXPECT_FALSE(k.separable());
    EXPECT_EQ(k.divisor, 1.0);
    const double sigma = 0.56 * 8;
    EXPECT_EQ(k.width, 2 * int(std::ceil(3 * sigma)) + 1);
    EXPECT_EQ(k.height, k.width);
    EXPECT_EQ(k.name, "gabor:0,8,4.48");
    double sum = 0, pos = 0;
    for (float t : k.taps) {
        sum += t;
        if (t > 0) pos += t;
    }
    EXPECT_NEAR(sum, 0.0, 1e-5);
    EXPECT_NEAR(pos, 1.0, 1e-5);
    const int n = k.width;
    // even filter: point-symmetric, and for theta 0 mirror-symmetric in y
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            EXPECT_NEAR(k.taps[size_t(i) * n + j], k.taps[size_t(n - 1 - i) * n + (n - 1 - j)], 1e-6);
            EXPECT_NEAR(k.taps[size_t(i) * n + j], k.taps[size_t(n - 1 - i) * n + j], 1e-6);
        }
    // theta 90 is theta 0 transposed
    const FilterKernel v = FilterKernel::gabor(90, 8);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) EXPECT_NEAR(v.taps[size_t(i) * n + j], k.taps[size_t(j) * n + i], 1e-6);
    // odd filter (phase 90): antisymmetric
    const FilterKernel o = FilterKernel::gabor(30, 6, 3, 90);
    check_well_formed(o);
    EXPECT_EQ(o.name, "gabor:30,6,3,90");
    EXPECT_EQ(o.width, 19);
    for (size_t i = 0; i < o.taps.size(); i++) EXPECT_NEAR(o.taps[i], -o.taps[o.taps.size() - 1 - i], 1e-6);
}

TEST(FilterKernels, GaborOrientationIsCounterClockwise) {
    for (double theta : {0.0, 30.0, 45.0, 90.0, 135.0}) {
        const FilterKernel k = FilterKernel::gabor(theta, 8);
        SCOPED_TRACE(k.name);
        const double along = grating_response(k, theta, 8);
        const double across = grating_response(k, theta + 90, 8);
        const double mirrored = grating_response(k, -theta, 8);
        EXPECT_GT(along, 0.5);
        EXPECT_LT(across, 0.05 * along);
        if (std::fmod(theta, 90.0) != 0) {
            EXPECT_LT(mirrored, 0.5 * along);
        }
    }
}

TEST(FilterKernels, GaborErrors) {
    EXPECT_INVALID(FilterKernel::gabor(0, 0), "gabor", "wavelength", "got 0");
    EXPECT_INVALID(FilterKernel::gabor(0, -4), "wavelength", "-4");
    EXPECT_INVALID(FilterKernel::gabor(0, NAN), "wavelength");
    EXPECT_INVALID(FilterKernel::gabor(0, 8, -1), "gabor", "sigma", "-1");
    EXPECT_INVALID(FilterKernel::gabor(0, 8, 50), "gabor", "sigma 50", "255");
    EXPECT_INVALID(FilterKernel::gabor(0, 100), "gabor", "sigma 56");  // 0.56 * 100: too large
    EXPECT_INVALID(FilterKernel::gabor(NAN, 8), "gabor", "theta");
    EXPECT_INVALID(FilterKernel::gabor(0, 8, 0, INFINITY), "gabor", "phase");
    EXPECT_INVALID(FilterKernel::gabor(0, 8, 1e-9, 90), "gabor", "vanishes");
}

// --- custom -----------------------------------------------------------------

TEST(FilterKernels, CustomInteger) {
    const FilterKernel k = FilterKernel::custom(3, 3, {1, 2, 1, 2, 4, 2, 1, 2, 1});
    check_well_formed(k);
    EXPECT_EQ(k.name, "custom:3x3");
    EXPECT_TRUE(k.integer);
    EXPECT_EQ(k.divisor, 1.0);
    EXPECT_TRUE(k.separable());  // rank 1: [1 2 1]^T [1 2 1]
    EXPECT_EQ(k.row, (std::vector<float>{1, 2, 1}));
    const FilterKernel n = FilterKernel::custom(3, 3, {1, 2, 1, 2, 4, 2, 1, 2, 1}, true);
    check_well_formed(n);
    EXPECT_EQ(n.divisor, 16.0);
    EXPECT_EQ(n.taps, k.taps);
    EXPECT_NEAR(weight_sum(n), 1.0, 1e-12);

    // Sobel x: rank 1 with negative taps
    const FilterKernel s = FilterKernel::custom(3, 3, {-1, 0, 1, -2, 0, 2, -1, 0, 1});
    check_well_formed(s);
    EXPECT_TRUE(s.separable());
    // rank 1 with a zero first row and gcd > 1
    const FilterKernel z = FilterKernel::custom(3, 5, {0, 0, 0, 0, 0, 2, 4, 6, 4, 2, -4, -8, -12, -8, -4});
    check_well_formed(z);
    EXPECT_TRUE(z.separable());
    // not rank 1
    const FilterKernel r = FilterKernel::custom(3, 3, {1, 2, 3, 4, 5, 6, 7, 8, 10});
    check_well_formed(r);
    EXPECT_FALSE(r.separable());
    EXPECT_TRUE(r.integer);
    // zero-sum: normalized by the positive taps
    const FilterKernel e = FilterKernel::custom(1, 3, {-1, 0, 1}, true);
    check_well_formed(e);
    EXPECT_EQ(e.height, 1);
    EXPECT_EQ(e.width, 3);
    EXPECT_EQ(e.divisor, 1.0);
    const FilterKernel l = FilterKernel::custom(3, 3, {0, 1, 0, 1, -4, 1, 0, 1, 0}, true);
    EXPECT_EQ(l.divisor, 4.0);
    // 1 x 1
    const FilterKernel one = FilterKernel::custom(1, 1, {3});
    check_well_formed(one);
    EXPECT_EQ(one.taps, std::vector<float>{3});
    // all zero without normalizing is fine
    check_well_formed(FilterKernel::custom(1, 3, {0, 0, 0}));
}

TEST(FilterKernels, CustomFloat) {
    const FilterKernel k = FilterKernel::custom(1, 3, {0.25f, 0.5f, 0.25f});
    check_well_formed(k);
    EXPECT_FALSE(k.integer);
    EXPECT_FALSE(k.separable());
    EXPECT_EQ(k.divisor, 1.0);
    // a sum that is zero up to rounding counts as zero
    const FilterKernel z = FilterKernel::custom(1, 3, {0.1f, 0.2f, -0.3f}, true);
    EXPECT_NEAR(z.divisor, 0.1f + 0.2f, 1e-6);
    const FilterKernel n = FilterKernel::custom(1, 3, {0.5f, 1.0f, 0.5f}, true);
    EXPECT_EQ(n.divisor, 2.0);
}

TEST(FilterKernels, CustomErrors) {
    EXPECT_INVALID(FilterKernel::custom(3, 3, {1, 2, 3}), "custom", "9 taps", "got 3");
    EXPECT_INVALID(FilterKernel::custom(2, 3, {1, 2, 3, 4, 5, 6}), "custom", "height", "got 2");
    EXPECT_INVALID(FilterKernel::custom(3, 0, {}), "custom", "width", "got 0");
    EXPECT_INVALID(FilterKernel::custom(1, 257, std::vector<float>(257, 1.0f)), "custom", "width", "255");
    EXPECT_INVALID(FilterKernel::custom(1, 3, {1, NAN, 1}), "custom", "tap 1", "not finite");
    EXPECT_INVALID(FilterKernel::custom(1, 3, {1, 1, INFINITY}), "custom", "tap 2");
    EXPECT_INVALID(FilterKernel::custom(1, 3, {0, 0, 0}, true), "custom", "normalize", "zero");
}

// --- flipped ----------------------------------------------------------------

TEST(FilterKernels, FlippedIsConvolution) {
    const FilterKernel s = FilterKernel::shift(2, 1);
    const FilterKernel f = s.flipped();
    check_well_formed(f);
    EXPECT_NE(f.name, s.name);
    EXPECT_EQ(f.name.rfind(s.name, 0), 0u);  // a suffix is added
    const int w = 11, h = 9;
    EXPECT_EQ(correlate(f, delta(w, h, 5, 4), w, h), delta(w, h, 3, 3));
    for (const FilterKernel &k : {FilterKernel::emboss(), FilterKernel::gaussian(1.3, 7), FilterKernel::motion(7, 30),
                                  FilterKernel::custom(3, 5, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}),
                                  FilterKernel::shift(-0.5, 1.25), FilterKernel::gabor(20, 6, 2, 90)}) {
        SCOPED_TRACE(k.name);
        const FilterKernel r = k.flipped();
        check_well_formed(r);
        EXPECT_EQ(r.width, k.width);
        EXPECT_EQ(r.height, k.height);
        EXPECT_EQ(r.divisor, k.divisor);
        EXPECT_EQ(r.integer, k.integer);
        EXPECT_EQ(r.separable(), k.separable());
        for (int i = 0; i < k.height; i++)
            for (int j = 0; j < k.width; j++)
                EXPECT_EQ(r.taps[size_t(i) * k.width + j], k.taps[size_t(k.height - 1 - i) * k.width + (k.width - 1 - j)]);
        const FilterKernel back = r.flipped();
        EXPECT_EQ(back.taps, k.taps);
        EXPECT_EQ(back.column, k.column);
        EXPECT_EQ(back.row, k.row);
        EXPECT_EQ(back.fixed_row, k.fixed_row);
    }
    // Emboss flipped: the opposite light direction.
    EXPECT_EQ(FilterKernel::emboss().flipped().taps, (std::vector<float>{2, 1, 0, 1, 1, -1, 0, -1, -2}));
}

}  // namespace
