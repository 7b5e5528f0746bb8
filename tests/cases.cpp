// Parameter sweeps of the operator tests. Labels say what each case is for;
// the full parameters are appended to the gtest name automatically.
#include "test_util.h"

namespace halconv_test {

// conv(label, N, C, H, W, K, R, S).s(stride).p(padding).d(dilation).g(groups)
std::vector<Conv2dCase> conv2d_cpu_cases() {
    return {
        // basics and odd sizes
        conv("basic_3x3", 1, 3, 8, 8, 4, 3, 3).p(1),
        conv("odd_37x53", 1, 3, 37, 53, 8, 3, 3).p(1).with_bias(),
        conv("odd_37x53_nopad", 1, 5, 37, 53, 6, 3, 3),
        conv("batch3", 3, 5, 17, 19, 7, 3, 3).p(1).with_bias(),
        // strides
        conv("stride2", 1, 4, 37, 53, 8, 3, 3).s(2).p(1).with_bias(),
        conv("stride3", 2, 3, 23, 29, 5, 3, 3).s(3).p(1),
        conv("stride_1x2", 1, 4, 31, 27, 6, 3, 3).s(1, 2).p(1),
        conv("stride_3x2_kernel_5x3", 1, 3, 25, 25, 4, 5, 3).s(3, 2).p(2, 1).with_bias(),
        conv("stride4_gt_kernel", 1, 3, 22, 23, 4, 3, 3).s(4),
        // padding
        conv("padding_0x2", 1, 3, 20, 21, 5, 3, 3).p(0, 2),
        conv("padding_gt_radius", 1, 3, 11, 13, 4, 3, 3).p(4, 5).with_bias(),
        conv("padding_gt_radius_stride2", 1, 2, 9, 10, 3, 5, 5).s(2).p(6, 3),
        // dilation
        conv("dilation2", 1, 4, 32, 32, 8, 3, 3).p(2).d(2).with_bias(),
        conv("dilation3", 1, 3, 29, 31, 5, 3, 3).p(3).d(3),
        conv("dilation4_nopad", 1, 3, 19, 21, 4, 3, 3).d(4),
        conv("dilation6_aspp", 1, 4, 37, 37, 4, 3, 3).p(6).d(6).with_bias(),
        conv("dilation_2x4", 1, 3, 30, 33, 4, 3, 3).p(2, 4).d(2, 4),
        conv("dilation5_stride2", 1, 2, 40, 41, 3, 3, 3).s(2).p(5).d(5),
        // groups
        conv("groups2", 1, 6, 16, 15, 10, 3, 3).g(2).p(1),
        conv("groups4", 1, 8, 19, 23, 12, 3, 3).g(4).p(1).with_bias(),
        conv("groups4_K_eq_C", 2, 16, 13, 11, 16, 3, 3).g(4).p(1),
        conv("depthwise", 1, 16, 28, 28, 16, 3, 3).g(16).p(1).with_bias(),
        conv("depthwise_multiplier2", 1, 8, 21, 22, 16, 3, 3).g(8).p(1).with_bias(),
        conv("depthwise_stride2_5x5", 1, 12, 33, 35, 12, 5, 5).g(12).s(2).p(2),
        conv("depthwise_dilation2_mult2", 1, 7, 24, 25, 14, 3, 3).g(7).p(2).d(2),
        conv("depthwise_batch3", 3, 5, 9, 10, 5, 3, 3).g(5).p(1).with_bias(),
        // kernel shapes
        conv("k1x1", 1, 16, 14, 15, 24, 1, 1),
        conv("k1x1_stride2", 1, 8, 17, 17, 12, 1, 1).s(2).with_bias(),
        conv("k1x1_padding1", 1, 4, 6, 7, 5, 1, 1).p(1),
        conv("k7x7_stem", 1, 3, 45, 47, 8, 7, 7).s(2).p(3).with_bias(),
        conv("k1x5", 1, 4, 18, 20, 6, 1, 5).p(0, 2),
        conv("k3x1", 1, 4, 18, 20, 6, 3, 1).p(1, 0),
        conv("k2x4_even", 1, 3, 15, 16, 5, 2, 4).p(1, 2),
        // tiny outputs
        conv("out_1x1", 1, 5, 3, 3, 7, 3, 3),
        conv("out_1x1_k7", 2, 2, 7, 7, 3, 7, 7).with_bias(),
        conv("out_width1", 1, 3, 9, 3, 4, 3, 3),
        conv("out_width7", 1, 4, 12, 9, 6, 3, 3),
        conv("out_width15", 1, 4, 10, 17, 9, 3, 3),
        conv("out_width23", 1, 3, 9, 25, 5, 3, 3).with_bias(),
        conv("out_height1_wide", 1, 3, 3, 70, 5, 3, 3),
        // channel counts
        conv("K5", 1, 3, 16, 16, 5, 3, 3).p(1),
        conv("K13", 1, 6, 15, 17, 13, 3, 3).p(1).with_bias(),
        conv("C1_K7", 1, 1, 20, 21, 7, 3, 3).p(1),
        conv("C1_K1_5x5", 1, 1, 33, 35, 1, 5, 5).p(2).with_bias(),
        conv("C32_K40", 1, 32, 14, 14, 40, 3, 3).p(1).with_bias(),
        conv("C16_K64_wide", 1, 16, 10, 34, 64, 3, 3).p(1),
        // Rows narrower than AVX-512's 16 floats, channels a multiple of 16:
        // the dense paths copying rows with 8-float vectors (a small image,
        // and strips of rows)
        conv("K32_14x14_rows_of_8", 1, 16, 14, 14, 32, 3, 3).p(1).with_bias(),
        conv("K16_strips_width12", 2, 8, 100, 12, 16, 3, 3).p(1),
        conv("wide_130", 1, 4, 5, 130, 8, 3, 3).p(1),
        conv("tall_130", 1, 3, 130, 5, 4, 3, 3).p(1),
        // true convolution
        conv("flip_3x3", 1, 3, 13, 14, 4, 3, 3).p(1).flipped(),
        conv("flip_3x5_stride_dilation", 1, 4, 20, 23, 6, 3, 5).s(2, 1).p(1, 2).d(2, 1).with_bias().flipped(),
        conv("flip_groups4", 1, 8, 12, 12, 8, 3, 3).g(4).p(1).flipped(),
        conv("flip_depthwise_2x4", 1, 6, 11, 10, 6, 2, 4).g(6).p(1, 2).flipped(),
        // everything at once
        conv("mixed_all", 3, 6, 27, 31, 9, 4, 3).g(3).s(2, 3).p(3, 1).d(2, 3).with_bias().flipped(),
        conv("mixed_all_noflip", 3, 6, 27, 31, 9, 4, 3).g(3).s(2, 3).p(3, 1).d(2, 3).with_bias(),
    };
}

// convt(label, N, C, H, W, K, R, S): input [N, C, H, W], weight [C, K/groups, R, S]
std::vector<ConvT2dCase> conv_transpose2d_cpu_cases() {
    return {
        convt("basic_3x3", 1, 4, 8, 8, 6, 3, 3),
        convt("up2x_4x4", 1, 8, 16, 16, 8, 4, 4).s(2).p(1).with_bias(),
        convt("up2x_outpad1", 1, 8, 14, 14, 6, 3, 3).s(2).p(1).op(1).with_bias(),
        convt("odd_37x53", 1, 3, 37, 53, 5, 3, 3).p(1).with_bias(),
        convt("batch3_stride2", 3, 4, 11, 13, 5, 3, 3).s(2).p(1),
        // strides
        convt("stride3", 1, 3, 9, 10, 4, 3, 3).s(3),
        convt("stride3_outpad2", 1, 3, 9, 10, 4, 4, 4).s(3).p(1).op(2),
        convt("stride_1x2", 1, 4, 10, 12, 5, 3, 3).s(1, 2).p(1, 0).op(0, 1),
        convt("stride_3x2_kernel_5x3", 1, 3, 8, 9, 4, 5, 3).s(3, 2).p(2, 1).with_bias(),
        convt("stride4_gt_kernel", 1, 3, 6, 7, 4, 3, 3).s(4).with_bias(),
        convt("stride4_gt_kernel_outpad3", 1, 2, 5, 6, 3, 3, 3).s(4).p(1).op(3),
        // padding
        convt("padding_0x1", 1, 3, 12, 13, 4, 3, 3).p(0, 1),
        convt("padding_gt_radius", 1, 3, 16, 17, 4, 3, 3).p(3, 2).with_bias(),
        convt("padding_large_stride2", 1, 2, 12, 12, 3, 5, 5).s(2).p(4),
        // dilation
        convt("dilation2", 1, 4, 12, 13, 4, 3, 3).d(2).p(1),
        convt("dilation3_stride2", 1, 3, 10, 11, 5, 3, 3).s(2).d(3).p(2),
        convt("dilation6", 1, 2, 9, 9, 3, 3, 3).d(6).p(4).with_bias(),
        convt("dilation2_stride1_outpad1", 1, 3, 10, 10, 4, 3, 3).d(2).op(1),
        convt("dilation_2x5", 1, 3, 9, 8, 4, 3, 3).d(2, 5).p(1, 3),
        // groups
        convt("groups2", 1, 6, 8, 9, 4, 3, 3).g(2).p(1),
        convt("groups4_stride2", 1, 8, 9, 11, 12, 3, 3).g(4).s(2).p(1).with_bias(),
        convt("depthwise_stride2", 1, 12, 13, 14, 12, 3, 3).g(12).s(2).p(1).with_bias(),
        convt("depthwise_multiplier2_4x4", 1, 8, 10, 10, 16, 4, 4).g(8).s(2).p(1),
        convt("depthwise_dilation2", 2, 5, 9, 8, 5, 3, 3).g(5).d(2).p(2),
        // kernel shapes
        convt("k1x1", 1, 16, 9, 10, 24, 1, 1),
        convt("k1x1_stride2", 1, 8, 7, 9, 12, 1, 1).s(2).with_bias(),
        convt("k7x7_stride2", 1, 3, 8, 9, 4, 7, 7).s(2).p(3).op(1),
        convt("k1x5", 1, 4, 10, 11, 5, 1, 5).s(1, 2).p(0, 2),
        convt("k3x1", 1, 4, 10, 11, 5, 3, 1).s(2, 1).p(1, 0),
        convt("k2x4_even", 1, 3, 7, 8, 5, 2, 4).s(2).p(0, 1),
        // tiny outputs
        convt("in_1x1_out_1x1", 1, 3, 1, 1, 4, 1, 1).with_bias(),
        convt("in_1x1_k3_pad1", 2, 3, 1, 1, 5, 3, 3).p(1),
        convt("out_width4", 1, 3, 3, 2, 4, 3, 3),
        convt("out_width13", 1, 4, 4, 6, 5, 3, 3).s(2),
        convt("out_width23", 1, 3, 5, 11, 6, 3, 3).s(2).with_bias(),
        // channel counts
        convt("K5", 1, 3, 9, 9, 5, 3, 3).p(1),
        convt("K13", 1, 6, 8, 7, 13, 3, 3).s(2).p(1).with_bias(),
        convt("C1_K7", 1, 1, 10, 11, 7, 3, 3).s(2),
        convt("C1_K1", 1, 1, 12, 13, 1, 5, 5).p(2).with_bias(),
        convt("C32_K40", 1, 32, 8, 8, 40, 3, 3).s(2).p(1).op(1).with_bias(),
        convt("C16_K64", 1, 16, 6, 17, 64, 3, 3).p(1),
        // everything at once
        convt("mixed_all", 3, 6, 7, 9, 9, 4, 3).g(3).s(2, 3).p(1, 2).op(1, 0).d(2, 3).with_bias(),
        convt("mixed_outpad_lt_dilation", 2, 4, 6, 5, 6, 3, 2).g(2).s(1, 2).p(0, 1).op(2, 1).d(3, 2),
    };
}

// Same features, smaller shapes (PoCL runs OpenCL on the CPU and is slow).
std::vector<Conv2dCase> conv2d_opencl_cases() {
    return {
        conv("basic_3x3", 1, 3, 8, 8, 4, 3, 3).p(1),
        conv("odd_13x19", 1, 3, 13, 19, 8, 3, 3).p(1).with_bias(),
        conv("batch3", 3, 3, 9, 11, 5, 3, 3).p(1).with_bias(),
        conv("stride2", 1, 4, 17, 21, 8, 3, 3).s(2).p(1).with_bias(),
        conv("stride3", 2, 3, 13, 14, 5, 3, 3).s(3).p(1),
        conv("stride_1x2", 1, 4, 11, 13, 6, 3, 3).s(1, 2).p(1),
        conv("stride_3x2_kernel_5x3", 1, 3, 14, 13, 4, 5, 3).s(3, 2).p(2, 1).with_bias(),
        conv("padding_0x2", 1, 3, 10, 11, 5, 3, 3).p(0, 2),
        conv("padding_gt_radius", 1, 3, 7, 9, 4, 3, 3).p(4, 5).with_bias(),
        conv("dilation2", 1, 4, 12, 12, 8, 3, 3).p(2).d(2).with_bias(),
        conv("dilation3", 1, 3, 13, 14, 5, 3, 3).p(3).d(3),
        conv("dilation6_aspp", 1, 2, 15, 16, 4, 3, 3).p(6).d(6),
        conv("dilation_2x4", 1, 3, 12, 13, 4, 3, 3).p(2, 4).d(2, 4),
        conv("dilation5_stride2", 1, 2, 17, 16, 3, 3, 3).s(2).p(5).d(5),
        conv("groups2", 1, 6, 9, 10, 10, 3, 3).g(2).p(1),
        conv("groups4", 1, 8, 9, 11, 12, 3, 3).g(4).p(1).with_bias(),
        conv("depthwise", 1, 16, 12, 12, 16, 3, 3).g(16).p(1).with_bias(),
        conv("depthwise_multiplier2", 1, 8, 10, 11, 16, 3, 3).g(8).p(1),
        conv("depthwise_stride2_5x5", 1, 6, 13, 15, 6, 5, 5).g(6).s(2).p(2),
        conv("k1x1", 1, 16, 7, 9, 24, 1, 1),
        conv("k1x1_stride2", 1, 8, 9, 9, 12, 1, 1).s(2).with_bias(),
        conv("k7x7_stem", 1, 3, 19, 21, 8, 7, 7).s(2).p(3).with_bias(),
        conv("k1x5", 1, 4, 8, 10, 6, 1, 5).p(0, 2),
        conv("k3x1", 1, 4, 8, 10, 6, 3, 1).p(1, 0),
        conv("k2x4_even", 1, 3, 9, 10, 5, 2, 4).p(1, 2),
        conv("out_1x1", 1, 5, 3, 3, 7, 3, 3),
        conv("out_width1", 1, 3, 9, 3, 4, 3, 3),
        conv("out_width7", 1, 4, 6, 9, 6, 3, 3),
        conv("out_width15", 1, 4, 5, 17, 9, 3, 3),
        conv("out_width23", 1, 3, 5, 25, 5, 3, 3).with_bias(),
        conv("K5", 1, 3, 8, 8, 5, 3, 3).p(1),
        conv("K13", 1, 6, 7, 9, 13, 3, 3).p(1).with_bias(),
        conv("C1_K7", 1, 1, 10, 11, 7, 3, 3).p(1),
        conv("C32_K40", 1, 32, 6, 7, 40, 3, 3).p(1).with_bias(),
        conv("flip_3x3", 1, 3, 9, 10, 4, 3, 3).p(1).flipped(),
        conv("flip_3x5_stride_dilation", 1, 4, 12, 13, 6, 3, 5).s(2, 1).p(1, 2).d(2, 1).with_bias().flipped(),
        conv("mixed_all", 3, 6, 13, 17, 9, 4, 3).g(3).s(2, 3).p(3, 1).d(2, 3).with_bias().flipped(),
    };
}

std::vector<ConvT2dCase> conv_transpose2d_opencl_cases() {
    return {
        convt("basic_3x3", 1, 4, 6, 6, 6, 3, 3),
        convt("up2x_4x4", 1, 8, 8, 8, 8, 4, 4).s(2).p(1).with_bias(),
        convt("up2x_outpad1", 1, 8, 7, 7, 6, 3, 3).s(2).p(1).op(1).with_bias(),
        convt("odd_13x19", 1, 3, 13, 19, 5, 3, 3).p(1).with_bias(),
        convt("batch3_stride2", 3, 4, 5, 7, 5, 3, 3).s(2).p(1),
        convt("stride3", 1, 3, 5, 6, 4, 3, 3).s(3),
        convt("stride3_outpad2", 1, 3, 5, 6, 4, 4, 4).s(3).p(1).op(2),
        convt("stride_1x2", 1, 4, 6, 7, 5, 3, 3).s(1, 2).p(1, 0).op(0, 1),
        convt("stride_3x2_kernel_5x3", 1, 3, 5, 6, 4, 5, 3).s(3, 2).p(2, 1).with_bias(),
        convt("stride4_gt_kernel", 1, 3, 4, 5, 4, 3, 3).s(4).with_bias(),
        convt("padding_0x1", 1, 3, 7, 8, 4, 3, 3).p(0, 1),
        convt("padding_gt_radius", 1, 3, 9, 10, 4, 3, 3).p(3, 2).with_bias(),
        convt("dilation2", 1, 4, 7, 8, 4, 3, 3).d(2).p(1),
        convt("dilation3_stride2", 1, 3, 6, 7, 5, 3, 3).s(2).d(3).p(2),
        convt("dilation2_stride1_outpad1", 1, 3, 6, 6, 4, 3, 3).d(2).op(1),
        convt("dilation_2x5", 1, 3, 6, 5, 4, 3, 3).d(2, 5).p(1, 3),
        convt("groups2", 1, 6, 6, 7, 4, 3, 3).g(2).p(1),
        convt("groups4_stride2", 1, 8, 5, 6, 12, 3, 3).g(4).s(2).p(1).with_bias(),
        convt("depthwise_stride2", 1, 12, 7, 8, 12, 3, 3).g(12).s(2).p(1).with_bias(),
        convt("depthwise_multiplier2_4x4", 1, 8, 6, 6, 16, 4, 4).g(8).s(2).p(1),
        convt("k1x1", 1, 16, 5, 6, 24, 1, 1),
        convt("k1x1_stride2", 1, 8, 4, 5, 12, 1, 1).s(2).with_bias(),
        convt("k7x7_stride2", 1, 3, 5, 6, 4, 7, 7).s(2).p(3).op(1),
        convt("k1x5", 1, 4, 6, 7, 5, 1, 5).s(1, 2).p(0, 2),
        convt("k3x1", 1, 4, 6, 7, 5, 3, 1).s(2, 1).p(1, 0),
        convt("k2x4_even", 1, 3, 5, 6, 5, 2, 4).s(2).p(0, 1),
        convt("in_1x1_out_1x1", 1, 3, 1, 1, 4, 1, 1).with_bias(),
        convt("in_1x1_k3_pad1", 2, 3, 1, 1, 5, 3, 3).p(1),
        convt("out_width4", 1, 3, 3, 2, 4, 3, 3),
        convt("out_width13", 1, 4, 4, 6, 5, 3, 3).s(2),
        convt("out_width23", 1, 3, 4, 11, 6, 3, 3).s(2).with_bias(),
        convt("K5", 1, 3, 6, 6, 5, 3, 3).p(1),
        convt("K13", 1, 6, 5, 5, 13, 3, 3).s(2).p(1).with_bias(),
        convt("C1_K1", 1, 1, 8, 9, 1, 5, 5).p(2).with_bias(),
        convt("C32_K40", 1, 32, 4, 5, 40, 3, 3).s(2).p(1).op(1).with_bias(),
        convt("mixed_all", 3, 6, 5, 6, 9, 4, 3).g(3).s(2, 3).p(1, 2).op(1, 0).d(2, 3).with_bias(),
        convt("mixed_outpad_lt_dilation", 2, 4, 5, 4, 6, 3, 2).g(2).s(1, 2).p(0, 1).op(2, 1).d(3, 2),
    };
}

}  // namespace halconv_test
