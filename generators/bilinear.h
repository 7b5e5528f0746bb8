// Bilinear sampling with zeros outside the grid, written once for every
// operator that samples at fractional positions (points collection,
// deformable convolution, flow warping).
//
// A position a on an axis of `size` samples has the kernel
//   g(a, p) = max(0, 1 - |a - p|),  p in [0, size),
// so at most two neighbours contribute: lo = floor(a) and hi = lo + 1, with
// weights 1 - f and f (f = a - lo), each only when it lies in the grid. The
// axis is separable: a 2-D sample is the product of a row and a column axis.
//
// Robustness: positions that are not finite, or so far outside that no
// neighbour is in the grid (a <= -1 or a >= size), sample nothing (the
// derivative of the cell [floor(a), floor(a) + 1] is kept at a = -1 exactly,
// as torchvision does); their
// integer indices never come from the position itself (no overflow from
// cast<int>(1e30) or NaN), and every index is clamped into [0, size) so
// loads stay inside the tensor whatever the data (weights say whether a load
// counts). is_finite is evaluated strictly by Halide even under fast math.
#pragma once

#include "generators/common.h"

namespace halconv {

struct BilinearAxis {
    Expr usable;              // some neighbour is in the grid (and the position is finite): -1 < a < size
    Expr in_cell_range;       // the cell [lo, lo + 1] has a neighbour in the grid: -1 <= a < size (the
                              // range where torchvision's bilinear derivative is non-zero)
    Expr lo, hi;              // neighbour indices, clamped into [0, size): always safe to load
    Expr cell;                // floor(a), unclamped, within in_cell_range (so in [-1, size - 1]), else 0:
                              // for readers of a zero-padded copy of the grid
    Expr lo_inside, hi_inside;  // usable, and the unclamped neighbour lies in the grid
    Expr cell_lo_inside, cell_hi_inside;  // the same over in_cell_range (for derivatives)
    Expr fraction;            // f = a - floor(a) within in_cell_range, else 0
    Expr weight_lo, weight_hi;  // 1 - f and f, or 0 for a neighbour outside the grid
};

inline BilinearAxis bilinear_axis(const Expr &position, const Expr &size) {
    BilinearAxis axis;
    axis.in_cell_range = is_finite(position) && position >= -1.0f && position < cast<float>(size);
    axis.usable = axis.in_cell_range && position > -1.0f;
    // Positions out of range are replaced by 0 before any integer conversion.
    Expr safe = select(axis.in_cell_range, position, 0.0f);
    Expr floor_value = floor(safe);
    Expr lo = cast<int>(floor_value);
    axis.fraction = safe - floor_value;
    axis.cell_lo_inside = axis.in_cell_range && lo >= 0;
    axis.cell_hi_inside = axis.in_cell_range && lo + 1 < size;
    axis.lo_inside = axis.usable && lo >= 0;
    axis.hi_inside = axis.usable && lo + 1 < size;
    // Within range lo lies in [-1, size - 1]; both clamps are written out so
    // that bounds inference (and autodiff) see the range.
    axis.cell = lo;
    axis.lo = clamp(lo, 0, size - 1);
    axis.hi = clamp(lo + 1, 0, size - 1);
    axis.weight_lo = select(axis.lo_inside, 1.0f - axis.fraction, 0.0f);
    axis.weight_hi = select(axis.hi_inside, axis.fraction, 0.0f);
    return axis;
}

}  // namespace halconv
