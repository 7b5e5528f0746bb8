// flow_warp, forward and backward (include/halconv/warp.h): bilinear
// sampling of every channel at (y + dy, x + dx), with torchvision's
// conventions (generators/bilinear.h). Algorithms only; schedules in
// schedules/cpu/warp.h and schedules/cuda/warp.h.
//
// Views: input / output / grad (x, y, c, n), flow (x, y, comp, n) with
// comp 0 = dx, 1 = dy.
// A pixel's sample (its 4 neighbours, weights and derivative coefficients)
// is shared by all C channels:
//   output(c) = sum_corner weight * input(corner, c)
//   grad_flow(comp) = sum_c grad(c) * sum_corner slope_comp * input(corner, c)
//   grad_input(corner, c) += weight * grad(c) over every pixel (a scatter:
//     deterministic = each plane in pixel order; atomic = GPU float atomics).
#pragma once

#include "generators/bilinear.h"

namespace halconv {

// Parts of a warp sample: neighbour rows and columns, the 4 weights
// (corners (lo,lo), (lo,hi), (hi,lo), (hi,hi) as (row, col)), the 8
// derivative coefficients (d weight / dx per corner, then d weight / dy).
enum WarpIndexPart { kWarpRowLo, kWarpRowHi, kWarpColLo, kWarpColHi, kWarpIndexParts };
constexpr int kWarpCorners = 4, kWarpSlopeParts = 8;
// Weight parts: the 4 corner weights, then 1 when the position samples
// anything (-1 < y < H, -1 < x < W), then 1 when its cell has a derivative.
constexpr int kWarpSamples = kWarpCorners, kWarpHasCell = kWarpCorners + 1, kWarpWeightParts = kWarpCorners + 2;

inline Expr warp_select_part(const Expr &part, const std::vector<Expr> &values) {
    Expr result = values.back();
    for (int i = (int)values.size() - 2; i >= 0; i--) result = select(part == i, values[i], result);
    return result;
}

struct FlowWarpAlgorithm {
    Var x{"x"}, y{"y"}, c{"c"}, n{"n"}, comp{"comp"}, part{"part"};
    Expr width, height;
    Func index{"warp_index"};    // (part, x, y, n): WarpIndexPart, clamped into the image
    Func weight{"warp_weight"};  // (part, x, y, n): the 4 corner weights (0 outside the image), kWarpSamples, kWarpHasCell
    Func slope{"warp_slope"};    // (part, x, y, n): d weight / dx (parts 0-3), / dy (4-7)
    Func input_rows{"input_rows"};  // (x, y, c, n): input with x and c clamped (for blocked loops)
    Func blocked_input{"blocked_input"};  // (lane, x, y, block, n): input, channel blocks innermost
    Func interp{"interp"};       // (lane, x, y, block, n): the samples, channel blocks innermost
    Func output;                 // forward (x, y, c, n)
    // Backward.
    Func grad_flow;              // (x, y, comp, n)
    Func grad_input;             // (x, y, c, n)
    Func scatter{"grad_input_scatter"};  // (lane, x, y, block, n): the scatter's sums, channel blocks innermost
    Var lane{"lane"}, block{"block"};
    int channel_block = 1;
    Func g_channels{"grad_output_channels"};  // (c, x, y, n): grad_output as the scatter reads it
    Func g_blocked{"grad_output_blocked"};  // (lane, x, y, block, n): grad_output in channel blocks (0 past C)
    Func flow_lanes{"grad_flow_lanes"};     // (lane, comp, x, y, n): grad_flow's per-lane partial sums
    RDom over_blocks, over_lanes;  // grad_flow's sums over channel blocks, then lanes
    RDom over_samples;           // grad_input's scatter: (corner, x, y)
    bool deterministic = true;
};

// The corner (row, col) of `corner` (0..3), promised inside the image (the
// index Func clamps; computed Funcs hide their value range).
inline std::pair<Expr, Expr> warp_corner(const FlowWarpAlgorithm &a, int corner, Expr x, Expr y, Expr n) {
    Func index = a.index;
    Expr row = unsafe_promise_clamped(index(corner < 2 ? kWarpRowLo : kWarpRowHi, x, y, n), 0, a.height - 1);
    Expr col = unsafe_promise_clamped(index(corner % 2 == 0 ? kWarpColLo : kWarpColHi, x, y, n), 0, a.width - 1);
    return {row, col};
}

inline void define_warp_samples(FlowWarpAlgorithm &a, Func flow, Expr width, Expr height) {
    Var x = a.x, y = a.y, n = a.n, part = a.part;
    a.width = width;
    a.height = height;
    // The flow is read at clamped pixels: the same inside the image, and
    // safe for schedules that compute whole vectors of samples past its edge
    // (results there are never stored).
    Expr fx = clamp(x, 0, width - 1), fy = clamp(y, 0, height - 1);
    BilinearAxis rows = bilinear_axis(cast<float>(y) + flow(fx, fy, 1, n), height);
    BilinearAxis cols = bilinear_axis(cast<float>(x) + flow(fx, fy, 0, n), width);
    a.index(part, x, y, n) = warp_select_part(part, {rows.lo, rows.hi, cols.lo, cols.hi});
    // A position with no neighbour in the image samples exactly 0, even if
    // its clamped loads hold NaN (the weights are then all 0 and masked).
    a.weight(part, x, y, n) = warp_select_part(
        part, {rows.weight_lo * cols.weight_lo, rows.weight_lo * cols.weight_hi, rows.weight_hi * cols.weight_lo,
               rows.weight_hi * cols.weight_hi, select(rows.usable && cols.usable, 1.0f, 0.0f),
               select(rows.in_cell_range && cols.in_cell_range, 1.0f, 0.0f)});
    // torchvision's get_coordinate_weight: the derivative of the cell's
    // bilinear polynomial, neighbours outside the image reading 0.
    Expr ly = rows.fraction, lx = cols.fraction;
    Expr in00 = rows.cell_lo_inside && cols.cell_lo_inside, in01 = rows.cell_lo_inside && cols.cell_hi_inside;
    Expr in10 = rows.cell_hi_inside && cols.cell_lo_inside, in11 = rows.cell_hi_inside && cols.cell_hi_inside;
    auto masked = [](const Expr &inside, const Expr &value) { return select(inside, value, 0.0f); };
    a.slope(part, x, y, n) = warp_select_part(
        part, {masked(in00, -(1.0f - ly)), masked(in01, 1.0f - ly), masked(in10, -ly), masked(in11, ly),
               masked(in00, -(1.0f - lx)), masked(in01, -lx), masked(in10, 1.0f - lx), masked(in11, lx)});
}

// The input in the channel-block layout (lane, x, y, block, n), c = block *
// channel_block + lane: a pixel's block of channels is contiguous, so a
// sample's neighbour is one dense load per block. x and c are clamped so
// that schedules may round their loops up to whole vectors.
inline void define_blocked_input(FlowWarpAlgorithm &a, Func input, Expr channels, int channel_block) {
    Var x = a.x, y = a.y, n = a.n, lane = a.lane, block = a.block;
    a.channel_block = channel_block;
    Var c = a.c;
    a.input_rows(x, y, c, n) = input(clamp(x, 0, a.width - 1), y, clamp(c, 0, channels - 1), n);
    a.blocked_input(lane, x, y, block, n) = a.input_rows(x, y, block * channel_block + lane, n);
}

// channel_block: see define_blocked_input (1 = plain NCHW reads).
inline void define_flow_warp(FlowWarpAlgorithm &a, Func input, Func flow, Expr width, Expr height, Expr channels,
                             int channel_block) {
    define_warp_samples(a, flow, width, height);
    define_blocked_input(a, input, channels, channel_block);
    Var x = a.x, y = a.y, c = a.c, n = a.n, lane = a.lane, block = a.block;
    Expr value = 0.0f;
    for (int k = 0; k < kWarpCorners; k++) {
        auto rc = warp_corner(a, k, x, y, n);
        value += a.weight(k, x, y, n) * a.blocked_input(lane, rc.second, rc.first, block, n);
    }
    a.interp(lane, x, y, block, n) = value;
    a.output = Func("warped");
    a.output(x, y, c, n) =
        select(a.weight(kWarpSamples, x, y, n) != 0.0f, a.interp(c % channel_block, x, y, c / channel_block, n), 0.0f);
}

// grad(x, y, c, n) = dL/d output; channels = C. grad_flow_out and
// grad_input_out are the Funcs to define (the pipeline's outputs).
// channel_block: the scatter's layout, blocks of this many channels
// innermost (c = block * channel_block + lane), so that a schedule can add a
// pixel's block of channels as one vector and keep each block's sums
// contiguous.
inline void define_flow_warp_backward(FlowWarpAlgorithm &a, Func input, Func flow, Func grad, Expr width,
                                      Expr height, Expr channels, bool deterministic, Func grad_flow_out,
                                      Func grad_input_out, int channel_block) {
    define_warp_samples(a, flow, width, height);
    Var x = a.x, y = a.y, c = a.c, n = a.n, comp = a.comp;
    a.deterministic = deterministic;
    // grad_flow = sum over channel blocks, then over a block's lanes, of
    // grad * the derivative of the sample (channels past C count 0).
    define_blocked_input(a, input, channels, channel_block);
    Var lane = a.lane, block = a.block;
    a.over_blocks = RDom(0, (channels + channel_block - 1) / channel_block, "over_blocks");
    a.over_lanes = RDom(0, channel_block, "over_lanes");
    Expr rb = a.over_blocks;
    Expr dx = 0.0f, dy = 0.0f;
    for (int k = 0; k < kWarpCorners; k++) {
        auto rc = warp_corner(a, k, x, y, n);
        Expr v = a.blocked_input(lane, rc.second, rc.first, rb, n);
        dx += a.slope(k, x, y, n) * v;
        dy += a.slope(kWarpCorners + k, x, y, n) * v;
    }
    Expr ch = block * channel_block + lane;
    a.g_blocked(lane, x, y, block, n) =
        select(ch < channels, grad(clamp(x, 0, width - 1), y, clamp(ch, 0, channels - 1), n), 0.0f);
    a.flow_lanes(lane, comp, x, y, n) = 0.0f;
    a.flow_lanes(lane, comp, x, y, n) += a.g_blocked(lane, x, y, rb, n) * select(comp == 0, dx, dy);
    a.grad_flow = grad_flow_out;
    a.grad_flow(x, y, comp, n) = 0.0f;
    a.grad_flow(x, y, comp, n) += select(a.weight(kWarpHasCell, x, y, n) != 0.0f,
                                         a.flow_lanes(a.over_lanes, comp, x, y, n), 0.0f);

    // The scatter, into a channel-innermost sum (so that a schedule can add
    // a pixel's channels as vectors), then grad_input in NCHW. A corner of
    // weight 0 gets nothing (torchvision's strict |y - qy| < 1), so a NaN
    // gradient cannot reach it through 0 * NaN.
    a.over_samples = RDom({{0, kWarpCorners}, {0, width}, {0, height}}, "over_samples");
    RDom &r = a.over_samples;
    // (sx, sy) clamped: equal to (r.x, r.y) in the domain, but a schedule
    // that splits the pixel loop with a guard may evaluate the predicate
    // below before its guard.
    Expr sx = clamp(r[1], 0, width - 1), sy = clamp(r[2], 0, height - 1);
    Expr row = warp_select_part(r[0], {warp_corner(a, 0, sx, sy, n).first, warp_corner(a, 1, sx, sy, n).first,
                                       warp_corner(a, 2, sx, sy, n).first, warp_corner(a, 3, sx, sy, n).first});
    Expr col = warp_select_part(r[0], {warp_corner(a, 0, sx, sy, n).second, warp_corner(a, 1, sx, sy, n).second,
                                       warp_corner(a, 2, sx, sy, n).second, warp_corner(a, 3, sx, sy, n).second});
    Expr w = a.weight(r[0], sx, sy, n);
    r.where(w != 0.0f);
    // grad as read by the scatter, channels first; x and c clamped so that
    // schedules may round sample and channel loops up to whole vectors.
    a.g_channels(c, x, y, n) = grad(clamp(x, 0, width - 1), y, clamp(c, 0, channels - 1), n);

    a.channel_block = channel_block;
    a.scatter(lane, x, y, block, n) = 0.0f;
    a.scatter(lane, col, row, block, n) += w * a.g_channels(block * channel_block + lane, sx, sy, n);
    a.grad_input = grad_input_out;
    a.grad_input(x, y, c, n) = a.scatter(c % channel_block, x, y, c / channel_block, n);
}

}  // namespace halconv
