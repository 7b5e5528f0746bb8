// Small, reusable PNG reader/writer on top of libpng, for the halconv apps.
//
// Reading accepts every PNG colour type and bit depth and normalises it:
//   * gray 1/2/4-bit            -> 8-bit gray
//   * palette                   -> 8-bit RGB, or RGBA when it has transparency
//   * gray / RGB with tRNS      -> gray+alpha / RGBA
//   * 16-bit images stay 16-bit (samples in native byte order)
//   * interlaced (Adam7) images are de-interlaced
// Gamma and colour-profile chunks are ignored: samples are returned as stored.
//
// Errors are reported by throwing PngError with a message that names the file
// and says what is wrong: not a PNG, truncated, corrupt (libpng's own message,
// e.g. a CRC error), too large, or an I/O error. libpng's setjmp/longjmp error
// handling never crosses C++ frames (see png_io.cpp).
//
// Writing is atomic: the image is written to a temporary file in the target's
// directory and renamed over the target, so readers never see a partial file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace pngio {

class PngError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Images with more pixels (width * height) than this are refused before any
// pixel memory is allocated: 2^28 pixels = 256 Mpixel (1 GiB as 8-bit RGBA,
// 2 GiB as 16-bit RGBA, 4 GiB as planar float RGBA).
constexpr uint64_t kMaxPixels = uint64_t(1) << 28;

// An interleaved image, rows top to bottom, no padding between rows.
struct Image {
    int width = 0;
    int height = 0;
    int channels = 0;   // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
    int bit_depth = 8;  // 8 or 16
    // 8-bit: one byte per sample. 16-bit: one native-endian uint16_t per
    // sample (use sample()/set_sample() or reinterpret as uint16_t).
    std::vector<uint8_t> pixels;

    Image() = default;
    // A zero-filled image; throws PngError for bad parameters or if too large.
    Image(int width, int height, int channels, int bit_depth = 8);

    int bytes_per_sample() const { return bit_depth / 8; }
    size_t row_bytes() const { return size_t(width) * size_t(channels) * size_t(bytes_per_sample()); }
    size_t sample_count() const { return size_t(width) * size_t(height) * size_t(channels); }
    bool has_alpha() const { return channels == 2 || channels == 4; }
    // The largest sample value: 255 or 65535.
    uint32_t max_value() const { return bit_depth == 16 ? 65535u : 255u; }

    // Sample `c` of pixel (x, y), as an integer in [0, max_value()].
    uint32_t sample(int x, int y, int c) const;
    void set_sample(int x, int y, int c, uint32_t value);
};

// "gray", "gray+alpha", "RGB" or "RGBA".
const char *channels_name(int channels);

// Readers. `name` is only used in error messages.
Image read_png(const std::string &path);
Image decode_png(const void *data, size_t size, const std::string &name = "<memory>");

// Writers. `write_png` is atomic (temporary file + rename). `level` is the
// zlib compression level (0-9, -1 = libpng's default).
void write_png(const std::string &path, const Image &image, int level = -1);
std::vector<uint8_t> encode_png(const Image &image, int level = -1);

// Conversion to and from planar float, the layout of one NCHW image [C, H, W]
// with values in [0, 1].
//
// to_planar_float: with keep_alpha = false an alpha channel is removed by
// compositing over `background` (0 = black, 1 = white), so the result has 1
// (gray) or 3 (RGB) channels; with keep_alpha = true all channels are kept.
std::vector<float> to_planar_float(const Image &image, bool keep_alpha = false,
                                   float background = 1.0f, int *out_channels = nullptr);
// from_planar_float: clamps to [0, 1] and rounds to the nearest integer
// sample; NaN becomes 0. `channels` must be 1-4.
Image from_planar_float(const float *data, int channels, int height, int width, int bit_depth = 8);

}  // namespace pngio
