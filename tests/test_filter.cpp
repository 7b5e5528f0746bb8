// Image filters on the CPU: filter2d and gradient_magnitude against the
// double-precision reference (reference_filter.h) over the sweep of
// filter_cases.cpp, the reference itself on hand-computed values, and the
// mathematics of filtering as property tests on halconv's own results.
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "filter_cases.h"

namespace halconv_test {
namespace {

using halconv::Device;

// ---------------------------------------------------------------------------
// The sweep
// ---------------------------------------------------------------------------
class FilterCpu : public ::testing::TestWithParam<FilterCase> {};
TEST_P(FilterCpu, MatchesReference) { check_filter_case(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(FilterSweep, FilterCpu, ::testing::ValuesIn(filter_cpu_cases()), CaseName());

TEST(FilterCases, CpuListIsValidAndEnough) {
    const auto cases = filter_cpu_cases();
    EXPECT_GE(cases.size(), 500u);
    EXPECT_TRUE(filter_cases_valid(cases));
}

// ---------------------------------------------------------------------------
// The reference itself, on hand-computed values
// ---------------------------------------------------------------------------
TEST(FilterReference, BorderIndex) {
    using ref::border_index;
    // abcd = 0 1 2 3
    const int n = 4;
    // zero: outside reads 0 (-1)
    EXPECT_EQ(border_index(-1, n, Border::Zero), -1);
    EXPECT_EQ(border_index(4, n, Border::Zero), -1);
    EXPECT_EQ(border_index(2, n, Border::Zero), 2);
    // clamp: aaa|abcd|ddd
    EXPECT_EQ(border_index(-3, n, Border::Clamp), 0);
    EXPECT_EQ(border_index(6, n, Border::Clamp), 3);
    // mirror (reflect-101): ... d c b | a b c d | c b a b c d c ...
    const int64_t mirror[] = {3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2};  // i = -9 .. 2
    for (int i = -9; i <= 2; i++) EXPECT_EQ(border_index(i, n, Border::Mirror), mirror[i + 9]) << i;
    EXPECT_EQ(border_index(4, n, Border::Mirror), 2);
    EXPECT_EQ(border_index(5, n, Border::Mirror), 1);
    EXPECT_EQ(border_index(6, n, Border::Mirror), 0);
    EXPECT_EQ(border_index(7, n, Border::Mirror), 1);
    EXPECT_EQ(border_index(13, n, Border::Mirror), 1);
    EXPECT_EQ(border_index(-5, 1, Border::Mirror), 0);
    EXPECT_EQ(border_index(7, 2, Border::Mirror), 1);
    EXPECT_EQ(border_index(-7, 2, Border::Mirror), 1);
    // wrap: cd|abcd|ab
    EXPECT_EQ(border_index(-1, n, Border::Wrap), 3);
    EXPECT_EQ(border_index(-2, n, Border::Wrap), 2);
    EXPECT_EQ(border_index(4, n, Border::Wrap), 0);
    EXPECT_EQ(border_index(-9, n, Border::Wrap), 3);
    EXPECT_EQ(border_index(11, n, Border::Wrap), 3);
}

FilterKernel hand_kernel(int h, int w, std::vector<float> taps, double divisor) {
    FilterKernel k;
    k.name = "hand";
    k.width = w, k.height = h;
    k.taps = std::move(taps);
    k.divisor = divisor;
    k.integer = true;
    for (float t : k.taps) k.integer &= (t == std::floor(t));
    return k;
}

TEST(FilterReference, HandComputed) {
    // 3x2 single-channel image
    //   1 2 3
    //   4 5 6
    const std::vector<uint8_t> im{1, 2, 3, 4, 5, 6};
    FilterKernel box = hand_kernel(3, 3, std::vector<float>(9, 1.0f), 9);
    FilterOptions o;
    o.border = Border::Zero;
    auto r = ref::filter2d(im.data(), 3, 2, 1, box, o);
    // (0,0): 1+2+4+5 = 12 / 9 = 1.33 -> 1; (1,0): 21/9 = 2.33 -> 2; (2,1): 16/9 -> 2
    EXPECT_EQ(r.sample, (std::vector<double>{1, 2, 2, 1, 2, 2}));
    EXPECT_TRUE(r.exact);
    o.border = Border::Clamp;
    r = ref::filter2d(im.data(), 3, 2, 1, box, o);
    // (0,0): rows {1,1,4}, cols {0,0,1}: 1+1+2 + 1+1+2 + 4+4+5 = 21 / 9 = 2.33 -> 2
    EXPECT_EQ(r.sample[0], 2);
    o.border = Border::Wrap;
    r = ref::filter2d(im.data(), 3, 2, 1, box, o);
    // wrap, 3 columns and 2 rows: every 3x3 window holds every column, rows {1,0,1} or {0,1,0}
    EXPECT_NEAR(r.value[0], (2 * 15 + 6) / 9.0, 1e-12);  // rows -1,0,1 = 1,0,1: 2*(4+5+6) + (1+2+3)
    o.border = Border::Mirror;
    r = ref::filter2d(im.data(), 3, 2, 1, box, o);
    EXPECT_NEAR(r.value[0], (2 * (5 + 4 + 5) + (2 + 1 + 2)) / 9.0, 1e-12);

    // rounding half up: x/2 with x odd is a tie, rounds up; negatives saturate to 0
    FilterKernel half = hand_kernel(1, 1, {1}, 2);
    const std::vector<uint8_t> odd{1, 3, 255};
    EXPECT_EQ(ref::filter2d(odd.data(), 3, 1, 1, half, {}).sample, (std::vector<double>{1, 2, 128}));
    FilterKernel neg_half = hand_kernel(1, 1, {-1}, 2);
    EXPECT_EQ(ref::filter2d(odd.data(), 3, 1, 1, neg_half, {}).sample, (std::vector<double>{0, 0, 0}));
    FilterOptions off;
    off.offset = 2;  // -0.5 + 2 = 1.5 -> 2; -1.5 + 2 = 0.5 -> 1; -127.5 + 2 -> 0
    EXPECT_EQ(ref::filter2d(odd.data(), 3, 1, 1, neg_half, off).sample, (std::vector<double>{2, 1, 0}));
    off.absolute = true;  // 0.5 + 2 = 2.5 -> 3; 1.5 + 2 = 3.5 -> 4; 127.5 + 2 = 129.5 -> 130
    EXPECT_EQ(ref::filter2d(odd.data(), 3, 1, 1, neg_half, off).sample, (std::vector<double>{3, 4, 130}));
    // saturation at the top, float not clamped
    FilterKernel triple = hand_kernel(1, 1, {3}, 1);
    EXPECT_EQ(ref::filter2d(odd.data(), 3, 1, 1, triple, {}).sample, (std::vector<double>{3, 9, 255}));
    const std::vector<float> f{-1.5f, 2.0f};
    EXPECT_EQ(ref::filter2d(f.data(), 2, 1, 1, triple, {}).sample, (std::vector<double>{-4.5, 6.0}));

    // cross-correlation, not convolution: [1 2 3] applied at x reads in(x-1)*1 + in(x)*2 + in(x+1)*3
    FilterKernel asym = hand_kernel(1, 3, {1, 2, 3}, 1);
    const std::vector<float> impulse{0, 0, 1, 0, 0};
    o.border = Border::Zero;
    EXPECT_EQ(ref::filter2d(impulse.data(), 5, 1, 1, asym, o).sample, (std::vector<double>{0, 3, 2, 1, 0}));
    EXPECT_EQ(ref::convolve2d(impulse.data(), 5, 1, 1, asym, o).sample, (std::vector<double>{0, 1, 2, 3, 0}));
    EXPECT_EQ(ref::rotate180(hand_kernel(2 + 1, 1, {1, 2, 3}, 1)).taps, (std::vector<float>{3, 2, 1}));

    // fixed-point factors replace the taps for uint8 only
    FilterKernel g = hand_kernel(1, 3, {0.25f, 0.5f, 0.25f}, 1);
    g.fixed_column = {256};
    g.fixed_row = {63, 130, 63};
    const auto e8 = ref::effective_kernel(g, SampleType::UInt8);
    EXPECT_TRUE(e8.exact && e8.fixed_point);
    EXPECT_EQ(e8.denominator, 65536);
    EXPECT_EQ(e8.numerator, (std::vector<int64_t>{63 * 256, 130 * 256, 63 * 256}));
    const auto e16 = ref::effective_kernel(g, SampleType::UInt16);
    EXPECT_FALSE(e16.exact || e16.fixed_point);
    EXPECT_EQ(e16.weight, (std::vector<double>{0.25, 0.5, 0.25}));

    // gradient of a ramp 10*x + 3*y: Sobel |gx| + |gy| = 8 * (10 + 3), Prewitt 6 * 13
    std::vector<uint16_t> ramp(5 * 5);
    for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++) ramp[size_t(y) * 5 + x] = uint16_t(10 * x + 3 * y);
    const auto sob = ref::gradient_magnitude(ramp.data(), 5, 5, 1, GradientOperator::Sobel, {});
    const auto pre = ref::gradient_magnitude(ramp.data(), 5, 5, 1, GradientOperator::Prewitt, {});
    EXPECT_EQ(sob.sample[12], 8 * 13);
    EXPECT_EQ(pre.sample[12], 6 * 13);
    // mirror border at x = 0: in(-1) = in(1), so gx = 0 there
    EXPECT_EQ(sob.sample[5], 8 * 3);
}

// ---------------------------------------------------------------------------
// Small API functions
// ---------------------------------------------------------------------------
TEST(FilterApi, BorderNamesRoundTrip) {
    for (Border b : {Border::Zero, Border::Clamp, Border::Mirror, Border::Wrap}) {
        EXPECT_STREQ(halconv::border_name(b), border_label(b));
        EXPECT_EQ(halconv::parse_border(border_label(b)), b);
    }
    EXPECT_EQ(FilterOptions{}.border, Border::Mirror);
    EXPECT_FALSE(FilterOptions{}.absolute);
    EXPECT_EQ(FilterOptions{}.offset, 0.0f);
    EXPECT_EQ(FilterOptions{}.device, Device::CPU);
}

// The paths the header promises: exact integer passes for integer separable
// kernels and uint8 Gaussians on integer images, float passes otherwise.
TEST(FilterApi, PathChoice) {
    struct Want {
        const char *kernel;
        SampleType type;
        const char *path;
    };
    const Want wants[] = {
        {"box3", SampleType::UInt8, "integer-separable"},
        {"box9", SampleType::UInt16, "float-separable"},
        {"binomial5", SampleType::UInt8, "integer-separable"},
        {"binomial7", SampleType::UInt16, "integer-separable"},
        {"shift_2_m1", SampleType::UInt8, "integer-separable"},
        {"motion5_0", SampleType::UInt8, "integer-separable"},
        {"motion7_90", SampleType::UInt16, "float-separable"},
        {"gauss_s1", SampleType::UInt8, "integer-separable"},
        {"gauss_s2", SampleType::UInt8, "integer-separable"},
        {"gauss_s1", SampleType::UInt16, "float-separable"},
        {"gauss_s1", SampleType::Float32, "float-separable"},
        {"shift_0p5_0p25", SampleType::UInt8, "float-separable"},
        {"box3", SampleType::Float32, "float-separable"},
        {"motion7_45", SampleType::UInt8, "float-direct"},
        {"laplacian", SampleType::UInt8, "float-direct"},
        {"emboss", SampleType::UInt16, "float-direct"},
        {"gabor_0_4", SampleType::Float32, "float-direct"},
        {"custom_3x7", SampleType::UInt8, "float-direct"},
    };
    for (const Want &w : wants) {
        SCOPED_TRACE(std::string(w.kernel) + " " + sample_type_name(w.type));
        FilterKernel k;
        ASSERT_NO_THROW(k = filter_kernel(w.kernel).make());
        EXPECT_STREQ(halconv::filter_path(k, w.type), w.path);
    }
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------
template<typename T>
::testing::AssertionResult images_close(const Image<T> &got, const Image<T> &want, Exactness rule, double float_tol) {
    if (got.data.size() != want.data.size() || got.data.empty())
        return ::testing::AssertionFailure() << "sizes " << got.data.size() << " vs " << want.data.size();
    if (rule == Exactness::Exact && !std::is_same_v<T, float>)
        return images_identical(got.data, want.data, want.width, want.height, want.channels);
    // (float "exact": equal values, 0 == -0)
    const double tol = rule == Exactness::Exact ? 0.0 : rule == Exactness::WithinOne ? 1.0 : float_tol;
    size_t bad = 0, worst = 0;
    double worst_err = -1;
    for (size_t i = 0; i < got.data.size(); i++) {
        const double err = std::fabs((double)got.data[i] - (double)want.data[i]);
        if (!(err <= tol)) {
            bad++;
            if (!(err <= worst_err)) worst_err = err, worst = i;
        }
    }
    if (bad == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << bad << " of " << got.data.size() << " samples differ by more than "
                                         << tol << "; worst at sample " << worst << ": " << (double)got.data[worst]
                                         << " vs " << (double)want.data[worst];
}

template<typename T>
Image<T> cyclic_shift(const Image<T> &in, int sx, int sy) {
    Image<T> out = in;
    for (int y = 0; y < in.height; y++)
        for (int x = 0; x < in.width; x++)
            for (int c = 0; c < in.channels; c++)
                out.at(x, y, c) = in.at(((x - sx) % in.width + in.width) % in.width,
                                        ((y - sy) % in.height + in.height) % in.height, c);
    return out;
}

template<typename T>
Image<T> channel_of(const Image<T> &in, int c) {
    Image<T> out;
    out.width = in.width, out.height = in.height, out.channels = 1;
    for (int y = 0; y < in.height; y++)
        for (int x = 0; x < in.width; x++) out.data.push_back(in.at(x, y, c));
    return out;
}

FilterKernel make(const char *label) { return filter_kernel(label).make(); }

template<typename T>
class FilterProperty : public ::testing::Test {};
using SampleTypes = ::testing::Types<uint8_t, uint16_t, float>;
struct SampleTypeNames {
    template<typename T>
    static std::string GetName(int) {
        return sample_type_name(sample_type_of<T>());
    }
};
TYPED_TEST_SUITE(FilterProperty, SampleTypes, SampleTypeNames);

// A wrap-border filter commutes with a cyclic shift of the image (exactly
// for the exact integer paths; within the rounding rule otherwise).
TYPED_TEST(FilterProperty, WrapBorderIsTranslationEquivariant) {
    using T = TypeParam;
    const Image<T> x = make_image<T>(23, 17, 2, FilterData::Random, 301);
    FilterOptions opt;
    opt.border = Border::Wrap;
    for (const char *label : {"box5", "binomial3", "gauss_s1", "laplacian", "custom_3x7", "motion9_30", "gabor_0_4",
                              "shift_0p5_0p25"}) {
        SCOPED_TRACE(label);
        const FilterKernel k = make(label);
        const Exactness rule = filter_exactness(k, sample_type_of<T>(), opt);
        const double tol = 2e-5 * ref::effective_kernel(k, sample_type_of<T>()).abs_sum() * max_abs(x);
        for (auto [sx, sy] : {std::pair{5, 3}, std::pair{-7, 16}, std::pair{1, 0}}) {
            const Image<T> a = run_filter2d(cyclic_shift(x, sx, sy), k, opt);
            const Image<T> b = run_filter2d(x, k, opt);
            ASSERT_FALSE(a.data.empty() || b.data.empty());
            EXPECT_TRUE(images_close(a, cyclic_shift(b, sx, sy), rule, tol)) << "shift " << sx << ", " << sy;
        }
    }
    const Image<T> g1 = run_gradient_magnitude(cyclic_shift(x, 4, -2), GradientOperator::Sobel, opt);
    const Image<T> g2 = run_gradient_magnitude(x, GradientOperator::Sobel, opt);
    ASSERT_FALSE(g1.data.empty() || g2.data.empty());
    EXPECT_TRUE(images_close(g1, cyclic_shift(g2, 4, -2),
                             std::is_same_v<T, float> ? Exactness::Float : Exactness::Exact, 16 * 2e-5 * max_abs(x)));
}

// shift(dx, dy) moves the content: out(x, y) = in(x - dx, y - dy), exactly,
// with the border rule for what comes in.
TYPED_TEST(FilterProperty, ShiftKernelMovesContent) {
    using T = TypeParam;
    const Image<T> x = make_image<T>(19, 11, 3, FilterData::Random, 302);
    for (auto [dx, dy] : {std::pair{2, -1}, std::pair{-3, 0}, std::pair{0, 4}, std::pair{0, 0}, std::pair{-5, -5}}) {
        FilterKernel k;
        ASSERT_NO_THROW(k = FilterKernel::shift(dx, dy));
        for (Border b : {Border::Zero, Border::Clamp, Border::Mirror, Border::Wrap}) {
            SCOPED_TRACE(std::string("shift ") + std::to_string(dx) + "," + std::to_string(dy) + " " + border_label(b));
            FilterOptions opt;
            opt.border = b;
            const Image<T> got = run_filter2d(x, k, opt);
            ASSERT_FALSE(got.data.empty());
            Image<T> want = x;
            for (int y = 0; y < x.height; y++)
                for (int xx = 0; xx < x.width; xx++) {
                    const int64_t sx = ref::border_index(xx - dx, x.width, b);
                    const int64_t sy = ref::border_index(y - dy, x.height, b);
                    for (int c = 0; c < x.channels; c++)
                        want.at(xx, y, c) = (sx < 0 || sy < 0) ? T(0) : x.at((int)sx, (int)sy, c);
                }
            EXPECT_TRUE(images_close(got, want, Exactness::Exact, 0));
        }
    }
}

// Filtering with k.flipped() is true convolution with k: k.flipped() is k
// rotated by 180 degrees, and the result matches the convolution reference.
TYPED_TEST(FilterProperty, FlippedKernelIsTrueConvolution) {
    using T = TypeParam;
    const Image<T> x = make_image<T>(21, 14, 2, FilterData::Random, 303);
    int n = 0;
    for (const char *label : {"custom_3x7", "custom_5x1", "emboss", "motion9_30", "shift_2_m1", "shift_m1p5_2p75",
                              "gabor_45_6_ph90", "gauss_s1p5_5", "box3"}) {
        SCOPED_TRACE(label);
        const FilterKernel k = make(label);
        FilterKernel f;
        ASSERT_NO_THROW(f = k.flipped());
        const FilterKernel r = ref::rotate180(k);
        EXPECT_EQ(f.width, k.width);
        EXPECT_EQ(f.height, k.height);
        EXPECT_EQ(f.taps, r.taps);
        EXPECT_EQ(f.divisor, k.divisor);
        EXPECT_EQ(f.column, r.column);
        EXPECT_EQ(f.row, r.row);
        EXPECT_EQ(f.fixed_column, r.fixed_column);
        EXPECT_EQ(f.fixed_row, r.fixed_row);
        EXPECT_EQ(f.integer, k.integer);
        const FilterKernel ff = f.flipped();
        EXPECT_EQ(ff.taps, k.taps) << "flipping twice is the identity";

        FilterOptions opt;
        opt.border = Border(n++ % 4);
        const Image<T> got = run_filter2d(x, f, opt);
        ASSERT_FALSE(got.data.empty());
        const ref::FilterResult want = ref::convolve2d(x.data.data(), x.width, x.height, x.channels, k, opt);
        EXPECT_TRUE(matches_filter_reference(got.data, want, filter_exactness(f, sample_type_of<T>(), opt), max_abs(x)))
            << border_label(opt.border);
    }
}

// A separable kernel gives the result of the same taps as a dense
// (non-separable) kernel: within 1 for integer images (the uint8 Gaussian
// against its own fixed-point taps), 1e-5 relative for float.
TYPED_TEST(FilterProperty, SeparableEqualsDense) {
    using T = TypeParam;
    const Image<T> x = make_image<T>(33, 18, 3, FilterData::Random, 304);
    int n = 0;
    for (const char *label : {"box3", "box9", "binomial5", "gauss_s0p8_3", "gauss_s1", "gauss_s2", "motion5_0",
                              "motion7_90", "shift_2_m1", "shift_0p5_0p25", "shift_m1p5_2p75"}) {
        SCOPED_TRACE(label);
        const FilterKernel k = make(label);
        ASSERT_TRUE(k.separable()) << "expected a separable kernel";
        FilterKernel dense = k;
        dense.name += "_dense";
        dense.column.clear();
        dense.row.clear();
        dense.fixed_column.clear();
        dense.fixed_row.clear();
        if (std::is_same_v<T, uint8_t> && !k.fixed_column.empty()) {
            // the effective uint8 kernel: fixed_column[i] * fixed_row[j] / 65536
            for (int i = 0; i < k.height; i++)
                for (int j = 0; j < k.width; j++)
                    dense.taps[size_t(i) * k.width + j] = k.fixed_column[size_t(i)] * k.fixed_row[size_t(j)];
            dense.divisor = 65536;
            dense.integer = true;
        }
        FilterOptions opt;
        opt.border = Border(n++ % 4);
        const Image<T> a = run_filter2d(x, k, opt);
        const Image<T> b = run_filter2d(x, dense, opt);
        ASSERT_FALSE(a.data.empty() || b.data.empty());
        const double tol = 1e-5 * ref::effective_kernel(k, sample_type_of<T>()).abs_sum() * max_abs(x);
        EXPECT_TRUE(images_close(a, b, std::is_same_v<T, float> ? Exactness::Float : Exactness::WithinOne, tol))
            << border_label(opt.border) << ", paths " << halconv::filter_path(k, sample_type_of<T>(), opt) << " vs "
            << halconv::filter_path(dense, sample_type_of<T>(), opt);
    }
}

// A normalized box (and a uint8 Gaussian, whose fixed-point factors sum to
// 256 each) keeps a constant image constant under every border but zero,
// also when the kernel is larger than the image.
TYPED_TEST(FilterProperty, BoxOnConstantImageIsConstant) {
    using T = TypeParam;
    const bool is_float = std::is_same_v<T, float>;
    for (auto [w, h] : {std::pair{37, 23}, std::pair{7, 5}, std::pair{3, 3}, std::pair{1, 1}, std::pair{1, 6}}) {
        const Image<T> x = make_image<T>(w, h, 3, FilterData::Constant, 305);
        const double c = (double)x.data[0];
        for (const char *label : {"box3", "box5", "box9", "gauss_s1", "gauss_s2"}) {
            const FilterKernel k = make(label);
            const bool gaussian = std::string(label).rfind("gauss", 0) == 0;
            for (Border b : {Border::Clamp, Border::Mirror, Border::Wrap}) {
                SCOPED_TRACE(std::string(label) + " " + border_label(b) + " " + std::to_string(w) + "x" +
                             std::to_string(h));
                FilterOptions opt;
                opt.border = b;
                const Image<T> got = run_filter2d(x, k, opt);
                ASSERT_EQ(got.data.size(), x.data.size());
                // uint16 Gaussians use float taps whose sum is 1 within float error
                const double tol = is_float ? 1e-5 * c : (gaussian && !std::is_same_v<T, uint8_t>) ? 1.0 : 0.0;
                double worst = 0;
                for (T v : got.data) worst = std::max(worst, std::fabs((double)v - c));
                EXPECT_LE(worst, tol) << "constant " << c;
            }
            // zero border: the interior (a full window inside) keeps the constant
            FilterOptions opt;
            opt.border = Border::Zero;
            const Image<T> got = run_filter2d(x, k, opt);
            ASSERT_EQ(got.data.size(), x.data.size());
            const double tol = is_float ? 1e-5 * c : (gaussian && !std::is_same_v<T, uint8_t>) ? 1.0 : 0.0;
            for (int y = k.height / 2; y < h - k.height / 2; y++)
                for (int xx = k.width / 2; xx < w - k.width / 2; xx++)
                    EXPECT_NEAR((double)got.at(xx, y, 1), c, tol) << label << " zero border at " << xx << "," << y;
        }
    }
}

// Filtering a 3-channel image equals filtering each channel alone.
TYPED_TEST(FilterProperty, ChannelsAreIndependent) {
    using T = TypeParam;
    const Image<T> x = make_image<T>(21, 13, 3, FilterData::Random, 306);
    int n = 0;
    for (const char *label : {"box5", "gauss_s1", "binomial3", "motion7_45", "custom_3x7", "laplacian", "gabor_0_4"}) {
        SCOPED_TRACE(label);
        const FilterKernel k = make(label);
        FilterOptions opt;
        opt.border = Border(n++ % 4);
        const Image<T> all = run_filter2d(x, k, opt);
        ASSERT_FALSE(all.data.empty());
        const Exactness rule = filter_exactness(k, sample_type_of<T>(), opt);
        const double tol = 2e-5 * ref::effective_kernel(k, sample_type_of<T>()).abs_sum() * max_abs(x);
        for (int c = 0; c < 3; c++) {
            const Image<T> one = run_filter2d(channel_of(x, c), k, opt);
            EXPECT_TRUE(images_close(channel_of(all, c), one, rule, tol)) << "channel " << c;
        }
    }
    const Image<T> g = run_gradient_magnitude(x, GradientOperator::Prewitt);
    ASSERT_FALSE(g.data.empty());
    for (int c = 0; c < 3; c++)
        EXPECT_TRUE(images_close(channel_of(g, c), run_gradient_magnitude(channel_of(x, c), GradientOperator::Prewitt),
                                 std::is_same_v<T, float> ? Exactness::Float : Exactness::Exact, 12 * 2e-5 * max_abs(x)))
            << "gradient channel " << c;
}

// set_num_threads(1) and (2) give bit-identical results.
TYPED_TEST(FilterProperty, ThreadCountBitIdentical) {
    using T = TypeParam;
    const Image<T> x = make_image<T>(203, 97, 3, FilterData::Random, 307);
    for (const char *label : {"box9", "gauss_s2", "motion7_45", "gabor_0_4", "shift_0p5_0p25"}) {
        SCOPED_TRACE(label);
        const FilterKernel k = make(label);
        halconv::set_num_threads(1);
        const Image<T> a = run_filter2d(x, k);
        halconv::set_num_threads(2);
        const Image<T> b = run_filter2d(x, k);
        halconv::set_num_threads(0);
        ASSERT_FALSE(a.data.empty() || b.data.empty());
        EXPECT_TRUE(images_identical(a.data, b.data, x.width, x.height, x.channels));
    }
    halconv::set_num_threads(1);
    const Image<T> a = run_gradient_magnitude(x, GradientOperator::Sobel);
    halconv::set_num_threads(2);
    const Image<T> b = run_gradient_magnitude(x, GradientOperator::Sobel);
    halconv::set_num_threads(0);
    ASSERT_FALSE(a.data.empty() || b.data.empty());
    EXPECT_TRUE(images_identical(a.data, b.data, x.width, x.height, x.channels));
}

// Integer outputs round half up: x / 2 for odd x is a tie and goes up, on
// the exact integer path and on the float path (where 0.5 * x is exact).
TYPED_TEST(FilterProperty, RoundsHalfUp) {
    using T = TypeParam;
    if (std::is_same_v<T, float>) GTEST_SKIP() << "float outputs are not rounded";
    Image<T> x;
    x.width = 256, x.height = 3, x.channels = 1;
    for (int y = 0; y < 3; y++)
        for (int i = 0; i < 256; i++)
            x.data.push_back(std::is_same_v<T, uint8_t> ? T(i) : T(i * 257 - y));
    FilterKernel integer = hand_kernel(1, 1, {1}, 2);
    integer.column = {1};
    integer.row = {1};
    FilterKernel half;
    ASSERT_NO_THROW(half = FilterKernel::custom(1, 1, {0.5f}));
    for (const FilterKernel &k : {integer, half}) {
        SCOPED_TRACE(std::string(k.name) + ", path " + halconv::filter_path(k, sample_type_of<T>()));
        for (float offset : {0.0f, 0.5f, -0.5f, 3.0f}) {
            FilterOptions opt;
            opt.offset = offset;
            const Image<T> got = run_filter2d(x, k, opt);
            ASSERT_EQ(got.data.size(), x.data.size());
            size_t bad = 0, first = 0;
            for (size_t i = 0; i < x.data.size(); i++) {
                const double want = ref::round_saturate(x.data[i] * 0.5 + offset, std::numeric_limits<T>::max());
                if ((double)got.data[i] != want && !bad++) first = i;
            }
            EXPECT_EQ(bad, 0u) << "offset " << offset << ": first at x = " << (double)x.data[first] << ": got "
                               << (double)got.data[first];
        }
    }
}

// The gradient magnitude is |Sobel-x response| + |Sobel-y response| with the
// explicit 3x3 kernels (float), and on a ramp image it is 2 (2 + w) (|a| + |b|).
TEST(FilterGradient, EqualsSumOfAbsoluteKernelResponses) {
    const Image<float> x = make_image<float>(29, 17, 2, FilterData::Random, 308);
    for (auto [op, w] : {std::pair{GradientOperator::Sobel, 2.0f}, std::pair{GradientOperator::Prewitt, 1.0f}}) {
        FilterKernel gx, gy;
        ASSERT_NO_THROW(gx = FilterKernel::custom(3, 3, {-1, 0, 1, -w, 0, w, -1, 0, 1}));
        ASSERT_NO_THROW(gy = FilterKernel::custom(3, 3, {-1, -w, -1, 0, 0, 0, 1, w, 1}));
        for (Border b : {Border::Zero, Border::Clamp, Border::Mirror, Border::Wrap}) {
            FilterOptions opt;
            opt.border = b;
            opt.offset = 0.25f;
            const Image<float> g = run_gradient_magnitude(x, op, opt);
            opt.offset = 0;
            opt.absolute = true;
            const Image<float> ax = run_filter2d(x, gx, opt), ay = run_filter2d(x, gy, opt);
            ASSERT_FALSE(g.data.empty() || ax.data.empty() || ay.data.empty());
            Image<float> sum = ax;
            for (size_t i = 0; i < sum.data.size(); i++) sum.data[i] = ax.data[i] + ay.data[i] + 0.25f;
            EXPECT_TRUE(images_close(g, sum, Exactness::Float, 1e-5 * 4 * (2 + w) * max_abs(x))) << border_label(b);
        }
    }
    Image<uint16_t> ramp;
    ramp.width = 12, ramp.height = 9, ramp.channels = 1;
    for (int y = 0; y < 9; y++)
        for (int i = 0; i < 12; i++) ramp.data.push_back(uint16_t(1000 + 40 * i - 25 * y + 1000));
    for (auto [op, w] : {std::pair{GradientOperator::Sobel, 2}, std::pair{GradientOperator::Prewitt, 1}}) {
        const Image<uint16_t> g = run_gradient_magnitude(ramp, op);
        ASSERT_FALSE(g.data.empty());
        for (int y = 1; y < 8; y++)
            for (int i = 1; i < 11; i++) EXPECT_EQ(g.at(i, y, 0), 2 * (2 + w) * (40 + 25)) << i << "," << y;
    }
    // a constant image has no gradient (except at a zero border): just the offset
    const Image<uint8_t> flat = make_image<uint8_t>(9, 7, 1, FilterData::Constant, 1);
    for (Border b : {Border::Clamp, Border::Mirror, Border::Wrap}) {
        FilterOptions opt;
        opt.border = b;
        opt.offset = 7;
        const Image<uint8_t> g = run_gradient_magnitude(flat, GradientOperator::Sobel, opt);
        ASSERT_FALSE(g.data.empty());
        for (uint8_t v : g.data) EXPECT_EQ(v, 7) << border_label(b);
    }
}

// filter(a x + b y) = a filter(x) + b filter(y) for float images.
TEST(FilterLinearity, FloatImages) {
    const Image<float> x = make_image<float>(27, 19, 2, FilterData::Random, 309);
    const Image<float> y = make_image<float>(27, 19, 2, FilterData::Wide, 310);
    const float a = 0.75f, b = -2.5f;
    Image<float> z = x;
    for (size_t i = 0; i < z.data.size(); i++) z.data[i] = a * x.data[i] + b * y.data[i];
    int n = 0;
    for (const char *label : {"box5", "gauss_s2", "binomial3", "motion7_45", "laplacian", "gabor_0_4",
                              "custom_5x5_float", "shift_0p5_0p25", "custom_1x5_norm"}) {
        SCOPED_TRACE(label);
        const FilterKernel k = make(label);
        FilterOptions opt;
        opt.border = Border(n++ % 4);
        const Image<float> fz = run_filter2d(z, k, opt), fx = run_filter2d(x, k, opt), fy = run_filter2d(y, k, opt);
        ASSERT_FALSE(fz.data.empty() || fx.data.empty() || fy.data.empty());
        Image<float> lin = fx;
        for (size_t i = 0; i < lin.data.size(); i++) lin.data[i] = a * fx.data[i] + b * fy.data[i];
        const double sum_w = ref::effective_kernel(k, SampleType::Float32).abs_sum();
        const double tol = 2e-5 * sum_w * (std::fabs(a) * max_abs(x) + std::fabs(b) * max_abs(y));
        EXPECT_TRUE(images_close(fz, lin, Exactness::Float, tol)) << border_label(opt.border);
    }
}

}  // namespace
}  // namespace halconv_test
