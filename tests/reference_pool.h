// Plain reference implementations of the pooling operators, written directly
// from PyTorch's definitions (torch.nn.functional.max_pool2d, avg_pool2d,
// max_unpool2d, adaptive_{avg,max}_pool2d and the two backward passes, as in
// ATen's CPU kernels); sums are in double precision.
//
// Like reference.h they are deliberately naive (one loop per index) and do
// not depend on halconv: shapes and parameters are plain data. The PyTorch
// facts they encode were checked against torch 1.13 (tests/pool_oracle.py):
//   * output size per axis: floor_or_ceil((H + 2p - d*(k-1) - 1) / s) + 1, and
//     in ceil_mode a last window starting in the right padding is dropped:
//     if (out-1)*s >= H + p then out -= 1;
//   * padding must be at most kernel/2 (the undilated kernel);
//   * max: implicit -inf padding; scan the taps rows then columns, starting
//     from maxval = -inf and index = the first in-bounds tap, and take a tap
//     when (val > maxval || isnan(val)): ties keep the first maximum, NaN
//     propagates and the index is the last NaN's; an all -inf window gives
//     -inf and the first in-bounds tap;
//   * avg: divisor_override when non-zero (negative ones included, PyTorch
//     accepts them), else with count_include_pad the window clipped to
//     [-p, H + p) (so in ceil_mode a window sticking out past the right
//     padding counts only up to H + p), else the window clipped to [0, H);
//   * adaptive: rows [floor(o*H/OH), ceil((o+1)*H/OH)), the same for columns;
//   * max_unpool2d: default output size (H-1)*s - 2p + k; an explicit size
//     must lie strictly between default - s and default + s; duplicate
//     indices: the last in scan order wins (PyTorch's CPU kernel);
//   * max_pool2d backward: grad_input[idx] += grad_output (scatter-add).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "reference.h"

namespace ref {

// Parameters of max_pool2d (dilation used) and avg_pool2d (dilation must be 1).
struct PoolParams {
    std::array<int, 2> kernel{1, 1};    // (h, w)
    std::array<int, 2> stride{1, 1};    // (h, w); the caller resolves "default = kernel"
    std::array<int, 2> padding{0, 0};   // (h, w)
    std::array<int, 2> dilation{1, 1};  // (h, w)
    bool ceil_mode = false;
    bool count_include_pad = true;  // avg only
    int divisor_override = 0;       // avg only; 0 = none
};

// PyTorch's pooling_output_shape for one axis; returns <= 0 when there is no
// window (the caller treats that as invalid).
int64_t pool_output_size(int64_t in, int kernel, int stride, int pad, int dilation, bool ceil_mode);

// [N, C, OH, OW], or an empty Shape when PyTorch would refuse the parameters
// (rank != 4, empty input, kernel/stride/dilation < 1, padding < 0 or greater
// than kernel/2, output size < 1). Also empty when a max window holds no
// in-bounds tap (PyTorch then returns an index outside the plane; such
// parameters are not used in the tests).
Shape pool2d_output_shape(const Shape &input, const PoolParams &p);

// Max pooling: exact values (floats) and flat indices h*W + w in each plane.
struct MaxResult {
    Shape shape;
    std::vector<float> value;
    std::vector<int64_t> index;
};

MaxResult max_pool2d(const float *input, const Shape &input_shape, const PoolParams &p);

// Average pooling (dilation ignored, must be 1): value = sum / divisor and
// abs_sum = sum |x| / |divisor|, in double.
Result avg_pool2d(const float *input, const Shape &input_shape, const PoolParams &p);

// The adjoint of avg_pool2d: every output's grad / divisor added to each
// input position of its window (the same divisor as the forward pass).
// Result.shape is input_shape.
Result avg_pool2d_backward(const float *grad_output, const Shape &grad_output_shape,
                           const Shape &input_shape, const PoolParams &p);

// max_pool2d's backward: grad_input[n][c][index[n][c][o]] += grad_output[n][c][o].
// Indices outside the plane make it throw std::invalid_argument.
Result max_pool2d_backward(const float *grad_output, const int64_t *indices,
                           const Shape &grad_output_shape, const Shape &input_shape);

// Subsampling: out[n][c][i][j] = in[n][c][off_h + i*s_h][off_w + j*s_w],
// OH = ceil((H - off_h) / s_h). Empty shape when stride < 1 or offset not in [0, H).
Shape subsample2d_output_shape(const Shape &input, const std::array<int, 2> &stride,
                               const std::array<int, 2> &offset);
std::vector<float> subsample2d(const float *input, const Shape &input_shape,
                               const std::array<int, 2> &stride, const std::array<int, 2> &offset);

// max_unpool2d's output shape: default (H-1)*s - 2p + k per axis; an
// explicit output_size must satisfy default - s < size < default + s.
// Empty when invalid.
Shape max_unpool2d_output_shape(const Shape &input, const std::array<int, 2> &kernel,
                                const std::array<int, 2> &stride, const std::array<int, 2> &padding,
                                const std::optional<std::array<int64_t, 2>> &output_size);
// output[n][c][indices[n][c][i]] = input[n][c][i] in scan order (the last of
// duplicate indices wins), zeros elsewhere. Throws std::invalid_argument on
// an index outside [0, OH*OW).
std::vector<float> max_unpool2d(const float *input, const int64_t *indices, const Shape &input_shape,
                                const Shape &output_shape);

// Adaptive pooling. output_size 0 keeps that input size (halconv's
// convention; PyTorch spells it None). Empty shape when a size is negative.
Shape adaptive_pool2d_output_shape(const Shape &input, const std::array<int64_t, 2> &output_size);
// Window of output cell o of `out` cells over `in` samples: [start, end).
int64_t adaptive_start(int64_t o, int64_t in, int64_t out);
int64_t adaptive_end(int64_t o, int64_t in, int64_t out);
Result adaptive_avg_pool2d(const float *input, const Shape &input_shape,
                           const std::array<int64_t, 2> &output_size);
MaxResult adaptive_max_pool2d(const float *input, const Shape &input_shape,
                              const std::array<int64_t, 2> &output_size);

}  // namespace ref
