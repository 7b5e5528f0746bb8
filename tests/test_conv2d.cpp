// conv2d on the CPU against the double-precision reference.
#include <cstring>

#include "test_util.h"

namespace halconv_test {
namespace {

// ---------------------------------------------------------------------------
// The sweep: every case of conv2d_cpu_cases() (cases.cpp).
// ---------------------------------------------------------------------------
class Conv2dCpu : public ::testing::TestWithParam<Conv2dCase> {};

TEST_P(Conv2dCpu, MatchesReference) { check_conv2d_case(GetParam(), Device::CPU); }

INSTANTIATE_TEST_SUITE_P(Sweep, Conv2dCpu, ::testing::ValuesIn(conv2d_cpu_cases()), CaseName());

// Shapes of the benchmark suite (shared/suite.json): the schedules' fast
// paths for real layer sizes, checked once against the reference.
INSTANTIATE_TEST_SUITE_P(
    Suite, Conv2dCpu,
    ::testing::Values(conv("r50_3x3_28", 1, 128, 28, 28, 128, 3, 3).p(1),
                      conv("r50_1x1_56", 1, 64, 56, 56, 256, 1, 1),
                      conv("r50_stem", 1, 3, 224, 224, 64, 7, 7).s(2).p(3),
                      conv("dw_3x3_112", 1, 32, 112, 112, 32, 3, 3).g(32).p(1),
                      conv("aspp_dil6_64c", 1, 64, 32, 32, 64, 3, 3).p(6).d(6).with_bias(),
                      conv("batch8_3x3_16c", 8, 16, 28, 28, 32, 3, 3).p(1).with_bias()),
    CaseName());

// The parameter lists themselves are valid PyTorch convolutions and unique.
TEST(Conv2dCases, AreValidAndEnough) {
    const auto cases = conv2d_cpu_cases();
    EXPECT_GE(cases.size(), 30u);
    for (const auto &c : cases) {
        EXPECT_FALSE(ref::conv2d_output_shape(c.input_shape(), c.weight_shape(), c.ref_params()).empty())
            << c.describe();
    }
}

// ---------------------------------------------------------------------------
// Output-shape rule: PyTorch's, with floor division.
// ---------------------------------------------------------------------------
TEST(Conv2dOutputShape, FollowsPyTorch) {
    halconv::Conv2dOptions stem;
    stem.stride = {2, 2};
    stem.padding = {3, 3};
    EXPECT_EQ(halconv::conv2d_output_shape({1, 3, 224, 224}, {64, 3, 7, 7}, stem), (Shape{1, 64, 112, 112}));

    halconv::Conv2dOptions o;
    EXPECT_EQ(halconv::conv2d_output_shape({2, 4, 10, 10}, {6, 4, 3, 3}, o), (Shape{2, 6, 8, 8}));
    o.stride = {3, 3};  // (10 - 3) / 3 + 1 = 3, floor
    EXPECT_EQ(halconv::conv2d_output_shape({2, 4, 10, 10}, {6, 4, 3, 3}, o), (Shape{2, 6, 3, 3}));
    o.stride = {2, 3};
    o.padding = {1, 0};
    o.dilation = {2, 1};  // H: (11 + 2 - 4 - 1) / 2 + 1 = 5, W: (13 - 2 - 1) / 3 + 1 = 4
    EXPECT_EQ(halconv::conv2d_output_shape({1, 4, 11, 13}, {5, 4, 3, 3}, o), (Shape{1, 5, 5, 4}));

    halconv::Conv2dOptions grouped;
    grouped.groups = 4;
    EXPECT_EQ(halconv::conv2d_output_shape({1, 8, 5, 6}, {12, 2, 1, 1}, grouped), (Shape{1, 12, 5, 6}));

    halconv::Conv2dOptions exact;  // the kernel exactly covers the padded input: 1x1 output
    exact.padding = {1, 2};
    exact.dilation = {3, 2};
    EXPECT_EQ(halconv::conv2d_output_shape({1, 1, 5, 5}, {1, 1, 3, 5}, exact), (Shape{1, 1, 1, 1}));
}

// ---------------------------------------------------------------------------
// Threads: the CPU pipeline parallelises over output tiles only, so the
// number of threads never changes the bits of the result.
// ---------------------------------------------------------------------------
struct ThreadCountReset {
    ~ThreadCountReset() { halconv::set_num_threads(0); }
};

std::vector<float> conv2d_bits(const Conv2dCase &c, const std::vector<float> &x, const std::vector<float> &w,
                               const std::vector<float> &b) {
    std::vector<float> out;
    try {
        Shape shape;
        out = halconv::conv2d(halconv::ConstTensor(x.data(), c.input_shape()),
                              halconv::ConstTensor(w.data(), c.weight_shape()),
                              c.bias ? halconv::ConstTensor(b.data(), {c.K}) : halconv::ConstTensor(),
                              c.options(Device::CPU), &shape);
    } catch (const halconv::Error &e) {
        ADD_FAILURE() << "conv2d threw: " << e.what();
    }
    return out;
}

class Conv2dThreads : public ::testing::TestWithParam<Conv2dCase> {};

TEST_P(Conv2dThreads, OneThreadAndDefaultGiveIdenticalBits) {
    ThreadCountReset reset;
    const Conv2dCase &c = GetParam();
    SCOPED_TRACE(c.describe());
    const auto x = random_tensor(numel(c.input_shape()), 11);
    const auto w = random_tensor(numel(c.weight_shape()), 12);
    const auto b = random_tensor(c.K, 13);

    halconv::set_num_threads(1);
    const auto one = conv2d_bits(c, x, w, b);
    halconv::set_num_threads(0);
    const auto dflt = conv2d_bits(c, x, w, b);
    halconv::set_num_threads(2);
    const auto two = conv2d_bits(c, x, w, b);
    halconv::set_num_threads(7);  // more threads than cores
    const auto seven = conv2d_bits(c, x, w, b);
    const auto again = conv2d_bits(c, x, w, b);

    ASSERT_FALSE(one.empty());
    ASSERT_EQ(one.size(), dflt.size());
    EXPECT_EQ(0, std::memcmp(one.data(), dflt.data(), one.size() * sizeof(float))) << "1 thread vs default";
    ASSERT_EQ(one.size(), two.size());
    EXPECT_EQ(0, std::memcmp(one.data(), two.data(), one.size() * sizeof(float))) << "1 thread vs 2 threads";
    ASSERT_EQ(one.size(), seven.size());
    EXPECT_EQ(0, std::memcmp(one.data(), seven.data(), one.size() * sizeof(float))) << "1 thread vs 7 threads";
    ASSERT_EQ(seven.size(), again.size());
    EXPECT_EQ(0, std::memcmp(seven.data(), again.data(), seven.size() * sizeof(float))) << "repeated call";
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Conv2dThreads,
    ::testing::Values(conv("r50_3x3_28", 1, 128, 28, 28, 128, 3, 3).p(1).with_bias(),
                      conv("vsr_like_64c", 1, 64, 45, 80, 64, 3, 3).p(1),
                      conv("depthwise_s2", 2, 32, 57, 61, 32, 3, 3).g(32).s(2).p(1).with_bias(),
                      conv("grouped_dilated_odd", 3, 12, 37, 53, 20, 5, 3).g(4).p(2).d(2, 3).with_bias()),
    CaseName());

}  // namespace
}  // namespace halconv_test
