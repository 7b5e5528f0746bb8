// Which CPU pipeline of a deform_conv2d generator serves a call: plain C++,
// shared by the runtime (runtime/deform.cpp), the tuner (whose hand schedule
// must be what the library runs) and the tests (which cover each pipeline).
#pragma once

namespace halconv {

// Forward: offset groups of 8k channels sample whole 8-lane vectors of
// channels (deform_conv2d_wide_blocks); 4-channel groups (video alignment)
// keep 4-channel blocks, which 8 would leave half empty.
inline bool deform_forward_wide_blocks(long long C, long long offset_groups) { return (C / offset_groups) % 8 == 0; }

// Backward, rows pipeline (wide images, below), on AVX-512 only
// (deform_conv2d_backward_wide_blocks, built for that CPU target alone):
// offset groups of 8k channels in 8-channel blocks, with 32-channel tiles in
// grad_columns' GEMM. (On AVX2 such blocks were 1.17-1.20x slower; the bands
// pipeline gained less and lost on 7 x 7 x 512.)
inline bool deform_backward_wide_blocks(long long C, long long offset_groups) {
    return deform_forward_wide_blocks(C, offset_groups);
}
constexpr int kDeformBackwardWideChannelBlock = 8;
constexpr int kDeformBackwardWideGradCTile = 32;

// Backward: small images sum grad_weight over bands of 16 output rows
// (deform_conv2d_backward_bands) rather than per row, whose partial sums of
// K x C x R x S floats cost more than a short row's work. The bound: one
// image's grad_output, which the bands pipeline's column-gradient GEMM
// sweeps once per tile of weights, within 256 KB (a core's L2 here).
constexpr int kDeformBackwardBandRows = 16;
inline bool deform_backward_bands(long long OH, long long OW, long long K) {
    return double(OH) * double(OW) * double(K) <= 65536.0;
}

}  // namespace halconv
