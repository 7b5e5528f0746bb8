// halconv image filters: 2-D cross-correlation of interleaved images (the
// layout of a decoded PNG: rows top to bottom, pixels left to right, the
// channels of a pixel next to each other), every channel filtered alike.
//
// Three sample types, each filtered in its own type (uint8 stays uint8,
// uint16 stays uint16, float stays float), with fast paths picked per call:
//   * exact integer arithmetic when the kernel is an integer separable
//     kernel over a divisor (box, binomial, shift, motion blur along an
//     axis), run as two 1-D passes, and every sum and the exact rounded
//     division fit 32 bits (always for uint8; for uint16 when the divisor is
//     a power of two, else the float path, whose integer sums are still
//     exact below 2^24); see filter_path();
//   * uint8 Gaussians: taps quantized to 8-bit fixed point per axis (sum 256
//     each, like OpenCV's bit-exact GaussianBlur), then exact integer passes;
//   * other separable kernels: two 1-D float passes;
//   * everything else (Gabor, emboss, Laplacian, custom kernels): a direct
//     2-D pass with float accumulation (exact for integer taps on integer
//     images while |sum| stays below 2^24).
// Integer outputs round half up (floor(v + 0.5)) and saturate to the type's
// range; float outputs are neither rounded nor clamped.
//
// Included by halconv/halconv.h; errors are halconv::Error like everywhere.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace halconv {

enum class Device;

// ---------------------------------------------------------------------------
// Images: non-owning views of caller memory, interleaved, rows dense
// (sample (x, y, c) at data[(y * width + x) * channels + c]).
// ---------------------------------------------------------------------------
template<typename T>
struct ImageView {
    T *data = nullptr;
    int width = 0;
    int height = 0;
    int channels = 0;  // 1..4 in the CLI; any positive count in the API

    ImageView() = default;
    ImageView(T *d, int w, int h, int c) : data(d), width(w), height(h), channels(c) {}
    template<typename U, typename = std::enable_if_t<std::is_same_v<const U, T> && !std::is_same_v<U, T>>>
    ImageView(const ImageView<U> &o) : data(o.data), width(o.width), height(o.height), channels(o.channels) {}

    int64_t samples() const { return int64_t(width) * height * channels; }
};

// ---------------------------------------------------------------------------
// Borders: what the filter reads outside the image. Any distance from the
// image is defined (kernels larger than the image included).
// ---------------------------------------------------------------------------
enum class Border {
    Zero,    // 0 outside                             (OpenCV BORDER_CONSTANT 0)
    Clamp,   // nearest edge sample: aaa|abcd|ddd     (OpenCV BORDER_REPLICATE)
    Mirror,  // reflect without repeating the edge: cb|abcd|cb
             //                                       (OpenCV BORDER_REFLECT_101,
             //                                        PyTorch 'reflect'; the default)
    Wrap,    // periodic: cd|abcd|ab                  (OpenCV BORDER_WRAP)
};

const char *border_name(Border b);  // "zero", "clamp", "mirror", "wrap"
// Parses one of the names above; throws Error(InvalidArgument) otherwise.
Border parse_border(const std::string &name);

// ---------------------------------------------------------------------------
// Kernels. out(x, y) = sum_{i,j} K[i][j] * in(x + j - width/2, y + i - height/2)
// (cross-correlation, anchor at the centre; width and height are odd).
// K = taps / divisor. When `column` and `row` are set the kernel is
// separable: taps[i * width + j] == column[i] * row[j].
// ---------------------------------------------------------------------------
struct FilterKernel {
    std::string name;           // e.g. "box:3", for messages and reports
    int width = 0, height = 0;  // odd, >= 1
    std::vector<float> taps;    // height * width, row-major
    double divisor = 1.0;       // non-zero
    std::vector<float> column;  // height: the vertical factor (empty: not separable)
    std::vector<float> row;     // width: the horizontal factor
    // Set for kernels whose taps are all integers (then the integer paths
    // apply to integer images).
    bool integer = false;
    // uint8 images only: an 8-bit fixed-point approximation of a separable
    // non-integer kernel (each factor sums to 256, divisor 65536), used
    // instead of the exact float taps when set (Gaussians; OpenCV does the
    // same). Empty otherwise.
    std::vector<float> fixed_column, fixed_row;

    bool separable() const { return !column.empty(); }
    // The kernel rotated by 180 degrees: filtering with it is true
    // convolution with this kernel.
    FilterKernel flipped() const;
    // The effective weight K[i][j] = taps / divisor.
    double weight(int i, int j) const { return taps[size_t(i) * width + j] / divisor; }

    // --- the lecture's kernels --------------------------------------------
    // size x size mean (size odd).
    static FilterKernel box(int size);
    // Sampled Gaussian, normalized; size 0 = 2 * ceil(3 * sigma) + 1.
    static FilterKernel gaussian(double sigma, int size = 0);
    // Binomial (Pascal's triangle) size x size: an exact integer Gaussian.
    static FilterKernel binomial(int size);
    // Motion blur: a line `length` pixels long (odd) through the centre at
    // `angle_deg` (counter-clockwise from +x, image y pointing down),
    // anti-aliased (weight max(0, 1 - distance to the segment)), normalized.
    // Multiples of 90 degrees give the exact integer 1 x length kernel.
    static FilterKernel motion(int length, double angle_deg);
    // Moves the image content by (dx, dy) pixels (right, down): out(x, y) =
    // in(x - dx, y - dy). Fractional shifts interpolate linearly.
    static FilterKernel shift(double dx, double dy);
    static FilterKernel laplacian();  // [0 1 0; 1 -4 1; 0 1 0]
    static FilterKernel sharpen();    // [0 -1 0; -1 5 -1; 0 -1 0]
    static FilterKernel emboss();     // [-2 -1 0; -1 1 1; 0 1 2]
    // Gabor filter (the V1 simple-cell model): a cosine carrier of
    // `wavelength` pixels along direction theta under a Gaussian envelope of
    // `sigma` (0 = 0.56 * wavelength, one octave bandwidth); phase_deg 0 is
    // the even (cosine) filter, 90 the odd (sine) one. The mean is removed
    // (no response to flat regions) and the positive taps sum to 1.
    // Size 2 * ceil(3 * sigma) + 1.
    static FilterKernel gabor(double theta_deg, double wavelength, double sigma = 0, double phase_deg = 0);
    // A custom height x width kernel (odd sizes), row-major taps. normalize:
    // divide by the sum of the taps, or, when it is 0 (edge detectors), by
    // the sum of the positive taps.
    static FilterKernel custom(int height, int width, std::vector<float> taps, bool normalize = false);
};

// ---------------------------------------------------------------------------
// Filtering. `output` has the input's width, height and channels and must
// not overlap it.
// ---------------------------------------------------------------------------
struct FilterOptions {
    Border border = Border::Mirror;
    // Applied to the response v before rounding: v -> |v| when absolute
    // (edge detectors on unsigned images), then v + offset (e.g. 128 for an
    // emboss on uint8), in the output's sample units.
    bool absolute = false;
    float offset = 0.0f;
    Device device{};  // Device::CPU
};

void filter2d(ImageView<const uint8_t> input, ImageView<uint8_t> output, const FilterKernel &kernel,
              const FilterOptions &options = {});
void filter2d(ImageView<const uint16_t> input, ImageView<uint16_t> output, const FilterKernel &kernel,
              const FilterOptions &options = {});
void filter2d(ImageView<const float> input, ImageView<float> output, const FilterKernel &kernel,
              const FilterOptions &options = {});

// Edge detection: L1 gradient magnitude |gx| + |gy| of a 3x3 operator,
// saturated for integer images. gx = [-1 0 1] across x, smoothed along y
// by [1 w 1] (Sobel: w = 2, Prewitt: w = 1); gy likewise. `absolute` is
// implied; `offset` is added.
enum class GradientOperator { Sobel, Prewitt };
void gradient_magnitude(ImageView<const uint8_t> input, ImageView<uint8_t> output, GradientOperator op,
                        const FilterOptions &options = {});
void gradient_magnitude(ImageView<const uint16_t> input, ImageView<uint16_t> output, GradientOperator op,
                        const FilterOptions &options = {});
void gradient_magnitude(ImageView<const float> input, ImageView<float> output, GradientOperator op,
                        const FilterOptions &options = {});

// Which pipeline filter2d runs for this kernel and sample type
// ("integer-separable", "float-separable", "float-direct"), for reports.
enum class SampleType { UInt8, UInt16, Float32 };
const char *filter_path(const FilterKernel &kernel, SampleType type, const FilterOptions &options = {});

}  // namespace halconv
