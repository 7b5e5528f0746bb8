// Pooling on the CPU: every operator against the reference (reference_pool.h)
// over its parameter sweep (pool_cases.cpp), the output-shape rules, and the
// mathematics of pooling as property tests on halconv's own results.
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "pool_cases.h"

namespace halconv_test {
namespace {

// ---------------------------------------------------------------------------
// The sweeps
// ---------------------------------------------------------------------------
class MaxPool2dCpu : public ::testing::TestWithParam<PoolCase> {};
TEST_P(MaxPool2dCpu, MatchesReference) { check_max_pool2d_case(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, MaxPool2dCpu, ::testing::ValuesIn(max_pool2d_cpu_cases()), CaseName());

class MaxPool2dBackwardCpu : public ::testing::TestWithParam<PoolCase> {};
TEST_P(MaxPool2dBackwardCpu, MatchesReference) { check_max_pool2d_backward_case(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, MaxPool2dBackwardCpu, ::testing::ValuesIn(max_pool2d_cpu_cases()), CaseName());

class AvgPool2dCpu : public ::testing::TestWithParam<PoolCase> {};
TEST_P(AvgPool2dCpu, MatchesReference) { check_avg_pool2d_case(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, AvgPool2dCpu, ::testing::ValuesIn(avg_pool2d_cpu_cases()), CaseName());

class AvgPool2dBackwardCpu : public ::testing::TestWithParam<PoolCase> {};
TEST_P(AvgPool2dBackwardCpu, MatchesReference) { check_avg_pool2d_backward_case(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, AvgPool2dBackwardCpu, ::testing::ValuesIn(avg_pool2d_cpu_cases()), CaseName());

class Subsample2dCpu : public ::testing::TestWithParam<SubsampleCase> {};
TEST_P(Subsample2dCpu, MatchesReference) { check_subsample2d_case(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, Subsample2dCpu, ::testing::ValuesIn(subsample2d_cpu_cases()), CaseName());

class MaxUnpool2dCpu : public ::testing::TestWithParam<UnpoolCase> {};
TEST_P(MaxUnpool2dCpu, MatchesReference) { check_max_unpool2d_case(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, MaxUnpool2dCpu, ::testing::ValuesIn(max_unpool2d_cpu_cases()), CaseName());

class AdaptiveAvgPool2dCpu : public ::testing::TestWithParam<AdaptiveCase> {};
TEST_P(AdaptiveAvgPool2dCpu, MatchesReference) { check_adaptive_avg_pool2d_case(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, AdaptiveAvgPool2dCpu, ::testing::ValuesIn(adaptive_pool2d_cpu_cases()),
                         CaseName());

class AdaptiveMaxPool2dCpu : public ::testing::TestWithParam<AdaptiveCase> {};
TEST_P(AdaptiveMaxPool2dCpu, MatchesReference) { check_adaptive_max_pool2d_case(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, AdaptiveMaxPool2dCpu, ::testing::ValuesIn(adaptive_pool2d_cpu_cases()),
                         CaseName());

// The parameter lists are valid PyTorch calls, unique, long enough, and
// cover the features the sweeps are for.
TEST(PoolCases, CpuListsAreValidAndEnough) {
    const auto mx = max_pool2d_cpu_cases();
    const auto av = avg_pool2d_cpu_cases();
    const auto ss = subsample2d_cpu_cases();
    const auto up = max_unpool2d_cpu_cases();
    const auto ad = adaptive_pool2d_cpu_cases();
    EXPECT_GE(mx.size(), 20u);
    EXPECT_GE(av.size(), 20u);
    EXPECT_GE(ss.size(), 20u);
    EXPECT_GE(up.size(), 20u);
    EXPECT_GE(ad.size(), 20u);
    EXPECT_TRUE(pool_cases_valid(mx, false));
    EXPECT_TRUE(pool_cases_valid(av, true));
    EXPECT_TRUE(subsample_cases_valid(ss));
    EXPECT_TRUE(unpool_cases_valid(up));
    EXPECT_TRUE(adaptive_cases_valid(ad));
    EXPECT_EQ(pool_coverage_missing(mx, false), std::vector<std::string>{}) << "max_pool2d CPU sweep";
    EXPECT_EQ(pool_coverage_missing(av, true), std::vector<std::string>{}) << "avg_pool2d CPU sweep";
}

// ---------------------------------------------------------------------------
// The reference itself, on values checked against torch 1.13 by hand
// (tests/pool_oracle.py checks it on whole tensors).
// ---------------------------------------------------------------------------
TEST(PoolReference, PyTorchFacts) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    ref::PoolParams k3;
    k3.kernel = {3, 3};
    k3.stride = {3, 3};
    {  // ties: the first maximum in scan order
        const std::vector<float> x{1, 2, 2, 2, 0, 2, 1, 1, 1};
        const auto r = ref::max_pool2d(x.data(), {1, 1, 3, 3}, k3);
        EXPECT_EQ(r.value[0], 2.0f);
        EXPECT_EQ(r.index[0], 1);
    }
    {  // NaN: the last NaN
        const std::vector<float> x{nan, 2, nan, 2, nan, 2, 1, 1, 1};
        const auto r = ref::max_pool2d(x.data(), {1, 1, 3, 3}, k3);
        EXPECT_TRUE(std::isnan(r.value[0]));
        EXPECT_EQ(r.index[0], 4);
        const std::vector<float> y{1, nan, 5, 7, 0, 2, 1, 1, 1};
        EXPECT_EQ(ref::max_pool2d(y.data(), {1, 1, 3, 3}, k3).index[0], 1);
    }
    {  // all -inf with padding: the first in-bounds tap
        const std::vector<float> x(9, -inf);
        ref::PoolParams p;
        p.kernel = {3, 3};
        p.stride = {1, 1};
        p.padding = {1, 1};
        const auto r = ref::max_pool2d(x.data(), {1, 1, 3, 3}, p);
        EXPECT_EQ(r.index, (std::vector<int64_t>{0, 0, 1, 0, 0, 1, 3, 3, 4}));
    }
    {  // avg, ceil_mode: count_include_pad counts the padding only up to H + pad
        const std::vector<float> x(36, 1.0f);
        ref::PoolParams p;
        p.kernel = {3, 3};
        p.stride = {2, 2};
        p.padding = {1, 1};
        p.ceil_mode = true;
        const auto r = ref::avg_pool2d(x.data(), {1, 1, 6, 6}, p);
        ASSERT_EQ(r.shape, (Shape{1, 1, 4, 4}));
        const double want[4] = {4.0 / 9, 6.0 / 9, 6.0 / 9, 2.0 / 6};  // first row
        for (int i = 0; i < 4; i++) EXPECT_NEAR(r.value[(size_t)i], want[i], 1e-12) << i;
        EXPECT_NEAR(r.value[15], 0.25, 1e-12);
        p.count_include_pad = false;
        for (double v : ref::avg_pool2d(x.data(), {1, 1, 6, 6}, p).value) EXPECT_NEAR(v, 1.0, 1e-12);
        p.divisor_override = -2;
        EXPECT_NEAR(ref::avg_pool2d(x.data(), {1, 1, 6, 6}, p).value[0], -2.0, 1e-12);
    }
    // adaptive windows [floor(o*H/OH), ceil((o+1)*H/OH)): 5 -> 3: [0,2) [1,4) [3,5)
    EXPECT_EQ(ref::adaptive_start(1, 5, 3), 1);
    EXPECT_EQ(ref::adaptive_end(1, 5, 3), 4);
    EXPECT_EQ(ref::adaptive_start(2, 5, 3), 3);
    EXPECT_EQ(ref::adaptive_end(2, 5, 3), 5);
    // unpool: duplicates, the last wins
    {
        const std::vector<float> v{1, 2, 3, 4};
        const std::vector<int64_t> i{5, 5, 2, 5};
        EXPECT_EQ(ref::max_unpool2d(v.data(), i.data(), {1, 1, 1, 4}, {1, 1, 1, 8}),
                  (std::vector<float>{0, 0, 3, 0, 0, 4, 0, 0}));
    }
    // unpool output_size strictly within stride of the default
    EXPECT_TRUE(ref::max_unpool2d_output_shape({1, 1, 2, 2}, {2, 2}, {2, 2}, {0, 0}, std::array<int64_t, 2>{6, 6})
                    .empty());
    EXPECT_EQ(ref::max_unpool2d_output_shape({1, 1, 2, 2}, {2, 2}, {2, 2}, {0, 0}, std::array<int64_t, 2>{3, 5}),
              (Shape{1, 1, 3, 5}));
}

// ---------------------------------------------------------------------------
// Output-shape rules (numbers from torch 1.13)
// ---------------------------------------------------------------------------
halconv::MaxPool2dOptions max_opt(std::array<int, 2> k, std::optional<std::array<int, 2>> s = std::nullopt,
                                  std::array<int, 2> p = {0, 0}, std::array<int, 2> d = {1, 1}, bool ceil = false) {
    halconv::MaxPool2dOptions o;
    o.kernel_size = k;
    o.stride = s;
    o.padding = p;
    o.dilation = d;
    o.ceil_mode = ceil;
    return o;
}

halconv::AvgPool2dOptions avg_opt(std::array<int, 2> k, std::optional<std::array<int, 2>> s = std::nullopt,
                                  std::array<int, 2> p = {0, 0}, bool ceil = false) {
    halconv::AvgPool2dOptions o;
    o.kernel_size = k;
    o.stride = s;
    o.padding = p;
    o.ceil_mode = ceil;
    return o;
}

using P2 = std::array<int, 2>;

TEST(PoolOutputShape, MaxPool2dFollowsPyTorch) {
    EXPECT_EQ(halconv::max_pool2d_output_shape({1, 3, 224, 224}, max_opt({3, 3}, P2{2, 2}, {1, 1})),
              (Shape{1, 3, 112, 112}));
    // default stride = kernel_size; ceil_mode adds the partial window
    EXPECT_EQ(halconv::max_pool2d_output_shape({2, 3, 9, 11}, max_opt({2, 2})), (Shape{2, 3, 4, 5}));
    EXPECT_EQ(halconv::max_pool2d_output_shape({2, 3, 9, 11}, max_opt({2, 2}, std::nullopt, {0, 0}, {1, 1}, true)),
              (Shape{2, 3, 5, 6}));
    // ceil_mode: a last window starting in the right padding is dropped (5 -> 3, 7 -> 4, not 4 and 5)
    EXPECT_EQ(halconv::max_pool2d_output_shape({1, 1, 5, 7}, max_opt({2, 2}, P2{2, 2}, {1, 1}, {1, 1}, true)),
              (Shape{1, 1, 3, 4}));
    EXPECT_EQ(halconv::max_pool2d_output_shape({1, 1, 11, 11}, max_opt({3, 3}, P2{3, 3}, {1, 1}, {1, 1}, true)),
              (Shape{1, 1, 4, 4}));
    EXPECT_EQ(halconv::max_pool2d_output_shape({1, 1, 9, 8}, max_opt({2, 3}, P2{2, 2}, {1, 1}, {1, 1}, true)),
              (Shape{1, 1, 5, 5}));
    // dilation
    EXPECT_EQ(halconv::max_pool2d_output_shape({1, 1, 12, 13}, max_opt({3, 3}, P2{2, 2}, {1, 1}, {2, 2}, false)),
              (Shape{1, 1, 5, 6}));
    EXPECT_EQ(halconv::max_pool2d_output_shape({1, 1, 12, 13}, max_opt({3, 3}, P2{2, 2}, {1, 1}, {2, 2}, true)),
              (Shape{1, 1, 6, 6}));
    // stride > kernel, non-square
    EXPECT_EQ(halconv::max_pool2d_output_shape({1, 1, 17, 13}, max_opt({2, 2}, P2{4, 3}, {0, 0}, {1, 1}, true)),
              (Shape{1, 1, 5, 5}));
}

TEST(PoolOutputShape, AvgPool2dFollowsPyTorch) {
    EXPECT_EQ(halconv::avg_pool2d_output_shape({1, 1, 6, 8}, avg_opt({3, 3}, P2{2, 2}, {1, 1}, false)),
              (Shape{1, 1, 3, 4}));
    EXPECT_EQ(halconv::avg_pool2d_output_shape({1, 1, 6, 8}, avg_opt({3, 3}, P2{2, 2}, {1, 1}, true)),
              (Shape{1, 1, 4, 5}));
    EXPECT_EQ(halconv::avg_pool2d_output_shape({1, 1, 5, 7}, avg_opt({2, 2}, P2{2, 2}, {1, 1}, true)),
              (Shape{1, 1, 3, 4}));
    EXPECT_EQ(halconv::avg_pool2d_output_shape({1, 1, 10, 11}, avg_opt({4, 4}, P2{2, 2}, {2, 2}, false)),
              (Shape{1, 1, 6, 6}));
    EXPECT_EQ(halconv::avg_pool2d_output_shape({1, 1, 10, 11}, avg_opt({4, 4}, P2{2, 2}, {2, 2}, true)),
              (Shape{1, 1, 6, 7}));
    EXPECT_EQ(halconv::avg_pool2d_output_shape({2, 3, 9, 11}, avg_opt({2, 2})), (Shape{2, 3, 4, 5}));
}

TEST(PoolOutputShape, SubsampleUnpoolAdaptive) {
    halconv::Subsample2dOptions s;
    s.offset = {1, 1};
    EXPECT_EQ(halconv::subsample2d_output_shape({1, 2, 9, 11}, s), (Shape{1, 2, 4, 5}));
    EXPECT_EQ(halconv::subsample2d_output_shape({1, 2, 9, 11}, {}), (Shape{1, 2, 5, 6}));
    s.stride = {3, 4};
    s.offset = {0, 3};
    EXPECT_EQ(halconv::subsample2d_output_shape({1, 2, 9, 11}, s), (Shape{1, 2, 3, 2}));

    halconv::MaxUnpool2dOptions u;
    u.kernel_size = {2, 2};
    EXPECT_EQ(halconv::max_unpool2d_output_shape({1, 1, 4, 5}, u), (Shape{1, 1, 8, 10}));
    u.kernel_size = {3, 3};
    u.stride = P2{2, 2};
    u.padding = {1, 1};
    EXPECT_EQ(halconv::max_unpool2d_output_shape({1, 1, 4, 5}, u), (Shape{1, 1, 7, 9}));
    u.output_size = std::array<int64_t, 2>{8, 10};
    EXPECT_EQ(halconv::max_unpool2d_output_shape({1, 1, 4, 5}, u), (Shape{1, 1, 8, 10}));
    u.output_size = std::array<int64_t, 2>{6, 8};
    EXPECT_EQ(halconv::max_unpool2d_output_shape({1, 1, 4, 5}, u), (Shape{1, 1, 6, 8}));

    halconv::AdaptivePool2dOptions a;
    EXPECT_EQ(halconv::adaptive_pool2d_output_shape({2, 3, 7, 9}, a), (Shape{2, 3, 1, 1}));
    a.output_size = {0, 4};
    EXPECT_EQ(halconv::adaptive_pool2d_output_shape({2, 3, 7, 9}, a), (Shape{2, 3, 7, 4}));
    a.output_size = {10, 12};
    EXPECT_EQ(halconv::adaptive_pool2d_output_shape({2, 3, 7, 9}, a), (Shape{2, 3, 10, 12}));
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------
Tensor4 data4(const Shape &shape, PoolData kind, uint32_t seed) { return Tensor4{shape, pool_data(shape, kind, seed)}; }

double dot(const std::vector<float> &a, const std::vector<float> &b) {
    double s = 0.0;
    for (size_t i = 0; i < a.size(); i++) s += (double)a[i] * (double)b[i];
    return s;
}

// Permuting the values inside each window (stride == kernel, no padding: the
// windows do not overlap) changes neither the max nor the average; the max's
// index follows its value.
class PoolPermutation : public ::testing::TestWithParam<PoolCase> {};

TEST_P(PoolPermutation, WindowPermutationInvariance) {
    const PoolCase &c = GetParam();
    SCOPED_TRACE(c.describe("max_pool2d / avg_pool2d"));
    ASSERT_EQ(c.effective_stride(), c.kernel);
    ASSERT_EQ(c.padding, (P2{0, 0}));
    const Tensor4 x = data4(c.input_shape(), PoolData::Distinct, 5);
    Tensor4 y = x;
    std::vector<int64_t> moved((size_t)numel(x.shape));  // flat position in the plane -> new position
    std::mt19937 gen(17);
    const Shape out_shape = ref::pool2d_output_shape(c.input_shape(), c.ref_params());
    ASSERT_FALSE(out_shape.empty());
    for (int64_t p = 0; p < c.N * c.C; p++) {
        for (int64_t i = 0; i < c.H * c.W; i++) moved[(size_t)(p * c.H * c.W + i)] = i;
        for (int64_t oy = 0; oy < out_shape[2]; oy++) {
            for (int64_t ox = 0; ox < out_shape[3]; ox++) {
                std::vector<int64_t> pos;
                for (int r = 0; r < c.kernel[0]; r++)
                    for (int s = 0; s < c.kernel[1]; s++)
                        pos.push_back((oy * c.kernel[0] + r) * c.W + ox * c.kernel[1] + s);
                std::vector<int64_t> perm = pos;
                std::shuffle(perm.begin(), perm.end(), gen);
                for (size_t k = 0; k < pos.size(); k++) {
                    y.data[(size_t)(p * c.H * c.W + perm[k])] = x.data[(size_t)(p * c.H * c.W + pos[k])];
                    moved[(size_t)(p * c.H * c.W + pos[k])] = perm[k];
                }
            }
        }
    }
    ASSERT_NE(x.data, y.data);

    const Pooled mx = run_max_pool2d(x, c.max_options(Device::CPU));
    const Pooled my = run_max_pool2d(y, c.max_options(Device::CPU));
    ASSERT_FALSE(mx.value.empty());
    ASSERT_FALSE(my.value.empty());
    EXPECT_TRUE(pool_values_equal(my.value, mx.value, mx.shape)) << "max_pool2d values";
    std::vector<int64_t> want_idx(mx.index.size());
    const int64_t out_plane = out_shape[2] * out_shape[3];
    for (size_t o = 0; o < mx.index.size(); o++) {
        const int64_t p = (int64_t)o / out_plane;
        const int64_t i = mx.index[o];
        want_idx[o] = (i >= 0 && i < c.H * c.W) ? moved[(size_t)(p * c.H * c.W + i)] : -1;
    }
    EXPECT_TRUE(pool_indices_equal(my.index, want_idx, mx.shape, c.W)) << "max_pool2d indices follow the maximum";

    const Tensor4 ax = run_avg_pool2d(x, c.avg_options(Device::CPU));
    const Tensor4 ay = run_avg_pool2d(y, c.avg_options(Device::CPU));
    const ref::Result bound = ref::avg_pool2d(x.data.data(), x.shape, c.ref_params());
    EXPECT_TRUE(nearly_equal(ay.data, ax.data, bound.abs_sum, bound.shape)) << "avg_pool2d";
}

INSTANTIATE_TEST_SUITE_P(Pool, PoolPermutation,
                         ::testing::Values(pool("k2", 2, 3, 10, 12, 2, 2),
                                           pool("k3x2_leftover_rows_cols", 1, 4, 10, 11, 3, 2),
                                           pool("k4_global", 1, 2, 4, 4, 4, 4),
                                           pool("k3_channels_20", 1, 20, 9, 9, 3, 3)),
                         CaseName());

// avg_pool2d (count_include_pad, floor mode) is a depthwise conv2d with the
// constant kernel 1/(R*S).
class AvgPoolIsDepthwiseConv : public ::testing::TestWithParam<PoolCase> {};

TEST_P(AvgPoolIsDepthwiseConv, EqualsConstantKernelConv) {
    const PoolCase &c = GetParam();
    SCOPED_TRACE(c.describe("avg_pool2d"));
    const Tensor4 x = random_tensor4(c.input_shape(), 21);
    const Tensor4 w{{c.C, 1, c.kernel[0], c.kernel[1]},
                    std::vector<float>((size_t)(c.C * c.kernel[0] * c.kernel[1]),
                                       1.0f / (float)(c.kernel[0] * c.kernel[1]))};
    halconv::Conv2dOptions co;
    co.stride = c.effective_stride();
    co.padding = c.padding;
    co.groups = (int)c.C;
    const Tensor4 conv = run_conv2d(x, w, nullptr, co);
    const Tensor4 avg = run_avg_pool2d(x, c.avg_options(Device::CPU));
    ASSERT_EQ(conv.shape, avg.shape);
    const ref::Result bound = ref::avg_pool2d(x.data.data(), x.shape, c.ref_params());
    EXPECT_TRUE(nearly_equal(avg.data, conv.data, bound.abs_sum, avg.shape));
}

INSTANTIATE_TEST_SUITE_P(Pool, AvgPoolIsDepthwiseConv,
                         ::testing::Values(pool("k3_s1_p1", 1, 4, 13, 15, 3, 3).s(1).p(1),
                                           pool("k2_default_stride", 2, 3, 10, 11, 2, 2),
                                           pool("k3x5_s2x3_p1x2", 1, 5, 14, 17, 3, 5).s(2, 3).p(1, 2),
                                           pool("k4_s2_p2", 1, 3, 12, 12, 4, 4).s(2).p(2),
                                           pool("k3_s2_p1_channels_20", 1, 20, 9, 10, 3, 3).s(2).p(1)),
                         CaseName());

// max_unpool2d(max_pool2d(x)) keeps every maximum at its place, zeros elsewhere.
class MaxUnpoolOfMaxPool : public ::testing::TestWithParam<PoolCase> {};

TEST_P(MaxUnpoolOfMaxPool, KeepsMaximaInPlace) {
    const PoolCase &c = GetParam();
    SCOPED_TRACE(c.describe("max_pool2d then max_unpool2d"));
    const Tensor4 x = data4(c.input_shape(), PoolData::Distinct, 9);
    const Pooled pooled = run_max_pool2d(x, c.max_options(Device::CPU));
    ASSERT_FALSE(pooled.value.empty());
    halconv::MaxUnpool2dOptions uo;
    uo.kernel_size = c.kernel;
    uo.stride = c.stride;
    uo.padding = c.padding;
    uo.output_size = std::array<int64_t, 2>{c.H, c.W};
    const Tensor4 un = run_max_unpool2d(Tensor4{pooled.shape, pooled.value}, pooled.index, uo);
    ASSERT_EQ(un.shape, x.shape);
    const int64_t plane = c.H * c.W, out_plane = pooled.shape[2] * pooled.shape[3];
    std::vector<float> want((size_t)numel(x.shape), 0.0f);
    for (int64_t p = 0; p < c.N * c.C; p++) {
        for (int64_t o = 0; o < out_plane; o++) {
            const int64_t i = pooled.index[(size_t)(p * out_plane + o)];
            ASSERT_TRUE(i >= 0 && i < plane) << "index " << i;
            want[(size_t)(p * plane + i)] = x.data[(size_t)(p * plane + i)];
        }
    }
    EXPECT_TRUE(pool_values_equal(un.data, want, x.shape));
}

INSTANTIATE_TEST_SUITE_P(Pool, MaxUnpoolOfMaxPool,
                         ::testing::Values(pool("k2_default_stride", 1, 3, 8, 9, 2, 2),
                                           pool("k3_s2_p1_overlap", 2, 3, 11, 12, 3, 3).s(2).p(1),
                                           pool("k3_s1_overlap", 1, 2, 9, 8, 3, 3).s(1),
                                           pool("k2x3_s3x2_ceil", 1, 3, 10, 11, 2, 3).s(3, 2).ceil(),
                                           pool("k4_s2_p2_channels_20", 1, 20, 9, 10, 4, 4).s(2).p(2)),
                         CaseName());

// Adjointness: <avg_pool2d(x), y> == <x, avg_pool2d_backward(y)>.
class AvgPoolAdjoint : public ::testing::TestWithParam<PoolCase> {};

TEST_P(AvgPoolAdjoint, BackwardIsAdjoint) {
    const PoolCase &c = GetParam();
    SCOPED_TRACE(c.describe("avg_pool2d / avg_pool2d_backward"));
    const Tensor4 x = random_tensor4(c.input_shape(), 31);
    const halconv::AvgPool2dOptions opt = c.avg_options(Device::CPU);
    const Tensor4 ax = run_avg_pool2d(x, opt);
    ASSERT_FALSE(ax.data.empty());
    const Tensor4 y = random_tensor4(ax.shape, 32);
    const Tensor4 by = run_avg_pool2d_backward(y, x.shape, opt);
    ASSERT_EQ(by.shape, x.shape);
    const ref::Result r = ref::avg_pool2d(x.data.data(), x.shape, c.ref_params());
    double bound = 0.0;
    for (size_t o = 0; o < y.data.size(); o++) bound += std::fabs((double)y.data[o]) * r.abs_sum[o];
    const double lhs = dot(ax.data, y.data), rhs = dot(x.data, by.data);
    EXPECT_NEAR(lhs, rhs, 1e-5 * bound + 1e-9) << "<avg(x), y> vs <x, avg_backward(y)>";
}

INSTANTIATE_TEST_SUITE_P(Pool, AvgPoolAdjoint,
                         ::testing::Values(pool("k2_default_stride", 1, 3, 8, 9, 2, 2),
                                           pool("k3_s1_p1_overlap", 2, 3, 9, 10, 3, 3).s(1).p(1),
                                           pool("k3_s2_p1_ceil", 1, 3, 6, 8, 3, 3).s(2).p(1).ceil(),
                                           pool("k3_s2_p1_ceil_exclude_pad", 1, 3, 6, 8, 3, 3).s(2).p(1).ceil().exclude_pad(),
                                           pool("k2_s2_p1_ceil_drop_exclude", 1, 2, 5, 7, 2, 2).s(2).p(1).ceil().exclude_pad(),
                                           pool("divisor_override_7", 1, 3, 9, 10, 3, 3).s(2).p(1).divisor(7),
                                           pool("divisor_override_ceil", 1, 2, 7, 9, 4, 3).s(2, 3).p(2, 1).ceil().divisor(5),
                                           pool("stride_gt_kernel", 1, 3, 14, 15, 2, 2).s(3),
                                           pool("k5x1_s2x1_p2x0_exclude", 1, 3, 13, 7, 5, 1).s(2, 1).p(2, 0).exclude_pad()),
                         CaseName());

// Finite differences of f(x) = sum(w * pool(x)) against the backward passes.
class MaxPoolGradient : public ::testing::TestWithParam<PoolCase> {};

TEST_P(MaxPoolGradient, MatchesFiniteDifferences) {
    const PoolCase &c = GetParam();
    SCOPED_TRACE(c.describe("max_pool2d_backward"));
    const halconv::MaxPool2dOptions opt = c.max_options(Device::CPU);
    const Tensor4 x = data4(c.input_shape(), PoolData::Distinct, 41);  // no ties: gaps of 0.01
    const Pooled fx = run_max_pool2d(x, opt);
    ASSERT_FALSE(fx.value.empty());
    const Tensor4 w = random_tensor4(fx.shape, 42);
    const Tensor4 grad = run_max_pool2d_backward(w, fx.index, x.shape, opt);
    ASSERT_EQ(grad.shape, x.shape);

    auto f = [&](const Tensor4 &xx) { return dot(run_max_pool2d(xx, opt, false).value, w.data); };
    std::mt19937 gen(43);
    std::vector<int64_t> positions;
    const int64_t plane = c.H * c.W, out_plane = fx.shape[2] * fx.shape[3];
    for (int k = 0; k < 6; k++) positions.push_back((int64_t)(gen() % (uint32_t)numel(x.shape)));
    for (int k = 0; k < 6; k++) {  // some maxima (non-zero gradient)
        const int64_t o = (int64_t)(gen() % (uint32_t)fx.index.size());
        positions.push_back((o / out_plane) * plane + fx.index[(size_t)o]);
    }
    const float h = 1e-3f;
    for (int64_t i : positions) {
        Tensor4 xp = x, xm = x;
        xp.data[(size_t)i] += h;
        xm.data[(size_t)i] -= h;
        const double delta = (double)xp.data[(size_t)i] - (double)xm.data[(size_t)i];
        const double fd = (f(xp) - f(xm)) / delta;
        const double g = grad.data[(size_t)i];
        EXPECT_NEAR(g, fd, 1e-4 * (1.0 + std::fabs(fd))) << "at flat input position " << i;
    }
}

INSTANTIATE_TEST_SUITE_P(Pool, MaxPoolGradient,
                         ::testing::Values(pool("k3_s2_p1", 1, 2, 9, 10, 3, 3).s(2).p(1),
                                           pool("k3_s1_overlap", 1, 2, 8, 9, 3, 3).s(1),
                                           pool("k2_ceil", 2, 2, 7, 9, 2, 2).ceil(),
                                           pool("dilated_2x3", 1, 2, 11, 12, 3, 2).s(2).p(1).d(2, 3),
                                           pool("k3x2_s3x1_ceil_drop", 1, 2, 11, 9, 3, 2).s(3, 1).p(1, 1).ceil()),
                         CaseName());

class AvgPoolGradient : public ::testing::TestWithParam<PoolCase> {};

TEST_P(AvgPoolGradient, MatchesFiniteDifferences) {
    const PoolCase &c = GetParam();
    SCOPED_TRACE(c.describe("avg_pool2d_backward"));
    const halconv::AvgPool2dOptions opt = c.avg_options(Device::CPU);
    const Tensor4 x = random_tensor4(c.input_shape(), 51);
    const Tensor4 fx = run_avg_pool2d(x, opt);
    ASSERT_FALSE(fx.data.empty());
    const Tensor4 w = random_tensor4(fx.shape, 52);
    const Tensor4 grad = run_avg_pool2d_backward(w, x.shape, opt);
    ASSERT_EQ(grad.shape, x.shape);

    auto f = [&](const Tensor4 &xx) { return dot(run_avg_pool2d(xx, opt).data, w.data); };
    std::mt19937 gen(53);
    const float h = 0.5f;  // f is linear: any step is exact up to rounding
    for (int k = 0; k < 10; k++) {
        const int64_t i = (int64_t)(gen() % (uint32_t)numel(x.shape));
        Tensor4 xp = x, xm = x;
        xp.data[(size_t)i] += h;
        xm.data[(size_t)i] -= h;
        const double fd = (f(xp) - f(xm)) / ((double)xp.data[(size_t)i] - (double)xm.data[(size_t)i]);
        const double g = grad.data[(size_t)i];
        EXPECT_NEAR(g, fd, 1e-4 * (1.0 + std::fabs(fd))) << "at flat input position " << i;
    }
}

INSTANTIATE_TEST_SUITE_P(Pool, AvgPoolGradient,
                         ::testing::Values(pool("k3_s1_p1", 1, 2, 9, 10, 3, 3).s(1).p(1),
                                           pool("k3_s2_p1_ceil", 1, 2, 6, 8, 3, 3).s(2).p(1).ceil(),
                                           pool("k3_s2_p1_ceil_exclude_pad", 1, 2, 6, 8, 3, 3).s(2).p(1).ceil().exclude_pad(),
                                           pool("divisor_override_ceil", 1, 2, 7, 9, 4, 3).s(2, 3).p(2, 1).ceil().divisor(5),
                                           pool("k2_s3_batch2", 2, 2, 10, 11, 2, 2).s(3)),
                         CaseName());

// max_pool2d_backward scatter-adds: with overlapping windows one input is the
// maximum of several windows and collects all their gradients.
class MaxPoolBackwardOverlap : public ::testing::TestWithParam<PoolCase> {};

TEST_P(MaxPoolBackwardOverlap, AccumulatesSharedMaxima) {
    const PoolCase &c = GetParam();
    SCOPED_TRACE(c.describe("max_pool2d_backward"));
    Tensor4 x = random_tensor4(c.input_shape(), 61);
    // Peaks on a sparse grid: each is the maximum of every window that holds it.
    for (int64_t p = 0; p < c.N * c.C; p++)
        for (int64_t y = 1; y < c.H; y += 4)
            for (int64_t xx = 2; xx < c.W; xx += 5)
                x.data[(size_t)(p * c.H * c.W + y * c.W + xx)] = 5.0f + 0.001f * (float)(y * c.W + xx);
    const halconv::MaxPool2dOptions opt = c.max_options(Device::CPU);
    const Pooled fx = run_max_pool2d(x, opt);
    ASSERT_FALSE(fx.value.empty());
    // Precondition: some input is the maximum of several windows.
    std::map<std::pair<int64_t, int64_t>, int> count;
    const int64_t out_plane = fx.shape[2] * fx.shape[3];
    int most = 0;
    for (size_t o = 0; o < fx.index.size(); o++)
        most = std::max(most, ++count[{(int64_t)o / out_plane, fx.index[o]}]);
    ASSERT_GE(most, 2) << "no shared maximum: the case does not test accumulation";

    const Tensor4 g = random_tensor4(fx.shape, 62);
    const Tensor4 got = run_max_pool2d_backward(g, fx.index, x.shape, opt);
    const ref::Result want = ref::max_pool2d_backward(g.data.data(), fx.index.data(), fx.shape, x.shape);
    EXPECT_TRUE(pool_values_match(got.data, want));
}

INSTANTIATE_TEST_SUITE_P(Pool, MaxPoolBackwardOverlap,
                         ::testing::Values(pool("k3_s1_p1", 2, 3, 13, 14, 3, 3).s(1).p(1),
                                           pool("k4_s2_p2", 1, 3, 15, 16, 4, 4).s(2).p(2),
                                           pool("k5x3_s1x2_dilated", 1, 2, 17, 16, 5, 3).s(1, 2).p(2, 1).d(1, 2),
                                           pool("k3_s2_ceil_channels_20", 1, 20, 12, 13, 3, 3).s(2).ceil()),
                         CaseName());

// subsample2d (offset 0) is max_pool2d with a 1x1 kernel and the same stride.
TEST(PoolProperties, SubsampleEqualsKernel1MaxPool) {
    for (auto [shape, stride, kind] :
         {std::tuple{Shape{2, 3, 9, 11}, P2{2, 2}, PoolData::Uniform}, std::tuple{Shape{1, 4, 10, 7}, P2{3, 2}, PoolData::NaNs},
          std::tuple{Shape{1, 20, 5, 13}, P2{1, 3}, PoolData::Infs}, std::tuple{Shape{1, 2, 1, 17}, P2{4, 5}, PoolData::IntTies}}) {
        SCOPED_TRACE("input " + shape_str(shape) + ", stride (" + std::to_string(stride[0]) + ", " +
                     std::to_string(stride[1]) + "), data " + pool_data_name(kind));
        const Tensor4 x = data4(shape, kind, 71);
        halconv::Subsample2dOptions so;
        so.stride = stride;
        const Tensor4 sub = run_subsample2d(x, so);
        const Pooled mp = run_max_pool2d(x, max_opt({1, 1}, stride));
        ASSERT_EQ(sub.shape, mp.shape);
        EXPECT_TRUE(pool_values_equal(sub.data, mp.value, mp.shape));
        std::vector<int64_t> want_idx(mp.index.size());
        for (size_t o = 0; o < want_idx.size(); o++) {
            const int64_t ox = (int64_t)o % mp.shape[3], oy = ((int64_t)o / mp.shape[3]) % mp.shape[2];
            want_idx[o] = oy * stride[0] * shape[3] + ox * stride[1];
        }
        EXPECT_TRUE(pool_indices_equal(mp.index, want_idx, mp.shape, shape[3])) << "kernel-1 max pool indices";
    }
}

// Adaptive pooling with an output size that divides the input is regular
// pooling with kernel = stride = H / OH.
TEST(PoolProperties, AdaptiveWithDividingSizeEqualsRegularPooling) {
    struct C { Shape shape; std::array<int64_t, 2> out; PoolData kind; };
    for (const C &c : {C{{1, 3, 8, 10}, {2, 2}, PoolData::IntTies}, C{{2, 3, 12, 15}, {4, 5}, PoolData::NaNs},
                       C{{1, 20, 9, 6}, {3, 1}, PoolData::Infs}, C{{1, 2, 7, 7}, {7, 7}, PoolData::Uniform},
                       C{{1, 2, 16, 16}, {4, 2}, PoolData::Uniform}}) {
        SCOPED_TRACE("input " + shape_str(c.shape) + ", output_size (" + std::to_string(c.out[0]) + ", " +
                     std::to_string(c.out[1]) + "), data " + pool_data_name(c.kind));
        const P2 k{(int)(c.shape[2] / c.out[0]), (int)(c.shape[3] / c.out[1])};
        const Tensor4 x = data4(c.shape, c.kind, 81);
        halconv::AdaptivePool2dOptions ao;
        ao.output_size = c.out;
        const Pooled amax = run_adaptive_max_pool2d(x, ao);
        const Pooled mp = run_max_pool2d(x, max_opt(k, k));
        ASSERT_EQ(amax.shape, mp.shape);
        EXPECT_TRUE(pool_values_equal(amax.value, mp.value, mp.shape)) << "adaptive_max_pool2d values";
        EXPECT_TRUE(pool_indices_equal(amax.index, mp.index, mp.shape, c.shape[3])) << "adaptive_max_pool2d indices";

        const Tensor4 x2 = data4(c.shape, PoolData::Uniform, 82);
        const Tensor4 aavg = run_adaptive_avg_pool2d(x2, ao);
        const Tensor4 ap = run_avg_pool2d(x2, avg_opt(k, k));
        ASSERT_EQ(aavg.shape, ap.shape);
        ref::PoolParams rp;
        rp.kernel = k;
        rp.stride = k;
        const ref::Result bound = ref::avg_pool2d(x2.data.data(), x2.shape, rp);
        EXPECT_TRUE(nearly_equal(aavg.data, ap.data, bound.abs_sum, ap.shape)) << "adaptive_avg_pool2d";
    }
}

// Global adaptive pooling: the plane's mean and maximum.
TEST(PoolProperties, GlobalAdaptivePoolingIsPlaneMeanAndMax) {
    for (const Shape &shape : {Shape{2, 5, 7, 9}, Shape{1, 3, 33, 35}, Shape{1, 20, 1, 17}, Shape{3, 1, 1, 1},
                               Shape{1, 2, 64, 64}}) {
        SCOPED_TRACE("input " + shape_str(shape));
        const Tensor4 x = random_tensor4(shape, 91);
        const Tensor4 avg = run_adaptive_avg_pool2d(x, {});
        const Pooled mx = run_adaptive_max_pool2d(x, {});
        ASSERT_EQ(avg.shape, (Shape{shape[0], shape[1], 1, 1}));
        ASSERT_EQ(mx.shape, avg.shape);
        const int64_t plane = shape[2] * shape[3];
        for (int64_t p = 0; p < shape[0] * shape[1]; p++) {
            double sum = 0.0, abs_sum = 0.0;
            float best = -std::numeric_limits<float>::infinity();
            int64_t best_i = 0;
            for (int64_t i = 0; i < plane; i++) {
                const float v = x.data[(size_t)(p * plane + i)];
                sum += v;
                abs_sum += std::fabs(v);
                if (v > best) best = v, best_i = i;
            }
            EXPECT_NEAR(avg.data[(size_t)p], sum / (double)plane, 1e-5 * abs_sum / (double)plane + 1e-6)
                << "plane " << p;
            EXPECT_EQ(mx.value[(size_t)p], best) << "plane " << p;
            EXPECT_EQ(mx.index[(size_t)p], best_i) << "plane " << p;
        }
    }
}

// Shifting the input by a multiple of the stride shifts max_pool2d's values
// and indices wherever no window touches the border.
struct PoolShift {
    PoolCase c;
    int ty, tx;  // in output pixels
};
void PrintTo(const PoolShift &s, std::ostream *os) { *os << s.c.label << ", shift (" << s.ty << ", " << s.tx << ")"; }

class MaxPoolTranslation : public ::testing::TestWithParam<PoolShift> {};

TEST_P(MaxPoolTranslation, ShiftCommutesInInterior) {
    const PoolCase &c = GetParam().c;
    const int ty = GetParam().ty, tx = GetParam().tx;
    SCOPED_TRACE(c.describe("max_pool2d") + ", shift (" + std::to_string(ty) + ", " + std::to_string(tx) + ")");
    const P2 st = c.effective_stride();
    const int64_t dy = (int64_t)ty * st[0], dx = (int64_t)tx * st[1];
    const Tensor4 x = data4(c.input_shape(), PoolData::IntTies, 101);
    Tensor4 xs = data4(c.input_shape(), PoolData::IntTies, 102);  // shifted-in values: anything
    for (int64_t p = 0; p < c.N * c.C; p++)
        for (int64_t y = 0; y < c.H; y++)
            for (int64_t xx = 0; xx < c.W; xx++)
                if (y - dy >= 0 && y - dy < c.H && xx - dx >= 0 && xx - dx < c.W)
                    xs.data[(size_t)((p * c.H + y) * c.W + xx)] = x.data[(size_t)((p * c.H + y - dy) * c.W + xx - dx)];
    const halconv::MaxPool2dOptions opt = c.max_options(Device::CPU);
    const Pooled a = run_max_pool2d(x, opt), b = run_max_pool2d(xs, opt);
    ASSERT_FALSE(a.value.empty());
    ASSERT_EQ(a.shape, b.shape);
    const int64_t OH = a.shape[2], OW = a.shape[3];
    auto inside = [&](int64_t o, int a_, int64_t d, int64_t in) {
        for (int t = 0; t < c.kernel[a_]; t++) {
            const int64_t y = o * st[a_] - c.padding[a_] + (int64_t)t * c.dilation[a_];
            if (y < 0 || y >= in || y - d < 0 || y - d >= in) return false;
        }
        return true;
    };
    int64_t compared = 0, bad = 0;
    for (int64_t p = 0; p < c.N * c.C; p++) {
        for (int64_t oy = 0; oy < OH; oy++) {
            if (oy - ty < 0 || oy - ty >= OH || !inside(oy, 0, dy, c.H)) continue;
            for (int64_t ox = 0; ox < OW; ox++) {
                if (ox - tx < 0 || ox - tx >= OW || !inside(ox, 1, dx, c.W)) continue;
                const size_t ob = (size_t)((p * OH + oy) * OW + ox), oa = (size_t)((p * OH + oy - ty) * OW + ox - tx);
                compared++;
                if (b.value[ob] != a.value[oa] || b.index[ob] != a.index[oa] + dy * c.W + dx) {
                    if (bad++ == 0)
                        ADD_FAILURE() << "plane " << p << ", output (" << oy << ", " << ox << "): got value "
                                      << b.value[ob] << " index " << b.index[ob] << ", expected value " << a.value[oa]
                                      << " index " << a.index[oa] + dy * c.W + dx;
                }
            }
        }
    }
    EXPECT_GT(compared, 0) << "no interior output: the case tests nothing";
    EXPECT_EQ(bad, 0) << "of " << compared << " interior outputs";
}

INSTANTIATE_TEST_SUITE_P(
    Pool, MaxPoolTranslation,
    ::testing::Values(PoolShift{pool("k3_s2_p1", 1, 3, 17, 19, 3, 3).s(2).p(1), 1, 2},
                      PoolShift{pool("k2_default_stride", 2, 2, 14, 15, 2, 2), -1, 1},
                      PoolShift{pool("k3x2_s1x2_d2x1_p1", 1, 3, 16, 18, 3, 2).s(1, 2).p(1, 1).d(2, 1), 2, -1},
                      PoolShift{pool("k3_s3_ceil", 1, 2, 20, 19, 3, 3).s(3).ceil(), 1, 1}),
    [](const ::testing::TestParamInfo<PoolShift> &param_info) { return param_info.param.c.name(); });

// ---------------------------------------------------------------------------
// Threads: bit-identical results for any number of threads.
// ---------------------------------------------------------------------------
struct ThreadCountReset {
    ~ThreadCountReset() { halconv::set_num_threads(0); }
};

template<typename T>
bool same_bits(const std::vector<T> &a, const std::vector<T> &b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

// Runs `run` (returning vectors of floats and indices) with 1, 2, default
// and 7 threads and expects identical bits.
template<typename Run>
void expect_thread_independent(Run &&run) {
    ThreadCountReset reset;
    halconv::set_num_threads(1);
    const auto one = run();
    ASSERT_FALSE(one.first.empty());
    for (int threads : {2, 0, 7, 7}) {
        halconv::set_num_threads(threads);
        const auto other = run();
        EXPECT_TRUE(same_bits(one.first, other.first)) << "values: 1 thread vs " << threads;
        EXPECT_TRUE(same_bits(one.second, other.second)) << "indices: 1 thread vs " << threads;
    }
}

using Bits = std::pair<std::vector<float>, std::vector<int64_t>>;
const Shape kThreadShape{2, 32, 57, 61};

TEST(PoolThreads, MaxPool2dBitIdentical) {
    const Tensor4 x = data4(kThreadShape, PoolData::IntTies, 111);
    const PoolCase c = pool("k3_s2_p1", 2, 32, 57, 61, 3, 3).s(2).p(1);
    expect_thread_independent([&] {
        const Pooled r = run_max_pool2d(x, c.max_options(Device::CPU));
        return Bits{r.value, r.index};
    });
}

TEST(PoolThreads, AvgPool2dBitIdentical) {
    const Tensor4 x = random_tensor4(kThreadShape, 112);
    const PoolCase c = pool("k3_s2_p1_ceil_exclude", 2, 32, 57, 61, 3, 3).s(2).p(1).ceil().exclude_pad();
    expect_thread_independent([&] { return Bits{run_avg_pool2d(x, c.avg_options(Device::CPU)).data, {}}; });
}

TEST(PoolThreads, BackwardBitIdentical) {
    const Tensor4 x = random_tensor4(kThreadShape, 113);
    const PoolCase c = pool("k3_s1_p1", 2, 32, 57, 61, 3, 3).s(1).p(1);  // overlapping: scatter-add order
    const Pooled fx = run_max_pool2d(x, c.max_options(Device::CPU));
    ASSERT_FALSE(fx.value.empty());
    const Tensor4 g = random_tensor4(fx.shape, 114);
    expect_thread_independent(
        [&] { return Bits{run_max_pool2d_backward(g, fx.index, kThreadShape, c.max_options(Device::CPU)).data, {}}; });
    expect_thread_independent(
        [&] { return Bits{run_avg_pool2d_backward(g, kThreadShape, c.avg_options(Device::CPU)).data, {}}; });
}

TEST(PoolThreads, SubsampleUnpoolAdaptiveBitIdentical) {
    const Tensor4 x = random_tensor4(kThreadShape, 115);
    halconv::Subsample2dOptions so;
    so.offset = {1, 0};
    expect_thread_independent([&] { return Bits{run_subsample2d(x, so).data, {}}; });

    UnpoolCase uc = unpool("k3_s2_random", 2, 32, 57, 61, 3, 3).s(2).idx(UnpoolIndices::Random);
    const Shape us = uc.ref_output_shape();
    ASSERT_FALSE(us.empty());
    const std::vector<int64_t> idx = make_unpool_indices(uc, us[2], us[3], 116);
    expect_thread_independent([&] { return Bits{run_max_unpool2d(x, idx, uc.options(Device::CPU)).data, {}}; });

    halconv::AdaptivePool2dOptions ao;
    ao.output_size = {7, 9};
    expect_thread_independent([&] { return Bits{run_adaptive_avg_pool2d(x, ao).data, {}}; });
    const Tensor4 xt = data4(kThreadShape, PoolData::IntTies, 117);
    expect_thread_independent([&] {
        const Pooled r = run_adaptive_max_pool2d(xt, ao);
        return Bits{r.value, r.index};
    });
}

}  // namespace
}  // namespace halconv_test
