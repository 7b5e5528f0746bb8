// halconv public API: Halide-scheduled CNN and image-processing kernels.
//
// Conventions (PyTorch's, so that users can switch without surprises):
//   * tensors are dense, row-major (C-contiguous) float32 in NCHW order;
//   * argument names and output-shape rules follow torch.nn.functional;
//   * every call works on caller-owned memory: inputs are read in place and
//     the output tensor, allocated by the caller with the shape returned by the
//     matching *_output_shape() function, is written in place.
//
// Every function throws halconv::Error on bad input (the message names the
// argument and what was expected) and never writes a partial result.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace halconv {

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------
enum class ErrorCode {
    InvalidArgument,    // a shape, size or parameter is not acceptable
    DeviceUnavailable,  // the requested device (driver, ICD, GPU) is not there
    Unsupported,        // valid input the library does not handle (e.g. CPU without AVX2)
    Internal,           // the Halide pipeline reported an error
};

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string &message)
        : std::runtime_error(message), code_(code) {}
    ErrorCode code() const noexcept { return code_; }

private:
    ErrorCode code_;
};

// ---------------------------------------------------------------------------
// Tensors: non-owning views of caller memory
// ---------------------------------------------------------------------------
using Shape = std::vector<int64_t>;  // outermost dimension first, like torch.Size

template<typename T>
struct TensorView {
    T *data = nullptr;
    Shape shape;

    TensorView() = default;
    TensorView(T *d, Shape s) : data(d), shape(std::move(s)) {}
    // A view of a std::vector (or anything with data()) and a shape.
    template<typename Container, typename = decltype(std::declval<Container &>().data())>
    TensorView(Container &c, Shape s) : data(c.data()), shape(std::move(s)) {}
    // Read-only views accept writable ones.
    template<typename U, typename = std::enable_if_t<std::is_same_v<const U, T> && !std::is_same_v<U, T>>>
    TensorView(const TensorView<U> &other) : data(other.data), shape(other.shape) {}

    int64_t numel() const {
        int64_t n = 1;
        for (int64_t d : shape) n *= d;
        return n;
    }
    bool empty() const { return data == nullptr && shape.empty(); }
};

using Tensor = TensorView<float>;
using ConstTensor = TensorView<const float>;
// Max-pooling indices ("switches"), int64 like PyTorch's.
using IndexTensor = TensorView<int64_t>;
using ConstIndexTensor = TensorView<const int64_t>;

// ---------------------------------------------------------------------------
// Devices
// ---------------------------------------------------------------------------
enum class Device { CPU, CUDA, OpenCL };

const char *device_name(Device d);
// Parses "cpu", "cuda" or "opencl"; throws Error(InvalidArgument) otherwise.
Device parse_device(const std::string &name);

// True when calls on `device` can run here. When false and `why` is given, it
// receives the reason (no driver, no ICD, no GPU, CPU lacks AVX2...). Never
// aborts, even where Halide's own runtime would (missing libcuda/libOpenCL).
bool device_available(Device device, std::string *why = nullptr);

// Threads used by CPU pipelines (0 = one per core, the default).
void set_num_threads(int threads);

// Scratch memory. CPU pipelines keep their large temporary buffers (1 MiB
// and up) after a call and reuse them in later calls that fit, so repeated
// calls skip the page faults and unmapping of fresh memory (a quarter of a
// repeated deformable backward on dcn_vsr). At most the limit is kept
// (default 1 GiB; 0 keeps nothing); the least recently freed blocks go first.
constexpr size_t kDefaultScratchCacheLimit = size_t(1) << 30;
void set_scratch_cache_limit(size_t bytes);
// Bytes currently kept for reuse.
size_t scratch_cache_bytes();
// Returns every kept block to the system now (the limit stays).
void release_scratch_cache();

// Library version, e.g. "0.1.0".
const char *version();

// ---------------------------------------------------------------------------
// conv2d: 2-D multi-channel cross-correlation (torch.nn.functional.conv2d)
//   input  [N, C, H, W]
//   weight [K, C/groups, R, S]
//   bias   [K] or empty
//   output [N, K, OH, OW],  OH = (H + 2*pad_h - dil_h*(R-1) - 1) / stride_h + 1
// flip_kernel = true computes true convolution (kernel rotated by 180 degrees).
// ---------------------------------------------------------------------------
struct Conv2dOptions {
    std::array<int, 2> stride{1, 1};    // (h, w)
    std::array<int, 2> padding{0, 0};   // (h, w), zeros
    std::array<int, 2> dilation{1, 1};  // (h, w)
    int groups = 1;
    bool flip_kernel = false;
    Device device = Device::CPU;
};

Shape conv2d_output_shape(const Shape &input, const Shape &weight, const Conv2dOptions &options);

void conv2d(ConstTensor input, ConstTensor weight, ConstTensor bias, Tensor output,
            const Conv2dOptions &options = {});

// Convenience overload that allocates and returns the output.
std::vector<float> conv2d(ConstTensor input, ConstTensor weight, ConstTensor bias,
                          const Conv2dOptions &options, Shape *output_shape);

// Weights repacked once into the layout the pipelines read (conv2d: blocks of
// 16 output channels, [K/16][R][S][C/groups][16], flipped when
// options.flip_kernel), for callers that run a layer many times: the plain
// call repacks on every call.
struct PackedWeights {
    Shape shape;                   // the PyTorch weight shape it was packed from
    bool flipped = false;          // packed for true convolution
    bool transposed_conv = false;  // packed for conv_transpose2d (per output phase:
    std::array<int, 2> stride{1, 1};    // depends on stride and dilation)
    std::array<int, 2> dilation{1, 1};
    std::vector<float> data;
};

PackedWeights conv2d_pack_weights(ConstTensor weight, const Conv2dOptions &options = {});
void conv2d(ConstTensor input, const PackedWeights &weight, ConstTensor bias, Tensor output,
            const Conv2dOptions &options = {});

// ---------------------------------------------------------------------------
// conv_transpose2d (torch.nn.functional.conv_transpose2d): the gradient of
// conv2d with respect to its input.
//   input  [N, C, H, W]
//   weight [C, K/groups, R, S]
//   bias   [K] or empty
//   output [N, K, OH, OW],
//   OH = (H-1)*stride_h - 2*pad_h + dil_h*(R-1) + output_padding_h + 1
// output_padding must be smaller than stride or dilation (PyTorch's rule).
// ---------------------------------------------------------------------------
struct ConvTranspose2dOptions {
    std::array<int, 2> stride{1, 1};
    std::array<int, 2> padding{0, 0};
    std::array<int, 2> output_padding{0, 0};
    std::array<int, 2> dilation{1, 1};
    int groups = 1;
    Device device = Device::CPU;
};

Shape conv_transpose2d_output_shape(const Shape &input, const Shape &weight,
                                   const ConvTranspose2dOptions &options);

void conv_transpose2d(ConstTensor input, ConstTensor weight, ConstTensor bias, Tensor output,
                      const ConvTranspose2dOptions &options = {});

std::vector<float> conv_transpose2d(ConstTensor input, ConstTensor weight, ConstTensor bias,
                                    const ConvTranspose2dOptions &options, Shape *output_shape);

// conv_transpose2d's packing splits the kernel by output phase, so it depends
// on options.stride and options.dilation (and must be used with the same).
PackedWeights conv_transpose2d_pack_weights(ConstTensor weight, const ConvTranspose2dOptions &options = {});
void conv_transpose2d(ConstTensor input, const PackedWeights &weight, ConstTensor bias, Tensor output,
                      const ConvTranspose2dOptions &options = {});

// ---------------------------------------------------------------------------
// Pooling (torch.nn.functional.max_pool2d, avg_pool2d, max_unpool2d,
// adaptive_*_pool2d), NCHW float32. Output size per spatial axis:
//   OH = floor_or_ceil((H + 2*pad - dil*(kernel-1) - 1) / stride) + 1
// and in ceil_mode a last window that would start in the right/bottom padding
// is dropped (PyTorch's rule). padding must be at most kernel_size/2.
// Indices are flat positions h*W + w inside each input plane (the "switch
// variables" of DeconvNet unpooling), int64 like PyTorch's. As in PyTorch, a
// dilated window can have no tap inside the input (e.g. 2x2 input, kernel 2,
// dilation 3, padding 1): its value is -inf and its index is the window's
// first tap position past the padding, which can lie outside the plane.
// Input must be 4-D (batched); PyTorch's unbatched 3-D form is refused.
// ---------------------------------------------------------------------------
struct MaxPool2dOptions {
    std::array<int, 2> kernel_size{0, 0};          // (h, w); required
    std::optional<std::array<int, 2>> stride;      // default: kernel_size
    std::array<int, 2> padding{0, 0};              // implicit -inf padding
    std::array<int, 2> dilation{1, 1};
    bool ceil_mode = false;
    Device device = Device::CPU;
};

Shape max_pool2d_output_shape(const Shape &input, const MaxPool2dOptions &options);

// output[n, c, oh, ow] = max of the window; NaN when the window holds a NaN.
void max_pool2d(ConstTensor input, Tensor output, const MaxPool2dOptions &options);
// return_indices = True: also the flat input position of each maximum (the
// first maximum in window scan order, or the last NaN, exactly as PyTorch).
void max_pool2d(ConstTensor input, Tensor output, IndexTensor indices, const MaxPool2dOptions &options);

// Gradient of max_pool2d w.r.t. its input, through the indices of the forward
// call: grad_input[n, c, i] = sum of grad_output over outputs whose index is
// i. grad_input's shape is the forward input's shape; indices are checked to
// lie inside the plane.
void max_pool2d_backward(ConstTensor grad_output, ConstIndexTensor indices, Tensor grad_input,
                         const MaxPool2dOptions &options);

struct AvgPool2dOptions {
    std::array<int, 2> kernel_size{0, 0};      // (h, w); required
    std::optional<std::array<int, 2>> stride;  // default: kernel_size
    std::array<int, 2> padding{0, 0};          // implicit zero padding
    bool ceil_mode = false;
    bool count_include_pad = true;  // divide by the window clipped to the padded input
    int divisor_override = 0;       // non-zero: divide by this instead
    Device device = Device::CPU;
};

Shape avg_pool2d_output_shape(const Shape &input, const AvgPool2dOptions &options);
void avg_pool2d(ConstTensor input, Tensor output, const AvgPool2dOptions &options);
// The adjoint of avg_pool2d (its gradient w.r.t. the input); grad_input's
// shape is the forward input's shape.
void avg_pool2d_backward(ConstTensor grad_output, Tensor grad_input, const AvgPool2dOptions &options);

// Subsampling: keep every stride-th sample from offset on, along each axis
// (PyTorch: input[:, :, oh::sh, ow::sw]). OH = ceil((H - offset_h) / stride_h).
struct Subsample2dOptions {
    std::array<int, 2> stride{2, 2};
    std::array<int, 2> offset{0, 0};  // 0 <= offset < input size
    Device device = Device::CPU;
};

Shape subsample2d_output_shape(const Shape &input, const Subsample2dOptions &options);
void subsample2d(ConstTensor input, Tensor output, const Subsample2dOptions &options = {});

// max_unpool2d: output[n, c, indices[n, c, i]] = input[n, c, i], zeros
// elsewhere (duplicate indices: the last in scan order wins, as PyTorch's
// CPU kernel). Default output size (H-1)*stride - 2*pad + kernel; an explicit
// output_size must lie strictly within stride of it (PyTorch's rule).
struct MaxUnpool2dOptions {
    std::array<int, 2> kernel_size{0, 0};      // required
    std::optional<std::array<int, 2>> stride;  // default: kernel_size
    std::array<int, 2> padding{0, 0};
    std::optional<std::array<int64_t, 2>> output_size;  // (h, w)
    Device device = Device::CPU;
};

Shape max_unpool2d_output_shape(const Shape &input, const MaxUnpool2dOptions &options);
void max_unpool2d(ConstTensor input, ConstIndexTensor indices, Tensor output, const MaxUnpool2dOptions &options);

// Adaptive pooling: output cell (oh, ow) pools input rows
// [floor(oh*H/OH), ceil((oh+1)*H/OH)) and the same for columns; any output
// size (1x1 is global pooling). output_size 0 keeps that input size (PyTorch
// spells this None; PyTorch's 0, an empty output, is not offered).
struct AdaptivePool2dOptions {
    std::array<int64_t, 2> output_size{1, 1};  // (OH, OW)
    Device device = Device::CPU;
};

Shape adaptive_pool2d_output_shape(const Shape &input, const AdaptivePool2dOptions &options);
void adaptive_avg_pool2d(ConstTensor input, Tensor output, const AdaptivePool2dOptions &options = {});
void adaptive_max_pool2d(ConstTensor input, Tensor output, const AdaptivePool2dOptions &options = {});
void adaptive_max_pool2d(ConstTensor input, Tensor output, IndexTensor indices,
                         const AdaptivePool2dOptions &options = {});

// How a backward pass sums its scatter (points collection's grad_d, flow_warp's
// and deform_conv2d's grad_input: many samples land on one pixel).
enum class GradAccumulation {
    // Default: a fixed order of additions that depends on neither the thread
    // count nor the run: the same bits every time, on the CPU and on GPUs.
    Deterministic,
    // Float atomics on CUDA (faster there; the order of additions, so the
    // last bits, vary from run to run). On OpenCL this is the deterministic
    // path: Halide 14's OpenCL float atomics lose updates under contention
    // (a compare-and-swap loop that re-reads the element separately). On the
    // CPU this is the deterministic path: an atomic scatter is not faster
    // there (the deterministic paths add with vectors into per-strip or
    // per-block partial sums).
    Atomic,
};

const char *grad_accumulation_name(GradAccumulation a);

}  // namespace halconv

// Image filters on interleaved uint8 / uint16 / float images (PNG layout).
#include "halconv/filter.h"
// Points collection (sampling points of stacked deformable layers).
#include "halconv/points.h"
// flow_warp (bilinear warping by a flow field, forward and backward).
#include "halconv/warp.h"
// Deformable convolution v1/v2 (torchvision.ops.deform_conv2d), forward and backward.
#include "halconv/deform.h"
// Tuned schedules baked into the library: listing, switch, last choice.
#include "halconv/tuned.h"
