// The `halconv filter --kernel SPEC` language: one of the lecture's filters
// or a custom kernel, parsed into a halconv::FilterKernel (or a gradient
// operator for the edge detectors).
//
//   box:N                      N x N mean (N odd)
//   gaussian:SIGMA[,SIZE]      sampled Gaussian (SIZE odd; default 2*ceil(3*SIGMA)+1)
//   binomial:N                 exact integer Gaussian (Pascal's triangle), N odd
//   motion:LENGTH,ANGLE_DEG    motion blur (LENGTH odd)
//   shift:DX,DY                moves the content right/down by DX, DY pixels
//   sobel | prewitt            gradient magnitude |gx| + |gy|
//   laplacian | sharpen | emboss
//   gabor:THETA_DEG,WAVELENGTH[,SIGMA]   even Gabor filter, |response|
//   "1 2 1; 2 4 2; 1 2 1"      inline custom kernel: rows separated by ';' or
//                              newlines, taps by spaces or commas
//   @FILE or a path to an existing file: the same text from a file
//                              ('#' starts a comment)
//
// Errors throw SpecError whose what() names the spec and shows where it
// went wrong: the spec with a caret under the offending character.
#pragma once

#include <halconv/halconv.h>

#include <stdexcept>
#include <string>

namespace halconv_cli {

class SpecError : public std::runtime_error {
public:
    SpecError(const std::string &message, size_t position) : std::runtime_error(message), position_(position) {}
    // Offset of the offending character in the spec (or in the kernel file).
    size_t position() const { return position_; }

private:
    size_t position_;
};

struct ParsedFilter {
    enum class Kind { Kernel, Gradient };
    Kind kind = Kind::Kernel;
    halconv::FilterKernel kernel;  // Kind::Kernel
    halconv::GradientOperator gradient = halconv::GradientOperator::Sobel;  // Kind::Gradient
    // The response is signed and shown as |response| unless the user says
    // otherwise (laplacian, gabor, zero-sum custom kernels).
    bool default_absolute = false;
    std::string name;  // canonical form, e.g. "gaussian:1.5,11"
};

// `normalize`: custom kernels only (FilterKernel::custom's rule); ignored
// for the named filters, which are normalized already.
ParsedFilter parse_filter_spec(const std::string &spec, bool normalize = false);

// Limits that keep a spec from asking for absurd work (message on excess).
constexpr int kMaxKernelSize = 255;

}  // namespace halconv_cli
