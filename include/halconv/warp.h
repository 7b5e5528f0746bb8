// flow_warp: bilinear warping of NCHW images by a dense flow field, the
// warping half of deformable alignment (EDVR, BasicVSR++), forward and
// backward.
//
//   input  [N, C, H, W]
//   flow   [N, 2, H, W]   channel 0 = dx (columns), 1 = dy (rows), in pixels
//   output [N, C, H, W]   output[n, c, y, x] = B(input[n, c], y + dy, x + dx)
//
// B is bilinear interpolation with zeros outside the image, the sampler of
// torchvision's deform_conv2d: a position samples nothing unless
// -1 < y < H and -1 < x < W, and then sums its in-image neighbours of the
// cell [y0, y0+1] x [x0, x0+1] (y0 = floor(y)) with weights
// max(0, 1 - |y - qy|) max(0, 1 - |x - qx|). This equals
// torch.nn.functional.grid_sample(..., align_corners=True,
// padding_mode="zeros") with the flow converted to normalised coordinates.
//
// Backward (torchvision's conventions, so that results match it):
//   * grad_input: every sample adds grad_output * weight to its neighbours
//     (a scatter; see GradAccumulation in halconv/points.h: Deterministic,
//     the default, gives the same bits on every run and thread count);
//   * grad_flow: sum over channels of grad_output * dB/dx (channel 0) and
//     dB/dy (channel 1), the derivative of the bilinear polynomial of the
//     cell [y0, y0+1] x [x0, x0+1] with zeros outside the image: at an
//     integer position it is the one-sided derivative towards +1 (the cell
//     below / to the right). Positions with y < -1, y >= H, x < -1 or
//     x >= W get 0; exactly y = -1 (or x = -1) samples 0 but has the
//     derivative of its cell, as in torchvision.
// A NaN or infinite flow samples 0 and has derivative 0 (no memory is read
// outside the tensors, whatever the flow). Outputs must not alias inputs.
#pragma once

// (Self-contained: the core types. halconv.h includes this header at its
// end; #pragma once makes either include order work.)
#include "halconv/halconv.h"

namespace halconv {

struct FlowWarpOptions {
    Device device = Device::CPU;
    GradAccumulation accumulation = GradAccumulation::Deterministic;  // backward only
};

void flow_warp(ConstTensor input, ConstTensor flow, Tensor output, const FlowWarpOptions &options = {});

// grad_input has input's shape, grad_flow flow's; both are overwritten.
void flow_warp_backward(ConstTensor input, ConstTensor flow, ConstTensor grad_output, Tensor grad_input,
                        Tensor grad_flow, const FlowWarpOptions &options = {});

}  // namespace halconv
