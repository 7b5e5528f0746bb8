// Plain double-precision reference of deformable convolution (DCN v1 and v2,
// torchvision.ops.deform_conv2d) and of flow_warp, forward and backward,
// written directly from the formulas of issue 6. It is the test oracle of
// the future halconv implementation: one loop per index, no tiling, no
// im2col, no tricks. It does not depend on halconv (only on reference.h's
// Result type). tests/test_reference_deform.cpp checks its mathematics;
// tests/deform_oracle.py checks it against torchvision 0.14.1 and
// torch.nn.functional.grid_sample (float64).
//
// deform_conv2d: input [N, C, H, W], offset [N, 2*G*R*S, OH, OW],
// weight [K, C/groups, R, S], bias [K] (optional), mask [N, G*R*S, OH, OW]
// (optional, DCN v2 "modulated"); OH, OW by conv2d's rule
// OH = floor((H + 2*ph - dh*(R-1) - 1) / sh) + 1. G (offset groups) divides C;
// channel c belongs to offset group c / (C/G). Tap k = i*S + j of group g
// reads offset channels (dy, dx) = (g*2*R*S + 2k, g*2*R*S + 2k + 1) and mask
// channel g*R*S + k. The tap samples
//     y = (oh*sh - ph + i*dh) + dy,   x = (ow*sw - pw + j*dw) + dx
// (the integer part first, then + the offset, in double) and
//     out[n,o,oh,ow] = bias[o] + sum_{c' < C/groups, i, j}
//         w[o,c',i,j] * m * B(input[n, c], y, x),   c = (o / (K/groups)) * C/groups + c'
// with m = 1 without a mask.
//
// B(plane, y, x) is bilinear interpolation with zeros outside the plane:
//     B = sum_q g(qy, y) g(qx, x) plane[q],   g(a, b) = max(0, 1 - |a - b|),
// summed over the four corners q of the cell [y0, y0+1] x [x0, x0+1],
// y0 = floor(y), x0 = floor(x) (every other grid point has g = 0); corners
// outside the plane read 0. As in torchvision's bilinear_interpolate, B is 0
// (without reading anything) unless -1 < y < H and -1 < x < W.
//
// The conventions of the backward pass, all taken from torchvision 0.14's
// CPU kernel (torchvision/csrc/ops/cpu/deform_conv2d_kernel.cpp) and checked
// against it by deform_oracle.py:
//   * col[n,c,k,oh,ow] = sum_{o in c's weight group} w[o, c', i, j] * grad_out[n,o,oh,ow]
//     (the gradient of the sampled column value m * B).
//   * grad_input (deformable_col2im): col * m * g(qy,y) g(qx,x) is added to
//     every in-plane grid point q with |y - qy| < 1 and |x - qx| < 1 (strict:
//     a corner of weight 0, e.g. the upper one at an integer position, gets
//     nothing).
//   * grad_offset (get_coordinate_weight): m * col * dB/dy (resp. dB/dx),
//     where the derivative is that of the bilinear polynomial of the cell
//     [y0, y0+1] x [x0, x0+1], y0 = floor(y), x0 = floor(x), zero-padded:
//         dB/dy = (1 - lx) (v(y0+1, x0) - v(y0, x0)) + lx (v(y0+1, x0+1) - v(y0, x0+1))
//         dB/dx = (1 - ly) (v(y0, x0+1) - v(y0, x0)) + ly (v(y0+1, x0+1) - v(y0+1, x0))
//     with ly = y - y0, lx = x - x0 and v = 0 outside the plane. So at an
//     integer position the derivative is the one-sided derivative from
//     ABOVE (the cell to the right/below, "y0 = y"), e.g. at y = 2 it is
//     row 3 - row 2, at y = H-1 it is -row(H-1) (row H is a zero), and at
//     y = -1 exactly it is +row 0 although B itself is 0 there (the forward
//     test is -1 < y, the derivative's cell exists for -1 <= y). Positions
//     with y < -1, y >= H, x < -1 or x >= W have no corner in the plane and
//     get derivative 0.
//   * grad_mask[n, g*R*S + k, oh, ow] = sum_{c in offset group g} col * B (the
//     forward's B, 0 outside -1 < y < H, -1 < x < W).
//   * grad_weight[o,c',i,j] = sum_{n,oh,ow} grad_out * m * B; grad_bias[o] =
//     sum_{n,oh,ow} grad_out[n,o,oh,ow].
//   * Non-finite inputs / masks / grad_output propagate by IEEE arithmetic
//     (mask * 0 with a NaN mask is NaN, as in torchvision).
//
// Deliberate departures from torchvision (its behaviour there is undefined:
// it converts the position to int with floor/int() before or without a
// range check):
//   * a non-finite position (NaN or +-Inf offset) samples 0 and has
//     derivatives 0 (torchvision: NaN offsets read outside the input and may
//     crash -- a segfault in 0.14.1 on x86-64 -- and an infinite offset gives
//     0 forward but NaN for the OTHER component's grad_offset, Inf * 0);
//   * a huge finite offset (|y| beyond the int range) is simply far outside
//     (sample 0, derivatives 0): every range test is done in double before
//     any conversion to an integer, so nothing overflows.
//
// flow_warp: input [N, C, H, W], flow [N, 2, H, W] (channel 0 = dx, 1 = dy, in
// pixels): out[n,c,y,x] = B(input[n,c], y + flow[n,1,y,x], x + flow[n,0,y,x])
// with the same B. Backward: grad_input by the same scatter rule,
// grad_flow[n,0] = sum_c grad_out * dB/dx, grad_flow[n,1] = sum_c grad_out * dB/dy
// with the same cell convention (torch's grid_sample, align_corners=True,
// zeros padding, uses the same floor cell).
//
// Every result carries, per element, abs_sum (the sum of |terms|, so that a
// float evaluation in any order is within about n * eps * abs_sum, for fixed
// sample positions) and position_bound (sum over the element's samples of
// |coefficient| * L * (|y| + |x| + 1), L = the sum of |input| over the 4x4
// grid points around the cell: how much the element may move when a float
// evaluation computes the positions with a relative error e, namely by at most
// e * position_bound as long as e * |y| < 1). That bound holds for the value,
// grad_input, grad_mask and grad_weight, and for grad_offset / grad_flow only
// while the perturbed position stays in the same cell: the offset gradient
// jumps at integer positions, so tests of a float implementation must use
// exactly integer positions (computed exactly in float) or keep the
// positions away from integers.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "reference.h"

namespace halconv_test {

// ---------------------------------------------------------------------------
// Bilinear sampling of one plane [H, W] (row-major), the building block.
// ---------------------------------------------------------------------------

// B(plane, y, x); 0 unless -1 < y < H and -1 < x < W (NaN compares false: 0).
double deform_bilinear(const double *plane, int64_t H, int64_t W, double y, double x);

// dB/dy and dB/dx by the cell convention above (torchvision's
// get_coordinate_weight); both 0 unless -1 <= y < H and -1 <= x < W.
void deform_bilinear_gradient(const double *plane, int64_t H, int64_t W, double y, double x, double *d_dy,
                              double *d_dx);

// ---------------------------------------------------------------------------
// deform_conv2d
// ---------------------------------------------------------------------------
struct DeformConv2dSpec {
    int64_t N = 1, C = 1, H = 1, W = 1;  // input
    int64_t K = 1, R = 1, S = 1;         // output channels, kernel
    std::array<int, 2> stride{1, 1};     // (h, w)
    std::array<int, 2> padding{0, 0};
    std::array<int, 2> dilation{1, 1};
    int groups = 1;         // weight groups (as conv2d)
    int offset_groups = 1;  // G
    bool has_mask = false;
    bool has_bias = false;

    int64_t OH() const;  // conv2d's rule (floor division)
    int64_t OW() const;
    ref::Shape input_shape() const { return {N, C, H, W}; }
    ref::Shape weight_shape() const { return {K, C / groups, R, S}; }
    ref::Shape offset_shape() const { return {N, 2 * offset_groups * R * S, OH(), OW()}; }
    ref::Shape mask_shape() const { return {N, offset_groups * R * S, OH(), OW()}; }
    ref::Shape output_shape() const { return {N, K, OH(), OW()}; }
    // True when torchvision would accept the parameters (all sizes >= 1,
    // stride and dilation >= 1, padding >= 0, groups dividing C and K,
    // offset_groups dividing C, OH and OW >= 1); else `why` says what is wrong.
    bool valid(std::string *why = nullptr) const;
    std::string describe() const;
};

// The tensors of one problem, row-major, in double (float data widens
// exactly). bias must be empty unless spec.has_bias, mask empty unless
// spec.has_mask.
struct DeformConv2dData {
    std::vector<double> input, offset, weight, bias, mask;
};

// A reference result (see the top of the file for abs_sum and position_bound).
struct DeformResult : ref::Result {
    std::vector<double> position_bound;
};

// Forward. Throws std::invalid_argument on an invalid spec or wrongly sized data.
DeformResult deform_conv2d_reference(const DeformConv2dSpec &spec, const DeformConv2dData &data);

struct DeformConv2dGrads {
    DeformResult input, offset, weight;
    DeformResult mask;  // empty (shape {}) without a mask
    DeformResult bias;  // empty without a bias
};

// Backward for grad_output (spec.output_shape()).
DeformConv2dGrads deform_conv2d_backward_reference(const DeformConv2dSpec &spec, const DeformConv2dData &data,
                                                   const std::vector<double> &grad_output);

// ---------------------------------------------------------------------------
// flow_warp
// ---------------------------------------------------------------------------

// input [N, C, H, W] (input_shape), flow [N, 2, H, W].
DeformResult flow_warp_reference(const ref::Shape &input_shape, const std::vector<double> &input,
                                 const std::vector<double> &flow);

struct FlowWarpGrads {
    DeformResult input, flow;
};
FlowWarpGrads flow_warp_backward_reference(const ref::Shape &input_shape, const std::vector<double> &input,
                                           const std::vector<double> &flow,
                                           const std::vector<double> &grad_output);

// Float data as double (exact).
std::vector<double> widen(const std::vector<float> &v);

}  // namespace halconv_test
