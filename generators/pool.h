// The pooling family's algorithms, written once (PyTorch semantics). A
// schedule (schedules/cpu/pool.h, schedules/cuda/pool.h) receives these
// structs and decides loops, vectors and storage; nothing here says how.
//
// Max with indices keeps PyTorch's exact choice. PyTorch scans the window
// row by row and updates when (v > max || isnan(v)): the index is the first
// maximum in scan order, or the last NaN when there is one, or (nothing
// taken: every value -inf, or no tap inside the input) the window's first
// in-bounds position. Here a second reduction over the window finds it from
// the final value m: the first in-bounds tap equal to m, or the last NaN
// when m is NaN (-1 when none). (A Tuple (value, index) reduction would do
// it in one pass, but Halide 14 reorders the Tuple's loads and stores under
// strict_float, which NaN handling needs.)
#pragma once

#include <limits>

#include "generators/common.h"

namespace halconv {

// Flat position of a pooling index inside its plane (PyTorch's h*W + w).
// Pipelines compute it in 32 bits (the runtime limits planes to 2^31
// elements) and widen when storing.
inline Expr plane_index(const Expr &ix, const Expr &iy, const Expr &width) { return iy * width + ix; }

// The first in-bounds tap of a window starting at `start` with taps `dil`
// apart: start itself, or the first tap past 0 when the window starts in
// the left padding. PyTorch's max pooling starts its index there, which
// matters when every value is -inf.
inline Expr first_valid_tap(const Expr &start, const Expr &dil) {
    return select(start < 0, start + ((-start + dil - 1) / dil) * dil, start);
}

// PyTorch's max-pooling update rule: take the candidate when it is larger or
// NaN. The max pipelines are compiled with the strict_float target feature
// (CMakeLists.txt): Halide's default fast-math flags let LLVM assume no NaNs
// and turn this select into a plain max, which drops them.
inline Expr takes_over(const Expr &candidate, const Expr &current) {
    return candidate > current || is_nan(candidate);
}

// The max update: the window's value is NaN if it holds one, else its
// maximum (ties keep the first, e.g. 0.0 before -0.0, as PyTorch).
inline Expr nan_propagating_max(const Expr &current, const Expr &candidate) {
    return select(takes_over(candidate, current), candidate, current);
}

// The index reductions' update (see the top of this file): a valid tap
// whose value v is the final maximum m (or a NaN when m is NaN) replaces
// the current index when it is the first such, or always for NaN.
inline Expr index_update(const Expr &valid, const Expr &v, const Expr &m, const Expr &position,
                         const Expr &current) {
    Expr matches = select(is_nan(m), is_nan(v), v == m);
    return select(valid && matches && (is_nan(m) || current == -1), position, current);
}

// Max / average pooling with a regular window (max_pool2d, avg_pool2d):
// output (x, y) pools taps input(x*stride_x - pad_x + i*dil_x,
// y*stride_y - pad_y + j*dil_y), i < kernel_x, j < kernel_y, scanned row by
// row (taps.y outer). One 2-D reduction, not a row pass and a column pass:
// for the memory-bound pools a separate row stage costs more (an extra
// buffer round trip) than the taps it saves.
struct WindowPoolAlgorithm {
    enum class Kind { Max, MaxWithIndices, Average };
    Kind kind = Kind::Max;
    Var x{"x"}, y{"y"}, c{"c"}, n{"n"};
    Func padded{"input_padded"};  // -inf (max) or 0 (average) outside the input
    Func pool{"pool"};            // max or sum over the window
    Func index{"pool_index"};     // MaxWithIndices: flat index of pool's max, or -1
    Func first_tap_x{"first_tap_x"};  // MaxWithIndices: (x) first in-bounds input column
    Func output;                  // value, or (value, int64 flat index) for MaxWithIndices
    RDom taps;                    // taps.x = i (column), taps.y = j (row)
    Expr kernel_x, kernel_y, stride_x, stride_y, pad_x, pad_y, dil_x, dil_y;
    Expr in_width, in_height, out_width, out_height;
    Expr windows_inside;    // 1: no window reaches outside the input (runtime-checked)
    Expr divisor_override;  // Average only
};

// Subsampling: output(x, y) = input(offset_x + x*stride_x, offset_y + y*stride_y).
struct SubsampleAlgorithm {
    Var x{"x"}, y{"y"}, c{"c"}, n{"n"};
    Func output;
    Expr stride_x, stride_y, offset_x, offset_y;
};

// Adaptive pooling: output cell o pools input [floor(o*I/O), ceil((o+1)*I/O))
// along each axis. Windows differ in size by at most one tap; the
// reductions run over the largest (window_x, window_y, from the runtime)
// and mask the taps past a window's end.
struct AdaptivePoolAlgorithm {
    bool max = false;  // max with indices, else average
    Var x{"x"}, y{"y"}, c{"c"}, n{"n"};
    Func start_x{"start_x"}, end_x{"end_x"}, start_y{"start_y"}, end_y{"end_y"};
    Func pool{"pool"};         // max or sum over the window (masked past its end)
    Func index{"pool_index"};  // max only: flat index of pool's max, or -1
    Func output;               // value, or (value, int64 flat index) for max
    RDom taps;                 // taps.x: column, taps.y: row (scan order)
    Expr window_x, window_y, in_width, in_height, out_width, out_height;
};

// Scatters through flat plane indices (max_unpool2d, max_pool2d_backward).
// The runtime passes planes flattened to one dimension: (i, c, n), where i is
// a PyTorch flat index h*W + w, so no division is needed to place a value.
//   unpool:   output(indices(j)) = input(j), zeros elsewhere; a later j wins.
//   backward: output(indices(j)) += input(j), zeros elsewhere.
struct ScatterAlgorithm {
    bool accumulate = false;
    Var i{"i"}, c{"c"}, n{"n"};
    Func output;
    RDom src;  // over the source plane (flattened)
};

// avg_pool2d_backward, a gather (deterministic, vectorizable): input
// position (x, y) receives grad(ox, oy) / divisor(ox, oy) from every window
// that covers it. Along x those are ox = (x + pad_x) / stride_x - t for
// t < ceil(kernel_x / stride_x), kept when 0 <= ox < OW and the window
// reaches x (x + pad_x - ox*stride_x < kernel_x); same along y.
struct AvgPoolBackwardAlgorithm {
    Var x{"x"}, y{"y"}, c{"c"}, n{"n"};
    Func scaled{"grad_scaled"};  // grad_output / divisor, (ox, oy, c, n)
    Func row{"row_gather"};      // (x, oy, c, n): sum over the covering ox
    Func output;                 // grad_input
    RDom taps_x, taps_y;
    Expr kernel_x, kernel_y, stride_x, stride_y, pad_x, pad_y;
    Expr in_width, in_height, out_width, out_height;
};

// PyTorch's avg_pool2d divisor along one axis, as a factor of the window
// area: the window [o*stride - pad, + kernel) clipped to the padded input
// (count_include_pad) or to the input itself.
inline Expr avg_window_extent(const Expr &o, const Expr &stride, const Expr &pad, const Expr &kernel,
                              const Expr &size, const Expr &count_include_pad) {
    Expr start = o * stride - pad;
    Expr end = min(start + kernel, size + pad);
    Expr clipped = min(end, size) - max(start, 0);
    return select(count_include_pad != 0, end - start, clipped);
}

}  // namespace halconv
