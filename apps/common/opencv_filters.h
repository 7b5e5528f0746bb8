// The OpenCV peer of halconv's image filters: the same filter through
// OpenCV 4.6's best function for it, for `halconv filter --compare opencv`
// and the benchmarks (bench/bench_filters.cpp).
//
// Debian's OpenCV has no IPP and runs most filters on one thread, so the
// fair two-thread peer is that function run on horizontal strips of the
// image in parallel (cv::parallel_for_), each strip reading its neighbours'
// rows as real border (cv's ROI border handling), except the uint8
// GaussianBlur, which OpenCV already runs in parallel.
//
// OpenCV is kept out of this interface: images are halconv::ImageView.
#pragma once

#include <halconv/halconv.h>

#include <string>

namespace halconv_peer {

// Filters `input` into `output` (same size) as halconv::filter2d would
// (same kernel, border, absolute/offset) and returns a short description
// of the OpenCV call used, e.g. "cv::blur, 2 strips". `threads` is the
// number of strips (1 = one plain call). Throws std::runtime_error when
// OpenCV cannot express the request (the message says why).
std::string opencv_filter2d(halconv::ImageView<const uint8_t> input, halconv::ImageView<uint8_t> output,
                            const halconv::FilterKernel &kernel, const halconv::FilterOptions &options,
                            int threads = 2);
std::string opencv_filter2d(halconv::ImageView<const uint16_t> input, halconv::ImageView<uint16_t> output,
                            const halconv::FilterKernel &kernel, const halconv::FilterOptions &options,
                            int threads = 2);
std::string opencv_filter2d(halconv::ImageView<const float> input, halconv::ImageView<float> output,
                            const halconv::FilterKernel &kernel, const halconv::FilterOptions &options,
                            int threads = 2);

// sat(|gx| + |gy|) with cv::Sobel (ksize 3) or cv::filter2D (Prewitt).
std::string opencv_gradient_magnitude(halconv::ImageView<const uint8_t> input, halconv::ImageView<uint8_t> output,
                                      halconv::GradientOperator op, const halconv::FilterOptions &options,
                                      int threads = 2);
std::string opencv_gradient_magnitude(halconv::ImageView<const uint16_t> input,
                                      halconv::ImageView<uint16_t> output, halconv::GradientOperator op,
                                      const halconv::FilterOptions &options, int threads = 2);
std::string opencv_gradient_magnitude(halconv::ImageView<const float> input, halconv::ImageView<float> output,
                                      halconv::GradientOperator op, const halconv::FilterOptions &options,
                                      int threads = 2);

}  // namespace halconv_peer
