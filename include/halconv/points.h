// Points collection: the effective sampling points of stacked deformable
// layers (docs/points_collection.md is the specification; section numbers
// below refer to it).
//
//   t [B, 2N, H, W]   target offsets in image space: channel 2n = y (rows),
//                     2n+1 = x (columns), for N points per pixel
//   d [B, 2M, h, w]   the lower layer's deformable offsets in its own space:
//                     channel 2m = u (rows), 2m+1 = v (columns)
//   p [B, 2NM, H, W]  accumulated offsets, n-major: channel 2(n*M + m) is the
//                     row component of point n moved by offset m, +1 the column
//
// With r_h = h/H, r_w = w/W, a = (i + y) r_h, c = (j + x) r_w (no half-pixel
// shift) and K the bilinear kernel over the lower grid (zeros outside):
//   p[2(nM+m)]   = sum_pq u[m,p,q] K(p,q) / r_h + y
//   p[2(nM+m)+1] = sum_pq v[m,p,q] K(p,q) / r_w + x
// Any B, N, M, H, W, h, w >= 1 (h > H, an upsampled lower layer, included).
// Outputs must not share memory with the inputs (refused).
//
// Defined edge cases:
//   * a sample outside the lower grid takes only its in-grid neighbours; one
//     wholly outside (|a - p| >= 1 for every row p, or the same for columns)
//     gives p = t exactly and no gradient to d;
//   * a non-finite target offset (NaN, +-Inf) samples nothing: the output
//     components are t's (so the NaN or Inf is carried through, the finite
//     component is unchanged) and d gets no gradient from it; memory is never
//     read outside the tensors whatever the offsets;
//   * non-finite values in d reach the outputs whose sample has them as a
//     bilinear neighbour (IEEE arithmetic; a neighbour with weight 0 at an
//     integer position included).
#pragma once

// (Self-contained: the core types. halconv.h includes this header at its
// end; #pragma once makes either include order work.)
#include "halconv/halconv.h"

namespace halconv {

// GradAccumulation (how backward passes sum their scatters): halconv.h.

struct PointsCollectionOptions {
    Device device = Device::CPU;
    GradAccumulation accumulation = GradAccumulation::Deterministic;  // backward only
};

// [B, 2*N*M, H, W] for t [B, 2N, H, W] and d [B, 2M, h, w]; throws on
// inconsistent shapes (odd channel counts, batch mismatch, empty dims).
Shape points_collection_output_shape(const Shape &t, const Shape &d);

void points_collection(ConstTensor t, ConstTensor d, Tensor p, const PointsCollectionOptions &options = {});

// Convenience overload that allocates and returns p.
std::vector<float> points_collection(ConstTensor t, ConstTensor d, const PointsCollectionOptions &options,
                                     Shape *p_shape);

// Gradients of a loss L w.r.t. t and d given grad_p = dL/dp (shape of p).
// grad_t has t's shape, grad_d has d's shape; both are overwritten. The
// derivative of the bilinear kernel at its kinks follows the specification
// (sign +1 where the lower-grid row p >= a, 0 where |a - p| >= 1; the same
// along columns).
void points_collection_backward(ConstTensor t, ConstTensor d, ConstTensor grad_p, Tensor grad_t, Tensor grad_d,
                                const PointsCollectionOptions &options = {});

}  // namespace halconv
