// Deformable convolution v1/v2 (include/halconv/deform.h), forward and
// backward: algorithms only. Schedules: schedules/cpu/deform.h,
// schedules/cuda/deform.h.
//
// Views (Halide order, innermost first): input (x, y, c, n); offset (x, y,
// oc, n), oc = g*2T + 2*tap + {0: dy, 1: dx}; mask (x, y, g*T + tap, n);
// weight (s, r, c', k) (PyTorch's [K, C/groups, R, S]); output (x, y, k, n).
// T = R*S taps, tap = r*S + s.
//
// The pieces:
//   * padded: the input with a zero border, channels in blocks of
//     `channel_block` innermost, the padded plane flattened:
//     (lane, pixel, block, n), pixel = py * padded_width + px, px = x + 1
//     over x in [-1, W + 1], py = y + 1 over y in [-1, H + 1]. Every
//     neighbour of a sample whose cell touches the image is inside it, so no
//     read needs a bounds test, and outside corners read torchvision's
//     zeros. A sample of a channel block (one offset group) is 4 dense
//     vector loads at one precomputed pixel index (sample_pixel) plus
//     {0, 1, padded_width, padded_width + 1}: no multiply in the sampling
//     loop.
//   * sample_position: per (x, y, tap, offset group) the sample's (row,
//     column) position, or the sentinel (H, W) when its cell misses the
//     image or it is not finite; computed once, everything below derives
//     from it. sample_cell / sample_fraction: the cell
//     [floor(y), floor(y)+1] x [floor(x), floor(x)+1] in padded coordinates
//     and the fractions (ly, lx) and the mask; shared by the group's
//     channels. The sentinel's cell is an all-zero 2x2 block of the border
//     (px = W + 1, py = H + 1) with fractions 0: it samples 0 and has
//     derivative 0, and no integer ever comes from a position outside.
//   * columns (lane, block, tap, x, y, n): mask * B for every channel (the
//     im2col matrix, which schedules tile rather than materialise), and
//     conv = bias + sum_{c', tap} weight * columns (a GEMM).
//   * backward: grad_column = weight^T grad_output (a GEMM); from it the
//     per-group sums giving grad_offset and grad_mask, the scatter giving
//     grad_input, and grad_weight = grad_output * columns^T (per output row,
//     then summed over rows in order; or per band of rows added straight
//     into grad_weight, band after band: deterministic either way).
#pragma once

#include "generators/bilinear.h"

namespace halconv {

// Sample parts (sample_fraction): the row fraction ly, the column fraction
// lx, the mask value; sample_cell: padded row, padded column.
enum DeformFractionPart { kDeformFracY, kDeformFracX, kDeformMask, kDeformFractionParts };
enum DeformCellPart { kDeformCellRow, kDeformCellCol, kDeformCellParts };
// Per-group sums of the backward: grad_column * B (grad_mask), * dB/dy, * dB/dx.
enum DeformSumPart { kDeformSumValue, kDeformSumDy, kDeformSumDx, kDeformSumParts };

struct DeformConv2dAlgorithm {
    Var x{"x"}, y{"y"}, k{"k"}, n{"n"}, c{"c"}, tap{"tap"}, g{"g"}, part{"part"};
    Var lane{"lane"}, block{"block"}, px{"px"}, py{"py"}, bi{"bi"}, pixel{"pixel"};

    // Shapes and parameters (runtime values; schedules specialize on them).
    Expr in_width, in_height, in_channels, out_width, out_height, out_channels, batch;
    Expr kernel_w, kernel_h, taps;
    Expr stride_x, stride_y, pad_x, pad_y, dil_x, dil_y;
    Expr groups, offset_groups, has_mask;
    Expr group_in_channels;       // C / groups
    Expr group_out_channels;      // K / groups
    Expr offset_group_channels;   // C / G
    // Channel blocks never straddle offset groups: each group has
    // blocks_per_group = ceil((C/G) / channel_block) blocks, the last one's
    // spare lanes zero (none when channel_block divides C/G). So a block's
    // lanes always share one sample: dense vector loads, whatever G.
    Expr blocks_per_group;
    int channel_block = 1;

    Expr padded_width;                        // W + 3
    Func padded{"input_padded"};              // (lane, pixel, block, n), pixel = py * padded_width + px
    RDom over_padded;                         // (px, py): padded's update, row by row
    Func input_rows{"input_rows"};            // (x, y, c, n): zero-padded NCHW (schedules block it)
    Func sample_position{"sample_position"};  // (part, x, y, tap, g, n): row / column position or the sentinel
    Func sample_cell{"sample_cell"};          // (part, x, y, tap, g, n): padded row / column, int
    Func sample_pixel{"sample_pixel"};        // (x, y, tap, g, n): the cell's top-left padded pixel index
    Func sample_fraction{"sample_fraction"};  // (part, x, y, tap, g, n): ly, lx, mask
    Func sample_weight{"sample_weight"};      // (corner, x, y, tap, g, n): mask * bilinear weight
    Func columns{"columns"};                  // (lane, bi, g, tap, x, y, n): block g * blocks_per_group + bi

    // Forward.
    // (ki, c', tap, ko): output channel ko * weight_k_block + ki; a block of
    // output channels innermost, each block's weights one contiguous run.
    Func packed_weight{"packed_weight"};
    int weight_k_block = 1;
    Func conv{"conv"};                    // (x, y, k, n)
    Func output;
    // groups == 1: (lane, bi, g, tap) over the columns' layout; weight
    // groups: (c' within the weight group, -, -, tap).
    RDom red;

    // Backward.
    Func grad_out{"grad_out"};               // (x, y, k, n), coordinates clamped
    // (ci, k, tap, co): input channel co * weight_c_block + ci; a block of
    // input channels innermost, each (block, tap)'s K x block one run.
    Func transposed_weight{"weight_t"};
    int weight_c_block = 1;
    Func grad_columns_flat{"grad_columns"};  // (c, tap, pixel, n), pixel = y * out_width + x
    Func grad_columns{"grad_columns_at"};    // (c, tap, x, y, n): a view of grad_columns_flat
    RDom over_group_out;                     // grad_columns' sum over the weight group's K/groups channels
    Func sum_terms{"sum_terms"};             // (lane, part, bi, g, tap, x, y, n): grad_column * {B, dB/dy, dB/dx}
    Func lane_sums{"lane_sums"};             // (lane, part, g, tap, x, y, n): over the group's blocks
    Func group_sums{"group_sums"};           // (part, g, tap, x, y, n)
    RDom over_blocks;
    Func scatter_factors{"scatter_factors"};  // (part, x, y, tap, g, n): 4 corners' bilinear weights, mask
    Func scatter{"grad_input_scatter"};      // (lane, pixel, block, n): padded grad_input, pixel as in padded
    RDom over_samples;                       // (corner, tap, x, y)
    bool deterministic = true;
    int band_rows = 1;                          // output rows per grad_weight partial (compile time)
    Func band_grad_out{"band_grad_out"};        // (x, y, k, n): grad_out, 0 past the last row (band_rows > 1)
    // (ki, x, y, ko, n): grad_out (band_grad_out with bands) in blocks of
    // grad_k_block output channels, each block's pixels one contiguous run
    // (what a register tile of row_weight_grads reads).
    Func grad_out_blocked{"grad_out_blocked"};
    int grad_k_block = 1;
    Func row_weight_grads{"row_weight_grads"};  // (k, lane, bi, g, tap, band, n): one band's grad_weight
    RDom over_row;                              // x, or (x, row within the band)
    RDom over_rows;                             // (band, n)
    RDom over_slots;                            // bands: (s, r, lane, k in group, bi, g, band, n)
    Func summed_weight_grads{"summed_weight_grads"};  // (k, lane, bi, g, tap): rows summed in order
    Func channel_slot{"channel_slot"};          // (part, c): c's lane, block in group, group
    RDom over_pixels;                           // grad_bias: (x, y, n)
    Func grad_input, grad_offset, grad_mask, grad_bias;
    // With band_rows > 1 an update definition (the generator passes its
    // output in); otherwise picked from summed_weight_grads.
    Func grad_weight{"grad_weight"};
};

// Channel-block layout (see blocks_per_group): block b holds channels
// g*C/G + (b % blocks_per_group)*channel_block + lane of group g = b / blocks_per_group.
inline Expr deform_group_of_block(const DeformConv2dAlgorithm &a, Expr block) {
    return clamp(block / a.blocks_per_group, 0, a.offset_groups - 1);
}
inline Expr deform_lane_offset(const DeformConv2dAlgorithm &a, Expr lane, Expr block) {
    return (block % a.blocks_per_group) * a.channel_block + lane;  // within the group
}
inline Expr deform_lane_used(const DeformConv2dAlgorithm &a, Expr lane, Expr block) {
    return deform_lane_offset(a, lane, block) < a.offset_group_channels &&
           block < a.offset_groups * a.blocks_per_group;
}
// The channel of (lane, block), clamped into [0, C) for spare lanes.
inline Expr deform_channel(const DeformConv2dAlgorithm &a, Expr lane, Expr block) {
    Expr c = deform_group_of_block(a, block) * a.offset_group_channels + deform_lane_offset(a, lane, block);
    return clamp(c, 0, a.in_channels - 1);
}
inline Expr deform_block_of(const DeformConv2dAlgorithm &a, Expr channel) {
    Expr g = channel / a.offset_group_channels, w = channel % a.offset_group_channels;
    return g * a.blocks_per_group + w / a.channel_block;
}
inline Expr deform_lane_of(const DeformConv2dAlgorithm &a, Expr channel) {
    return (channel % a.offset_group_channels) % a.channel_block;
}

// The largest top-left padded pixel index of a cell (the sentinel's).
inline Expr deform_last_cell_pixel(const DeformConv2dAlgorithm &a) {
    return (a.in_height + 1) * a.padded_width + a.in_width + 1;
}

// The padded pixel index of corner q (0: top-left, 1: top-right,
// 2: bottom-left, 3: bottom-right) of a sample's cell. sample_pixel clamps
// its own values, so the range is promised here rather than clamped again
// per read: a computed Func hides its values from bounds inference, and the
// promise is what bounds the padded input's region (and every value
// sample_pixel can hold satisfies it, computed or inlined).
inline Expr deform_corner(const DeformConv2dAlgorithm &a, int q, Expr x, Expr y, Expr tap, Expr g, Expr n) {
    Expr pixel = unsafe_promise_clamped(a.sample_pixel(x, y, tap, g, n), 0, deform_last_cell_pixel(a));
    return pixel + (q / 2) * a.padded_width + q % 2;
}

// Fills the shape fields from the buffers and defines the padded input, the
// samples and the columns (shared by forward and backward).
// mask: a [1,1,1,1] placeholder when has_mask is false (never read).
// mask_extents: the mask buffer's (x, y, channel, batch) extents.
inline void define_deform_samples(DeformConv2dAlgorithm &a, Func input, Func offset, Func mask,
                                  const std::vector<Expr> &mask_extents) {
    Var x = a.x, y = a.y, n = a.n, c = a.c, tap = a.tap, g = a.g, part = a.part;
    Var lane = a.lane, block = a.block, pixel = a.pixel;
    const int cb = a.channel_block;
    Expr W = a.in_width, H = a.in_height, C = a.in_channels;
    a.taps = a.kernel_w * a.kernel_h;
    a.offset_group_channels = C / a.offset_groups;
    a.blocks_per_group = (a.offset_group_channels + cb - 1) / cb;

    // Zero border; channels past C (the last block's spare lanes) are 0 too.
    // (constant_exterior: loops over x and y get a steady state of dense
    // loads without the border's tests.)
    a.input_rows(x, y, c, n) = zero_padded_xy(input, W, H)(x, y, clamp(c, 0, C - 1), n);
    // Written row by row over (px, py) rather than defined per flat pixel,
    // which cost a division and 4 scalar loads per 16 bytes. Zen 4, dcn_vsr
    // (15 MB): the copy 2.8 -> 1.9 ms in the profiler; the forward 0.99x the
    // time (A/B of the two pipelines in one process, 40 rounds, medians
    // 44.4 / 43.9 ms). Every pixel a sample can read is written: the
    // corners of the sentinel's cell, the last ones, are at row H + 2,
    // column W + 2.
    a.padded_width = W + 3;
    a.padded(lane, pixel, block, n) = undef<float>();
    a.over_padded = RDom(0, a.padded_width, 0, H + 3, "over_padded");
    RVar px = a.over_padded.x, py = a.over_padded.y;
    a.padded(lane, py * a.padded_width + px, block, n) =
        select(deform_lane_used(a, lane, block), a.input_rows(px - 1, py - 1, deform_channel(a, lane, block), n), 0.0f);

    // Offsets and mask are read at clamped coordinates: schedules may compute
    // whole vectors of samples past the output's edge.
    // (likely: loops over x get a steady state without the clamp, so vector
    // reads of the offsets are dense.)
    Expr ox = clamp(likely(x), 0, a.out_width - 1), oy = clamp(y, 0, a.out_height - 1);
    Expr gc = clamp(g, 0, a.offset_groups - 1), tc = clamp(tap, 0, a.taps - 1);
    Expr i = tc / a.kernel_w, j = tc % a.kernel_w;
    Expr base_y = oy * a.stride_y - a.pad_y + i * a.dil_y;
    Expr base_x = ox * a.stride_x - a.pad_x + j * a.dil_x;
    Expr off_channel = gc * 2 * a.taps + 2 * tc;
    Expr rows_at = cast<float>(base_y) + offset(ox, oy, off_channel, n);
    Expr cols_at = cast<float>(base_x) + offset(ox, oy, off_channel + 1, n);
    BilinearAxis rows = bilinear_axis(rows_at, H);
    BilinearAxis cols = bilinear_axis(cols_at, W);
    Expr in_cell = rows.in_cell_range && cols.in_cell_range;
    // (mask is a placeholder without one: its coordinates are clamped to it.)
    Expr m = select(a.has_mask,
                    mask(clamp(likely(x), 0, min(a.out_width, mask_extents[0]) - 1), clamp(oy, 0, mask_extents[1] - 1),
                         clamp(gc * a.taps + tc, 0, mask_extents[2] - 1), clamp(n, 0, mask_extents[3] - 1)),
                    1.0f);
    // Positions outside are replaced by the sentinel before any integer
    // conversion (floor(H) + 1 = H + 1, fraction 0).
    a.sample_position(part, x, y, tap, g, n) =
        select(part == kDeformCellRow, select(in_cell, rows_at, cast<float>(H)), select(in_cell, cols_at, cast<float>(W)));
    Func pos = a.sample_position;
    Expr pos_part = pos(part, x, y, tap, g, n);
    a.sample_cell(part, x, y, tap, g, n) = cast<int>(floor(pos_part)) + 1;
    Expr pos_y = pos(kDeformCellRow, x, y, tap, g, n), pos_x = pos(kDeformCellCol, x, y, tap, g, n);
    a.sample_fraction(part, x, y, tap, g, n) =
        select(part == kDeformFracY, pos_y - floor(pos_y), part == kDeformFracX, pos_x - floor(pos_x), m);
    // (In [0, deform_last_cell_pixel] for every position, the sentinel's
    // included, as deform_corner promises. Not clamped: a clamp would give
    // the Func value bounds, and Halide would then clamp every read again.)
    a.sample_pixel(x, y, tap, g, n) =
        (cast<int>(floor(pos_y)) + 1) * a.padded_width + cast<int>(floor(pos_x)) + 1;
    Func f = a.sample_fraction;
    Expr ly = f(kDeformFracY, x, y, tap, g, n), lx = f(kDeformFracX, x, y, tap, g, n);
    Expr mk = f(kDeformMask, x, y, tap, g, n);
    a.sample_weight(part, x, y, tap, g, n) =
        mk * select(part < 2, 1.0f - ly, ly) * select(part % 2 == 0, 1.0f - lx, lx);

    // The columns: a block's lanes share its group's sample. (Blocks are
    // indexed (bi, g), so that loops over them need no division.)
    Var bi = a.bi;
    Expr group = clamp(g, 0, a.offset_groups - 1);
    Expr blk = group * a.blocks_per_group + bi;
    Expr term[4];
    for (int q = 0; q < 4; q++) {
        term[q] = a.sample_weight(q, x, y, tap, group, n) * a.padded(lane, deform_corner(a, q, x, y, tap, group, n), blk, n);
    }
    // (A tree, not a chain: the four products are independent.)
    Expr value = (term[0] + term[1]) + (term[2] + term[3]);
    a.columns(lane, bi, g, tap, x, y, n) = value;
}

// The weight group of output channel k (0 when groups == 1, so that under
// that specialization a vector of output channels shares its column loads).
inline Expr deform_weight_group_of_output(const DeformConv2dAlgorithm &a, Expr k) {
    return select(a.groups == 1, 0, clamp(k, 0, a.out_channels - 1) / a.group_out_channels);
}

inline void define_deform_conv2d(DeformConv2dAlgorithm &a, Func weight, Func bias) {
    Var x = a.x, y = a.y, k = a.k, n = a.n, c = a.c, tap = a.tap;
    const int cb = a.channel_block;
    const int kb = a.weight_k_block;
    Var ki("ki"), ko("ko");
    Expr kc = clamp(ko * kb + ki, 0, a.out_channels - 1);
    // With groups == 1 the reduction runs over the columns' block layout
    // directly (index f = block * channel_block + lane: no division in the
    // inner loop), spare lanes getting weight 0; with weight groups over the
    // group's channels c'.
    Expr dense_channels = a.groups == 1;
    Expr f_lane = c % cb, f_block = c / cb;
    Expr f_channel = deform_channel(a, f_lane, f_block);
    a.packed_weight(ki, c, tap, ko) =
        select(dense_channels,
               select(deform_lane_used(a, f_lane, f_block),
                      weight(tap % a.kernel_w, tap / a.kernel_w, clamp(f_channel, 0, a.group_in_channels - 1), kc),
                      0.0f),
               weight(tap % a.kernel_w, tap / a.kernel_w, clamp(c, 0, a.group_in_channels - 1), kc));
    a.red = RDom({{0, select(dense_channels, cb, a.group_in_channels)},
                  {0, select(dense_channels, a.blocks_per_group, 1)},
                  {0, select(dense_channels, a.offset_groups, 1)},
                  {0, a.taps}},
                 "red");
    RDom r = a.red;
    Expr channel = deform_weight_group_of_output(a, k) * a.group_in_channels + r[0];
    Expr lane = select(dense_channels, r[0], deform_lane_of(a, channel));
    Expr bi = select(dense_channels, r[1], (channel % a.offset_group_channels) / cb);
    Expr g = select(dense_channels, r[2], channel / a.offset_group_channels);
    Expr f = select(dense_channels, (r[2] * a.blocks_per_group + r[1]) * cb + r[0], r[0]);
    a.conv(x, y, k, n) = bias(clamp(k, 0, a.out_channels - 1));
    a.conv(x, y, k, n) += a.packed_weight(k % kb, f, r[3], k / kb) * a.columns(lane, bi, g, r[3], x, y, n);
}

// grad: dL/d output (x, y, k, n). Defines every gradient Func (the
// generator binds them to its outputs).
inline void define_deform_conv2d_backward(DeformConv2dAlgorithm &a, Func weight, Func grad, bool deterministic) {
    Var x = a.x, y = a.y, k = a.k, n = a.n, c = a.c, tap = a.tap, g = a.g, part = a.part;
    Var lane = a.lane, block = a.block, pixel = a.pixel;
    const int cb = a.channel_block;
    a.deterministic = deterministic;
    Expr C = a.in_channels, K = a.out_channels;
    a.grad_out(x, y, k, n) =
        grad(clamp(x, 0, a.out_width - 1), clamp(y, 0, a.out_height - 1), clamp(k, 0, K - 1), n);

    // grad_columns(c) = sum over c's weight group's output channels.
    Expr cc = clamp(c, 0, C - 1);
    Expr weight_group = select(a.groups == 1, 0, cc / a.group_in_channels);
    {
        const int wb = a.weight_c_block;
        Var ci("ci"), co("co");
        Expr cw = clamp(co * wb + ci, 0, C - 1);
        a.transposed_weight(ci, k, tap, co) = weight(tap % a.kernel_w, tap / a.kernel_w,
                                                     select(a.groups == 1, cw, cw % a.group_in_channels),
                                                     clamp(k, 0, K - 1));
    }
    a.over_group_out = RDom(0, a.group_out_channels, "over_group_out");
    Expr ko = weight_group * a.group_out_channels + a.over_group_out;
    // (Over the flattened output plane, so that schedules tile pixels
    // across rows: a 14-pixel row in 6-pixel tiles wastes 4 of every 18.)
    a.grad_columns_flat(c, tap, pixel, n) = 0.0f;
    a.grad_columns_flat(c, tap, pixel, n) +=
        a.transposed_weight(c % a.weight_c_block, ko, tap, c / a.weight_c_block) *
        a.grad_out(pixel % a.out_width, pixel / a.out_width, ko, n);
    a.grad_columns(c, tap, x, y, n) = a.grad_columns_flat(c, tap, y * a.out_width + x, n);

    // Per channel: grad_column * {B, dB/dy, dB/dx} (torchvision's
    // get_coordinate_weight: the derivative of the cell's polynomial, zeros
    // outside, which the padded input supplies). Indexed by (block within
    // the group, group): no division per sample, and the channel is
    // unclamped so that a block's lanes read grad_columns densely (spare
    // lanes read at most channel_block - 1 channels past C of that Func, and
    // are masked).
    Var bi = a.bi;
    Expr ch = g * a.offset_group_channels + bi * cb + lane;
    Expr blk = g * a.blocks_per_group + bi;
    Func f = a.sample_fraction;
    Expr ly = f(kDeformFracY, x, y, tap, g, n), lx = f(kDeformFracX, x, y, tap, g, n);
    Expr v[4];
    for (int q = 0; q < 4; q++) {
        v[q] = a.padded(lane, deform_corner(a, q, x, y, tap, g, n), blk, n);
    }
    Expr value = (1.0f - ly) * ((1.0f - lx) * v[0] + lx * v[1]) + ly * ((1.0f - lx) * v[2] + lx * v[3]);
    Expr d_dy = (1.0f - lx) * (v[2] - v[0]) + lx * (v[3] - v[1]);
    Expr d_dx = (1.0f - ly) * (v[1] - v[0]) + ly * (v[3] - v[2]);
    // (Spare lanes contribute 0.)
    Expr gc = select(bi * cb + lane < a.offset_group_channels, a.grad_columns(ch, tap, x, y, n), 0.0f);
    a.sum_terms(lane, part, bi, g, tap, x, y, n) =
        gc * select(part == kDeformSumValue, value, part == kDeformSumDy, d_dy, d_dx);

    // Sums over a group's channels: its blocks lane-wise, then the lanes.
    a.over_blocks = RDom(0, a.blocks_per_group, "over_blocks");
    a.lane_sums(lane, part, g, tap, x, y, n) = 0.0f;
    a.lane_sums(lane, part, g, tap, x, y, n) += a.sum_terms(lane, part, a.over_blocks, g, tap, x, y, n);
    Expr total = a.lane_sums(0, part, g, tap, x, y, n);
    for (int l = 1; l < cb; l++) total += a.lane_sums(l, part, g, tap, x, y, n);
    a.group_sums(part, g, tap, x, y, n) = total;

    // grad_offset (x, y, oc, n): mask * the derivative sums; grad_mask: the
    // value sums.
    Var oc("oc"), mc("mc");
    Expr o_tap = (oc / 2) % a.taps, o_group = oc / (2 * a.taps);
    Expr m = f(kDeformMask, x, y, o_tap, o_group, n);
    a.grad_offset(x, y, oc, n) =
        m * a.group_sums(select(oc % 2 == 0, kDeformSumDy, kDeformSumDx), o_group, o_tap, x, y, n);
    a.grad_mask(x, y, mc, n) = a.group_sums(kDeformSumValue, mc / a.taps, mc % a.taps, x, y, n);

    // grad_input: every sample adds mask * grad_column * weight to the
    // corners of its cell (into the padded layout: corners in the border are
    // dropped with it). A corner of bilinear weight 0 gets nothing
    // (torchvision's strict |y - qy| < 1), so 0 * NaN cannot reach it.
    a.over_samples = RDom({{0, 4}, {0, a.taps}, {0, a.out_width}, {0, a.out_height}}, "over_samples");
    RDom &r = a.over_samples;
    Expr group = deform_group_of_block(a, block);  // (per block: hoisted out of the samples)
    Expr block_channel = deform_channel(a, lane, block);
    // (Coordinates clamped: a guarded split may evaluate them past the edge.)
    Expr sx = clamp(r[2], 0, a.out_width - 1), sy = clamp(r[3], 0, a.out_height - 1);
    // Per sample, shared by every channel block: the corners' bilinear
    // weights and the mask.
    {
        Expr ly = f(kDeformFracY, x, y, tap, g, n), lx = f(kDeformFracX, x, y, tap, g, n);
        Expr wy = select(part < 2, 1.0f - ly, ly), wx = select(part % 2 == 0, 1.0f - lx, lx);
        a.scatter_factors(part, x, y, tap, g, n) = select(part < 4, wy * wx, f(kDeformMask, x, y, tap, g, n));
    }
    Expr bilinear = a.scatter_factors(r[0], sx, sy, r[1], group, n);
    Expr sm = a.scatter_factors(4, sx, sy, r[1], group, n);
    // (The corner's padded pixel: the cell's top-left one, sample_pixel,
    // plus {0, 1, padded_width, padded_width + 1}.)
    Expr top_left = unsafe_promise_clamped(a.sample_pixel(sx, sy, r[1], group, n), 0, deform_last_cell_pixel(a));
    Expr corner = top_left + (r[0] / 2) * a.padded_width + r[0] % 2;
    a.scatter(lane, pixel, block, n) = 0.0f;
    a.scatter(lane, corner, block, n) +=
        select(bilinear != 0.0f, a.grad_columns(block_channel, r[1], sx, sy, n) * sm * bilinear, 0.0f);
    a.grad_input(x, y, c, n) =
        a.scatter(deform_lane_of(a, c), (y + 1) * a.padded_width + x + 1, deform_block_of(a, c), n);

    // grad_weight: per output row (over every channel slot of the columns'
    // layout, so that no loop divides), then the rows summed in order,
    // picking each weight's channel. With band_rows > 1 each partial covers
    // a band of that many rows (the last band's rows past the output read
    // grad_output as 0) and is added straight into grad_weight, band after
    // band (deterministic): a small image's bands are few and large, a wide
    // image's rows already long.
    a.row_weight_grads(k, lane, bi, g, tap, y, n) = 0.0f;
    const int band = a.band_rows;
    Var s("s"), r_("r"), cw("cw");
    a.over_rows = RDom(0, (a.out_height + band - 1) / band, 0, a.batch, "over_rows");
    if (band > 1) {
        a.over_row = RDom(0, a.out_width, 0, band, "over_row");
        Expr row = y * band + a.over_row.y;
        // (The last band's rows past the image are skipped, not summed as 0:
        // 2 of dcn_r50's 16.)
        a.over_row.where(row < a.out_height);
        a.band_grad_out(x, y, k, n) = select(y < a.out_height, a.grad_out(x, y, k, n), 0.0f);
        a.grad_out_blocked(lane, x, y, block, n) = a.band_grad_out(x, y, block * a.grad_k_block + lane, n);
        a.row_weight_grads(k, lane, bi, g, tap, y, n) +=
            a.grad_out_blocked(k % a.grad_k_block, a.over_row.x, row, k / a.grad_k_block, n) *
            a.columns(lane, bi, g, tap, a.over_row.x, row, n);
        // Every used slot (lane, block in group, group) of every tap, band
        // after band, added to its weights (its weight group's output
        // channels): no K x C x R x S partial sum to store and pick from.
        // (Ordered so that a block's writes for one output channel, its
        // lanes x R x S weights, are one contiguous run of grad_weight.)
        a.over_slots = RDom({{0, a.kernel_w}, {0, a.kernel_h}, {0, cb}, {0, a.group_out_channels},
                             {0, a.blocks_per_group}, {0, a.offset_groups}, {0, (a.out_height + band - 1) / band},
                             {0, a.batch}},
                            "over_slots");
        RDom &q = a.over_slots;  // (s, r, lane, k in the weight group, bi, g, band, n)
        q.where(q[4] * cb + q[2] < a.offset_group_channels);
        Expr slot_channel = q[5] * a.offset_group_channels + q[4] * cb + q[2];
        Expr weight_group = select(a.groups == 1, 0, slot_channel / a.group_in_channels);
        // (Clamped for bounds inference, which does not see the where():
        // the last block's spare lanes would reach past C.)
        Expr weight_channel =
            clamp(select(a.groups == 1, slot_channel, slot_channel % a.group_in_channels), 0, a.group_in_channels - 1);
        Expr out_channel = clamp(weight_group * a.group_out_channels + q[3], 0, a.out_channels - 1);
        // (No zero pass over grad_weight: the first band's write replaces
        // what was there; every weight has exactly one slot.)
        Expr first_band = q[6] == 0 && q[7] == 0;
        a.grad_weight(s, r_, cw, k) = undef<float>();
        a.grad_weight(q[0], q[1], weight_channel, out_channel) =
            select(first_band, 0.0f, a.grad_weight(q[0], q[1], weight_channel, out_channel)) +
            a.row_weight_grads(out_channel, q[2], q[4], q[5], q[1] * a.kernel_w + q[0], q[6], q[7]);
    } else {
        a.over_row = RDom(0, a.out_width, "over_row");
        a.grad_out_blocked(lane, x, y, block, n) = a.grad_out(x, y, block * a.grad_k_block + lane, n);
        a.row_weight_grads(k, lane, bi, g, tap, y, n) +=
            a.grad_out_blocked(k % a.grad_k_block, a.over_row, y, k / a.grad_k_block, n) *
            a.columns(lane, bi, g, tap, a.over_row, y, n);
        Expr channel = deform_weight_group_of_output(a, k) * a.group_in_channels + cw;
        // (Summed in the rows' own layout, so that the sum streams through them.)
        a.summed_weight_grads(k, lane, bi, g, tap) = 0.0f;
        a.summed_weight_grads(k, lane, bi, g, tap) +=
            a.row_weight_grads(k, lane, bi, g, tap, a.over_rows.x, a.over_rows.y);
        // (Each channel's place in the columns' layout from a table: the
        // divisions once per channel, not once per weight.)
        Expr slot_c = clamp(c, 0, C - 1);
        a.channel_slot(part, c) = select(part == 0, deform_lane_of(a, slot_c),
                                         part == 1, (slot_c % a.offset_group_channels) / cb,
                                         slot_c / a.offset_group_channels);
        Func slot = a.channel_slot;
        // (Clamped per read: a table's values are unknown to bounds inference.)
        a.grad_weight(s, r_, cw, k) = a.summed_weight_grads(
            k, clamp(slot(0, channel), 0, cb - 1), clamp(slot(1, channel), 0, a.blocks_per_group - 1),
            clamp(slot(2, channel), 0, a.offset_groups - 1), r_ * a.kernel_w + s);
    }
    a.over_pixels = RDom(0, a.out_width, 0, a.out_height, 0, a.batch, "over_pixels");
    a.grad_bias(k) = 0.0f;
    a.grad_bias(k) += grad(a.over_pixels.x, a.over_pixels.y, k, a.over_pixels.z);
}

}  // namespace halconv
