// The OpenCL pipelines (GPU schedules compiled for OpenCL; on the developers'
// machines they run on PoCL, on the CPU). When OpenCL is not available the
// tests are skipped with the library's reason, except in CI (CI=true), where
// they fail loudly.
#include <cstring>

#include "properties.h"

namespace halconv_test {
namespace {

class Conv2dOpenCL : public ::testing::TestWithParam<Conv2dCase> {
protected:
    void SetUp() override { HALCONV_REQUIRE_DEVICE(Device::OpenCL); }
};
TEST_P(Conv2dOpenCL, MatchesReference) { check_conv2d_case(GetParam(), Device::OpenCL); }
INSTANTIATE_TEST_SUITE_P(Sweep, Conv2dOpenCL, ::testing::ValuesIn(conv2d_opencl_cases()), CaseName());

class ConvTranspose2dOpenCL : public ::testing::TestWithParam<ConvT2dCase> {
protected:
    void SetUp() override { HALCONV_REQUIRE_DEVICE(Device::OpenCL); }
};
TEST_P(ConvTranspose2dOpenCL, MatchesReference) { check_conv_transpose2d_case(GetParam(), Device::OpenCL); }
INSTANTIATE_TEST_SUITE_P(Sweep, ConvTranspose2dOpenCL, ::testing::ValuesIn(conv_transpose2d_opencl_cases()),
                         CaseName());

TEST(OpenCLCases, AreValidAndEnough) {
    const auto a = conv2d_opencl_cases();
    const auto b = conv_transpose2d_opencl_cases();
    EXPECT_GE(a.size(), 30u);
    EXPECT_GE(b.size(), 30u);
    for (const auto &c : a)
        EXPECT_FALSE(ref::conv2d_output_shape(c.input_shape(), c.weight_shape(), c.ref_params()).empty())
            << c.describe();
    for (const auto &c : b)
        EXPECT_FALSE(ref::conv_transpose2d_output_shape(c.input_shape(), c.weight_shape(), c.ref_params()).empty())
            << c.describe();
}

// A few properties on the OpenCL pipelines.
class PropertiesOpenCL : public ::testing::Test {
protected:
    void SetUp() override { HALCONV_REQUIRE_DEVICE(Device::OpenCL); }
};

TEST_F(PropertiesOpenCL, ConvTransposeIsAdjointOfConv) {
    check_adjoint(conv("stride2_pad1", 1, 4, 11, 12, 6, 3, 3).s(2).p(1), Device::OpenCL);
    check_adjoint(conv("grouped_dilated", 1, 6, 10, 9, 9, 3, 3).g(3).d(2).p(2), Device::OpenCL);
    check_adjoint(conv("stride3_remainder_1x5", 1, 3, 13, 14, 4, 1, 5).s(3).p(0, 2), Device::OpenCL);
}

TEST_F(PropertiesOpenCL, ConvIsLinear) {
    check_conv2d_linearity(conv("strided_grouped", 1, 6, 11, 10, 9, 3, 3).g(3).s(2).p(1), Device::OpenCL);
}

TEST_F(PropertiesOpenCL, ConvTransposeIsLinear) {
    check_conv_transpose2d_linearity(convt("up2x", 1, 4, 6, 7, 6, 4, 4).s(2).p(1), Device::OpenCL);
}

TEST_F(PropertiesOpenCL, FlipEqualsRotatedKernel) {
    check_flip_is_rotated_kernel(conv("k2x5_dil2", 1, 3, 11, 13, 5, 2, 5).d(2).p(1, 4).with_bias(), Device::OpenCL);
}

TEST_F(PropertiesOpenCL, StridedEqualsSubsampled) {
    check_strided_is_subsampled(conv("s3", 1, 3, 14, 16, 5, 3, 3).s(3).p(1), Device::OpenCL);
}

// OpenCL and CPU agree on a layer-sized problem.
TEST_F(PropertiesOpenCL, AgreesWithCpuOnLayerShapes) {
    for (const Conv2dCase &c : {conv("r50_3x3_14_64c", 1, 64, 14, 14, 64, 3, 3).p(1).with_bias(),
                                conv("dw_3x3_56", 1, 32, 56, 56, 32, 3, 3).g(32).p(1)}) {
        SCOPED_TRACE(c.describe());
        const Tensor4 x = random_tensor4(c.input_shape(), 31);
        const Tensor4 w = random_tensor4(c.weight_shape(), 32);
        const std::vector<float> b = random_tensor(c.K, 33);
        const std::vector<float> *bias = c.bias ? &b : nullptr;
        const Tensor4 gpu = run_conv2d(x, w, bias, c.options(Device::OpenCL));
        const Tensor4 cpu = run_conv2d(x, w, bias, c.options(Device::CPU));
        ASSERT_EQ(gpu.shape, cpu.shape);
        const ref::Result want = ref::conv2d(x.data.data(), x.shape, w.data.data(), w.shape,
                                             bias ? b.data() : nullptr, c.ref_params());
        EXPECT_TRUE(matches_reference(gpu.data, want)) << "OpenCL vs reference";
        EXPECT_TRUE(nearly_equal(gpu.data, cpu.data, want.abs_sum, gpu.shape)) << "OpenCL vs CPU";
    }
    const ConvT2dCase t = convt("up2x_32c", 1, 32, 16, 16, 32, 4, 4).s(2).p(1).with_bias();
    SCOPED_TRACE(t.describe());
    const Tensor4 x = random_tensor4(t.input_shape(), 41);
    const Tensor4 w = random_tensor4(t.weight_shape(), 42);
    const std::vector<float> b = random_tensor(t.K, 43);
    const Tensor4 gpu = run_conv_transpose2d(x, w, &b, t.options(Device::OpenCL));
    const ref::Result want =
        ref::conv_transpose2d(x.data.data(), x.shape, w.data.data(), w.shape, b.data(), t.ref_params());
    EXPECT_TRUE(matches_reference(gpu.data, want));
}

}  // namespace
}  // namespace halconv_test
