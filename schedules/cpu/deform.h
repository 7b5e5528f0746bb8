// CPU-SIMD schedules of deformable convolution (generators/deform_conv.h).
//
// Forward: the im2col matrix is never materialised. Per task (a strip of
// rows), per chunk of x_chunk pixels of a row, the samples' positions, their
// mask-weighted bilinear weights and their cells' padded pixel indices are
// computed vectorized along x (shared by an offset group's channels); then
// the chunk's columns (every channel x tap) are sampled with channel blocks
// in the vector lanes (per sample: 1 index load, 4 broadcast weights, 4
// dense loads and FMAs as a tree; the padded input stores channel blocks
// innermost and is flat, so no multiply), a group's taps and the chunk's
// pixels innermost so that the group's neighbourhood is reused from L1
// (sampled per tile of x_tile pixels instead, the 16 groups' neighbourhoods
// of dcn_vsr, ~880 lines, thrashed L1 between tiles; the wide-blocks
// pipeline, one offset group, keeps per-tile sampling: columns_per_chunk=0).
// Each tile's columns
// (x_tile x C*R*S floats, in L1) are then read by every block of k_tile
// output channels' register tile:
//   x_tile pixels x k_tile channels = 6 x 16 = 12 ymm accumulators,
//   per (channel, tap) step 2 weight vectors + 6 broadcast column values
//   for 12 FMAs (Zen3: 2 FMAs and 3 loads a cycle: FMA-bound); a block's
//   lanes unrolled, so each loop iteration is channel_block such steps.
// The weights are packed in blocks of k_tile output channels, each block's
// C*R*S x k_tile floats one contiguous run (generators/deform_conv.h:
// weight_k_block): the register tile streams through them in order. (With
// output channels merely innermost, a block's weights were one line in
// every K floats: on dcn_r50 a 2.4 MB stride-1 KB walk per tile.) The
// per-chunk buffers (samples, columns) are `MemoryType::Stack`, which
// Halide 14 turns into one slot per task reused chunk after chunk (heap
// above 16 KB): no malloc/free per chunk (~10,000 a call on dcn_vsr).
// The GEMM is the same arithmetic as dense conv2d (2*K*C*R*S per output);
// the sampling adds ~C*R*S/channel_block vector loads and FMAs per pixel,
// about 1/4 of the GEMM's instructions with 4-channel blocks. Offset groups
// of 8k channels use 8-channel blocks (the deform_conv2d_wide_blocks
// pipeline: 0.89-0.94x the time on dcn_64_64 and dcn_r50).
// Measured, A/B against the previous schedule (per-tile columns, heap
// buffers, unblocked weights), paired medians: dcn_vsr 0.82-0.96x (0.87-0.89
// in quieter minutes), dcn_r50 0.77x, dcn_64_64 0.91-0.95x. Bench
// (bench/results/deform.md, 64-byte aligned tensors as PyTorch's): dcn_vsr
// 76.9-84.1 ms, 1.62-1.95x the dense conv2d's time over three runs (was
// 2.11-2.37x); with the tensors 16 bytes past a line 1.07-1.18x slower. The Halide profiler on dcn_vsr (2 threads,
// 78 ms a call in a quiet minute): GEMM ~31 ms (~135 GFLOP/s, ~68% of
// peak) + its NCHW stores ~6 ms, columns ~20 ms, positions and weights
// ~14 ms (the latency of 432 short offset and mask streams per row: a
// software prefetch of the next chunk's or row's streams did not help;
// chunks of 24 pixels did: 48 take 1.13-1.16x the time, 12 1.57-1.62x),
// the padded copy ~6 ms.
// Zen 4 (AVX-512), dcn_vsr, perf samples of the AOT pipeline (2 threads,
// ~41 ms a call): the GEMM 49% (~20 ms, ~212 GFLOP/s, ~95% of the measured
// peak), the columns 29% (~12 ms: ~17 instructions a sample, its time on
// the padded input's loads, i.e. L1 misses, not on arithmetic), positions
// 8% (with 2 integer divisions per tap), weights 7.5%, cells 1%, the NCHW
// stores of the output ~5%, and the padded copy ~2.5 ms. With the offsets
// and mask cache-resident (a 16-row image) positions took as long per
// sample: they are not bound by memory. Tried, A/B in one process, none
// taken: Halide's prefetch of the offsets and mask 1-4 groups ahead
// (1.10-1.15x the time; at the columns' group loop Halide 14 prefetched the
// current group, its box built from lets of the unshifted loop variable);
// positions, weights and cells per offset group inside the columns loop
// (1.00x); a strip's columns at once with rows inside groups (1.17-1.24x);
// the bilinear weights computed in the columns loop from the fractions
// (1.02-1.04x); transparent huge pages for the tensors or the scratch
// (no gain).
//
// Backward: grad_columns = W^T grad_output as a GEMM (register tiles of
// channel vectors x pixels, stored once); the per-group sums (grad_offset,
// grad_mask) from it, lane-wise partial sums on the stack per (pixel,
// group, tap); grad_input's scatter with channel blocks in the lanes, a
// few blocks per task (their read-modify-writes interleaved), each block's
// samples in order (deterministic for any thread count);
// grad_weight per output row, reduced in registers (2 vectors of output
// channels x a block's lanes over the row's pixels, ~108 GFLOP/s on dcn_vsr)
// and stored, then the rows summed in order, streaming through them in
// their own layout. Measured (dcn_vsr): 320 ms a call; the profiler's
// largest parts are the scatter (~25%) and the group sums (~20%). On
// dcn_r50 (14 rows of 14, C = K = 256) the per-row partial sums are 2.4 MB
// each; three ways to avoid them were measured and dropped (A/B,
// dcn_r50 / dcn_64_64 / dcn_vsr): bands of rows in the algorithm
// (0.86 / 1.09 / 1.07, slower even with one-row bands), accumulating per
// tap straight into the sum (0.86 / 1.16 / 0.99: 9 taps on 2 threads), and
// rfactor over chunks of 8 rows (1.00 / 1.20 / 0.93). What worked is a
// second pipeline for small images (deform_conv2d_backward_bands, chosen by
// runtime/deform_dispatch.h when OH * OW * K <= 65536): grad_weight's
// partial sums cover bands of 16 rows (one band on dcn_r50), each tile of
// 16 output channels x a block's lanes reducing over the whole band with
// the block's columns in L1, tiles of taps in parallel; and grad_columns'
// GEMM keeps one K x 16 slice of the weights in L1 (transposed in its own
// task) while it sweeps every pixel of the image (grad_output in L2), not
// the other way round. A/B on dcn_r50: 0.62-0.64x the time of the rows
// pipeline (13.1 -> 8.1 ms); on dcn_64_64 (over the bound) bands were 1.05x
// slower, at 32 x 32 x 64 (the bound) 0.96x. The bands pipeline writes
// grad_weight in place: per block of channels (blocks in parallel) the
// band's register tiles fill a K x channel_block x R x S slice on the
// stack in PyTorch's order, which is then added to grad_weight as one
// contiguous run per output channel (with one band of one image, written
// without reading it): no K x C x R x S partial sum to zero, store and pick
// from. (Tiles added straight into grad_weight instead: 64 scalar
// read-modify-writes per tile, C x R x S floats apart, and the RVar order
// that needs is not provably legal with weight groups. Taps in parallel
// instead of blocks: each task swept all of grad_weight per tap, 1.15-1.26x.)
// The rows pipeline picks grad_weight from its sum in blocks of 8 output
// channels (a line of the sum per 8 weights; with (s, r) innermost, a
// channel's R x S lines, K x C floats apart, shared one L1 set) with each
// channel's place in the columns' layout from a table (no division per
// weight). Both pipelines: the transposed weights are stored in blocks of
// grad_c_tile input channels, so that each tile's K x grad_c_tile weights
// are one contiguous run (before, a line every C x R x S floats): A/B
// 0.91-0.96x the time on dcn_vsr, 0.90-0.95x on dcn_r50, 0.95-0.97x on
// dcn_64_64. grad_columns' GEMM tiles the flattened output plane (a
// 14-pixel row in 6-pixel tiles wasted 4 of every 18 pixels), and in the
// bands pipeline reads grad_output transposed once per call (channels
// innermost: a tile's pixels are 6 streams of K floats, ~6 KB, rather than
// a line per output channel, 16-32 KB, beside the tile's 16 KB of weights
// in a 32 KB L1): the GEMM 2.8 -> 1.6 ms (~140 GFLOP/s, ~70% of peak) in
// the profiler on dcn_r50. grad_input's scatter writes a flat padded plane
// (corners at sample_pixel + {0, 1, padded_width, padded_width + 1}); in
// the bands pipeline each sample's cell and its corners' weights and mask
// are computed once at the root rather than once per channel block (64
// blocks on dcn_r50): A/B 0.94-0.96x the time on dcn_r50, 0.99x at 7 x 7 x
// 512, rows pipeline 0.97-1.04x (noise). Both pipelines' grad_weight tiles read
// grad_output staged in blocks of grad_weight_k_tile output channels
// (generators/deform_conv.h: grad_out_blocked), so that a tile's pixels are
// one contiguous run rather than a line every K floats: A/B 0.92-0.93x the
// time on dcn_r50, 0.95x at 7 x 7 x 512, 0.87-0.92x on dcn_64_64,
// 0.91-0.95x on dcn_vsr. The three before it together, A/B against the previous
// bands pipeline: 0.80-0.81x the time on dcn_r50, 0.60-0.62x at 7 x 7 x
// 512, 0.93x at 32 x 32 x 64, 0.97-1.01x at 28 x 28 x 64 with 4 offset
// groups; the rows pipeline (dcn_vsr, dcn_64_64) 0.97-0.98x. Profile of
// dcn_r50 after (2 threads, ~6.5 ms): grad_weight's tiles 2.1-2.7 ms (~95
// GFLOP/s: 8 accumulators, 2 loads and 4 broadcasts per 8 FMAs over 14-pixel
// rows), the GEMM 1.6, the scatter 0.9, writing grad_weight 0.7 (2.4 MB,
// memory-bound). (grad_weight's tile at 24 output channels: 1.17x; channel
// blocks of 8: 1.17-1.20x; grad_c_tile 24 x grad_x_tile 4: 0.95x on 256
// channels but 1.02-1.08x on 64: not taken.) Then, in the bands pipeline,
// grad_columns' tasks are tiles of channels with every tap inside (each
// line of the weights transposed once, not once per tap) and the block's
// slice of grad_weight is stored output channels innermost (a register tile
// is 4 vector stores, not 64 scalar ones): together A/B 0.89-0.91x the time
// on dcn_r50. (Tasks of 4 blocks for grad_weight's copy, so that a thread
// writes whole lines: 1.03-1.05x.)
// AVX-512 (Zen 4): the tuner found 8-channel blocks with 32-channel tiles in
// grad_columns' GEMM 1.32x faster on dcn_64_64's backward (confirmed, hand
// and tuned alternating). JIT A/B on shapes outside the suite, 15 rounds,
// median time against the 4-channel hand schedule: rows pipeline 28 x 28 x
// 128 0.84x, 56 x 56 x 64 0.89x, 32 x 32 x 128 with 4 offset groups 0.88x;
// bands pipeline 14 x 14 x 256 with 2 groups 0.99x, 28 x 28 x 64 with 8
// groups 0.91x, batch 2 at stride 2 0.88x, but 7 x 7 x 512 1.17x (8-channel
// blocks alone: 0.95, 0.93, 0.85, 1.11x). So the rows pipeline takes them on
// AVX-512 for offset groups of 8k channels (deform_conv2d_backward_wide_blocks,
// runtime/deform_dispatch.h); the bands pipeline and AVX2 (1.17-1.20x slower
// there) keep 4-channel blocks.
#pragma once

#include "tune/space.h"

#include "generators/deform_conv.h"

namespace halconv {

struct DeformCpuSchedule {
    // Channels per block of the padded input (the sampling's vector lanes).
    GeneratorParam<int> channel_block{"cpu_deform_channel_block", 4};
    // Forward register tile (x_tile pixels x k_tile channels) and chunk of
    // pixels. 0 = the hand-tuned value for the target (resolved_x_tile,
    // resolved_x_chunk): 6 and 24 on AVX2; 8 and 32 on AVX-512, where a
    // chunk is two 16-float vectors of samples and 24 left the second one
    // half empty (Zen 4, A/B in the same process: dcn_vsr 0.82-0.84x the
    // time, dcn_r50 0.90x, dcn_64_64 0.98-1.00x).
    GeneratorParam<int> x_tile{"cpu_deform_x_tile", 0};
    GeneratorParam<int> k_tile{"cpu_deform_k_tile", 16};
    GeneratorParam<int> x_chunk{"cpu_deform_x_chunk", 0};
    GeneratorParam<int> strip_rows{"cpu_deform_strip_rows", 4};
    // 1: a chunk's columns sampled at once (a group's neighbourhood reused
    // from L1 across the chunk's tiles); 0: one tile's at a time (the columns
    // buffer x_chunk / x_tile times smaller).
    GeneratorParam<int> columns_per_chunk{"cpu_deform_columns_per_chunk", 1};
    // Backward GEMM tiles: channels (vector) x pixels.
    GeneratorParam<int> grad_c_tile{"cpu_deform_grad_c_tile", 16};
    GeneratorParam<int> grad_x_tile{"cpu_deform_grad_x_tile", 6};
    // grad_weight's register tile: output channels (whole vectors) x a
    // block's lanes.
    GeneratorParam<int> grad_weight_k_tile{"cpu_deform_grad_weight_k_tile", 16};
    // Output rows per grad_weight partial sum (an algorithm choice the
    // schedule makes: generators/deform_conv.h). 1: a wide image's rows;
    // small images get whole-image bands (the deform_conv2d_backward_bands
    // pipeline).
    GeneratorParam<int> grad_band_rows{"cpu_deform_grad_band_rows", 1};
    // Channel blocks whose read-modify-writes grad_input's scatter
    // interleaves per sample (independent chains through memory).
    GeneratorParam<int> scatter_blocks{"cpu_deform_scatter_blocks", 4};

    // Search space for `halconv tune` (tune/space.h): {name, default,
    // candidates}; the forward and the backward read different knobs.
    static tune::SearchSpace space(const std::string &op) {
        tune::SearchSpace s;
        s.knobs = {{"cpu_deform_channel_block", 4, {4, 8}}, {"cpu_deform_strip_rows", 4, {1, 2, 4, 8}}};
        if (op == "deform_conv2d") {
            // (0: the target's hand-tuned value, see x_tile and x_chunk.)
            s.knobs.push_back({"cpu_deform_x_tile", 0, {0, 2, 3, 4, 5, 6, 7, 8, 12, 14}});
            s.knobs.push_back({"cpu_deform_k_tile", 16, {8, 16, 24, 32}});
            s.knobs.push_back({"cpu_deform_x_chunk", 0, {0, 12, 16, 24, 28, 32, 42, 48, 56, 64, 96}});
            s.knobs.push_back({"cpu_deform_columns_per_chunk", 1, {0, 1}});
            auto xt = [](const tune::Params &p, const tune::TargetInfo &t) {
                return resolve_x_tile(p.at("cpu_deform_x_tile"), t.vector_registers >= 32);
            };
            auto xc = [](const tune::Params &p, const tune::TargetInfo &t) {
                return resolve_x_chunk(p.at("cpu_deform_x_chunk"), t.vector_registers >= 32);
            };
            s.constraints = {
                {"k_tile is whole vectors: k_tile % vector lanes == 0",
                 [](const tune::Params &p, const tune::TargetInfo &t) { return p.at("cpu_deform_k_tile") % t.vector_lanes == 0; }},
                {"register tile fits: x_tile * k_tile / lanes + 2 <= registers",
                 [xt](const tune::Params &p, const tune::TargetInfo &t) {
                     return xt(p, t) * p.at("cpu_deform_k_tile") / t.vector_lanes + 2 <= t.vector_registers;
                 }},
                {"a chunk is whole tiles: x_chunk % x_tile == 0",
                 [xt, xc](const tune::Params &p, const tune::TargetInfo &t) { return xc(p, t) % xt(p, t) == 0; }},
            };
        } else {
            s.knobs.push_back({"cpu_deform_grad_c_tile", 16, {8, 16, 24, 32}});
            s.knobs.push_back({"cpu_deform_grad_x_tile", 6, {2, 3, 4, 5, 6, 7, 8, 12}});
            s.knobs.push_back({"cpu_deform_grad_band_rows", 1, {1, 4, 16}});
            s.knobs.push_back({"cpu_deform_grad_weight_k_tile", 16, {8, 16, 24, 32}});
            s.knobs.push_back({"cpu_deform_scatter_blocks", 4, {1, 2, 4, 8}});
            s.constraints = {
                {"grad_c_tile is whole vectors: grad_c_tile % vector lanes == 0",
                 [](const tune::Params &p, const tune::TargetInfo &t) { return p.at("cpu_deform_grad_c_tile") % t.vector_lanes == 0; }},
                {"register tile fits: grad_x_tile * grad_c_tile / lanes + 2 <= registers",
                 [](const tune::Params &p, const tune::TargetInfo &t) {
                     return p.at("cpu_deform_grad_x_tile") * p.at("cpu_deform_grad_c_tile") / t.vector_lanes + 2 <= t.vector_registers;
                 }},
                {"grad_weight_k_tile is whole vectors: grad_weight_k_tile % vector lanes == 0",
                 [](const tune::Params &p, const tune::TargetInfo &t) {
                     return p.at("cpu_deform_grad_weight_k_tile") % t.vector_lanes == 0;
                 }},
                {"grad_weight's tile fits: (channel_block + 1) * grad_weight_k_tile / lanes + 1 <= registers",
                 [](const tune::Params &p, const tune::TargetInfo &t) {
                     return (p.at("cpu_deform_channel_block") + 1) * p.at("cpu_deform_grad_weight_k_tile") / t.vector_lanes + 1 <=
                            t.vector_registers;
                 }},
            };
        }
        return s;
    }

    static int resolve_x_tile(int x_tile, bool avx512) { return x_tile > 0 ? x_tile : avx512 ? 8 : 6; }
    static int resolve_x_chunk(int x_chunk, bool avx512) { return x_chunk > 0 ? x_chunk : avx512 ? 32 : 24; }

    // The padded input in channel blocks (lane, pixel, block, n), once per
    // call: rows of every block and image in parallel; per row, vectors of
    // pixels from each of a block's channel planes (dense loads), their
    // lanes interleaved into the block's layout (one dense store).
    // (Rows do not overlap, which Halide cannot prove of py * padded_width
    // + px: allow_race_conditions.)
    void pad_input(DeformConv2dAlgorithm &a, const Target &t) const {
        const int v = t.natural_vector_size<float>();
        RVar px = a.over_padded.x, py = a.over_padded.y, pxo("pxo"), pxi("pxi"), task("task");
        a.padded.compute_root().bound(a.lane, 0, a.channel_block);
        a.padded.update()
            .allow_race_conditions()
            .split(px, pxo, pxi, v, TailStrategy::GuardWithIf)
            .reorder(a.lane, pxi, pxo, py, a.block, a.n)
            .fuse(py, a.block, task)
            .fuse(task, a.n, task)
            .vectorize(pxi)
            .unroll(a.lane)
            .parallel(task);
    }

    // Per-sample values for a chunk of pixels, vectorized along x (parts > 0:
    // the Func's first argument is a part index, unrolled). extent: the
    // chunk's pixels, so that tiles past the output's edge read computed
    // samples.
    // parts_innermost: a sample's parts stored next to each other (its
    // consumer reads them together), computed as vectors along x and stored
    // interleaved.
    void samples_at(DeformConv2dAlgorithm &a, Func sample, int parts, LoopLevel level, int v, int extent,
                    bool parts_innermost = false) const {
        sample.compute_at(level).bound_extent(a.x, extent);
        if (parts > 0 && parts_innermost) {
            Var xo("xo"), xi("xi");
            sample.bound(a.part, 0, parts)
                .reorder_storage(a.part, a.x, a.y, a.tap, a.g, a.n)
                .split(a.x, xo, xi, v, TailStrategy::GuardWithIf)
                .reorder(xi, a.part, xo, a.y, a.tap, a.g, a.n)
                .vectorize(xi)
                .unroll(a.part);
            return;
        }
        if (parts > 0) {
            sample.bound(a.part, 0, parts)
                .reorder_storage(a.x, a.part, a.y, a.tap, a.g, a.n)
                .reorder(a.x, a.part, a.y, a.tap, a.g, a.n)
                .unroll(a.part);
        }
        sample.vectorize(a.x, v, TailStrategy::GuardWithIf);
    }

    void apply_forward(DeformConv2dAlgorithm &a, const Target &t) const {
        const int v = t.natural_vector_size<float>();
        const bool avx512 = t.has_feature(Target::AVX512);
        const int xt = resolve_x_tile(x_tile, avx512), kt = k_tile;
        const int xc = std::max(resolve_x_chunk(x_chunk, avx512), xt) / xt * xt;
        Var x = a.x, y = a.y, k = a.k, n = a.n;
        Var xo("xo"), xr("xr"), xto("xto"), xi("xi"), ko("ko"), ki("ki"), task("task");
        Func out = a.output;

        // Output: tasks of strip_rows rows; chunks of pixels, tiles of
        // pixels, blocks of output channels. (Stores: a register tile holds a
        // vector of channels per pixel; NCHW wants pixels contiguous, so they
        // are scalar stores, 1 per 2*C*R*S flops.)
        // A strip is walked chunk by chunk: a chunk's rows sample the same
        // band of input (offsets are small), which then stays in L2 (for
        // dcn_vsr: 16 group planes x ~12 rows x ~34 pixels x 16 B = 100 KB,
        // where a whole row's band, ~900 KB, would not). The default chunk,
        // 24 pixels, is whole tiles and whole vectors of positions (no
        // vector tail): in interleaved A/Bs on dcn_vsr it took 0.75x the
        // time of 48 and 0.73-0.80x that of 18 or 30.
        Var yo("yo"), yi("yi");
        Expr dense = a.groups == 1 && a.out_channels % kt == 0;
        for (int full : {1, 0}) {
            Stage s = full ? out.specialize(dense) : Stage(out);
            // (Tiles first, then chunks of whole tiles: past the image's
            // right edge a tile is skipped, not computed and discarded.)
            s.split(x, xr, xi, xt, TailStrategy::GuardWithIf)
                .split(xr, xo, xto, xc / xt, TailStrategy::GuardWithIf)
                .split(k, ko, ki, kt, TailStrategy::GuardWithIf)
                .split(y, yo, yi, strip_rows, TailStrategy::GuardWithIf)
                .reorder(ki, xi, ko, xto, yi, xo, yo, n)
                .fuse(yo, n, task)
                .parallel(task);
            if (full) s.vectorize(ki).unroll(xi);
        }

        // The register tile: k_tile channels x x_tile pixels.
        Func conv = a.conv;
        conv.compute_at(out, ko)
            .bound_extent(k, kt)
            .bound_extent(x, xt)
            .reorder_storage(k, x, y, n);
        conv.specialize(dense).vectorize(k).unroll(x);
        RDom r = a.red;
        // (A group's lanes and blocks fused into one loop: its columns and
        // weights are one contiguous run, indexed without division.)
        // (A block's lanes unrolled: channel_block steps of the register
        // tile per loop iteration, whatever the blocks per group.)
        conv.update()
            .specialize(dense)
            .reorder(k, x, r[0], r[1], r[2], r[3], y, n)
            .vectorize(k)
            .unroll(x)
            .unroll(r[0]);
        conv.update().reorder(k, x, r[0], r[1], r[2], r[3], y, n);

        // The chunk's columns, every channel and tap: channel blocks in the
        // lanes. With offset groups of whole blocks the lanes share a sample.
        Func col = a.columns;
        const bool chunk_columns = columns_per_chunk;
        col.compute_at(out, chunk_columns ? yi : xto)
            .bound(a.lane, 0, a.channel_block)
            .bound_extent(x, chunk_columns ? xc : xt)
            .vectorize(a.lane);
        // (One block per offset group, as in video alignment's 16 groups of
        // 4 channels: a tile's samples unrolled, one straight run per tap.)
        col.specialize(a.offset_group_channels <= a.channel_block).reorder(a.lane, x, a.tap, a.g, a.bi, y, n).unroll(x, xt);
        col.reorder(a.lane, a.bi, x, a.tap, a.g, y, n);

        // Positions once per chunk; the bilinear weights and the cells'
        // pixel indices from them (what the column loop reads).
        samples_at(a, a.sample_position, kDeformCellParts, LoopLevel(out, yi), v, xc);
        samples_at(a, a.sample_weight, 4, LoopLevel(out, yi), v, xc, true);
        samples_at(a, a.sample_pixel, 0, LoopLevel(out, yi), v, xc);
        a.sample_fraction.compute_inline();
        a.sample_cell.compute_inline();
        // (Per-chunk buffers: one reused slot per task, not a malloc per chunk.)
        for (Func f : {a.sample_position, a.sample_weight, a.sample_pixel, Func(col)}) f.store_in(MemoryType::Stack);
        pad_input(a, t);
        a.packed_weight.compute_root().vectorize(a.packed_weight.args()[0], v, TailStrategy::GuardWithIf).parallel(a.tap);
    }

    void apply_backward(DeformConv2dAlgorithm &a, Func grad_weight, Func grad_bias, const Target &t) const {
        const int v = t.natural_vector_size<float>();
        const int ct = grad_c_tile, xt = grad_x_tile, wkt = grad_weight_k_tile;
        Var x = a.x, y = a.y, k = a.k, n = a.n, c = a.c, tap = a.tap, g = a.g, part = a.part;
        Var xo("xo"), xi("xi"), co("co"), ci("ci"), task("task");
        pad_input(a, t);

        // grad_columns: a GEMM, channel vectors x pixels, rows in parallel.
        // Each grad_c_tile x grad_x_tile tile of one tap is reduced in
        // registers (a small Func at the tile's loop: 16 x 6 = 12 ymm
        // accumulators, per output channel 2 weight vectors + 6 broadcasts
        // for 12 FMAs) and then stored into the materialised grad_columns,
        // which its three consumers read.
        // (Small images, the bands pipeline: one tile of weights, K x
        // grad_c_tile, stays in L1 while every pixel's tiles run over it,
        // grad_output staying in L2; tiles of (channels, tap) in parallel.
        // Rows, otherwise: per row, all taps and channels over a tile of
        // pixels.)
        const bool bands = a.band_rows > 1;
        Func gcol = a.grad_columns_flat;
        Func gstore = gcol.in();
        Var pixel = a.pixel, po("po"), pi("pi"), pt("pt");
        // (Channels from 0, so that a tile of them is one aligned block of
        // weight_t. The extent is what the consumers read: the last group's
        // blocks, spare lanes included.)
        // (Tiles of the flattened plane run across rows: no partial tile
        // per row.)
        gstore.compute_root()
            .bound(c, 0, a.in_channels - a.offset_group_channels + a.blocks_per_group * a.channel_block)
            .split(pixel, po, pi, xt, TailStrategy::GuardWithIf)
            .split(c, co, ci, ct, TailStrategy::GuardWithIf);
        if (bands) {
            // (A task per tile of channels, its weights transposed in the
            // task for every tap at once: each line of the weights is read
            // once, where a task per (tile, tap) read it once per tap, 9
            // times from L2. A/B 0.93-0.95x the time on dcn_r50, 0.97x at
            // 7 x 7 x 512, 1.01x at 32 x 32 x 64: 4 tasks on 2 threads.)
            gstore.reorder(ci, pi, po, tap, co, n).parallel(co);
        } else {
            // (Tasks of a row's worth of tiles.)
            gstore.split(po, pt, po, (a.out_width + xt - 1) / xt, TailStrategy::GuardWithIf)
                .reorder(ci, pi, co, tap, po, pt, n)
                .parallel(pt);
        }
        gstore.vectorize(ci).unroll(pi);
        gcol.compute_at(gstore, bands ? po : co).bound_extent(c, ct).bound_extent(pixel, xt).vectorize(c).unroll(pixel);
        // (groups == 1: a channel vector shares its output channels, so the
        // weights are dense loads and grad_output broadcasts.)
        for (int dense : {1, 0}) {
            Stage s = dense ? gcol.update().specialize(a.groups == 1) : gcol.update();
            s.reorder(c, pixel, a.over_group_out, tap, n).vectorize(c).unroll(pixel);
        }
        // (groups == 1: the channel needs no division, and per output
        // channel the source, C x R x S, is read from L1.)
        // (weight_t's blocks of grad_c_tile channels: each tile's K x
        // grad_c_tile weights one contiguous run, generators/deform_conv.h.)
        const std::vector<Var> wt = a.transposed_weight.args();  // (ci, k, tap, co)
        if (bands) {
            a.transposed_weight.compute_at(gstore, co).vectorize(wt[0], v, TailStrategy::GuardWithIf);
        } else {
            a.transposed_weight.compute_root().vectorize(wt[0], v, TailStrategy::GuardWithIf).parallel(wt[3]);
        }
        a.transposed_weight.specialize(a.groups == 1);
        if (bands) {
            // (grad_output with channels innermost: a tile's pixels are then
            // grad_x_tile streams through the reduction, a few KB, rather
            // than a line per output channel.)
            Var ko("ko"), ki("ki");
            a.grad_out.in(gcol)
                .compute_root()
                .reorder_storage(k, x, y, n)
                .split(k, ko, ki, v, TailStrategy::GuardWithIf)
                .reorder(ki, x, ko, y, n)
                .vectorize(ki)
                .parallel(y);
        }
        a.grad_out.compute_inline();

        // Per-group sums for grad_offset and grad_mask, row by row.
        Func gs = a.group_sums;
        // (Stored pixels innermost: grad_offset and grad_mask read it
        // vectorized along x.)
        gs.compute_root()
            .bound(part, 0, kDeformSumParts)
            .reorder_storage(x, part, tap, g, y, n)
            .reorder(part, tap, g, x, y, n)
            .unroll(part)
            .parallel(y);
        // (Per (pixel, group, tap): 3 x channel_block partial sums, on the stack.)
        a.lane_sums.compute_at(gs, tap).bound(a.lane, 0, a.channel_block).vectorize(a.lane).unroll(part);
        a.lane_sums.update().reorder(a.lane, part, a.over_blocks, tap, g, x).vectorize(a.lane).unroll(part);
        a.sum_terms.compute_inline();
        a.sample_position.compute_root()
            .bound(part, 0, kDeformCellParts)
            .reorder_storage(x, part, y, tap, g, n)
            .reorder(x, part, tap, g, y, n)
            .unroll(part)
            .vectorize(x, v, TailStrategy::GuardWithIf)
            .parallel(y);
        a.sample_fraction.compute_inline();
        a.sample_cell.compute_inline();
        if (bands) {
            // (Small images, many channel blocks per offset group: what the
            // scatter needs of each sample, its cell and its corners'
            // weights and mask, computed once rather than once per block.)
            Var xo("xo"), xi("xi");
            a.sample_pixel.compute_root().vectorize(x, v, TailStrategy::GuardWithIf).parallel(y);
            a.scatter_factors.compute_root()
                .bound(part, 0, 5)
                .reorder_storage(part, x, y, tap, g, n)
                .split(x, xo, xi, v, TailStrategy::GuardWithIf)
                .reorder(xi, part, xo, tap, g, y, n)
                .vectorize(xi)
                .unroll(part)
                .parallel(y);
        } else {
            a.sample_pixel.compute_inline();
            a.scatter_factors.compute_inline();
        }
        // (Parallel over channels: one parallel loop, not one per channel.)
        a.grad_offset.compute_root().parallel(c).vectorize(x, v, TailStrategy::GuardWithIf);
        a.grad_mask.compute_root().parallel(c).vectorize(x, v, TailStrategy::GuardWithIf);

        // The scatter: scatter_blocks channel blocks per task, samples in order.
        Func sc = a.scatter;
        RDom r = a.over_samples;
        sc.compute_root()
            .bound(a.lane, 0, a.channel_block)
            .reorder(a.lane, a.pixel, a.block, n)
            .vectorize(a.lane)
            .parallel(a.block);
        // (Samples of one block hit the same few pixels again and again:
        // each read-modify-write waits for the previous one's store. With
        // scatter_blocks blocks per sample there are that many independent
        // chains: A/B 4 blocks 0.91-0.95x the time on dcn_r50 (2 blocks
        // similar), 0.94-0.97x on dcn_64_64 and dcn_vsr. Channel blocks of
        // 8 lanes instead: the scatter no faster.)
        {
            Var bo("bo"), bp("bp");
            sc.update()
                .split(a.block, bo, bp, scatter_blocks, TailStrategy::GuardWithIf)
                .reorder(a.lane, r[0], bp, r[1], r[2], r[3], bo, n)
                .vectorize(a.lane)
                .unroll(r[0])
                .unroll(bp)
                .parallel(bo);
        }
        a.grad_input.compute_root().parallel(c).vectorize(x, v, TailStrategy::GuardWithIf);

        // grad_weight: per output row, or band of rows (tiles of output
        // channels x channels in registers over its pixels), summed in order.
        // Register tile: 2 vectors of output channels x the lanes of a
        // block (per pixel 2 loads of grad_output, transposed below, and 4
        // broadcasts for 8 FMAs), reduced in registers (a small Func at the
        // tile's loop).
        Func rw = a.row_weight_grads;
        Var ko("ko"), ki("ki");
        LoopLevel per_row;  // where a row's (or band's) columns are sampled
        if (a.band_rows > 1) {
            // Bands (small images): per (block, tap), the band's tiles of
            // output channels x the block's lanes, each reduced in registers
            // over the band's pixels into a K x channel_block slice on the
            // stack, then added into grad_weight (scalar read-modify-writes,
            // C x R x S floats apart: ~4% of the FMAs' time on dcn_r50), band
            // after band (deterministic), blocks in parallel, a block's taps
            // together (the lines it writes, K x channel_block x R x S
            // floats, stay in L2). No K x C x R x S partial sum to zero, store
            // and pick from. A band's columns are sampled first, rows in
            // parallel; a block's columns over the band, a few KB, stay in
            // L1 while every tile of output channels runs over them.
            RDom q = a.over_slots;  // (s, r, lane, k in group, bi, g, band, n)
            RVar blocks("blocks");
            grad_weight.compute_root();
            // (Blocks write disjoint weights: no race, though Halide cannot
            // prove it through the channel's arithmetic.)
            // (groups == 1, 3 x 3 kernels: no division per weight, a weight
            // row's taps unrolled. One band of one image, dcn_r50's case:
            // grad_weight is written, not read.)
            Expr three = a.groups == 1 && a.kernel_w == 3 && a.kernel_h == 3;
            Expr one_band = a.out_height <= a.band_rows && a.batch == 1;
            for (int variant : {2, 1, 0}) {
                Stage s = variant == 2   ? grad_weight.update().specialize(three && one_band)
                          : variant == 1 ? grad_weight.update().specialize(three)
                                         : grad_weight.update();
                s.allow_race_conditions().fuse(q[4], q[5], blocks).parallel(blocks);
                if (variant > 0) s.unroll(q[0]).unroll(q[1]);
            }
            // A block's slice of every output channel and tap, filled tile
            // by tile, output channels innermost: a tile is 4 vector
            // stores, where in grad_weight's order (taps, then lanes,
            // innermost) it was 64 scalar ones; the copy into grad_weight,
            // scalar either way, does the transposition. (A/B 0.93-0.96x the
            // time on dcn_r50, 0.98-1.00x on the other bands shapes.) (One
            // block and band: the where() on the slots would otherwise leave
            // the block's extent to run time.) Taps inside the tiles of
            // output channels: a tile's grad_output, 16 channels x the
            // band's pixels (12.5 KB on dcn_r50), is read from L1 by the 9
            // taps' tiles rather than streamed from L2 for each (A/B
            // 0.97-0.98x the time on dcn_r50, 0.95-0.99x on the other bands
            // shapes; a profile with perf put most of the block's time on
            // the FMAs waiting for that load).
            Func rw_slice = rw.in(grad_weight);
            rw_slice.compute_at(grad_weight, blocks)
                .bound(a.lane, 0, a.channel_block)
                .bound_extent(a.bi, 1)
                .bound_extent(g, 1)
                .bound_extent(y, 1)
                .bound_extent(n, 1)
                .reorder_storage(k, a.lane, tap, a.bi, g, y, n)
                .split(k, ko, ki, wkt, TailStrategy::GuardWithIf)
                .reorder(ki, a.lane, tap, ko, a.bi, g, y, n)
                .vectorize(ki)
                .unroll(a.lane);
            // The register tile: wkt output channels x the block's lanes.
            rw.compute_at(rw_slice, tap).bound_extent(k, wkt).vectorize(k);
            rw.update().reorder(k, a.lane, a.over_row.x, a.over_row.y, a.bi, g, tap, y, n).vectorize(k).unroll(a.lane);
            per_row = LoopLevel(grad_weight, q[6]);
            a.band_grad_out.compute_inline();
        } else {
            // Rows: per row, tiles of output channels x channel blocks
            // reduced in registers and stored, rows in parallel; then the
            // rows summed in order, streaming through them (each thread a
            // range of taps; output channels in the vector lanes).
            Func sw = a.summed_weight_grads;
            Func rw_store = rw.in(sw);
            rw_store.compute_root()
                .bound(a.lane, 0, a.channel_block)
                .split(k, ko, ki, wkt, TailStrategy::GuardWithIf)
                .reorder(ki, a.lane, a.bi, g, tap, ko, y, n)
                .vectorize(ki)
                .unroll(a.lane)
                .parallel(y);
            rw.compute_at(rw_store, a.bi).bound_extent(k, wkt).vectorize(k);
            rw.update().reorder(k, a.lane, a.over_row, a.bi, g, tap, y, n).vectorize(k).unroll(a.lane);
            per_row = LoopLevel(rw_store, y);
            sw.compute_root().vectorize(k, v, TailStrategy::GuardWithIf).parallel(tap);
            sw.update()
                .reorder(k, a.lane, a.bi, g, a.over_rows.x, a.over_rows.y, tap)
                .vectorize(k, v, TailStrategy::GuardWithIf)
                .parallel(tap);
            // Each weight picked from the sum in blocks of 8 output channels,
            // those innermost: a line of the sum (output channels innermost
            // there) per 8 weights (16: no faster). (With (s, r) innermost
            // instead, the R x S lines of a channel, K x C floats apart,
            // share one L1 set.)
            a.grad_weight.compute_inline();
            a.channel_slot.compute_root();
            grad_weight.compute_root()
                .split(n, ko, ki, 8, TailStrategy::GuardWithIf)
                .reorder(ki, x, y, c, ko)
                .parallel(ko);
            grad_weight.specialize(a.groups == 1);
        }
        rw.bound(a.lane, 0, a.channel_block).unroll(a.lane);
        // (A row's or band's grad_output in blocks of the tile's output
        // channels: each tile then reads one contiguous run, where with
        // channels merely innermost it read a line every K floats.)
        a.grad_out_blocked.compute_at(per_row).vectorize(a.lane, v, TailStrategy::GuardWithIf);
        // The row's columns with pixels next to each other, as the tile reads them.
        if (a.band_rows > 1) {
            // (Bands: one block's columns over the band, sampled in the
            // block's task from the band's sample weights, ~28 KB on
            // dcn_r50, still in L1 when its tiles read them; before, the
            // band's columns were sampled at once, rows in parallel, and a
            // block's came from the other core's cache or L3: A/B
            // 0.96-0.98x the time on dcn_r50, 0.95-0.98x on the other bands
            // shapes. Computed at grad_weight's fused blocks RVar instead of
            // the slice's root, the pipeline read sample_pixel outside its
            // region and crashed: not investigated further.)
            a.columns.compute_at(rw.in(grad_weight), Var::outermost())
                .bound_extent(a.bi, 1)
                .bound_extent(a.g, 1)
                .bound_extent(y, a.band_rows)
                .bound_extent(n, 1)
                .reorder_storage(a.lane, x, tap, y, a.bi, a.g, n)
                .reorder(a.lane, x, tap, y, a.bi, a.g, n);
        } else {
            a.columns.compute_at(per_row)
                .reorder_storage(a.lane, x, a.bi, a.g, tap, y, n)
                .reorder(a.lane, x, a.bi, a.g, tap, y, n);
        }
        a.columns.bound(a.lane, 0, a.channel_block).vectorize(a.lane);
        // (Bands: the band's rows in parallel, each row's weights together.)
        a.sample_weight.compute_at(per_row)
            .bound(part, 0, 4)
            .reorder_storage(x, part, bands ? tap : y, bands ? g : tap, bands ? y : g, n)
            .reorder(x, part, tap, g, y, n)
            .unroll(part)
            .vectorize(x, v, TailStrategy::GuardWithIf);
        if (bands) a.sample_weight.parallel(y);
        a.grad_out.compute_inline();
        a.grad_bias.compute_root();
        grad_bias.compute_root();
        (void)co;
        (void)ci;
        (void)task;
    }
};

}  // namespace halconv
