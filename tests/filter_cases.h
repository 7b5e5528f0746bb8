// Image filter tests (halconv::filter2d, halconv::gradient_magnitude):
// deterministic images of the three sample types, the case lists of the
// CPU and OpenCL sweeps, the tolerance rules and the function that runs one
// case on a device against the reference (reference_filter.h).
//
// Tolerances (per output sample, against ref::FilterResult):
//   * Exact: integer outputs of the exact integer paths (integer separable
//     kernels, which the header promises exact whichever pipeline runs
//     them, uint8 fixed-point Gaussians), of integer taps over a
//     power-of-two divisor on the float paths (exact while |sum| < 2^24),
//     and of the gradient magnitude: 0 difference;
//   * WithinOne: integer outputs of float-tap kernels: the difference is at
//     most 1, and 1 only where the exact response lies within float error
//     (1e-5 * sum |K||x|) of a rounding tie (a tie flipped by float error);
//   * Float: |got - value| <= 1e-5 * sum|K| * max|x| + 1e-6 * |offset|.
//
// Kernels are built inside the test bodies (a case holds a factory call,
// not a kernel), so a factory that throws fails its cases instead of the
// test binary's start-up.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "reference_filter.h"
#include "test_util.h"

namespace halconv_test {

using halconv::Border;
using halconv::FilterKernel;
using halconv::FilterOptions;
using halconv::GradientOperator;
using halconv::SampleType;

// ---------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------
enum class FilterData {
    Random,    // uint8 / uint16: uniform over the whole range; float: uniform in [-1, 1)
    Extremes,  // only 0 and the maximum (float: -1 and 1): saturation both ways
    Wide,      // float: uniform in [-1000, 1000); integers: like Random
    Constant,  // every sample 200 (uint8), 40000 (uint16), 0.75 (float)
};
const char *filter_data_name(FilterData d);

template<typename T>
struct Image {
    int width = 0, height = 0, channels = 0;
    std::vector<T> data;

    halconv::ImageView<const T> view() const { return {data.data(), width, height, channels}; }
    int64_t samples() const { return int64_t(width) * height * channels; }
    T &at(int x, int y, int c) { return data[(size_t(y) * width + x) * channels + c]; }
    const T &at(int x, int y, int c) const { return data[(size_t(y) * width + x) * channels + c]; }
};

// Deterministic image (std::mt19937 with `seed`).
template<typename T>
Image<T> make_image(int width, int height, int channels, FilterData kind, uint32_t seed);

template<typename T>
constexpr SampleType sample_type_of();
template<>
constexpr SampleType sample_type_of<uint8_t>() { return SampleType::UInt8; }
template<>
constexpr SampleType sample_type_of<uint16_t>() { return SampleType::UInt16; }
template<>
constexpr SampleType sample_type_of<float>() { return SampleType::Float32; }
const char *sample_type_name(SampleType t);  // "u8", "u16", "f32"
// The test's own names of the borders (the library's border_name() is
// tested, not used, so that a broken one cannot break test registration).
const char *border_label(Border b);  // "zero", "clamp", "mirror", "wrap"

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------
struct NamedKernel {
    std::string label;  // gtest-name-safe, e.g. "gauss_s1p5_5"
    std::function<FilterKernel()> make;
};

// Every kernel of the sweeps: each factory (box 1/3/5/9, Gaussians of
// several sigmas and sizes, binomial, motion at 0/90/30/45/200 degrees,
// integer / fractional / negative shifts, Laplacian, sharpen, emboss, Gabor,
// custom kernels incl. 1x5, 5x1, 3x7, 1x1, normalized and zero-sum) and
// flipped versions of the asymmetric ones.
std::vector<NamedKernel> filter_kernels();
// One of them by label (throws std::out_of_range when unknown).
NamedKernel filter_kernel(const std::string &label);

struct FilterCase {
    std::string label;                        // kernel label, or "sobel" / "prewitt"
    std::function<FilterKernel()> make_kernel;  // empty for the gradient magnitude
    bool gradient = false;
    GradientOperator op = GradientOperator::Sobel;
    SampleType type = SampleType::UInt8;
    int width = 1, height = 1, channels = 1;
    Border border = Border::Mirror;
    bool absolute = false;
    float offset = 0.0f;
    FilterData data = FilterData::Random;

    FilterCase &on(SampleType t) { type = t; return *this; }
    FilterCase &size(int w, int h, int c) { width = w, height = h, channels = c; return *this; }
    FilterCase &b(Border v) { border = v; return *this; }
    FilterCase &abs() { absolute = true; return *this; }
    FilterCase &off(float v) { offset = v; return *this; }
    FilterCase &with(FilterData d) { data = d; return *this; }

    FilterOptions options(halconv::Device device) const;
    std::string describe() const;  // human readable
    std::string name() const;      // unique within a list, a valid gtest name
};

FilterCase filter_case(const NamedKernel &k);
FilterCase gradient_case(GradientOperator op);

void PrintTo(const FilterCase &c, std::ostream *os);

// CPU: every kernel x sample type x border on odd-sized images, the small
// and degenerate shapes (1x1, 1xN, Nx1, 3x3 and 2x2 under 9x9 kernels),
// absolute / offset / saturation cases and the gradient operators.
std::vector<FilterCase> filter_cpu_cases();
// OpenCL: the same features on smaller images and fewer combinations.
std::vector<FilterCase> filter_opencl_cases();

// Names unique, shapes positive, every kernel of filter_kernels(), every
// border, sample type and channel count 1..4 present.
::testing::AssertionResult filter_cases_valid(const std::vector<FilterCase> &cases);

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------
enum class Exactness { Exact, WithinOne, Float };
const char *exactness_name(Exactness e);

// The tolerance rule of a kernel on a sample type (see the top of the file).
Exactness filter_exactness(const FilterKernel &kernel, SampleType type, const FilterOptions &options);

// got (output samples) against the reference.
template<typename T>
::testing::AssertionResult matches_filter_reference(const std::vector<T> &got, const ref::FilterResult &want,
                                                    Exactness rule, double max_abs_input);

// Two halconv results: bitwise equal (integers and float bit patterns).
template<typename T>
::testing::AssertionResult images_identical(const std::vector<T> &a, const std::vector<T> &b, int width,
                                            int height, int channels);

// Runs one case on `device` with deterministic data: the output written
// completely (two calls on differently filled buffers agree) and nowhere
// else (guard zones), the input untouched, every sample against the
// reference under filter_exactness(), and, on a device other than the CPU,
// bit-identical to the CPU for the Exact rule.
void check_filter_case(const FilterCase &c, halconv::Device device);

// ---------------------------------------------------------------------------
// Library calls returning fresh outputs (for property tests). A halconv::Error
// (or any exception) is reported with ADD_FAILURE and gives an empty image.
// ---------------------------------------------------------------------------
template<typename T>
Image<T> run_filter2d(const Image<T> &input, const FilterKernel &kernel, const FilterOptions &options = {});
template<typename T>
Image<T> run_gradient_magnitude(const Image<T> &input, GradientOperator op, const FilterOptions &options = {});

// The reference on an Image.
template<typename T>
ref::FilterResult ref_filter2d(const Image<T> &input, const FilterKernel &kernel, const FilterOptions &options);

// max |x| over an image.
template<typename T>
double max_abs(const Image<T> &image);

}  // namespace halconv_test
