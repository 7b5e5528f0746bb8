// The mathematics of convolution as property tests on the CPU pipelines
// (the OpenCL pipelines get a subset in test_opencl.cpp).
#include "properties.h"

namespace halconv_test {
namespace {

// Adjointness: <conv2d(x), y> == <x, conv_transpose2d(y)>.
class Adjoint : public ::testing::TestWithParam<Conv2dCase> {};
TEST_P(Adjoint, ConvTransposeIsAdjointOfConv) { check_adjoint(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(
    Cpu, Adjoint,
    ::testing::Values(conv("plain_3x3", 1, 4, 9, 11, 6, 3, 3),
                      conv("pad1", 2, 3, 10, 9, 5, 3, 3).p(1),
                      conv("stride2_pad1", 1, 4, 11, 12, 6, 3, 3).s(2).p(1),
                      conv("stride2_even_size_4x4", 1, 4, 12, 12, 4, 4, 4).s(2).p(1),
                      conv("stride3_remainder", 1, 3, 13, 14, 4, 3, 3).s(3).p(1),
                      conv("stride_2x3_pad_1x2", 1, 3, 12, 13, 5, 3, 5).s(2, 3).p(1, 2),
                      conv("dilation2", 1, 3, 11, 12, 4, 3, 3).d(2).p(2),
                      conv("dilation_3x2_stride2", 1, 3, 14, 13, 4, 3, 3).d(3, 2).s(2).p(1, 3),
                      conv("groups2", 1, 6, 9, 10, 4, 3, 3).g(2).p(1),
                      conv("groups4_stride2", 2, 8, 10, 11, 12, 3, 3).g(4).s(2).p(1),
                      conv("depthwise", 1, 6, 10, 9, 6, 3, 3).g(6).p(1),
                      conv("depthwise_mult2_stride2_dil2", 1, 4, 12, 13, 8, 3, 3).g(4).s(2).d(2).p(2),
                      conv("k1x1_stride2", 1, 5, 9, 8, 7, 1, 1).s(2),
                      conv("k1x5_pad_gt_radius", 1, 3, 7, 9, 4, 1, 5).p(3, 4),
                      conv("mixed", 2, 6, 13, 11, 9, 4, 3).g(3).s(2, 3).p(2, 1).d(2, 1)),
    CaseName());

// Linearity of both operators, and the bias as an additive per-channel constant.
class Conv2dLinear : public ::testing::TestWithParam<Conv2dCase> {};
TEST_P(Conv2dLinear, IsLinear) { check_conv2d_linearity(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(Cpu, Conv2dLinear,
                         ::testing::Values(conv("plain", 1, 4, 13, 17, 8, 3, 3).p(1),
                                           conv("strided_dilated_grouped", 2, 6, 15, 14, 9, 3, 3).g(3).s(2).d(2).p(2),
                                           conv("depthwise_flip", 1, 8, 11, 12, 8, 3, 5).g(8).p(1, 2).flipped()),
                         CaseName());

class ConvTranspose2dLinear : public ::testing::TestWithParam<ConvT2dCase> {};
TEST_P(ConvTranspose2dLinear, IsLinear) { check_conv_transpose2d_linearity(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(Cpu, ConvTranspose2dLinear,
                         ::testing::Values(convt("up2x", 1, 4, 7, 9, 6, 4, 4).s(2).p(1),
                                           convt("grouped_dilated", 2, 6, 6, 5, 9, 3, 3).g(3).s(2).d(2).p(1).op(1)),
                         CaseName());

// A strided conv is the stride-1 conv subsampled.
class Conv2dStrided : public ::testing::TestWithParam<Conv2dCase> {};
TEST_P(Conv2dStrided, EqualsSubsampledStride1) { check_strided_is_subsampled(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(Cpu, Conv2dStrided,
                         ::testing::Values(conv("s2", 1, 4, 17, 19, 8, 3, 3).s(2).p(1).with_bias(),
                                           conv("s3", 2, 3, 20, 22, 5, 3, 3).s(3),
                                           conv("s_2x3_dil2", 1, 3, 21, 23, 4, 3, 3).s(2, 3).p(2).d(2),
                                           conv("s4_depthwise", 1, 8, 18, 17, 8, 5, 5).g(8).s(4).p(2),
                                           conv("s2_1x1", 1, 16, 15, 15, 8, 1, 1).s(2)),
                         CaseName());

// Translation equivariance away from the borders.
struct Shifted {
    Conv2dCase c;
    int ty, tx;
};
void PrintTo(const Shifted &s, std::ostream *os) {
    *os << s.c.label << ", shift (" << s.ty << ", " << s.tx << ")";
}
class Conv2dTranslation : public ::testing::TestWithParam<Shifted> {};
TEST_P(Conv2dTranslation, ShiftCommutesInInterior) {
    check_conv2d_translation(GetParam().c, GetParam().ty, GetParam().tx, Device::CPU);
}
INSTANTIATE_TEST_SUITE_P(
    Cpu, Conv2dTranslation,
    ::testing::Values(Shifted{conv("plain_shift_2_3", 1, 4, 19, 23, 6, 3, 3).p(1), 2, 3},
                      Shifted{conv("negative_shift", 1, 3, 21, 17, 5, 5, 3).p(2, 1).with_bias(), -3, 1},
                      Shifted{conv("stride2_dilation2", 2, 4, 25, 27, 4, 3, 3).s(2).d(2).p(2), 1, -2},
                      Shifted{conv("depthwise_stride_1x3", 1, 6, 22, 31, 6, 3, 3).g(6).s(1, 3).p(1), -2, 2}),
    [](const ::testing::TestParamInfo<Shifted> &info) { return info.param.c.name(); });

struct ShiftedT {
    ConvT2dCase c;
    int ty, tx;
};
void PrintTo(const ShiftedT &s, std::ostream *os) {
    *os << s.c.label << ", shift (" << s.ty << ", " << s.tx << ")";
}
class ConvTranspose2dTranslation : public ::testing::TestWithParam<ShiftedT> {};
TEST_P(ConvTranspose2dTranslation, ShiftCommutesInInterior) {
    check_conv_transpose2d_translation(GetParam().c, GetParam().ty, GetParam().tx, Device::CPU);
}
INSTANTIATE_TEST_SUITE_P(
    Cpu, ConvTranspose2dTranslation,
    ::testing::Values(ShiftedT{convt("plain_shift_2_3", 1, 4, 12, 13, 6, 3, 3).p(1), 2, 3},
                      ShiftedT{convt("up2x", 1, 4, 11, 12, 5, 4, 4).s(2).p(1).with_bias(), -2, 1},
                      ShiftedT{convt("stride3_dilation2", 1, 3, 10, 9, 4, 3, 3).s(3).d(2).p(2).op(1), 1, -1},
                      ShiftedT{convt("grouped", 2, 6, 9, 10, 6, 3, 3).g(3).s(2, 1).p(1), 1, 2}),
    [](const ::testing::TestParamInfo<ShiftedT> &info) { return info.param.c.name(); });

// 1x1 convolution is a matrix product over channels.
class Conv2dPointwise : public ::testing::TestWithParam<Conv2dCase> {};
TEST_P(Conv2dPointwise, EqualsChannelMatmul) { check_1x1_is_matmul(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(Cpu, Conv2dPointwise,
                         ::testing::Values(conv("c16_k24", 1, 16, 13, 17, 24, 1, 1),
                                           conv("c3_k5_bias_batch2", 2, 3, 9, 31, 5, 1, 1).with_bias(),
                                           conv("c32_k64", 1, 32, 12, 12, 64, 1, 1).with_bias(),
                                           conv("c8_k12_stride_2x3", 1, 8, 11, 14, 12, 1, 1).s(2, 3)),
                         CaseName());

// Dilation == zero-inserted kernel.
class Conv2dDilation : public ::testing::TestWithParam<Conv2dCase> {};
TEST_P(Conv2dDilation, EqualsZeroInsertedKernel) { check_dilated_is_zero_inserted(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(Cpu, Conv2dDilation,
                         ::testing::Values(conv("d2", 1, 4, 17, 19, 6, 3, 3).d(2).p(2).with_bias(),
                                           conv("d3_stride2", 1, 3, 23, 21, 5, 3, 3).d(3).s(2).p(1),
                                           conv("d_2x5_kernel_2x3", 1, 3, 15, 25, 4, 2, 3).d(2, 5).p(1, 3),
                                           conv("d6_depthwise", 1, 6, 30, 30, 6, 3, 3).g(6).d(6).p(6),
                                           conv("d4_flip", 1, 3, 20, 20, 4, 3, 3).d(4).p(3).flipped()),
                         CaseName());

// flip_kernel == cross-correlation with the rotated kernel.
class Conv2dFlip : public ::testing::TestWithParam<Conv2dCase> {};
TEST_P(Conv2dFlip, EqualsRotatedKernel) { check_flip_is_rotated_kernel(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(Cpu, Conv2dFlip,
                         ::testing::Values(conv("k3x3", 1, 4, 13, 15, 6, 3, 3).p(1),
                                           conv("k2x5_stride2_dil2", 1, 3, 19, 21, 5, 2, 5).s(2).d(2).p(1, 4).with_bias(),
                                           conv("k4x1_grouped", 1, 6, 12, 10, 9, 4, 1).g(3).p(2, 0),
                                           conv("k7x7_depthwise", 1, 4, 17, 17, 8, 7, 7).g(4).p(3)),
                         CaseName());

// Grouped conv == per-group convs concatenated.
class Conv2dGroups : public ::testing::TestWithParam<Conv2dCase> {};
TEST_P(Conv2dGroups, EqualsConcatenatedGroups) { check_conv2d_groups_concat(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(Cpu, Conv2dGroups,
                         ::testing::Values(conv("g2", 1, 6, 12, 13, 10, 3, 3).g(2).p(1).with_bias(),
                                           conv("g4_stride2", 2, 8, 15, 14, 12, 3, 3).g(4).s(2).p(1),
                                           conv("depthwise", 1, 8, 11, 11, 8, 3, 3).g(8).p(1).with_bias(),
                                           conv("depthwise_mult3_dil2_flip", 1, 4, 13, 12, 12, 3, 3).g(4).d(2).p(2).flipped()),
                         CaseName());

class ConvTranspose2dGroups : public ::testing::TestWithParam<ConvT2dCase> {};
TEST_P(ConvTranspose2dGroups, EqualsConcatenatedGroups) {
    check_conv_transpose2d_groups_concat(GetParam(), Device::CPU);
}
INSTANTIATE_TEST_SUITE_P(Cpu, ConvTranspose2dGroups,
                         ::testing::Values(convt("g2", 1, 6, 8, 9, 4, 3, 3).g(2).p(1).with_bias(),
                                           convt("g4_up2x", 1, 8, 7, 6, 12, 4, 4).g(4).s(2).p(1),
                                           convt("depthwise_mult2", 2, 4, 6, 7, 8, 3, 3).g(4).s(2).d(2).op(1).with_bias()),
                         CaseName());

// conv_transpose2d vs conv2d identities.
class ConvTranspose2dStride1 : public ::testing::TestWithParam<ConvT2dCase> {};
TEST_P(ConvTranspose2dStride1, EqualsFlippedConvWithSwappedChannels) {
    check_transpose_stride1_is_flipped_conv(GetParam(), Device::CPU);
}
INSTANTIATE_TEST_SUITE_P(Cpu, ConvTranspose2dStride1,
                         ::testing::Values(convt("k3x3", 1, 4, 10, 11, 6, 3, 3),
                                           convt("k3x3_pad1_bias", 2, 3, 9, 8, 5, 3, 3).p(1).with_bias(),
                                           convt("k5x3_dil_2x3_pad_3x1", 1, 3, 8, 9, 4, 5, 3).d(2, 3).p(3, 1),
                                           convt("grouped", 1, 6, 7, 8, 9, 3, 3).g(3).p(1)),
                         CaseName());

class ConvTranspose2dStrided : public ::testing::TestWithParam<ConvT2dCase> {};
TEST_P(ConvTranspose2dStrided, EqualsStride1OnZeroUpsampledInput) {
    check_transpose_strided_is_zero_upsampled(GetParam(), Device::CPU);
}
INSTANTIATE_TEST_SUITE_P(Cpu, ConvTranspose2dStrided,
                         ::testing::Values(convt("s2_4x4", 1, 4, 7, 8, 6, 4, 4).s(2).p(1),
                                           convt("s3_bias", 1, 3, 6, 5, 4, 3, 3).s(3).with_bias(),
                                           convt("s_2x3_dil2", 1, 3, 6, 7, 5, 3, 3).s(2, 3).d(2).p(1, 2),
                                           convt("s4_gt_kernel_grouped", 1, 4, 5, 4, 6, 3, 3).g(2).s(4)),
                         CaseName());

}  // namespace
}  // namespace halconv_test
