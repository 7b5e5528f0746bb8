// Mathematical properties of conv2d / conv_transpose2d, checked on halconv's
// own results (no reference needed except to scale tolerances). Each check
// runs on the given device and reports through gtest's EXPECT_* macros.
#pragma once

#include "test_util.h"

namespace halconv_test {

// <conv2d(x, w), y> == <x, conv_transpose2d(y, w)> with the same w tensor,
// stride, padding, dilation and groups, and output_padding chosen so that
// conv_transpose2d's output has x's shape. c.bias and c.flip are ignored.
void check_adjoint(const Conv2dCase &c, Device device);

// conv2d(a*x + b*y) == a*conv2d(x) + b*conv2d(y) (no bias), and
// conv2d(x) with bias == conv2d(x) without bias + bias[k].
void check_conv2d_linearity(const Conv2dCase &c, Device device);
void check_conv_transpose2d_linearity(const ConvT2dCase &c, Device device);

// conv2d with stride (sh, sw) == the stride-1 output sampled at (oy*sh, ox*sw).
void check_strided_is_subsampled(const Conv2dCase &c, Device device);

// Shifting the input by (ty*sh, tx*sw) shifts conv2d's output by (ty, tx)
// wherever no padding is involved.
void check_conv2d_translation(const Conv2dCase &c, int ty, int tx, Device device);
// Shifting the input by (ty, tx) shifts conv_transpose2d's output by
// (ty*sh, tx*sw) wherever no padding is involved.
void check_conv_transpose2d_translation(const ConvT2dCase &c, int ty, int tx, Device device);

// A 1x1 conv2d (groups 1, no padding) is a matrix product over channels.
void check_1x1_is_matmul(const Conv2dCase &c, Device device);

// Dilation d equals a dense kernel of size (R-1)*d+1 with zeros inserted.
void check_dilated_is_zero_inserted(const Conv2dCase &c, Device device);

// flip_kernel = true equals cross-correlation with the kernel rotated by 180 degrees.
void check_flip_is_rotated_kernel(const Conv2dCase &c, Device device);

// groups = g equals g independent groups = 1 calls on channel slices, concatenated.
void check_conv2d_groups_concat(const Conv2dCase &c, Device device);
void check_conv_transpose2d_groups_concat(const ConvT2dCase &c, Device device);

// conv_transpose2d with stride 1 equals true convolution (flip_kernel) with the
// weight's two channel dimensions swapped and padding d*(R-1) - p.
void check_transpose_stride1_is_flipped_conv(const ConvT2dCase &c, Device device);

// conv_transpose2d with stride s (output_padding 0) equals stride-1
// conv_transpose2d of the input with s-1 zeros inserted between its pixels.
void check_transpose_strided_is_zero_upsampled(const ConvT2dCase &c, Device device);

}  // namespace halconv_test
