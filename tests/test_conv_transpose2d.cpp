// conv_transpose2d on the CPU against the double-precision (scatter-form) reference.
#include <cstring>

#include "test_util.h"

namespace halconv_test {
namespace {

class ConvTranspose2dCpu : public ::testing::TestWithParam<ConvT2dCase> {};

TEST_P(ConvTranspose2dCpu, MatchesReference) { check_conv_transpose2d_case(GetParam(), Device::CPU); }

INSTANTIATE_TEST_SUITE_P(Sweep, ConvTranspose2dCpu, ::testing::ValuesIn(conv_transpose2d_cpu_cases()),
                         CaseName());

// Shapes of the benchmark suite (shared/suite.json), checked once.
INSTANTIATE_TEST_SUITE_P(
    Suite, ConvTranspose2dCpu,
    ::testing::Values(convt("up2x_32c", 1, 32, 64, 64, 32, 4, 4).s(2).p(1),
                      convt("up2x_128to64", 1, 128, 28, 28, 64, 3, 3).s(2).p(1).op(1).with_bias(),
                      convt("up2x_depthwise_32c", 1, 32, 40, 40, 32, 4, 4).g(32).s(2).p(1).with_bias()),
    CaseName());

TEST(ConvTranspose2dCases, AreValidAndEnough) {
    const auto cases = conv_transpose2d_cpu_cases();
    EXPECT_GE(cases.size(), 30u);
    for (const auto &c : cases) {
        EXPECT_FALSE(ref::conv_transpose2d_output_shape(c.input_shape(), c.weight_shape(), c.ref_params()).empty())
            << c.describe();
    }
}

TEST(ConvTranspose2dOutputShape, FollowsPyTorch) {
    halconv::ConvTranspose2dOptions o;
    // (H-1)*s - 2p + d(R-1) + op + 1
    EXPECT_EQ(halconv::conv_transpose2d_output_shape({1, 4, 8, 8}, {4, 6, 3, 3}, o), (Shape{1, 6, 10, 10}));
    o.stride = {2, 2};
    o.padding = {1, 1};
    EXPECT_EQ(halconv::conv_transpose2d_output_shape({1, 64, 64, 64}, {64, 64, 4, 4}, o),
              (Shape{1, 64, 128, 128}));
    o.output_padding = {1, 1};
    EXPECT_EQ(halconv::conv_transpose2d_output_shape({1, 256, 28, 28}, {256, 128, 3, 3}, o),
              (Shape{1, 128, 56, 56}));
    o.stride = {3, 1};
    o.padding = {0, 2};
    o.output_padding = {2, 1};
    o.dilation = {1, 2};  // H: 4*3 + 2 + 2 + 1 = 17, W: 5 - 4 + 4 + 1 + 1 = 7
    EXPECT_EQ(halconv::conv_transpose2d_output_shape({2, 3, 5, 6}, {3, 2, 3, 3}, o), (Shape{2, 2, 17, 7}));
    halconv::ConvTranspose2dOptions grouped;  // K = groups * weight[1]
    grouped.groups = 4;
    EXPECT_EQ(halconv::conv_transpose2d_output_shape({1, 8, 5, 6}, {8, 3, 1, 1}, grouped), (Shape{1, 12, 5, 6}));
}

// Threads never change the bits (no reduction split across threads).
TEST(ConvTranspose2dThreads, OneThreadAndDefaultGiveIdenticalBits) {
    struct Reset {
        ~Reset() { halconv::set_num_threads(0); }
    } reset;
    const ConvT2dCase c = convt("up2x", 2, 32, 23, 29, 24, 4, 4).s(2).p(1).with_bias();
    const auto x = random_tensor(numel(c.input_shape()), 21);
    const auto w = random_tensor(numel(c.weight_shape()), 22);
    const auto b = random_tensor(c.K, 23);
    auto run = [&] {
        std::vector<float> out;
        try {
            Shape shape;
            out = halconv::conv_transpose2d(halconv::ConstTensor(x.data(), c.input_shape()),
                                            halconv::ConstTensor(w.data(), c.weight_shape()),
                                            halconv::ConstTensor(b.data(), {c.K}), c.options(Device::CPU), &shape);
        } catch (const halconv::Error &e) {
            ADD_FAILURE() << "conv_transpose2d threw: " << e.what();
        }
        return out;
    };
    halconv::set_num_threads(1);
    const auto one = run();
    halconv::set_num_threads(0);
    const auto dflt = run();
    ASSERT_FALSE(one.empty());
    ASSERT_EQ(one.size(), dflt.size());
    EXPECT_EQ(0, std::memcmp(one.data(), dflt.data(), one.size() * sizeof(float)));
}

}  // namespace
}  // namespace halconv_test
