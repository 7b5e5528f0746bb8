// The benchmark peer of points collection (docs/points_collection.md): there
// is no public implementation to compare against, so the peer is what a
// competent engineer writes first, a plain OpenMP C++ loop over the spec,
// compiled with -O3 -march=native -fopenmp (bench/CMakeLists.txt) and no SIMD
// tricks:
//   forward:  `#pragma omp parallel for collapse(2)` over (b, i), then scalar
//             loops over n, m and j (innermost: the rows of t and p are
//             contiguous in NCHW), each sample taking its 2x2 neighbours;
//   backward: the same loops; grad_t is per sample (one writer, no race),
//             grad_d is the scatter, parallelised the plain way with
//             `#pragma omp atomic` adds.
// 1/r_h and 1/r_w are hoisted (multiplications instead of divisions).
// Edge cases as include/halconv/points.h: out-of-grid neighbours are skipped,
// a sample wholly outside the lower grid or at a non-finite position samples
// nothing (p = t, no gradient to d, grad_t = the +t term's).
//
// Also here: a naive double-precision reference of the same spec (single
// thread; positions in float as both implementations compute them, the rest
// in double, the kernel max(0, 1 - |a - p|) and the sign terms evaluated
// literally), used to check the peer and halconv.
//
// All tensors are dense NCHW float32 (shapes in the spec).
#pragma once

#include <cstddef>

namespace points_peer {

struct Dims {
    int B = 1, N = 1, M = 1, H = 1, W = 1, h = 1, w = 1;

    size_t t_size() const { return size_t(B) * 2 * N * H * W; }   // also grad_t
    size_t d_size() const { return size_t(B) * 2 * M * h * w; }   // also grad_d
    size_t p_size() const { return size_t(B) * 2 * N * M * H * W; }  // also g
};

// p = points collection of (t, d), on `threads` OpenMP threads.
void forward(const Dims &s, const float *t, const float *d, float *p, int threads);

// grad_t, grad_d (both overwritten) from g = dL/dp, on `threads` OpenMP
// threads; grad_d's additions are atomic, so their order (the last bits)
// varies from run to run.
void backward(const Dims &s, const float *t, const float *d, const float *g, float *grad_t, float *grad_d,
              int threads);

// The naive double-precision reference (results rounded to float at the end).
void reference_forward(const Dims &s, const float *t, const float *d, float *p);
// One output element of the forward, index into p (NCHW).
double reference_forward_at(const Dims &s, const float *t, const float *d, size_t p_index);
void reference_backward(const Dims &s, const float *t, const float *d, const float *g, float *grad_t,
                        float *grad_d);

}  // namespace points_peer
