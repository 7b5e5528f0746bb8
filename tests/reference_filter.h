// Plain reference implementations of the image filters (include/halconv/filter.h),
// written directly from the header's formulas in double precision:
//
//   out(x, y, c) = sum_{i < height, j < width} K[i][j] * in(X(x + j - width/2), Y(y + i - height/2), c)
//
// with K the effective kernel (taps / divisor, or for uint8 images and a
// kernel with fixed-point factors fixed_column[i] * fixed_row[j] / 65536),
// X and Y the border mapping of each axis (any distance), then v -> |v| when
// `absolute`, v -> v + offset, and for integer outputs floor(v + 0.5)
// saturated to the type's range (float outputs are neither rounded nor
// clamped).
//
// When the effective kernel is a ratio of integers (integer taps, integer
// divisor; always so for the fixed-point factors) the integer outputs are
// computed in exact integer arithmetic, so the reference has no rounding
// ties flipped by floating-point error.
//
// The gradient magnitude is |gx| + |gy| (+ offset, saturated for integers):
//   gx(x, y) = sum_{d in -1..1} s[d] * (in(x + 1, y + d) - in(x - 1, y + d))
//   gy(x, y) = sum_{d in -1..1} s[d] * (in(x + d, y + 1) - in(x + d, y - 1))
// with s = [1, w, 1] (w = 2 Sobel, 1 Prewitt) and the same border mapping.
//
// Deliberately naive (one loop per index); uses halconv's FilterKernel,
// Border, GradientOperator and FilterOptions types as plain data only.
#pragma once

#include <cstdint>
#include <vector>

#include "halconv/halconv.h"

namespace ref {

// The sample at position i of an axis of n samples under `border`, at any
// distance from the axis; -1 means "outside, read 0" (Border::Zero).
//   Clamp:  clamp(i, 0, n - 1)
//   Mirror: reflect-101, period 2 (n - 1) (n == 1: always 0)
//   Wrap:   i mod n
int64_t border_index(int64_t i, int64_t n, halconv::Border border);

// The effective kernel for an image of sample type `type`, row-major
// (height x width): weight[i * width + j] = K[i][j] in double. When it is a
// ratio of integers, numerator[] holds the integer taps and denominator the
// positive integer divisor (exact == true).
struct EffectiveKernel {
    int width = 0, height = 0;
    std::vector<double> weight;
    bool exact = false;
    std::vector<int64_t> numerator;
    int64_t denominator = 1;
    bool fixed_point = false;  // the uint8 fixed-point factors were used

    double abs_sum() const;  // sum |K|
};
EffectiveKernel effective_kernel(const halconv::FilterKernel &kernel, halconv::SampleType type);

// The same kernel rotated by 180 degrees (taps, factors and fixed-point
// factors reversed), built independently of FilterKernel::flipped().
halconv::FilterKernel rotate180(const halconv::FilterKernel &kernel);

// One filtered image: per sample (interleaved like the input)
//   value:   the response after absolute and offset, unrounded (double);
//   sample:  the expected output sample (integers: rounded half up and
//            saturated, exactly when the kernel is exact; float: value);
//   abs_sum: sum |K| |x| + |offset| (scale of float evaluation error);
// and the image's width, height, channels.
struct FilterResult {
    int width = 0, height = 0, channels = 0;
    std::vector<double> value;
    std::vector<double> sample;
    std::vector<double> abs_sum;
    double kernel_abs_sum = 0;  // sum |K| (the gradient: 2 * (2 + w))
    bool exact = false;         // `sample` was computed in exact integer arithmetic
};

// Cross-correlation (the header's definition). Only options.border,
// options.absolute and options.offset are used.
FilterResult filter2d(const uint8_t *input, int width, int height, int channels,
                      const halconv::FilterKernel &kernel, const halconv::FilterOptions &options);
FilterResult filter2d(const uint16_t *input, int width, int height, int channels,
                      const halconv::FilterKernel &kernel, const halconv::FilterOptions &options);
FilterResult filter2d(const float *input, int width, int height, int channels,
                      const halconv::FilterKernel &kernel, const halconv::FilterOptions &options);

// True convolution with `kernel` (no flipping of the kernel object):
//   out(x, y) = sum_{i, j} K[i][j] * in(x - (j - width/2), y - (i - height/2))
// i.e. what filter2d with kernel.flipped() must compute.
FilterResult convolve2d(const uint8_t *input, int width, int height, int channels,
                        const halconv::FilterKernel &kernel, const halconv::FilterOptions &options);
FilterResult convolve2d(const uint16_t *input, int width, int height, int channels,
                        const halconv::FilterKernel &kernel, const halconv::FilterOptions &options);
FilterResult convolve2d(const float *input, int width, int height, int channels,
                        const halconv::FilterKernel &kernel, const halconv::FilterOptions &options);

// L1 gradient magnitude (options.absolute is implied; border and offset used).
FilterResult gradient_magnitude(const uint8_t *input, int width, int height, int channels,
                                halconv::GradientOperator op, const halconv::FilterOptions &options);
FilterResult gradient_magnitude(const uint16_t *input, int width, int height, int channels,
                                halconv::GradientOperator op, const halconv::FilterOptions &options);
FilterResult gradient_magnitude(const float *input, int width, int height, int channels,
                                halconv::GradientOperator op, const halconv::FilterOptions &options);

// Integer output rule: floor(v + 0.5) clamped to [0, max_value].
double round_saturate(double v, double max_value);

}  // namespace ref
