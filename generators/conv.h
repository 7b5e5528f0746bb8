// The convolution family's algorithms, written once. A schedule (schedules/
// cpu/conv.h, schedules/cuda/conv.h) receives these structs and decides
// loops, tiling and storage; nothing here says how to compute.
#pragma once

#include "generators/common.h"

namespace halconv {

// conv2d weights arrive blocked by kWeightBlock output channels, Halide dims
// (k % kWeightBlock, c, s, r, k / kWeightBlock), zero-padded to a whole
// block: one aligned vector load gives a register tile's output channels
// (16 covers AVX-512; AVX2 tiles read half a block).
constexpr int kWeightBlock = 16;

// conv2d: output(x, y, k, n) = bias(k)
//   + sum_{c < C/groups, r < R, s < S} weight(k, c, s, r)
//       * input(x*stride_x - pad_x + s*dil_x, y*stride_y - pad_y + r*dil_y, g*C/groups + c, n)
// with g = k / (K/groups) and zeros outside the input. The weight arrives
// blocked (above), already flipped for true convolution.
struct Conv2dAlgorithm {
    Var x{"x"}, y{"y"}, k{"k"}, n{"n"};
    Func padded{"input_padded"};  // zero-padded input, the only boundary handling
    Func conv{"conv"};            // bias + accumulation over red
    Func output;                  // the generator's Output
    RDom red;                     // red.x = s (kernel column), red.y = r (row), red.z = c
    // Runtime parameters, in a form the schedule can specialize on.
    Expr stride_x, stride_y, pad_x, pad_y, dil_x, dil_y, groups;
    Expr in_channels, in_width, in_height;        // C, W, H
    Expr out_channels, out_width, out_height;     // K, OW, OH
    Expr kernel_w, kernel_h;                      // S, R
    Expr group_in_channels, group_out_channels;   // C/groups, K/groups
};

// conv_transpose2d, the adjoint of conv2d, computed by output phase so that no
// multiply touches an inserted zero:
//   output(ox, oy, k, n) = bias(k) + sum_{c, r, s : ix*sx - px + s*dx = ox, iy*sy - py + r*dy = oy}
//       input(ix, iy, g*C/groups + c, n) * W(k - g*K/groups, g*C/groups + c, s, r)
// With u = ox + px = ax*sx + bx, the taps that reach phase bx are
// s = first(bx) + j*step (step = sx / gcd(sx, dx)), read at
// ix = ax - tap_offset_x(j, bx), tap_offset = (s*dx - bx) / sx exactly.
// The runtime packs the weight per phase, (k, c, jx, jy, bx, by), with zeros
// for the taps a phase lacks, and computes the tap offsets: the reduction
// then has the same dense shape for every phase.
struct ConvTranspose2dAlgorithm {
    Var x{"x"}, y{"y"}, k{"k"}, n{"n"};
    Var ax{"ax"}, bx{"bx"}, ay{"ay"}, by{"by"};  // coarse position and phase
    Func padded{"input_padded"};
    Func acc{"phase_acc"};        // bias + accumulation for one phase, (ax, bx, ay, by, k, n)
    Func phase_out{"phase_out"};  // acc stored with the phase innermost: dense in ox
    Func output;
    RDom red;  // red.x = jx (tap within the phase), red.y = jy, red.z = c
    Expr stride_x, stride_y, pad_x, pad_y, groups;
    Expr in_channels, in_width, in_height;
    Expr out_channels, out_width, out_height;
    Expr taps_x, taps_y;  // taps per phase (the most any phase has)
    Expr group_in_channels, group_out_channels;
};

}  // namespace halconv
