// The pooling pipelines compiled for OpenCL (PoCL runs them on the CPU on the
// developers' machines): every operator's OpenCL sweep against the reference,
// and a few properties. Skipped with the library's reason when OpenCL is not
// available, except in CI (CI=true), where that fails.
#include <cmath>

#include "pool_cases.h"

namespace halconv_test {
namespace {

template<typename Case>
class OpenCLSweep : public ::testing::TestWithParam<Case> {
protected:
    void SetUp() override { HALCONV_REQUIRE_DEVICE(Device::OpenCL); }
};

class MaxPool2dOpenCL : public OpenCLSweep<PoolCase> {};
TEST_P(MaxPool2dOpenCL, MatchesReference) { check_max_pool2d_case(GetParam(), Device::OpenCL); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, MaxPool2dOpenCL, ::testing::ValuesIn(max_pool2d_opencl_cases()), CaseName());

class MaxPool2dBackwardOpenCL : public OpenCLSweep<PoolCase> {};
TEST_P(MaxPool2dBackwardOpenCL, MatchesReference) { check_max_pool2d_backward_case(GetParam(), Device::OpenCL); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, MaxPool2dBackwardOpenCL, ::testing::ValuesIn(max_pool2d_opencl_cases()),
                         CaseName());

class AvgPool2dOpenCL : public OpenCLSweep<PoolCase> {};
TEST_P(AvgPool2dOpenCL, MatchesReference) { check_avg_pool2d_case(GetParam(), Device::OpenCL); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, AvgPool2dOpenCL, ::testing::ValuesIn(avg_pool2d_opencl_cases()), CaseName());

class AvgPool2dBackwardOpenCL : public OpenCLSweep<PoolCase> {};
TEST_P(AvgPool2dBackwardOpenCL, MatchesReference) { check_avg_pool2d_backward_case(GetParam(), Device::OpenCL); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, AvgPool2dBackwardOpenCL, ::testing::ValuesIn(avg_pool2d_opencl_cases()),
                         CaseName());

class Subsample2dOpenCL : public OpenCLSweep<SubsampleCase> {};
TEST_P(Subsample2dOpenCL, MatchesReference) { check_subsample2d_case(GetParam(), Device::OpenCL); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, Subsample2dOpenCL, ::testing::ValuesIn(subsample2d_opencl_cases()),
                         CaseName());

class MaxUnpool2dOpenCL : public OpenCLSweep<UnpoolCase> {};
TEST_P(MaxUnpool2dOpenCL, MatchesReference) { check_max_unpool2d_case(GetParam(), Device::OpenCL); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, MaxUnpool2dOpenCL, ::testing::ValuesIn(max_unpool2d_opencl_cases()),
                         CaseName());

class AdaptiveAvgPool2dOpenCL : public OpenCLSweep<AdaptiveCase> {};
TEST_P(AdaptiveAvgPool2dOpenCL, MatchesReference) { check_adaptive_avg_pool2d_case(GetParam(), Device::OpenCL); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, AdaptiveAvgPool2dOpenCL, ::testing::ValuesIn(adaptive_pool2d_opencl_cases()),
                         CaseName());

class AdaptiveMaxPool2dOpenCL : public OpenCLSweep<AdaptiveCase> {};
TEST_P(AdaptiveMaxPool2dOpenCL, MatchesReference) { check_adaptive_max_pool2d_case(GetParam(), Device::OpenCL); }
INSTANTIATE_TEST_SUITE_P(PoolSweep, AdaptiveMaxPool2dOpenCL, ::testing::ValuesIn(adaptive_pool2d_opencl_cases()),
                         CaseName());

TEST(PoolOpenCLCases, AreValidAndEnough) {
    const auto mx = max_pool2d_opencl_cases();
    const auto av = avg_pool2d_opencl_cases();
    const auto ss = subsample2d_opencl_cases();
    const auto up = max_unpool2d_opencl_cases();
    const auto ad = adaptive_pool2d_opencl_cases();
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
    EXPECT_EQ(pool_coverage_missing(mx, false), std::vector<std::string>{}) << "max_pool2d OpenCL sweep";
    EXPECT_EQ(pool_coverage_missing(av, true), std::vector<std::string>{}) << "avg_pool2d OpenCL sweep";
}

class PoolPropertiesOpenCL : public ::testing::Test {
protected:
    void SetUp() override { HALCONV_REQUIRE_DEVICE(Device::OpenCL); }
};

// <avg_pool2d(x), y> == <x, avg_pool2d_backward(y)> on the OpenCL pipelines.
TEST_F(PoolPropertiesOpenCL, AvgPoolBackwardIsAdjoint) {
    for (const PoolCase &c : {pool("k3_s2_p1_ceil_exclude", 1, 3, 7, 9, 3, 3).s(2).p(1).ceil().exclude_pad(),
                              pool("k2_s1_divisor", 2, 2, 6, 5, 2, 2).s(1).divisor(3)}) {
        SCOPED_TRACE(c.describe("avg_pool2d"));
        const Tensor4 x = random_tensor4(c.input_shape(), 201);
        const Tensor4 ax = run_avg_pool2d(x, c.avg_options(Device::OpenCL));
        ASSERT_FALSE(ax.data.empty());
        const Tensor4 y = random_tensor4(ax.shape, 202);
        const Tensor4 by = run_avg_pool2d_backward(y, x.shape, c.avg_options(Device::OpenCL));
        ASSERT_EQ(by.shape, x.shape);
        const ref::Result r = ref::avg_pool2d(x.data.data(), x.shape, c.ref_params());
        double lhs = 0, rhs = 0, bound = 0;
        for (size_t o = 0; o < y.data.size(); o++) {
            lhs += (double)ax.data[o] * y.data[o];
            bound += std::fabs((double)y.data[o]) * r.abs_sum[o];
        }
        for (size_t i = 0; i < x.data.size(); i++) rhs += (double)x.data[i] * by.data[i];
        EXPECT_NEAR(lhs, rhs, 1e-5 * bound + 1e-9);
    }
}

// OpenCL and CPU agree on a layer-sized max pooling (values and indices exactly).
TEST_F(PoolPropertiesOpenCL, MaxPoolAgreesWithCpu) {
    const PoolCase c = pool("resnet_stem_pool", 1, 16, 56, 56, 3, 3).s(2).p(1).with(PoolData::IntTies);
    SCOPED_TRACE(c.describe("max_pool2d"));
    const Tensor4 x{c.input_shape(), pool_data(c.input_shape(), c.data, 203)};
    const Pooled gpu = run_max_pool2d(x, c.max_options(Device::OpenCL));
    const Pooled cpu = run_max_pool2d(x, c.max_options(Device::CPU));
    ASSERT_EQ(gpu.shape, cpu.shape);
    EXPECT_TRUE(pool_values_equal(gpu.value, cpu.value, cpu.shape));
    EXPECT_TRUE(pool_indices_equal(gpu.index, cpu.index, cpu.shape, c.W));
}

}  // namespace
}  // namespace halconv_test
