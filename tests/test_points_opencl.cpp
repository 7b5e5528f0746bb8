// Points collection compiled for OpenCL (PoCL runs it on the CPU on the
// developers' machines): the CPU sweep's cases against the reference,
// forward and backward with both accumulation options (Deterministic: the
// same bits on a second run), and a few properties. Skipped with the
// library's reason when OpenCL is not available, except in CI (CI=true),
// where that fails.
#include <cmath>

#include "points_cases.h"

namespace halconv_test {
namespace {

using halconv::GradAccumulation;
using halconv::PointsCollectionOptions;

class OpenCLPoints : public ::testing::TestWithParam<PointsCase> {
protected:
    void SetUp() override { HALCONV_REQUIRE_DEVICE(Device::OpenCL); }
};

class PointsForwardOpenCL : public OpenCLPoints {};
TEST_P(PointsForwardOpenCL, MatchesReference) { check_points_forward_case(GetParam(), Device::OpenCL); }
INSTANTIATE_TEST_SUITE_P(PointsSweep, PointsForwardOpenCL, ::testing::ValuesIn(points_cases()), CaseName());

class PointsBackwardDeterministicOpenCL : public OpenCLPoints {};
TEST_P(PointsBackwardDeterministicOpenCL, MatchesReference) {
    check_points_backward_case(GetParam(), Device::OpenCL, GradAccumulation::Deterministic);
}
INSTANTIATE_TEST_SUITE_P(PointsSweep, PointsBackwardDeterministicOpenCL, ::testing::ValuesIn(points_cases()),
                         CaseName());

class PointsBackwardAtomicOpenCL : public OpenCLPoints {};
TEST_P(PointsBackwardAtomicOpenCL, MatchesReference) {
    check_points_backward_case(GetParam(), Device::OpenCL, GradAccumulation::Atomic);
}
INSTANTIATE_TEST_SUITE_P(PointsSweep, PointsBackwardAtomicOpenCL, ::testing::ValuesIn(points_cases()),
                         CaseName());

TEST(PointsOpenCLCases, AreValidAndEnough) {
    const auto cases = points_cases();
    EXPECT_GE(cases.size(), 20u);
    EXPECT_TRUE(points_cases_valid(cases));
    EXPECT_EQ(points_coverage_missing(cases), std::vector<std::string>{});
}

class PointsPropertiesOpenCL : public ::testing::Test {
protected:
    void SetUp() override { HALCONV_REQUIRE_DEVICE(Device::OpenCL); }
};

PointsCollectionOptions opencl(GradAccumulation acc = GradAccumulation::Deterministic) {
    PointsCollectionOptions o;
    o.device = Device::OpenCL;
    o.accumulation = acc;
    return o;
}

// OpenCL agrees with the CPU (and both with the reference) on a case with
// many samples per lower pixel, where the atomic scatter really races.
TEST_F(PointsPropertiesOpenCL, AgreesWithCpuOnADenseScatter) {
    const PointsCase c = points("dense_scatter", 2, 9, 2, 40, 36, 10, 9).std_px(2.0);
    SCOPED_TRACE(c.describe());
    const std::vector<float> t = points_offsets(c, 201), d = points_lower(c, 202), g = points_grad(c, 203);
    const ref::PointsResult want_p = ref::points_collection(t.data(), c.t_shape(), d.data(), c.d_shape());
    const ref::PointsGradients want =
        ref::points_collection_backward(t.data(), c.t_shape(), d.data(), c.d_shape(), g.data());
    const std::vector<float> p = run_points(t, c.t_shape(), d, c.d_shape(), opencl());
    EXPECT_TRUE(points_values_match(p, want_p)) << "p";
    for (GradAccumulation acc : {GradAccumulation::Deterministic, GradAccumulation::Atomic}) {
        SCOPED_TRACE(halconv::grad_accumulation_name(acc));
        const PointsGrads gpu = run_points_backward(t, c.t_shape(), d, c.d_shape(), g, opencl(acc));
        ASSERT_FALSE(gpu.grad_t.empty());
        EXPECT_TRUE(points_values_match(gpu.grad_t, want.grad_t)) << "grad_t";
        EXPECT_TRUE(points_values_match(gpu.grad_d, want.grad_d)) << "grad_d";
        if (acc == GradAccumulation::Deterministic) {
            for (int run = 1; run < 3; run++) {
                const PointsGrads again = run_points_backward(t, c.t_shape(), d, c.d_shape(), g, opencl(acc));
                EXPECT_TRUE(points_bits_equal(again.grad_t, gpu.grad_t, c.t_shape())) << "grad_t, run " << run;
                EXPECT_TRUE(points_bits_equal(again.grad_d, gpu.grad_d, c.d_shape())) << "grad_d, run " << run;
            }
        }
    }
}

// <grad_d, delta> = <g, p(t, d + delta) - p(t, d)> on the OpenCL pipelines.
TEST_F(PointsPropertiesOpenCL, AdjointIdentityInD) {
    const PointsCase c = points("adjoint", 1, 2, 3, 9, 11, 4, 5).std_px(1.5);
    SCOPED_TRACE(c.describe());
    const std::vector<float> t = points_offsets(c, 211), d = points_lower(c, 212), g = points_grad(c, 213);
    const std::vector<float> delta0 = random_tensor(numel(c.d_shape()), 214);
    std::vector<float> d2(d.size());
    for (size_t i = 0; i < d.size(); i++) d2[i] = d[i] + delta0[i];
    const std::vector<float> p1 = run_points(t, c.t_shape(), d, c.d_shape(), opencl());
    const std::vector<float> p2 = run_points(t, c.t_shape(), d2, c.d_shape(), opencl());
    ASSERT_FALSE(p1.empty() || p2.empty());
    for (GradAccumulation acc : {GradAccumulation::Deterministic, GradAccumulation::Atomic}) {
        SCOPED_TRACE(halconv::grad_accumulation_name(acc));
        const PointsGrads gr = run_points_backward(t, c.t_shape(), d, c.d_shape(), g, opencl(acc));
        ASSERT_FALSE(gr.grad_d.empty());
        double lhs = 0, rhs = 0, scale = 0;
        for (size_t i = 0; i < d.size(); i++) {
            const double step = (double)d2[i] - (double)d[i];
            lhs += (double)gr.grad_d[i] * step;
            scale += std::fabs((double)gr.grad_d[i] * step);
        }
        for (size_t o = 0; o < p1.size(); o++) {
            rhs += (double)g[o] * ((double)p2[o] - (double)p1[o]);
            scale += std::fabs((double)g[o]) * (std::fabs((double)p1[o]) + std::fabs((double)p2[o]));
        }
        EXPECT_NEAR(lhs, rhs, 2e-6 * scale + 1e-9);
    }
}

}  // namespace
}  // namespace halconv_test
