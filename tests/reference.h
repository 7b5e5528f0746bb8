// Plain reference implementations of conv2d and conv_transpose2d, written
// directly from the defining formulas (PyTorch semantics), in double precision.
//
// They are deliberately naive (one loop per index, no tiling, no tricks) so
// that they are obviously correct; the tests compare halconv against them.
// This file does not depend on halconv: shapes and parameters are plain data.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace ref {

using Shape = std::vector<int64_t>;

struct ConvParams {
    std::array<int, 2> stride{1, 1};    // (h, w)
    std::array<int, 2> padding{0, 0};   // (h, w)
    std::array<int, 2> dilation{1, 1};  // (h, w)
    int groups = 1;
    bool flip_kernel = false;  // true convolution: kernel rotated by 180 degrees
};

struct ConvTransposeParams {
    std::array<int, 2> stride{1, 1};
    std::array<int, 2> padding{0, 0};
    std::array<int, 2> output_padding{0, 0};
    std::array<int, 2> dilation{1, 1};
    int groups = 1;
};

// The reference result: the exact-ish value of every output element and the
// sum of the absolute values of the terms that were added to form it (|bias|
// included). abs_sum bounds the rounding error of any float evaluation order:
// |float_result - value| <= n * eps * abs_sum.
struct Result {
    Shape shape;
    std::vector<double> value;
    std::vector<double> abs_sum;
};

// floor(a / b) for b > 0, also for negative a (C++ '/' truncates toward zero).
int64_t floor_div(int64_t a, int64_t b);

// PyTorch's output-shape rules. Return an empty Shape when the parameters are
// invalid (the reference does not model error messages; the tests do).
//   conv2d:           OH = floor((H + 2*ph - dh*(R-1) - 1) / sh) + 1
//   conv_transpose2d: OH = (H-1)*sh - 2*ph + dh*(R-1) + oph + 1
Shape conv2d_output_shape(const Shape &input, const Shape &weight, const ConvParams &p);
Shape conv_transpose2d_output_shape(const Shape &input, const Shape &weight,
                                    const ConvTransposeParams &p);

// conv2d (gather form):
//   out[n][k][oy][ox] = bias[k] + sum_{c < C/g, r < R, s < S}
//       in[n][g*C/g + c][oy*sh - ph + r*dh][ox*sw - pw + s*dw] * w[k][c][r'][s']
//   g = k / (K/groups); r' = r, s' = s, or with flip_kernel r' = R-1-r, s' = S-1-s;
//   input taps outside [0, H) x [0, W) are zeros.
// input [N, C, H, W], weight [K, C/groups, R, S], bias [K] or nullptr.
Result conv2d(const float *input, const Shape &input_shape, const float *weight,
              const Shape &weight_shape, const float *bias, const ConvParams &p);

// conv_transpose2d (scatter form, the adjoint of conv2d's gather):
//   for every n, c, iy, ix, k < K/g, r, s:
//     out[n][g*K/g + k][iy*sh - ph + r*dh][ix*sw - pw + s*dw] += in[n][c][iy][ix] * w[c][k][r][s]
//   g = c / (C/groups); contributions landing outside the output are dropped;
//   every output element starts at bias[k] (or 0).
// input [N, C, H, W], weight [C, K/groups, R, S], bias [K] or nullptr.
Result conv_transpose2d(const float *input, const Shape &input_shape, const float *weight,
                        const Shape &weight_shape, const float *bias,
                        const ConvTransposeParams &p);

}  // namespace ref
