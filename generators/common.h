// Shared algorithm pieces for every halconv generator (no scheduling here).
#pragma once

#include "Halide.h"

namespace halconv {

using namespace Halide;

// Halide dimension order of an NCHW tensor: innermost first.
//   dim 0 = x (W), dim 1 = y (H), dim 2 = channel (C), dim 3 = batch (N)
enum NchwDim { kDimX = 0, kDimY = 1, kDimC = 2, kDimN = 3 };

// Zero outside [0, W) x [0, H) of an NCHW input; channels and batch are
// always in range. This is the "zeros" padding of PyTorch's conv and the
// "zeros outside" rule of bilinear sampling.
inline Func zero_padded_xy(const Func &input, const Expr &width, const Expr &height) {
    return BoundaryConditions::constant_exterior(input, 0.0f, {{0, width}, {0, height}});
}

}  // namespace halconv
