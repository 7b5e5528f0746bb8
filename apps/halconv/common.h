// Shared pieces of the `halconv` command-line tool: error classes, argument
// helpers, image plumbing (colour channels in and out of a PNG image, alpha
// untouched), running a parsed filter through halconv or the OpenCV peer,
// timing, and display conversions.
#pragma once

#include <halconv/halconv.h>

#include "kernel_spec.h"
#include "png_io.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace halconv_cli {

// Bad command line (unknown option, missing argument): exit status 2, the
// subcommand's usage text follows the message.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// A bad option value (kernel spec, border name, number): exit status 2,
// the message only (it says what is wrong and where).
struct ArgError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Anything else that throws (I/O, PNG, halconv::Error) exits with status 1.

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitCheckFailed = 3;  // demo: a result failed its correctness check

// --- arguments -----------------------------------------------------------------

// Walks argv in the usual way: "--opt VALUE" and "--opt=VALUE" both work,
// "--" ends the options, a lone "-" is positional.
class ArgReader {
public:
    ArgReader(int argc, char **argv, int first) : argc_(argc), argv_(argv), i_(first) {}
    bool done() const { return i_ >= argc_; }
    // The next argument; for "--opt=VALUE" the option part (the value is
    // kept for value()). Sets *positional for non-options.
    std::string next(bool *positional);
    // The value of the option just returned by next().
    std::string value(const std::string &option);

private:
    int argc_;
    char **argv_;
    int i_;
    bool only_positional_ = false;
    bool has_inline_ = false;
    std::string inline_value_;
};

int parse_int(const std::string &option, const std::string &text, int lo, int hi);
double parse_double(const std::string &option, const std::string &text, double lo, double hi);
halconv::Device parse_device_arg(const std::string &text);
halconv::Border parse_border_arg(const std::string &text);

// Throws a runtime error naming the directory when `path`'s directory does
// not exist, or when `path` is itself a directory.
void check_output_path(const std::string &path);

// --- images ----------------------------------------------------------------------

// Colour channels of a PNG image (1 gray, 3 RGB): alpha is not filtered.
inline int colour_channels(const pngio::Image &img) { return img.has_alpha() ? img.channels - 1 : img.channels; }

// The colour samples of `img` (interleaved, alpha left out). T is uint8_t
// for 8-bit images and uint16_t for 16-bit ones.
template<typename T>
std::vector<T> colour_samples(const pngio::Image &img);
// Writes colour samples back into `img`, leaving its alpha channel as is.
template<typename T>
void set_colour_samples(pngio::Image &img, const std::vector<T> &colour);

template<typename T>
halconv::ImageView<const T> view(const std::vector<T> &v, int w, int h, int c) {
    return {v.data(), w, h, c};
}
template<typename T>
halconv::ImageView<T> view(std::vector<T> &v, int w, int h, int c) {
    return {v.data(), w, h, c};
}

// Luminance in [0, 1] (Rec. 601 weights; alpha composited on white),
// width * height floats.
std::vector<float> luminance(const pngio::Image &img);

// The p-th percentile (0-100) of `v` (copied).
float percentile(std::vector<float> v, double p);

// HSV (hue in degrees, s and v in [0, 1]) to 8-bit RGB.
void hsv_to_rgb(double hue_deg, double s, double v, uint8_t rgb[3]);

// A displayable 8-bit RGB copy: gray is replicated, alpha composited on
// white, 16-bit samples rounded to 8 bits.
pngio::Image to_rgb8(const pngio::Image &img);

// --- filters -----------------------------------------------------------------------

// A parsed spec with its options, ready to run on either implementation.
struct FilterJob {
    ParsedFilter filter;
    halconv::FilterOptions options;

    // "box:7 (7x7)" etc.
    std::string describe() const;
    // filter_path() for kernels, "gradient" for Sobel/Prewitt.
    std::string path(halconv::SampleType type) const;
};

// halconv::filter2d or gradient_magnitude, by the job's kind.
template<typename T>
void run_halconv(const FilterJob &job, halconv::ImageView<const T> in, halconv::ImageView<T> out);
// The OpenCV peer for the same job; returns the OpenCV call used.
template<typename T>
std::string run_opencv(const FilterJob &job, halconv::ImageView<const T> in, halconv::ImageView<T> out,
                       int threads);

template<typename T>
double max_abs_diff(const std::vector<T> &a, const std::vector<T> &b) {
    if (a.size() != b.size()) return 1e300;
    double worst = 0;
    for (size_t i = 0; i < a.size(); i++) {
        const double d = std::abs(double(a[i]) - double(b[i]));
        if (!(d <= worst)) worst = d;  // NaN counts as the worst
    }
    return worst;
}

// --- timing --------------------------------------------------------------------------

double median(std::vector<double> v);

// Median wall time in ms of `runs` calls of f() after one warm-up call.
template<typename F>
double time_median_ms(int runs, F &&f) {
    f();
    std::vector<double> ms;
    ms.reserve(size_t(runs));
    for (int i = 0; i < runs; i++) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        const auto t1 = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    return median(ms);
}

// Megapixels per second for an image of `pixels` pixels filtered in `ms`.
inline double mpix_per_s(double pixels, double ms) { return ms > 0 ? pixels / 1e6 / (ms / 1e3) : 0.0; }

std::string fmt(double v, int precision);
std::string device_display_name(halconv::Device d);  // "CPU", "CUDA", "OpenCL"

// The default number of CPU threads: halconv's (one per core).
int default_threads();

}  // namespace halconv_cli
