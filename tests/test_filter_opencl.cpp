// The image filters compiled for OpenCL (PoCL runs them on the CPU on the
// developers' machines): the OpenCL sweep (smaller images, the same
// features) against the reference and, for the exact integer paths,
// bit-identical to the CPU. Skipped with the library's reason when OpenCL is
// not available, except in CI (CI=true), where that fails.
#include "filter_cases.h"

namespace halconv_test {
namespace {

using halconv::Device;

class FilterOpenCL : public ::testing::TestWithParam<FilterCase> {
protected:
    void SetUp() override { HALCONV_REQUIRE_DEVICE(Device::OpenCL); }
};
TEST_P(FilterOpenCL, MatchesReference) { check_filter_case(GetParam(), Device::OpenCL); }
INSTANTIATE_TEST_SUITE_P(FilterSweep, FilterOpenCL, ::testing::ValuesIn(filter_opencl_cases()), CaseName());

TEST(FilterOpenCLCases, AreValidAndEnough) {
    const auto cases = filter_opencl_cases();
    EXPECT_GE(cases.size(), 150u);
    EXPECT_TRUE(filter_cases_valid(cases));
}

class FilterPropertiesOpenCL : public ::testing::Test {
protected:
    void SetUp() override { HALCONV_REQUIRE_DEVICE(Device::OpenCL); }
};

// An image larger than one work-group tile on every path: bit-identical to
// the CPU where the arithmetic is exact, within the rounding rule otherwise.
TEST_F(FilterPropertiesOpenCL, AgreesWithCpuOnALargerImage) {
    const Image<uint8_t> x8 = make_image<uint8_t>(67, 45, 3, FilterData::Random, 401);
    const Image<uint16_t> x16 = make_image<uint16_t>(67, 45, 1, FilterData::Random, 402);
    const Image<float> xf = make_image<float>(67, 45, 2, FilterData::Random, 403);
    FilterOptions cpu, gpu;
    gpu.device = Device::OpenCL;
    for (const char *label : {"box9", "gauss_s2", "motion7_45", "emboss", "shift_0p5_0p25"}) {
        SCOPED_TRACE(label);
        const FilterKernel k = filter_kernel(label).make();
        {
            const auto a = run_filter2d(x8, k, gpu), b = run_filter2d(x8, k, cpu);
            if (filter_exactness(k, SampleType::UInt8, gpu) == Exactness::Exact) {
                EXPECT_TRUE(images_identical(a.data, b.data, x8.width, x8.height, x8.channels)) << "u8";
            }
            EXPECT_TRUE(matches_filter_reference(a.data, ref_filter2d(x8, k, gpu),
                                                 filter_exactness(k, SampleType::UInt8, gpu), max_abs(x8)))
                << "u8";
        }
        {
            const auto a = run_filter2d(x16, k, gpu), b = run_filter2d(x16, k, cpu);
            if (filter_exactness(k, SampleType::UInt16, gpu) == Exactness::Exact) {
                EXPECT_TRUE(images_identical(a.data, b.data, x16.width, x16.height, x16.channels)) << "u16";
            }
            EXPECT_TRUE(matches_filter_reference(a.data, ref_filter2d(x16, k, gpu),
                                                 filter_exactness(k, SampleType::UInt16, gpu), max_abs(x16)))
                << "u16";
        }
        EXPECT_TRUE(matches_filter_reference(run_filter2d(xf, k, gpu).data, ref_filter2d(xf, k, gpu),
                                             Exactness::Float, max_abs(xf)))
            << "f32";
    }
    const auto g = run_gradient_magnitude(x8, GradientOperator::Sobel, gpu);
    const auto c = run_gradient_magnitude(x8, GradientOperator::Sobel, cpu);
    EXPECT_TRUE(images_identical(g.data, c.data, x8.width, x8.height, x8.channels)) << "sobel u8";
}

}  // namespace
}  // namespace halconv_test
