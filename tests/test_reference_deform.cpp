// The mathematics of the deformable convolution / flow_warp reference
// (reference_deform.h), checked before any implementation exists, so that
// the oracle is trustworthy:
//   * the bilinear building block: grid values, zeros outside, and the
//     derivative conventions of torchvision at integer positions and borders;
//   * zero offsets (+ unit mask) == conv2d (reference.h); one constant
//     integer offset == conv2d of the shifted, zero-filled input;
//   * central finite differences (double) of every backward output against
//     the forward, away from integer positions; at integer positions the
//     offset gradient is the one-sided difference from above;
//   * the decomposition of the issue: deform_conv2d == sum over taps of a
//     1x1 conv of flow_warp(x, p_k + offset_k); one constant flow f for
//     every tap == conv2d(flow_warp(x, f));
//   * G offset groups == G deformable convs on channel slices, summed; weight
//     groups == independent convs on channel / output slices;
//   * a 1x1 depthwise deform_conv2d == flow_warp (channel order dy,dx vs dx,dy);
//   * non-finite and huge offsets / flows: finite results, equal to a
//     sample far outside (0, no gradient), no crash.
// tests/deform_oracle.py checks the same reference against torchvision.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "reference.h"
#include "reference_deform.h"
#include "test_util.h"

namespace halconv_test {
namespace {

const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------------------
// Cases and data
// ---------------------------------------------------------------------------
DeformConv2dSpec spec(int64_t N, int64_t C, int64_t H, int64_t W, int64_t K, int64_t R, int64_t S) {
    DeformConv2dSpec s;
    s.N = N, s.C = C, s.H = H, s.W = W, s.K = K, s.R = R, s.S = S;
    return s;
}

struct DCase {
    std::string name;
    DeformConv2dSpec spec;
};
void PrintTo(const DCase &c, std::ostream *os) { *os << c.name << ": " << c.spec.describe(); }

struct DCaseName {
    std::string operator()(const ::testing::TestParamInfo<DCase> &info) const { return info.param.name; }
};

DCase mk(std::string name, DeformConv2dSpec s, std::array<int, 2> stride, std::array<int, 2> pad,
         std::array<int, 2> dil, int groups, int offset_groups, bool mask, bool bias) {
    s.stride = stride, s.padding = pad, s.dilation = dil, s.groups = groups, s.offset_groups = offset_groups;
    s.has_mask = mask, s.has_bias = bias;
    return {std::move(name), s};
}

// The shapes of the property sweeps: odd sizes, batch 3, stride 2, dilation
// 2, padding, offset groups 1/2/4, weight groups 2, with and without mask
// and bias.
std::vector<DCase> sweep_cases() {
    return {
        mk("basic3x3", spec(1, 2, 5, 6, 3, 3, 3), {1, 1}, {0, 0}, {1, 1}, 1, 1, false, false),
        mk("batch3_odd_pad1_mask_bias", spec(3, 3, 7, 5, 2, 3, 3), {1, 1}, {1, 1}, {1, 1}, 1, 1, true, true),
        mk("stride2_pad10_mask", spec(2, 2, 9, 7, 3, 3, 2), {2, 2}, {1, 0}, {1, 1}, 1, 2, true, false),
        mk("dil2_pad2_og2_bias", spec(1, 4, 8, 9, 2, 3, 3), {1, 1}, {2, 2}, {2, 2}, 1, 2, false, true),
        mk("groups2_og4_mask_bias", spec(2, 4, 6, 7, 4, 2, 3), {1, 1}, {1, 1}, {1, 1}, 2, 4, true, true),
        mk("groups2_og2_s21_d12", spec(1, 4, 9, 8, 2, 3, 3), {2, 1}, {1, 2}, {1, 2}, 2, 2, true, false),
        mk("groups2_og1_stride2", spec(3, 2, 7, 7, 4, 3, 3), {2, 2}, {1, 1}, {1, 1}, 2, 1, false, true),
        mk("k1x1_mask_bias", spec(2, 3, 4, 5, 2, 1, 1), {1, 1}, {0, 0}, {1, 1}, 1, 1, true, true),
        mk("k2x1_og2_pad01", spec(1, 2, 6, 5, 2, 2, 1), {1, 1}, {0, 1}, {1, 1}, 1, 2, false, false),
        mk("og4_dil2_stride2_mask", spec(1, 4, 11, 9, 3, 3, 3), {2, 2}, {2, 1}, {2, 2}, 1, 4, true, true),
    };
}

enum class Offsets {
    Zero,
    Generic,     // uniform in [-spread, spread)
    Fractional,  // integer in [-spread, spread] + a fraction in [0.1, 0.9]: no integer position
    Integer,     // integers in [-spread, spread]: every position an integer
    Mixed,       // each component Integer or Fractional at random
};

std::vector<double> make_offsets(int64_t n, Offsets mode, double spread, uint32_t seed) {
    std::vector<double> v((size_t)n, 0.0);
    if (mode == Offsets::Zero) return v;
    if (mode == Offsets::Generic) {
        const std::vector<float> r = random_tensor(n, seed, (float)-spread, (float)spread);
        return widen(r);
    }
    std::mt19937 gen(seed);
    const int span = (int)spread;
    std::uniform_int_distribution<int> integer(-span, span);
    std::uniform_real_distribution<double> frac(0.1, 0.9);
    for (auto &x : v) {
        const bool is_int = mode == Offsets::Integer || (mode == Offsets::Mixed && (gen() & 1));
        x = integer(gen);
        if (!is_int) x += frac(gen);
    }
    return v;
}

struct Problem {
    DeformConv2dSpec spec;
    DeformConv2dData data;
    std::vector<double> grad_output;
};

Problem make_problem(const DeformConv2dSpec &s, uint32_t seed, Offsets mode, double spread) {
    Problem p;
    p.spec = s;
    p.data.input = widen(random_tensor(numel(s.input_shape()), seed + 1));
    p.data.weight = widen(random_tensor(numel(s.weight_shape()), seed + 2));
    if (s.has_bias) p.data.bias = widen(random_tensor(s.K, seed + 3));
    if (s.has_mask) p.data.mask = widen(random_tensor(numel(s.mask_shape()), seed + 4, -0.5f, 1.5f));
    p.data.offset = make_offsets(numel(s.offset_shape()), mode, spread, seed + 5);
    p.grad_output = widen(random_tensor(numel(s.output_shape()), seed + 6));
    return p;
}

double loss(const Problem &p) {
    const DeformResult out = deform_conv2d_reference(p.spec, p.data);
    double l = 0.0;
    for (size_t e = 0; e < out.value.size(); e++) l += p.grad_output[e] * out.value[e];
    return l;
}

// Two results agree to `rel` of each element's abs_sum + position_bound (+ a
// tiny absolute floor).
::testing::AssertionResult agree(const std::vector<double> &got, const DeformResult &want, double rel,
                                 const std::string &what) {
    if (got.size() != want.value.size())
        return ::testing::AssertionFailure() << what << ": size " << got.size() << " vs " << want.value.size();
    int64_t bad = 0, worst = -1;
    double worst_excess = 0.0;
    for (size_t e = 0; e < got.size(); e++) {
        const double tol = rel * (want.abs_sum[e] + want.position_bound[e]) + 1e-300;
        const double diff = std::fabs(got[e] - want.value[e]);
        if (!(diff <= tol)) {
            bad++;
            if (worst < 0 || !(diff / tol <= worst_excess)) worst = (int64_t)e, worst_excess = diff / tol;
        }
    }
    if (bad == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << what << ": " << bad << " of " << got.size()
                                         << " elements differ; worst at flat index " << worst << ": got "
                                         << got[(size_t)worst] << " want " << want.value[(size_t)worst]
                                         << " (abs_sum " << want.abs_sum[(size_t)worst] << ")";
}

::testing::AssertionResult agree(const DeformResult &got, const DeformResult &want, double rel,
                                 const std::string &what) {
    if (got.shape != want.shape)
        return ::testing::AssertionFailure() << what << ": shape " << shape_str(got.shape) << " vs "
                                             << shape_str(want.shape);
    return agree(got.value, want, rel, what);
}

bool all_finite(const std::vector<double> &v) {
    return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

std::vector<float> narrow(const std::vector<double> &v) { return std::vector<float>(v.begin(), v.end()); }

// ---------------------------------------------------------------------------
// The bilinear building block and its conventions
// ---------------------------------------------------------------------------
// A 3 x 4 plane with distinct values.
const int64_t kH = 3, kW = 4;
const double kPlane[kH * kW] = {1, 2, -3, 5,  //
                                7, -11, 13, 17,  //
                                -19, 23, 29, -31};
double v(int64_t r, int64_t c) { return (r >= 0 && r < kH && c >= 0 && c < kW) ? kPlane[r * kW + c] : 0.0; }

TEST(DeformBilinear, GridPointsAndInterpolation) {
    for (int64_t r = 0; r < kH; r++)
        for (int64_t c = 0; c < kW; c++) EXPECT_EQ(deform_bilinear(kPlane, kH, kW, (double)r, (double)c), v(r, c));
    EXPECT_DOUBLE_EQ(deform_bilinear(kPlane, kH, kW, 0.5, 1.25),
                     0.5 * 0.75 * v(0, 1) + 0.5 * 0.25 * v(0, 2) + 0.5 * 0.75 * v(1, 1) + 0.5 * 0.25 * v(1, 2));
    // Zero padding: half a pixel outside is half the border value.
    EXPECT_DOUBLE_EQ(deform_bilinear(kPlane, kH, kW, -0.5, 2.0), 0.5 * v(0, 2));
    EXPECT_DOUBLE_EQ(deform_bilinear(kPlane, kH, kW, 1.0, 3.75), 0.25 * v(1, 3));
    EXPECT_DOUBLE_EQ(deform_bilinear(kPlane, kH, kW, 2.5, -0.5), 0.25 * v(2, 0));
}

TEST(DeformBilinear, ZeroOutsideTheOpenRange) {
    // torchvision: h <= -1 || H <= h || w <= -1 || W <= w -> 0.
    for (double y : {-1.0, -1.5, 3.0, 3.25, 1e9, -1e9, 1e300, -kInf, kInf, kNaN})
        for (double x : {0.0, 1.5, 2.0})
            EXPECT_EQ(deform_bilinear(kPlane, kH, kW, y, x), 0.0) << y << " " << x;
    for (double x : {-1.0, 4.0, 4.5, 1e10, -kInf, kInf, kNaN})
        EXPECT_EQ(deform_bilinear(kPlane, kH, kW, 1.0, x), 0.0) << x;
    EXPECT_NE(deform_bilinear(kPlane, kH, kW, -0.999, 1.0), 0.0);
    EXPECT_NE(deform_bilinear(kPlane, kH, kW, 2.999, 1.0), 0.0);
}

TEST(DeformBilinear, DerivativeInsideACell) {
    double dy, dx;
    const double y = 0.25, x = 1.75;  // cell rows 0-1, columns 1-2
    deform_bilinear_gradient(kPlane, kH, kW, y, x, &dy, &dx);
    EXPECT_DOUBLE_EQ(dy, 0.25 * (v(1, 1) - v(0, 1)) + 0.75 * (v(1, 2) - v(0, 2)));
    EXPECT_DOUBLE_EQ(dx, 0.75 * (v(0, 2) - v(0, 1)) + 0.25 * (v(1, 2) - v(1, 1)));
    // central differences of B (linear along each axis inside the cell)
    const double h = 1e-3;
    EXPECT_NEAR(dy, (deform_bilinear(kPlane, kH, kW, y + h, x) - deform_bilinear(kPlane, kH, kW, y - h, x)) / (2 * h),
                1e-9);
    EXPECT_NEAR(dx, (deform_bilinear(kPlane, kH, kW, y, x + h) - deform_bilinear(kPlane, kH, kW, y, x - h)) / (2 * h),
                1e-9);
}

// torchvision's get_coordinate_weight: the cell is [floor(y), floor(y)+1] x
// [floor(x), floor(x)+1], so at integer positions the derivative is the one
// from above (right / below).
TEST(DeformBilinear, DerivativeAtIntegerPositionsIsTheOneFromAbove) {
    double dy, dx;
    deform_bilinear_gradient(kPlane, kH, kW, 1.0, 2.0, &dy, &dx);
    EXPECT_EQ(dy, v(2, 2) - v(1, 2));  // not v(1,2) - v(0,2)
    EXPECT_EQ(dx, v(1, 3) - v(1, 2));  // not v(1,2) - v(1,1)
    deform_bilinear_gradient(kPlane, kH, kW, 1.0, 2.5, &dy, &dx);
    EXPECT_EQ(dy, 0.5 * (v(2, 2) - v(1, 2)) + 0.5 * (v(2, 3) - v(1, 3)));
    EXPECT_EQ(dx, v(1, 3) - v(1, 2));
    // the one-sided difference from above, exactly
    for (double y : {0.0, 1.0, 2.0})
        for (double x : {0.0, 1.0, 2.5}) {
            deform_bilinear_gradient(kPlane, kH, kW, y, x, &dy, &dx);
            const double h = 1.0 / 1024;
            EXPECT_NEAR(dy, (deform_bilinear(kPlane, kH, kW, y + h, x) - deform_bilinear(kPlane, kH, kW, y, x)) / h,
                        1e-12);
        }
}

TEST(DeformBilinear, DerivativeAtTheBorders) {
    double dy, dx;
    // last row / column: the cell reaches into the zero padding
    deform_bilinear_gradient(kPlane, kH, kW, 2.0, 1.0, &dy, &dx);
    EXPECT_EQ(dy, -v(2, 1));
    deform_bilinear_gradient(kPlane, kH, kW, 1.0, 3.0, &dy, &dx);
    EXPECT_EQ(dx, -v(1, 3));
    // y = -1 exactly: B is 0 there, but the cell [-1, 0] gives +row 0 (from above)
    deform_bilinear_gradient(kPlane, kH, kW, -1.0, 1.0, &dy, &dx);
    EXPECT_EQ(deform_bilinear(kPlane, kH, kW, -1.0, 1.0), 0.0);
    EXPECT_EQ(dy, v(0, 1));
    EXPECT_EQ(dx, 0.0);  // along row -1 (zeros)
    deform_bilinear_gradient(kPlane, kH, kW, 1.5, -1.0, &dy, &dx);
    EXPECT_EQ(dx, 0.5 * v(1, 0) + 0.5 * v(2, 0));
    EXPECT_EQ(dy, 0.0);
    // just below -1, at H / W and beyond: no corner in the plane
    for (auto yx : {std::array<double, 2>{-1.0 - 1e-12, 1.0}, {3.0, 1.0}, {1.0, 4.0}, {1.0, -1.5}, {-7.0, -7.0},
                    {1e300, 1.0}, {1.0, -1e300}})
    {
        deform_bilinear_gradient(kPlane, kH, kW, yx[0], yx[1], &dy, &dx);
        EXPECT_EQ(dy, 0.0) << yx[0] << " " << yx[1];
        EXPECT_EQ(dx, 0.0) << yx[0] << " " << yx[1];
    }
    // y in [H-1, H): derivative -row(H-1) interpolated
    deform_bilinear_gradient(kPlane, kH, kW, 2.5, 0.0, &dy, &dx);
    EXPECT_EQ(dy, -v(2, 0));
}

TEST(DeformBilinear, NonFinitePositionsGiveZeros) {
    for (double y : {kNaN, kInf, -kInf, 1.0})
        for (double x : {kNaN, kInf, -kInf}) {
            double dy = 1, dx = 1;
            deform_bilinear_gradient(kPlane, kH, kW, y, x, &dy, &dx);
            EXPECT_EQ(dy, 0.0);
            EXPECT_EQ(dx, 0.0);
            EXPECT_EQ(deform_bilinear(kPlane, kH, kW, y, x), 0.0);
            EXPECT_EQ(deform_bilinear(kPlane, kH, kW, x, y), 0.0);
        }
}

// ---------------------------------------------------------------------------
// Forward against conv2d
// ---------------------------------------------------------------------------
class DeformRefSweep : public ::testing::TestWithParam<DCase> {};

ref::ConvParams conv_params(const DeformConv2dSpec &s) {
    ref::ConvParams p;
    p.stride = s.stride, p.padding = s.padding, p.dilation = s.dilation, p.groups = s.groups;
    return p;
}

TEST_P(DeformRefSweep, ZeroOffsetsEqualConv2d) {
    DeformConv2dSpec s = GetParam().spec;
    ASSERT_TRUE(s.valid());
    const std::vector<float> x = random_tensor(numel(s.input_shape()), 11);
    const std::vector<float> w = random_tensor(numel(s.weight_shape()), 12);
    const std::vector<float> b = random_tensor(s.K, 13);
    const ref::Result want = ref::conv2d(x.data(), s.input_shape(), w.data(), s.weight_shape(),
                                         s.has_bias ? b.data() : nullptr, conv_params(s));
    DeformConv2dData d;
    d.input = widen(x), d.weight = widen(w);
    if (s.has_bias) d.bias = widen(b);
    d.offset.assign((size_t)numel(s.offset_shape()), 0.0);
    for (bool unit_mask : {false, true}) {
        s.has_mask = unit_mask;
        d.mask.assign(unit_mask ? (size_t)numel(s.mask_shape()) : 0, 1.0);
        const DeformResult got = deform_conv2d_reference(s, d);
        ASSERT_EQ(got.shape, want.shape);
        DeformResult w2;
        w2.value = want.value, w2.abs_sum = want.abs_sum, w2.position_bound.assign(want.value.size(), 0.0);
        EXPECT_TRUE(agree(got.value, w2, 1e-14, unit_mask ? "unit mask" : "no mask"));
        // the abs_sum is conv2d's too
        for (size_t e = 0; e < got.value.size(); e++) ASSERT_NEAR(got.abs_sum[e], want.abs_sum[e], 1e-12);
    }
}

// One constant integer offset (a, b) everywhere == conv2d of the input
// shifted by (a, b) with zero fill; a constant mask m scales the input. With
// padding the shift applies to the zero-padded canvas (a tap in the padding
// may shift onto the image), then conv2d runs without padding.
TEST_P(DeformRefSweep, ConstantIntegerOffsetEqualsConv2dOfShiftedInput) {
    DeformConv2dSpec s = GetParam().spec;
    const int64_t N = s.N, C = s.C, H = s.H, W = s.W;
    const int64_t ph = s.padding[0], pw = s.padding[1], Hp = H + 2 * ph, Wp = W + 2 * pw;
    const ref::Shape canvas_shape{N, C, Hp, Wp};
    const std::vector<float> x = random_tensor(numel(s.input_shape()), 21);
    const std::vector<float> w = random_tensor(numel(s.weight_shape()), 22);
    const std::vector<float> b = random_tensor(s.K, 23);
    for (auto ab : {std::array<int, 2>{1, 0}, {0, -1}, {-2, 3}, {2, 2}, {-1, -3}, {7, 0}, {0, -9}})
        for (bool with_mask : {false, true}) {
            const float m = 0.5f;  // exact in float: m * x is exact
            std::vector<float> shifted((size_t)numel(canvas_shape), 0.0f);
            for (int64_t n = 0; n < N; n++)
                for (int64_t c = 0; c < C; c++)
                    for (int64_t yy = 0; yy < Hp; yy++)
                        for (int64_t xx = 0; xx < Wp; xx++) {
                            // canvas pixel (yy, xx) is input pixel (yy - ph, xx - pw); shifted by (a, b)
                            const int64_t sy = yy - ph + ab[0], sx = xx - pw + ab[1];
                            if (sy >= 0 && sy < H && sx >= 0 && sx < W)
                                shifted[(size_t)idx4(canvas_shape, n, c, yy, xx)] =
                                    (with_mask ? m : 1.0f) * x[(size_t)idx4(s.input_shape(), n, c, sy, sx)];
                        }
            ref::ConvParams cp = conv_params(s);
            cp.padding = {0, 0};
            const ref::Result want = ref::conv2d(shifted.data(), canvas_shape, w.data(), s.weight_shape(),
                                                 s.has_bias ? b.data() : nullptr, cp);
            s.has_mask = with_mask;
            DeformConv2dData d;
            d.input = widen(x), d.weight = widen(w);
            if (s.has_bias) d.bias = widen(b);
            if (with_mask) d.mask.assign((size_t)numel(s.mask_shape()), (double)m);
            d.offset.assign((size_t)numel(s.offset_shape()), 0.0);
            for (size_t e = 0; e < d.offset.size(); e++) {
                const int64_t ch = ((int64_t)e / (s.OH() * s.OW())) % (2 * s.offset_groups * s.R * s.S);
                d.offset[e] = ch % 2 == 0 ? ab[0] : ab[1];
            }
            const DeformResult got = deform_conv2d_reference(s, d);
            ASSERT_EQ(got.shape, want.shape);
            DeformResult w2;
            w2.value = want.value, w2.abs_sum = want.abs_sum, w2.position_bound.assign(want.value.size(), 0.0);
            EXPECT_TRUE(agree(got.value, w2, 1e-14, "shift " + std::to_string(ab[0]) + "," + std::to_string(ab[1])));
        }
}

// ---------------------------------------------------------------------------
// Finite differences of the backward pass
// ---------------------------------------------------------------------------
// Up to `limit` distinct indices of [0, n), deterministic, always including
// the first and the last.
std::vector<size_t> some_indices(size_t n, size_t limit, uint32_t seed) {
    std::vector<size_t> all(n);
    for (size_t i = 0; i < n; i++) all[i] = i;
    if (n <= limit) return all;
    std::mt19937 gen(seed);
    std::shuffle(all.begin() + 1, all.end() - 1, gen);
    std::vector<size_t> r(all.begin(), all.begin() + (long)(limit - 1));
    r.push_back(n - 1);
    return r;
}

// Central differences of the loss sum(grad_output * out) in the elements of
// one tensor of `p` against `grad`. The loss is linear in the input, weight,
// mask and bias (any h is exact up to rounding) and, inside a cell, in each
// offset component; h keeps Fractional offsets inside their cell.
void check_central(Problem p, std::vector<double> DeformConv2dData::*member, const DeformResult &grad, double h,
                   const char *what, size_t limit = 40) {
    std::vector<double> &t = p.data.*member;
    ASSERT_EQ(t.size(), grad.value.size()) << what;
    const double l0 = std::fabs(loss(p)) + 1.0;
    for (size_t e : some_indices(t.size(), limit, 99)) {
        const double keep = t[e];
        t[e] = keep + h;
        const double lp = loss(p);
        t[e] = keep - h;
        const double lm = loss(p);
        t[e] = keep;
        const double fd = (lp - lm) / (2 * h);
        const double tol = 1e-13 * l0 / h + 1e-10 * (std::fabs(grad.value[e]) + grad.abs_sum[e]);
        EXPECT_NEAR(grad.value[e], fd, tol) << what << " element " << e;
    }
}

TEST_P(DeformRefSweep, FiniteDifferencesAwayFromIntegerPositions) {
    for (double spread : {1.0, 4.0, 12.0}) {  // 12: most samples outside
        const Problem p = make_problem(GetParam().spec, 1000 + (uint32_t)spread, Offsets::Fractional, spread);
        const DeformConv2dGrads g = deform_conv2d_backward_reference(p.spec, p.data, p.grad_output);
        SCOPED_TRACE("spread " + std::to_string(spread));
        check_central(p, &DeformConv2dData::input, g.input, 0.25, "grad_input");
        check_central(p, &DeformConv2dData::weight, g.weight, 0.25, "grad_weight");
        check_central(p, &DeformConv2dData::offset, g.offset, 1e-3, "grad_offset", 80);
        if (p.spec.has_mask) check_central(p, &DeformConv2dData::mask, g.mask, 0.25, "grad_mask");
        if (p.spec.has_bias) check_central(p, &DeformConv2dData::bias, g.bias, 0.25, "grad_bias");
        EXPECT_EQ(g.mask.value.empty(), !p.spec.has_mask);
        EXPECT_EQ(g.bias.value.empty(), !p.spec.has_bias);
    }
}

// With integer and mixed positions: input / weight / mask / bias are still
// linear (central differences), the offsets get torchvision's derivative
// from above: the forward one-sided difference (exact: linear on the cell
// above), and it differs from the one from below somewhere.
TEST_P(DeformRefSweep, AtIntegerPositionsTheOffsetGradientIsTheOneFromAbove) {
    for (Offsets mode : {Offsets::Integer, Offsets::Mixed}) {
        Problem p = make_problem(GetParam().spec, 2000 + (uint32_t)mode, mode, 3.0);
        const DeformConv2dGrads g = deform_conv2d_backward_reference(p.spec, p.data, p.grad_output);
        check_central(p, &DeformConv2dData::input, g.input, 0.25, "grad_input");
        check_central(p, &DeformConv2dData::weight, g.weight, 0.25, "grad_weight");
        if (p.spec.has_mask) check_central(p, &DeformConv2dData::mask, g.mask, 0.25, "grad_mask");
        const double l0 = loss(p), h = 1.0 / 1024;
        int differs_from_below = 0, checked = 0;
        for (size_t e : some_indices(p.data.offset.size(), 120, 7)) {
            const double keep = p.data.offset[e];
            p.data.offset[e] = keep + h;
            const double lp = loss(p);
            p.data.offset[e] = keep - h;
            const double lm = loss(p);
            p.data.offset[e] = keep;
            const double above = (lp - l0) / h, below = (l0 - lm) / h;
            const double tol = 1e-13 * (std::fabs(l0) + 1) / h + 1e-10 * g.offset.abs_sum[e];
            if (keep == std::floor(keep)) {
                EXPECT_NEAR(g.offset.value[e], above, tol) << "integer offset element " << e;
                checked++;
                if (std::fabs(above - below) > 1e-6) differs_from_below++;
            } else {
                EXPECT_NEAR(g.offset.value[e], (lp - lm) / (2 * h), tol) << "fractional offset element " << e;
            }
        }
        EXPECT_GT(checked, 10);
        EXPECT_GT(differs_from_below, 0);
    }
}

// ---------------------------------------------------------------------------
// The decomposition through flow_warp
// ---------------------------------------------------------------------------
// input zero-padded by (ph, pw) on every side: [N, C, H + 2ph, W + 2pw].
std::vector<double> zero_pad(const DeformConv2dSpec &s, const std::vector<double> &x, int64_t C0, int64_t C1) {
    const int64_t Hp = s.H + 2 * s.padding[0], Wp = s.W + 2 * s.padding[1];
    std::vector<double> r((size_t)(s.N * (C1 - C0) * Hp * Wp), 0.0);
    for (int64_t n = 0; n < s.N; n++)
        for (int64_t c = C0; c < C1; c++)
            for (int64_t yy = 0; yy < s.H; yy++)
                for (int64_t xx = 0; xx < s.W; xx++)
                    r[(size_t)(((n * (C1 - C0) + (c - C0)) * Hp + yy + s.padding[0]) * Wp + xx + s.padding[1])] =
                        x[(size_t)(((n * s.C + c) * s.H + yy) * s.W + xx)];
    return r;
}

// deform_conv2d(x, offset, w) = bias + sum over taps k = (i, j) of a 1x1
// conv with w[:, :, i, j] of m_k * flow_warp(x_padded, p_k + offset_k),
// read at the canvas pixel (oh*sh, ow*sw), where p_k = (i*dh, j*dw) and the
// canvas is the input zero-padded by the padding (zero padding is the
// bilinear sampler's own zero extension). Each offset group warps its own
// channel slice with its own flow.
std::vector<double> deform_by_flow_warp(const Problem &p) {
    const DeformConv2dSpec &s = p.spec;
    const int64_t OH = s.OH(), OW = s.OW(), RS = s.R * s.S, G = s.offset_groups;
    const int64_t Hp = s.H + 2 * s.padding[0], Wp = s.W + 2 * s.padding[1];
    const int64_t Cog = s.C / G, Cg = s.C / s.groups, Kg = s.K / s.groups;
    // flat indices: offset channel ch / mask channel mc of (n, oh, ow); canvas pixel (n, c, Y, X)
    auto at_out = [&](int64_t n, int64_t ch, int64_t nch, int64_t oh, int64_t ow) {
        return (size_t)(((n * nch + ch) * OH + oh) * OW + ow);
    };
    auto at_canvas = [&](int64_t n, int64_t c, int64_t nc, int64_t Y, int64_t X) {
        return (size_t)(((n * nc + c) * Hp + Y) * Wp + X);
    };
    std::vector<double> out((size_t)numel(s.output_shape()), 0.0);
    for (int64_t n = 0; n < s.N; n++)
        for (int64_t o = 0; o < s.K; o++)
            for (int64_t e = 0; e < OH * OW; e++)
                out[(size_t)((n * s.K + o) * OH * OW + e)] = s.has_bias ? p.data.bias[(size_t)o] : 0.0;
    for (int64_t grp = 0; grp < G; grp++) {
        const std::vector<double> canvas = zero_pad(s, p.data.input, grp * Cog, (grp + 1) * Cog);
        for (int64_t i = 0; i < s.R; i++)
            for (int64_t j = 0; j < s.S; j++) {
                const int64_t k = i * s.S + j;
                std::vector<double> flow((size_t)(s.N * 2 * Hp * Wp), 0.0);
                for (int64_t n = 0; n < s.N; n++)
                    for (int64_t oh = 0; oh < OH; oh++)
                        for (int64_t ow = 0; ow < OW; ow++) {
                            const int64_t cy = oh * s.stride[0], cx = ow * s.stride[1];
                            const double dy = p.data.offset[at_out(n, grp * 2 * RS + 2 * k, 2 * G * RS, oh, ow)];
                            const double dx = p.data.offset[at_out(n, grp * 2 * RS + 2 * k + 1, 2 * G * RS, oh, ow)];
                            flow[at_canvas(n, 0, 2, cy, cx)] = (double)(j * s.dilation[1]) + dx;
                            flow[at_canvas(n, 1, 2, cy, cx)] = (double)(i * s.dilation[0]) + dy;
                        }
                const DeformResult z = flow_warp_reference({s.N, Cog, Hp, Wp}, canvas, flow);
                // 1x1 conv of the tap (only the channels of this offset group)
                for (int64_t n = 0; n < s.N; n++)
                    for (int64_t o = 0; o < s.K; o++)
                        for (int64_t oh = 0; oh < OH; oh++)
                            for (int64_t ow = 0; ow < OW; ow++) {
                                const int64_t wg = o / Kg;
                                const double m = s.has_mask ? p.data.mask[at_out(n, grp * RS + k, G * RS, oh, ow)] : 1.0;
                                double sum = 0.0;
                                for (int64_t c = grp * Cog; c < (grp + 1) * Cog; c++) {
                                    if (c / Cg != wg) continue;  // not an input of o's weight group
                                    const double w = p.data.weight[(size_t)(((o * Cg + (c - wg * Cg)) * s.R + i) * s.S + j)];
                                    const double zv =
                                        z.value[at_canvas(n, c - grp * Cog, Cog, oh * s.stride[0], ow * s.stride[1])];
                                    sum += w * m * zv;
                                }
                                out[(size_t)(((n * s.K + o) * OH + oh) * OW + ow)] += sum;
                            }
            }
    }
    return out;
}

TEST_P(DeformRefSweep, EqualsSumOverTapsOf1x1ConvOfFlowWarp) {
    for (double spread : {0.75, 3.0, 10.0}) {
        const Problem p = make_problem(GetParam().spec, 3000 + (uint32_t)spread, Offsets::Generic, spread);
        const DeformResult want = deform_conv2d_reference(p.spec, p.data);
        EXPECT_TRUE(agree(deform_by_flow_warp(p), want, 1e-13, "spread " + std::to_string(spread)));
    }
}

// One constant flow f = (fy, fx) for every tap and position:
// deform_conv2d(x, f, w) == conv2d(flow_warp(pad(x), f), w) without padding.
// Data on a coarse grid (multiples of 1/64, f in quarters) makes the warped
// image exact in float, so conv2d of reference.h can take it.
TEST_P(DeformRefSweep, ConstantFlowEqualsConv2dOfFlowWarp) {
    DeformConv2dSpec s = GetParam().spec;
    s.has_mask = false;
    const int64_t Hp = s.H + 2 * s.padding[0], Wp = s.W + 2 * s.padding[1];
    std::vector<double> x = widen(random_tensor(numel(s.input_shape()), 31));
    for (auto &v : x) v = std::round(v * 64) / 64;
    const std::vector<float> w = random_tensor(numel(s.weight_shape()), 32);
    const std::vector<float> b = random_tensor(s.K, 33);
    for (auto f : {std::array<double, 2>{0.25, -1.75}, {2.5, 0.75}, {-0.5, -3.25}, {1.0, -2.0}, {-6.75, 4.5}}) {
        DeformConv2dData d;
        d.input = x, d.weight = widen(w);
        if (s.has_bias) d.bias = widen(b);
        d.offset.assign((size_t)numel(s.offset_shape()), 0.0);
        for (size_t e = 0; e < d.offset.size(); e++) {
            const int64_t ch = ((int64_t)e / (s.OH() * s.OW())) % (2 * s.offset_groups * s.R * s.S);
            d.offset[e] = ch % 2 == 0 ? f[0] : f[1];
        }
        const DeformResult got = deform_conv2d_reference(s, d);
        std::vector<double> flow((size_t)(s.N * 2 * Hp * Wp));
        for (size_t e = 0; e < flow.size(); e++) flow[e] = ((int64_t)e / (Hp * Wp)) % 2 == 0 ? f[1] : f[0];
        const DeformResult z = flow_warp_reference({s.N, s.C, Hp, Wp}, zero_pad(s, x, 0, s.C), flow);
        const std::vector<float> zf = narrow(z.value);
        for (size_t e = 0; e < zf.size(); e++) ASSERT_EQ((double)zf[e], z.value[e]) << "warped value not exact";
        ref::ConvParams cp = conv_params(s);
        cp.padding = {0, 0};
        const ref::Result want = ref::conv2d(zf.data(), {s.N, s.C, Hp, Wp}, w.data(), s.weight_shape(),
                                             s.has_bias ? b.data() : nullptr, cp);
        ASSERT_EQ(got.shape, want.shape);
        DeformResult w2;
        w2.value = want.value, w2.abs_sum = want.abs_sum, w2.position_bound.assign(want.value.size(), 0.0);
        EXPECT_TRUE(agree(got.value, w2, 1e-14, "flow " + std::to_string(f[0]) + "," + std::to_string(f[1])));
    }
}

// ---------------------------------------------------------------------------
// Offset groups and weight groups
// ---------------------------------------------------------------------------
// Slices [.., c0 + a, ..] of channel range [c0, c1) of a [N, Ctot, P] tensor (P = plane size).
std::vector<double> channels(const std::vector<double> &t, int64_t N, int64_t Ctot, int64_t P, int64_t c0, int64_t c1) {
    std::vector<double> r;
    for (int64_t n = 0; n < N; n++)
        r.insert(r.end(), t.begin() + (long)((n * Ctot + c0) * P), t.begin() + (long)((n * Ctot + c1) * P));
    return r;
}

// dst[n, c0 + a, :] += src[n, a, :] (src holds the channels [c0, c0 + src.size() / (N * P))).
void add_channels(std::vector<double> &dst, int64_t N, int64_t Ctot, int64_t P, int64_t c0,
                  const std::vector<double> &src) {
    const int64_t Cs = (int64_t)src.size() / (N * P);
    for (int64_t n = 0; n < N; n++)
        for (int64_t a = 0; a < Cs * P; a++) dst[(size_t)((n * Ctot + c0) * P + a)] += src[(size_t)(n * Cs * P + a)];
}

// G offset groups (weight groups 1) == the sum over g of deformable convs of
// channel slice g with offset group g's offsets and mask, forward and
// backward (gradients land in the matching slices).
TEST_P(DeformRefSweep, OffsetGroupsAreIndependentConvsOnChannelSlicesSummed) {
    DeformConv2dSpec s = GetParam().spec;
    s.groups = 1;
    const int64_t G = s.offset_groups, Cog = s.C / G, RS = s.R * s.S, OHW = s.OH() * s.OW();
    const Problem p = make_problem(s, 4000, Offsets::Generic, 2.5);
    const DeformResult full = deform_conv2d_reference(s, p.data);
    const DeformConv2dGrads fg = deform_conv2d_backward_reference(s, p.data, p.grad_output);
    std::vector<double> sum(full.value.size(), 0.0);
    for (int64_t grp = 0; grp < G; grp++) {
        DeformConv2dSpec sub = s;
        sub.C = Cog, sub.offset_groups = 1, sub.has_bias = false;
        DeformConv2dData d;
        d.input = channels(p.data.input, s.N, s.C, s.H * s.W, grp * Cog, (grp + 1) * Cog);
        d.offset = channels(p.data.offset, s.N, 2 * G * RS, OHW, grp * 2 * RS, (grp + 1) * 2 * RS);
        if (s.has_mask) d.mask = channels(p.data.mask, s.N, G * RS, OHW, grp * RS, (grp + 1) * RS);
        d.weight = channels(p.data.weight, s.K, s.C, RS, grp * Cog, (grp + 1) * Cog);
        const DeformResult part = deform_conv2d_reference(sub, d);
        for (size_t e = 0; e < sum.size(); e++) sum[e] += part.value[e];
        const DeformConv2dGrads pg = deform_conv2d_backward_reference(sub, d, p.grad_output);
        const std::string g_name = " of offset group " + std::to_string(grp);
        auto slice_of = [&](const DeformResult &r, int64_t N, int64_t Ctot, int64_t P, int64_t c0, int64_t c1) {
            DeformResult x;
            x.value = channels(r.value, N, Ctot, P, c0, c1);
            x.abs_sum = channels(r.abs_sum, N, Ctot, P, c0, c1);
            x.position_bound = channels(r.position_bound, N, Ctot, P, c0, c1);
            return x;
        };
        EXPECT_TRUE(agree(pg.input.value, slice_of(fg.input, s.N, s.C, s.H * s.W, grp * Cog, (grp + 1) * Cog), 1e-13,
                          "grad_input" + g_name));
        EXPECT_TRUE(agree(pg.offset.value,
                          slice_of(fg.offset, s.N, 2 * G * RS, OHW, grp * 2 * RS, (grp + 1) * 2 * RS), 1e-13,
                          "grad_offset" + g_name));
        if (s.has_mask) {
            EXPECT_TRUE(agree(pg.mask.value, slice_of(fg.mask, s.N, G * RS, OHW, grp * RS, (grp + 1) * RS), 1e-13,
                              "grad_mask" + g_name));
        }
        EXPECT_TRUE(agree(pg.weight.value, slice_of(fg.weight, s.K, s.C, RS, grp * Cog, (grp + 1) * Cog), 1e-13,
                          "grad_weight" + g_name));
    }
    if (s.has_bias)
        for (int64_t n = 0; n < s.N; n++)
            for (int64_t o = 0; o < s.K; o++)
                for (int64_t e = 0; e < OHW; e++) sum[(size_t)((n * s.K + o) * OHW + e)] += p.data.bias[(size_t)o];
    EXPECT_TRUE(agree(sum, full, 1e-13, "forward"));
}

// Weight groups: output slice of group wg == a deformable conv of input
// slice wg with weights w[wg*Kg : (wg+1)*Kg] (and the matching offset groups).
class DeformRefWeightGroups : public ::testing::TestWithParam<DCase> {};

TEST_P(DeformRefWeightGroups, AreIndependentConvs) {
    const DeformConv2dSpec s = GetParam().spec;
    ASSERT_GT(s.groups, 1);
    const int64_t G = s.offset_groups, RS = s.R * s.S, OHW = s.OH() * s.OW();
    const int64_t Cg = s.C / s.groups, Kg = s.K / s.groups;
    ASSERT_TRUE(G % s.groups == 0 || s.groups % G == 0);
    const Problem p = make_problem(s, 5000, Offsets::Generic, 2.5);
    const DeformResult full = deform_conv2d_reference(s, p.data);
    const DeformConv2dGrads fg = deform_conv2d_backward_reference(s, p.data, p.grad_output);
    std::vector<double> acc_offset(fg.offset.value.size(), 0.0), acc_mask(fg.mask.value.size(), 0.0);
    for (int64_t wg = 0; wg < s.groups; wg++) {
        DeformConv2dSpec sub = s;
        sub.C = Cg, sub.K = Kg, sub.groups = 1;
        // offset groups covering the channels [wg*Cg, (wg+1)*Cg)
        int64_t g0, g1;
        if (G % s.groups == 0) {
            sub.offset_groups = (int)(G / s.groups), g0 = wg * sub.offset_groups, g1 = g0 + sub.offset_groups;
        } else {
            sub.offset_groups = 1, g0 = wg / (s.groups / G), g1 = g0 + 1;
        }
        DeformConv2dData d;
        d.input = channels(p.data.input, s.N, s.C, s.H * s.W, wg * Cg, (wg + 1) * Cg);
        d.offset = channels(p.data.offset, s.N, 2 * G * RS, OHW, g0 * 2 * RS, g1 * 2 * RS);
        if (s.has_mask) d.mask = channels(p.data.mask, s.N, G * RS, OHW, g0 * RS, g1 * RS);
        d.weight = channels(p.data.weight, 1, s.K, Cg * RS, wg * Kg, (wg + 1) * Kg);
        if (s.has_bias) d.bias.assign(p.data.bias.begin() + wg * Kg, p.data.bias.begin() + (wg + 1) * Kg);
        const DeformResult part = deform_conv2d_reference(sub, d);
        DeformResult want;
        want.value = channels(full.value, s.N, s.K, OHW, wg * Kg, (wg + 1) * Kg);
        want.abs_sum = channels(full.abs_sum, s.N, s.K, OHW, wg * Kg, (wg + 1) * Kg);
        want.position_bound = channels(full.position_bound, s.N, s.K, OHW, wg * Kg, (wg + 1) * Kg);
        EXPECT_TRUE(agree(part.value, want, 1e-13, "weight group " + std::to_string(wg)));
        const DeformConv2dGrads pg =
            deform_conv2d_backward_reference(sub, d, channels(p.grad_output, s.N, s.K, OHW, wg * Kg, (wg + 1) * Kg));
        DeformResult gi;
        gi.value = channels(fg.input.value, s.N, s.C, s.H * s.W, wg * Cg, (wg + 1) * Cg);
        gi.abs_sum = channels(fg.input.abs_sum, s.N, s.C, s.H * s.W, wg * Cg, (wg + 1) * Cg);
        gi.position_bound = channels(fg.input.position_bound, s.N, s.C, s.H * s.W, wg * Cg, (wg + 1) * Cg);
        EXPECT_TRUE(agree(pg.input.value, gi, 1e-13, "grad_input of weight group " + std::to_string(wg)));
        DeformResult gw;
        gw.value = channels(fg.weight.value, 1, s.K, Cg * RS, wg * Kg, (wg + 1) * Kg);
        gw.abs_sum = channels(fg.weight.abs_sum, 1, s.K, Cg * RS, wg * Kg, (wg + 1) * Kg);
        gw.position_bound = channels(fg.weight.position_bound, 1, s.K, Cg * RS, wg * Kg, (wg + 1) * Kg);
        EXPECT_TRUE(agree(pg.weight.value, gw, 1e-13, "grad_weight of weight group " + std::to_string(wg)));
        add_channels(acc_offset, s.N, 2 * G * RS, OHW, g0 * 2 * RS, pg.offset.value);
        if (s.has_mask) add_channels(acc_mask, s.N, G * RS, OHW, g0 * RS, pg.mask.value);
    }
    // The offset / mask gradients: the sum of the weight groups' gradients
    // in the offset groups they read (with G < groups two weight groups
    // share an offset group and their gradients add up).
    EXPECT_TRUE(agree(acc_offset, fg.offset, 1e-13, "grad_offset as the sum over weight groups"));
    if (s.has_mask) {
        EXPECT_TRUE(agree(acc_mask, fg.mask, 1e-13, "grad_mask as the sum over weight groups"));
    }
}

// ---------------------------------------------------------------------------
// Non-finite and huge offsets
// ---------------------------------------------------------------------------
TEST_P(DeformRefSweep, NonFiniteAndHugeOffsetsSampleZeroWithoutGradient) {
    DeformConv2dSpec s = GetParam().spec;
    const Problem p = make_problem(s, 6000, Offsets::Generic, 3.0);
    const double specials[] = {kNaN, kInf, -kInf, 1e30, -1e30, 3e9, -3e9, 1e300, -1e300, 2147483648.0, -2147483649.0};
    Problem bad = p, far = p;
    std::mt19937 gen(6001);
    int replaced = 0;
    for (size_t e = 0; e < p.data.offset.size(); e++)
        if (gen() % 3 == 0) {
            bad.data.offset[e] = specials[replaced % (sizeof specials / sizeof specials[0])];
            far.data.offset[e] = 1e6;  // plainly outside: B = 0, derivatives 0
            replaced++;
        }
    ASSERT_GT(replaced, 10);
    const DeformResult rb = deform_conv2d_reference(s, bad.data), rf = deform_conv2d_reference(s, far.data);
    EXPECT_TRUE(all_finite(rb.value));
    EXPECT_EQ(rb.value, rf.value);
    const DeformConv2dGrads gb = deform_conv2d_backward_reference(s, bad.data, p.grad_output);
    const DeformConv2dGrads gf = deform_conv2d_backward_reference(s, far.data, p.grad_output);
    for (auto pair : {std::make_pair(&gb.input, &gf.input), std::make_pair(&gb.offset, &gf.offset),
                      std::make_pair(&gb.weight, &gf.weight), std::make_pair(&gb.mask, &gf.mask),
                      std::make_pair(&gb.bias, &gf.bias)}) {
        EXPECT_TRUE(all_finite(pair.first->value));
        EXPECT_TRUE(all_finite(pair.first->abs_sum));
        EXPECT_TRUE(all_finite(pair.first->position_bound));
        EXPECT_EQ(pair.first->value, pair.second->value);
    }
    // and the replaced elements' own offset gradient is 0
    for (size_t e = 0; e < p.data.offset.size(); e++)
        if (far.data.offset[e] == 1e6 && !std::isfinite(bad.data.offset[e])) {
            // the other component of the same tap may be finite and in range,
            // but a non-finite position samples nothing: both are 0
            EXPECT_EQ(gb.offset.value[e], 0.0);
        }
}

INSTANTIATE_TEST_SUITE_P(DeformRef, DeformRefSweep, ::testing::ValuesIn(sweep_cases()), DCaseName());

std::vector<DCase> weight_group_cases() {
    std::vector<DCase> r;
    for (const auto &c : sweep_cases())
        if (c.spec.groups > 1) r.push_back(c);
    return r;
}
INSTANTIATE_TEST_SUITE_P(DeformRef, DeformRefWeightGroups, ::testing::ValuesIn(weight_group_cases()), DCaseName());

TEST(DeformRefCases, CoverTheParameters) {
    const auto cases = sweep_cases();
    bool batch3 = false, stride2 = false, dil2 = false, pad = false, groups2 = false, mask = false, nomask = false,
         bias = false, nobias = false;
    bool og[5] = {false, false, false, false, false};
    for (const auto &c : cases) {
        const auto &s = c.spec;
        EXPECT_TRUE(s.valid()) << c.name;
        batch3 |= s.N == 3;
        stride2 |= s.stride[0] == 2 || s.stride[1] == 2;
        dil2 |= s.dilation[0] == 2 || s.dilation[1] == 2;
        pad |= s.padding[0] > 0 || s.padding[1] > 0;
        groups2 |= s.groups == 2;
        mask |= s.has_mask, nomask |= !s.has_mask, bias |= s.has_bias, nobias |= !s.has_bias;
        if (s.offset_groups <= 4) og[s.offset_groups] = true;
    }
    EXPECT_TRUE(batch3 && stride2 && dil2 && pad && groups2 && mask && nomask && bias && nobias);
    EXPECT_TRUE(og[1] && og[2] && og[4]);
}

TEST(DeformRefSpec, OutputShapeAndValidity) {
    DeformConv2dSpec s = spec(2, 4, 7, 9, 6, 3, 2);
    s.stride = {2, 3}, s.padding = {1, 0}, s.dilation = {2, 1}, s.groups = 2, s.offset_groups = 4;
    EXPECT_TRUE(s.valid());
    EXPECT_EQ(s.OH(), (7 + 2 - 2 * 2 - 1) / 2 + 1);
    EXPECT_EQ(s.OW(), (9 - 1 - 1) / 3 + 1);
    EXPECT_EQ(s.offset_shape(), (ref::Shape{2, 2 * 4 * 6, s.OH(), s.OW()}));
    EXPECT_EQ(s.mask_shape(), (ref::Shape{2, 4 * 6, s.OH(), s.OW()}));
    EXPECT_EQ(s.weight_shape(), (ref::Shape{6, 2, 3, 2}));
    DeformConv2dSpec t = s;
    t.offset_groups = 3;
    EXPECT_FALSE(t.valid());
    t = s, t.groups = 4;  // K = 6 not divisible
    EXPECT_FALSE(t.valid());
    t = spec(1, 1, 2, 2, 1, 3, 3);  // conv2d's rule: floor((2 - 3) / 1) + 1 = 0
    EXPECT_FALSE(t.valid());
    t.stride = {2, 2};  // floor(-1 / 2) + 1 = 0 (C++ truncation, torchvision's, would say 1)
    EXPECT_FALSE(t.valid());
    DeformConv2dData d;  // wrongly sized data throws
    EXPECT_THROW(deform_conv2d_reference(s, d), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// flow_warp
// ---------------------------------------------------------------------------
struct FlowProblem {
    ref::Shape shape;
    std::vector<double> input, flow, grad_output;
};

FlowProblem make_flow(const ref::Shape &shape, uint32_t seed, Offsets mode, double spread) {
    FlowProblem f;
    f.shape = shape;
    f.input = widen(random_tensor(numel(shape), seed));
    f.flow = make_offsets(shape[0] * 2 * shape[2] * shape[3], mode, spread, seed + 1);
    f.grad_output = widen(random_tensor(numel(shape), seed + 2));
    return f;
}

double flow_loss(const FlowProblem &f) {
    const DeformResult r = flow_warp_reference(f.shape, f.input, f.flow);
    double l = 0;
    for (size_t e = 0; e < r.value.size(); e++) l += f.grad_output[e] * r.value[e];
    return l;
}

const ref::Shape kFlowShapes[] = {{1, 1, 5, 7}, {3, 2, 6, 5}, {2, 3, 9, 4}, {1, 4, 1, 6}};

TEST(FlowWarpRef, ZeroFlowIsIdentityIntegerFlowIsAShift) {
    for (const auto &shape : kFlowShapes) {
        FlowProblem f = make_flow(shape, 7, Offsets::Zero, 0);
        EXPECT_EQ(flow_warp_reference(shape, f.input, f.flow).value, f.input);
        const int64_t N = shape[0], C = shape[1], H = shape[2], W = shape[3];
        for (auto ab : {std::array<int, 2>{1, -2}, {-3, 0}, {0, 4}}) {  // (dy, dx)
            for (int64_t e = 0; e < N * 2 * H * W; e++) f.flow[(size_t)e] = (e / (H * W)) % 2 == 0 ? ab[1] : ab[0];
            const DeformResult r = flow_warp_reference(shape, f.input, f.flow);
            for (int64_t n = 0; n < N; n++)
                for (int64_t c = 0; c < C; c++)
                    for (int64_t y = 0; y < H; y++)
                        for (int64_t x = 0; x < W; x++) {
                            const int64_t sy = y + ab[0], sx = x + ab[1];
                            const double want = (sy >= 0 && sy < H && sx >= 0 && sx < W)
                                                    ? f.input[(size_t)idx4(shape, n, c, sy, sx)]
                                                    : 0.0;
                            EXPECT_EQ(r.value[(size_t)idx4(shape, n, c, y, x)], want);
                        }
        }
    }
}

TEST(FlowWarpRef, FiniteDifferences) {
    for (const auto &shape : kFlowShapes)
        for (double spread : {0.0, 2.0, 8.0}) {
            FlowProblem f = make_flow(shape, 17 + (uint32_t)spread, Offsets::Fractional, spread);
            const FlowWarpGrads g = flow_warp_backward_reference(shape, f.input, f.flow, f.grad_output);
            const double l0 = std::fabs(flow_loss(f)) + 1;
            auto check = [&](std::vector<double> &t, const DeformResult &grad, double h, const char *what) {
                for (size_t e : some_indices(t.size(), 60, 5)) {
                    const double keep = t[e];
                    t[e] = keep + h;
                    const double lp = flow_loss(f);
                    t[e] = keep - h;
                    const double lm = flow_loss(f);
                    t[e] = keep;
                    EXPECT_NEAR(grad.value[e], (lp - lm) / (2 * h), 1e-13 * l0 / h + 1e-10 * grad.abs_sum[e])
                        << what << " " << e << " shape " << shape_str(shape) << " spread " << spread;
                }
            };
            check(f.input, g.input, 0.25, "grad_input");
            check(f.flow, g.flow, 1e-3, "grad_flow");
        }
}

TEST(FlowWarpRef, IntegerFlowGradientIsTheOneFromAbove) {
    for (const auto &shape : kFlowShapes) {
        FlowProblem f = make_flow(shape, 27, Offsets::Mixed, 2.0);
        const FlowWarpGrads g = flow_warp_backward_reference(shape, f.input, f.flow, f.grad_output);
        const double l0 = flow_loss(f), h = 1.0 / 1024;
        for (size_t e = 0; e < f.flow.size(); e++) {
            const double keep = f.flow[e];
            f.flow[e] = keep + h;
            const double lp = flow_loss(f);
            f.flow[e] = keep - h;
            const double lm = flow_loss(f);
            f.flow[e] = keep;
            const double want = keep == std::floor(keep) ? (lp - l0) / h : (lp - lm) / (2 * h);
            EXPECT_NEAR(g.flow.value[e], want, 1e-13 * (std::fabs(l0) + 1) / h + 1e-10 * g.flow.abs_sum[e]) << e;
        }
    }
}

// A depthwise 1x1 deform_conv2d with unit weights is flow_warp (offset
// channels (dy, dx), flow channels (dx, dy)), forward and backward.
TEST(FlowWarpRef, EqualsDepthwise1x1DeformConv) {
    for (const auto &shape : kFlowShapes) {
        const FlowProblem f = make_flow(shape, 37, Offsets::Generic, 4.0);
        const int64_t N = shape[0], C = shape[1], H = shape[2], W = shape[3];
        DeformConv2dSpec s = spec(N, C, H, W, C, 1, 1);
        s.groups = (int)C;
        DeformConv2dData d;
        d.input = f.input;
        d.weight.assign((size_t)C, 1.0);
        d.offset.resize(f.flow.size());
        for (int64_t n = 0; n < N; n++)
            for (int64_t e = 0; e < H * W; e++) {
                d.offset[(size_t)((n * 2 + 0) * H * W + e)] = f.flow[(size_t)((n * 2 + 1) * H * W + e)];
                d.offset[(size_t)((n * 2 + 1) * H * W + e)] = f.flow[(size_t)((n * 2 + 0) * H * W + e)];
            }
        EXPECT_EQ(deform_conv2d_reference(s, d).value, flow_warp_reference(shape, f.input, f.flow).value);
        const DeformConv2dGrads dg = deform_conv2d_backward_reference(s, d, f.grad_output);
        const FlowWarpGrads fg = flow_warp_backward_reference(shape, f.input, f.flow, f.grad_output);
        EXPECT_EQ(dg.input.value, fg.input.value);
        for (int64_t n = 0; n < N; n++)
            for (int64_t e = 0; e < H * W; e++) {
                const size_t ch0 = (size_t)((n * 2 + 0) * H * W + e), ch1 = (size_t)((n * 2 + 1) * H * W + e);
                EXPECT_EQ(dg.offset.value[ch0], fg.flow.value[ch1]);  // dy
                EXPECT_EQ(dg.offset.value[ch1], fg.flow.value[ch0]);  // dx
            }
    }
}

TEST(FlowWarpRef, NonFiniteAndHugeFlowsSampleZeroWithoutGradient) {
    const ref::Shape shape{2, 3, 6, 5};
    FlowProblem bad = make_flow(shape, 47, Offsets::Generic, 3.0), far = bad;
    const double specials[] = {kNaN, kInf, -kInf, 1e30, -3e9, 2147483648.0, -1e300};
    int r = 0;
    for (size_t e = 0; e < bad.flow.size(); e += 3) {
        bad.flow[e] = specials[r++ % 7];
        far.flow[e] = -1e6;
    }
    EXPECT_EQ(flow_warp_reference(shape, bad.input, bad.flow).value,
              flow_warp_reference(shape, far.input, far.flow).value);
    const FlowWarpGrads gb = flow_warp_backward_reference(shape, bad.input, bad.flow, bad.grad_output);
    const FlowWarpGrads gf = flow_warp_backward_reference(shape, far.input, far.flow, far.grad_output);
    EXPECT_TRUE(all_finite(gb.input.value) && all_finite(gb.flow.value) && all_finite(gb.input.position_bound));
    EXPECT_EQ(gb.input.value, gf.input.value);
    EXPECT_EQ(gb.flow.value, gf.flow.value);
}

// The bounds: evaluating at positions moved by a relative 1e-7 changes the
// value and the continuous gradients by at most 1e-7 * position_bound.
TEST(DeformRefBounds, PositionBoundCoversPerturbedPositions) {
    for (const auto &c : sweep_cases()) {
        Problem p = make_problem(c.spec, 8000, Offsets::Generic, 4.0);
        const DeformResult r0 = deform_conv2d_reference(p.spec, p.data);
        const DeformConv2dGrads g0 = deform_conv2d_backward_reference(p.spec, p.data, p.grad_output);
        // move every position y to y * (1 + 1e-7) (approximately: offset += 1e-7 * y)
        const double e = 1e-7;
        Problem q = p;
        const DeformConv2dSpec &s = c.spec;
        const int64_t OH = s.OH(), OW = s.OW(), RS = s.R * s.S;
        for (size_t f = 0; f < q.data.offset.size(); f++) {
            const int64_t ow = (int64_t)f % OW, oh = ((int64_t)f / OW) % OH;
            const int64_t ch = (int64_t)f / (OH * OW) % (2 * s.offset_groups * RS);
            const int64_t k = (ch % (2 * RS)) / 2, i = k / s.S, j = k % s.S;
            const double base = ch % 2 == 0 ? (double)(oh * s.stride[0] - s.padding[0] + i * s.dilation[0])
                                            : (double)(ow * s.stride[1] - s.padding[1] + j * s.dilation[1]);
            q.data.offset[f] += e * (base + p.data.offset[f]) * ((f % 2) ? 1.0 : -1.0);
        }
        const DeformResult r1 = deform_conv2d_reference(q.spec, q.data);
        const DeformConv2dGrads g1 = deform_conv2d_backward_reference(q.spec, q.data, q.grad_output);
        auto within = [&](const DeformResult &a, const DeformResult &b, const char *what) {
            for (size_t f = 0; f < a.value.size(); f++)
                EXPECT_LE(std::fabs(a.value[f] - b.value[f]),
                          e * a.position_bound[f] * 1.0000001 + 1e-13 * (a.abs_sum[f] + 1))
                    << c.name << " " << what << " " << f;
        };
        within(r0, r1, "value");
        within(g0.input, g1.input, "grad_input");
        within(g0.weight, g1.weight, "grad_weight");
        if (c.spec.has_mask) within(g0.mask, g1.mask, "grad_mask");
    }
}

}  // namespace
}  // namespace halconv_test
