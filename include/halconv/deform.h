// Deformable convolution v1 and v2 (torchvision.ops.deform_conv2d), forward
// and backward, NCHW float32.
//
//   input  [N, C, H, W]
//   offset [N, 2*G*R*S, OH, OW]  G offset groups (G = offset.shape[1] / (2*R*S),
//                                as torchvision infers it; G must divide C)
//   weight [K, C/groups, R, S]   groups = weight groups (as conv2d, and mmcv)
//   bias   [K] or empty
//   mask   [N, G*R*S, OH, OW] or empty (empty = DCN v1; given = v2, "modulated")
//   output [N, K, OH, OW],  OH = (H + 2*pad_h - dil_h*(R-1) - 1) / stride_h + 1
//
// Channel c belongs to offset group g = c / (C/G). Tap k = i*S + j of group g
// reads offset channels (dy, dx) = (g*2*R*S + 2k, g*2*R*S + 2k + 1) and mask
// channel g*R*S + k, and samples input[n, c] at
//   y = oh*stride_h - pad_h + i*dil_h + dy,   x = ow*stride_w - pad_w + j*dil_w + dx
// by bilinear interpolation with zeros outside the plane:
//   B(y, x) = sum_q max(0, 1-|y-qy|) max(0, 1-|x-qx|) input[n, c, qy, qx],
// which is 0 unless -1 < y < H and -1 < x < W (torchvision's rule). Then
//   output[n, o, oh, ow] = bias[o] + sum_{c', i, j} weight[o, c', i, j] * mask * B
// (c = (o / (K/groups)) * C/groups + c'; mask = 1 without one).
//
// Backward (deform_conv2d_backward) returns every gradient with torchvision's
// conventions, so that results match it:
//   * grad_input: each sample adds mask * grad_column * weight to each of its
//     in-plane neighbours with |y - qy| < 1 and |x - qx| < 1 (a corner of
//     bilinear weight 0 gets nothing);
//   * grad_offset: mask * grad_column * dB/dy (dB/dx), the derivative of the
//     bilinear polynomial of the cell [floor(y), floor(y)+1] x [floor(x),
//     floor(x)+1] with zeros outside the plane: at an integer position the
//     one-sided derivative towards +1; 0 for y < -1, y >= H, x < -1, x >= W;
//     at y = -1 exactly the sample is 0 but the derivative is the cell's;
//   * grad_mask: grad_column * B; grad_weight, grad_bias: the usual sums.
// grad_column[n, c, k, oh, ow] = sum over c's output channels o of
// weight[o, c', i, j] * grad_output[n, o, oh, ow].
//
// Defined edge cases (where torchvision is undefined or crashes):
//   * a NaN or infinite offset samples 0 and has derivative 0 (torchvision
//     0.14 segfaults on a NaN offset); offsets of any finite size are simply
//     far outside; memory is never read outside the tensors whatever the
//     offsets;
//   * non-finite input, mask or grad_output values propagate by IEEE
//     arithmetic (a NaN mask gives a NaN output even where the sample is 0,
//     as in torchvision);
//   * the output size uses floor division of a non-negative numerator
//     (torchvision 0.14 truncates a negative one towards 0 and accepts, e.g.,
//     a 2x2 input with a 3x3 kernel and stride 2; halconv refuses it).
// Every tensor must have fewer than 2^31 elements; the backward pass also
// refuses problems whose column-gradient matrix (N*C*R*S*OH*OW floats) or
// per-row weight gradients (N*OH*K*C*R*S floats) would not fit 2^31 bytes,
// with a message saying so (split the batch). Outputs must not alias inputs.
//
// Speed: any float-aligned memory works, but the CPU pipelines read the
// offsets and the mask as 8-float vectors along rows, so tensors starting on
// a 64-byte boundary (as PyTorch allocates them) are fastest. Memory 16 bytes
// past a boundary, where glibc places a large malloc block (a std::vector of
// a tensor's size), took 1.16x the time on the dcn_vsr benchmark (one
// forward, bench/results/deform.md); std::aligned_alloc(64, ...) avoids it.
#pragma once

// (Self-contained: the core types. halconv.h includes this header at its
// end; #pragma once makes either include order work.)
#include "halconv/halconv.h"

namespace halconv {

struct DeformConv2dOptions {
    std::array<int, 2> stride{1, 1};    // (h, w)
    std::array<int, 2> padding{0, 0};   // (h, w), zeros
    std::array<int, 2> dilation{1, 1};  // (h, w)
    int groups = 1;                     // weight groups (C and K divisible by it)
    Device device = Device::CPU;
    // Backward only: how grad_input's scatter is summed (see
    // GradAccumulation in halconv/points.h). Deterministic, the default,
    // gives the same bits on every run and thread count.
    GradAccumulation accumulation = GradAccumulation::Deterministic;
};

// [N, K, OH, OW]; checks input, offset, weight and mask shapes against each
// other (mask_shape empty = no mask) and throws with a message naming the
// argument otherwise.
Shape deform_conv2d_output_shape(const Shape &input, const Shape &offset, const Shape &weight,
                                 const Shape &mask, const DeformConv2dOptions &options = {});

void deform_conv2d(ConstTensor input, ConstTensor offset, ConstTensor weight, ConstTensor bias, ConstTensor mask,
                   Tensor output, const DeformConv2dOptions &options = {});

// Convenience overload that allocates and returns the output.
std::vector<float> deform_conv2d(ConstTensor input, ConstTensor offset, ConstTensor weight, ConstTensor bias,
                                 ConstTensor mask, const DeformConv2dOptions &options, Shape *output_shape);

// The gradients to write, each with the shape of the tensor it belongs to.
// input, offset and weight are required; bias may be empty (not computed);
// mask is required exactly when the forward had a mask.
struct DeformConv2dGrads {
    Tensor input, offset, weight, bias, mask;
};

void deform_conv2d_backward(ConstTensor input, ConstTensor offset, ConstTensor weight, ConstTensor mask,
                            ConstTensor grad_output, const DeformConv2dGrads &grads,
                            const DeformConv2dOptions &options = {});

}  // namespace halconv
