// Public API of the image filters: argument checks, the choice of pipeline
// (exact integer separable, float separable, direct float) and dispatch.
#include <algorithm>
#include <array>
#include <tuple>
#include <cmath>
#include <limits>
#include <string>

#include "filter_direct_f32_cpu.h"
#include "filter_direct_f32_cuda.h"
#include "filter_direct_f32_opencl.h"
#include "filter_direct_u16_cpu.h"
#include "filter_direct_u16_cuda.h"
#include "filter_direct_u16_opencl.h"
#include "filter_direct_u8_cpu.h"
#include "filter_direct_u8_cuda.h"
#include "filter_direct_u8_opencl.h"
#include "filter_separable_float_f32_cpu.h"
#include "filter_separable_float_f32_cuda.h"
#include "filter_separable_float_f32_opencl.h"
#include "filter_separable_float_u16_cpu.h"
#include "filter_separable_float_u16_cuda.h"
#include "filter_separable_float_u16_opencl.h"
#include "filter_separable_float_u8_cpu.h"
#include "filter_separable_float_u8_cuda.h"
#include "filter_separable_float_u8_opencl.h"
#include "filter_separable_integer_u16_cpu.h"
#include "filter_separable_integer_u16_cuda.h"
#include "filter_separable_integer_u16_opencl.h"
#include "filter_separable_integer_u8_cpu.h"
#include "filter_separable_integer_u8_cuda.h"
#include "filter_separable_integer_u8_opencl.h"
#include "gradient_magnitude_f32_cpu.h"
#include "gradient_magnitude_f32_cuda.h"
#include "gradient_magnitude_f32_opencl.h"
#include "gradient_magnitude_u16_cpu.h"
#include "gradient_magnitude_u16_cuda.h"
#include "gradient_magnitude_u16_opencl.h"
#include "gradient_magnitude_u8_cpu.h"
#include "gradient_magnitude_u8_cuda.h"
#include "gradient_magnitude_u8_opencl.h"
#include "internal.h"
#include "shape_class.h"
#include "tuned.h"

namespace halconv {
namespace {

using detail::fail;

[[noreturn]] void invalid(const char *fn, const std::string &message) {
    fail(ErrorCode::InvalidArgument, std::string(fn) + ": " + message);
}

template<typename Fn>
Fn pick(Device device, Fn cpu, Fn cuda, Fn opencl) {
    switch (device) {
    case Device::CUDA: return cuda;
    case Device::OpenCL: return opencl;
    default: return cpu;
    }
}

std::string image_to_string(int w, int h, int c) {
    return std::to_string(w) + "x" + std::to_string(h) + " with " + std::to_string(c) + " channel" +
           (c == 1 ? "" : "s");
}

// Input and output: positive sizes, non-null, addressable with 32-bit
// indices, the same size, and not overlapping.
template<typename T>
void check_images(const char *fn, const ImageView<const T> &in, const ImageView<T> &out) {
    for (auto [name, w, h, c, data] : {std::tuple{"input", in.width, in.height, in.channels, (const void *)in.data},
                                       std::tuple{"output", out.width, out.height, out.channels, (const void *)out.data}}) {
        if (w <= 0 || h <= 0 || c <= 0) {
            invalid(fn, std::string(name) + " must have positive width, height and channels, got " +
                            image_to_string(w, h, c));
        }
        if (int64_t(w) * h * c > std::numeric_limits<int32_t>::max()) {
            invalid(fn, std::string(name) + " " + image_to_string(w, h, c) +
                            " has more than 2147483647 samples, the most halconv's 32-bit indexing addresses");
        }
        if (data == nullptr) invalid(fn, std::string(name) + " has a null data pointer");
    }
    if (out.width != in.width || out.height != in.height || out.channels != in.channels) {
        invalid(fn, "output is " + image_to_string(out.width, out.height, out.channels) + ", expected the input's " +
                        image_to_string(in.width, in.height, in.channels));
    }
    const auto *a = reinterpret_cast<const char *>(in.data), *b = reinterpret_cast<const char *>(out.data);
    const size_t bytes = size_t(in.samples()) * sizeof(T);
    if (a < b + bytes && b < a + bytes) invalid(fn, "output overlaps input (filters cannot run in place)");
}

void check_options(const char *fn, const FilterOptions &o) {
    if (!std::isfinite(o.offset)) invalid(fn, "offset must be finite, got " + std::to_string(o.offset));
    const int border = static_cast<int>(o.border);
    if (border < 0 || border > 3) invalid(fn, "border is not a halconv::Border value: " + std::to_string(border));
    detail::require_device(fn, o.device);
}

void check_factor(const char *fn, const char *what, const std::vector<float> &f, int expected) {
    if ((int)f.size() != expected) {
        invalid(fn, std::string("kernel.") + what + " has " + std::to_string(f.size()) + " taps, expected " +
                        std::to_string(expected));
    }
    for (float t : f) {
        if (!std::isfinite(t)) invalid(fn, std::string("kernel.") + what + " has a non-finite tap");
    }
}

void check_kernel(const char *fn, const FilterKernel &k) {
    if (k.width <= 0 || k.height <= 0 || k.width % 2 == 0 || k.height % 2 == 0) {
        invalid(fn, "kernel size must be odd and positive (the anchor is the centre), got " +
                        std::to_string(k.height) + "x" + std::to_string(k.width) + " (height x width)");
    }
    if ((int64_t)k.taps.size() != int64_t(k.width) * k.height) {
        invalid(fn, "kernel.taps has " + std::to_string(k.taps.size()) + " values, expected height * width = " +
                        std::to_string(int64_t(k.width) * k.height));
    }
    for (float t : k.taps) {
        if (!std::isfinite(t)) invalid(fn, "kernel.taps has a non-finite value");
    }
    if (!std::isfinite(k.divisor) || k.divisor == 0) {
        invalid(fn, "kernel.divisor must be finite and non-zero, got " + std::to_string(k.divisor));
    }
    if (!k.column.empty() || !k.row.empty()) {
        check_factor(fn, "column", k.column, k.height);
        check_factor(fn, "row", k.row, k.width);
    }
    if (!k.fixed_column.empty() || !k.fixed_row.empty()) {
        check_factor(fn, "fixed_column", k.fixed_column, k.height);
        check_factor(fn, "fixed_row", k.fixed_row, k.width);
    }
}

// --- the exact integer separable path ----------------------------------------
// out = floor(sum / D + 1/2 + offset) = floor((2 * sum + bias) / (2 * D)),
// bias = D * (1 + 2 * offset), computed as ((2 * sum + bias) * M) >> s. With
// M = ceil(2^s / 2D) and e = M * 2D - 2^s, floor(n * M / 2^s) == floor(n / 2D)
// for every n <= N when e * N < 2^s; N * M must fit 32 bits.
struct IntegerPlan {
    std::vector<uint16_t> column, row;
    uint32_t bias = 0, multiplier = 1, shift = 0;
    int narrow = 0;  // 1: the 16-bit horizontal pass is exact (see plan_integer)
};

bool integer_taps(const std::vector<float> &f, std::vector<uint16_t> &out, uint64_t &sum) {
    out.clear();
    sum = 0;
    for (float t : f) {
        if (t < 0 || t > 65535 || t != std::floor(t)) return false;
        out.push_back(uint16_t(t));
        sum += uint64_t(t);
    }
    return sum > 0;
}

bool plan_integer(const FilterKernel &k, SampleType type, const FilterOptions &o, IntegerPlan &plan) {
    if (type == SampleType::Float32 || !k.separable()) return false;
    const bool fixed = type == SampleType::UInt8 && !k.fixed_column.empty();
    if (!fixed && !k.integer) return false;
    const double divisor = fixed ? 65536.0 : k.divisor;
    if (divisor <= 0 || divisor != std::floor(divisor) || divisor > (1u << 30)) return false;
    uint64_t sum_column = 0, sum_row = 0;
    if (!integer_taps(fixed ? k.fixed_column : k.column, plan.column, sum_column)) return false;
    if (!integer_taps(fixed ? k.fixed_row : k.row, plan.row, sum_row)) return false;
    // Integer taps over an integer divisor: the exact kernel is column x row / D.
    const uint64_t max_sample = type == SampleType::UInt8 ? 255 : 65535;
    const uint64_t vertical_limit = type == SampleType::UInt8 ? 65535 : 0xffffffffull;
    if (max_sample * sum_column > vertical_limit) return false;
    const uint64_t max_sum = max_sample * sum_column * sum_row;
    const uint64_t D = uint64_t(divisor);
    const double bias = double(D) * (1.0 + 2.0 * o.offset);
    if (bias < 0 || bias != std::floor(bias) || bias > 0xffffffffull) return false;
    const uint64_t N = 2 * max_sum + uint64_t(bias);
    if (N > 0xffffffffull) return false;
    plan.bias = uint32_t(bias);
    const uint64_t D2 = 2 * D;
    for (uint32_t s = 0; s < 32; s++) {
        const uint64_t p = uint64_t(1) << s;
        if (p < D2 / 2) continue;
        const uint64_t M = (p + D2 - 1) / D2;
        const uint64_t e = M * D2 - p;
        if (M == 0 || N * M > 0xffffffffull) break;  // M only grows with s
        if (e * N < p) {
            plan.multiplier = uint32_t(M);
            plan.shift = s;
            // The 16-bit horizontal pass: every sum, 2 * sum + bias and the
            // vertical sums fit 16 bits.
            plan.narrow = N <= 0xffff && max_sample * sum_column <= 0xffff ? 1 : 0;
            return true;
        }
    }
    return false;
}

const char *kPathInteger = "integer-separable", *kPathFloatSeparable = "float-separable",
           *kPathDirect = "float-direct";

template<typename T>
constexpr SampleType sample_type() {
    if constexpr (std::is_same_v<T, uint8_t>) return SampleType::UInt8;
    if constexpr (std::is_same_v<T, uint16_t>) return SampleType::UInt16;
    return SampleType::Float32;
}

// The pipelines of one sample type.
template<typename T>
struct FilterPipelines;

#define HALCONV_FILTER_PIPELINES(T, suffix)                                                                   \
    template<>                                                                                               \
    struct FilterPipelines<T> {                                                                              \
        static constexpr auto separable_float = std::array{halconv_filter_separable_float_##suffix##_cpu,    \
                                                           halconv_filter_separable_float_##suffix##_cuda,   \
                                                           halconv_filter_separable_float_##suffix##_opencl}; \
        static constexpr auto direct = std::array{halconv_filter_direct_##suffix##_cpu,                      \
                                                  halconv_filter_direct_##suffix##_cuda,                     \
                                                  halconv_filter_direct_##suffix##_opencl};                  \
        static constexpr auto gradient = std::array{halconv_gradient_magnitude_##suffix##_cpu,               \
                                                    halconv_gradient_magnitude_##suffix##_cuda,              \
                                                    halconv_gradient_magnitude_##suffix##_opencl};           \
        static constexpr const char *separable_float_op = "filter_separable_float_" #suffix;                  \
        static constexpr const char *direct_op = "filter_direct_" #suffix;                                    \
        static constexpr const char *gradient_op = "gradient_magnitude_" #suffix;                             \
    };
HALCONV_FILTER_PIPELINES(uint8_t, u8)
HALCONV_FILTER_PIPELINES(uint16_t, u16)
HALCONV_FILTER_PIPELINES(float, f32)
#undef HALCONV_FILTER_PIPELINES

// The pipeline of `op` for the device, or its tuned variant for this image
// and kernel size (shape class C H W R S, runtime/shape_class.h: C = image
// channels, R x S = the taps the pipeline applies).
template<typename F, size_t N, typename T>
F on(Device device, const std::array<F, N> &fns, const char *op, const ImageView<T> &image, int taps_h,
     int taps_w) {
    return detail::tuned_or(pick(device, fns[0], fns[1], fns[2]), op,
                            [&] {
                                return shape_class(op, {{"C", image.channels}, {"H", image.height},
                                                        {"W", image.width}, {"R", taps_h}, {"S", taps_w}});
                            },
                            device);
}

template<typename T>
constexpr const char *integer_op() {
    return std::is_same_v<T, uint8_t> ? "filter_separable_integer_u8" : "filter_separable_integer_u16";
}

template<typename T>
auto integer_pipelines() {
    if constexpr (std::is_same_v<T, uint8_t>) {
        return std::array{halconv_filter_separable_integer_u8_cpu, halconv_filter_separable_integer_u8_cuda,
                          halconv_filter_separable_integer_u8_opencl};
    } else {
        return std::array{halconv_filter_separable_integer_u16_cpu, halconv_filter_separable_integer_u16_cuda,
                          halconv_filter_separable_integer_u16_opencl};
    }
}

template<typename T>
Halide::Runtime::Buffer<T> image_buffer(T *data, const ImageView<T> &v) {
    return Halide::Runtime::Buffer<T>(data, v.width * v.channels, v.height);
}

template<typename T>
void run_filter(const char *fn, ImageView<const T> input, ImageView<T> output, const FilterKernel &kernel,
                const FilterOptions &o) {
    check_images(fn, input, output);
    check_kernel(fn, kernel);
    check_options(fn, o);
    auto in = image_buffer(input.data, input);
    auto out = image_buffer(output.data, output);
    const int border = static_cast<int>(o.border);
    detail::PipelineCall call(fn, o.device);
    if constexpr (!std::is_same_v<T, float>) {
        IntegerPlan plan;
        if (plan_integer(kernel, sample_type<T>(), o, plan)) {
            Halide::Runtime::Buffer<uint16_t> column(plan.column.data(), (int)plan.column.size());
            Halide::Runtime::Buffer<uint16_t> row(plan.row.data(), (int)plan.row.size());
            auto f = on(o.device, integer_pipelines<T>(), integer_op<T>(), input, kernel.height, kernel.width);
            call.finish(f(call.input(in), input.channels, border, call.input(column), call.input(row), plan.bias,
                          plan.multiplier, plan.shift, plan.narrow, call.output(out)));
            return;
        }
    }
    const int absolute = o.absolute ? 1 : 0;
    const float divisor = float(kernel.divisor);
    if (kernel.separable()) {
        std::vector<float> column_taps = kernel.column, row_taps = kernel.row;
        Halide::Runtime::Buffer<float> column(column_taps.data(), kernel.height);
        Halide::Runtime::Buffer<float> row(row_taps.data(), kernel.width);
        auto f = on(o.device, FilterPipelines<T>::separable_float, FilterPipelines<T>::separable_float_op, input,
                    kernel.height, kernel.width);
        call.finish(f(call.input(in), input.channels, border, call.input(column), call.input(row), divisor, absolute,
                      o.offset, call.output(out)));
        return;
    }
    std::vector<float> taps_copy = kernel.taps;
    Halide::Runtime::Buffer<float> taps(taps_copy.data(), kernel.width, kernel.height);
    auto f = on(o.device, FilterPipelines<T>::direct, FilterPipelines<T>::direct_op, input, kernel.height,
                kernel.width);
    call.finish(f(call.input(in), input.channels, border, call.input(taps), divisor, absolute, o.offset,
                  call.output(out)));
}

template<typename T>
void run_gradient(const char *fn, ImageView<const T> input, ImageView<T> output, GradientOperator op,
                  const FilterOptions &o) {
    check_images(fn, input, output);
    check_options(fn, o);
    if (op != GradientOperator::Sobel && op != GradientOperator::Prewitt) {
        invalid(fn, "op must be GradientOperator::Sobel or ::Prewitt");
    }
    auto in = image_buffer(input.data, input);
    auto out = image_buffer(output.data, output);
    detail::PipelineCall call(fn, o.device);
    auto f = on(o.device, FilterPipelines<T>::gradient, FilterPipelines<T>::gradient_op, input, 3, 3);  // 3x3 Sobel/Prewitt
    call.finish(f(call.input(in), input.channels, static_cast<int>(o.border),
                  op == GradientOperator::Sobel ? 2 : 1, o.offset, call.output(out)));
}

}  // namespace

const char *filter_path(const FilterKernel &kernel, SampleType type, const FilterOptions &options) {
    IntegerPlan plan;
    if (plan_integer(kernel, type, options, plan)) return kPathInteger;
    return kernel.separable() ? kPathFloatSeparable : kPathDirect;
}

void filter2d(ImageView<const uint8_t> input, ImageView<uint8_t> output, const FilterKernel &kernel,
              const FilterOptions &options) {
    run_filter("filter2d", input, output, kernel, options);
}
void filter2d(ImageView<const uint16_t> input, ImageView<uint16_t> output, const FilterKernel &kernel,
              const FilterOptions &options) {
    run_filter("filter2d", input, output, kernel, options);
}
void filter2d(ImageView<const float> input, ImageView<float> output, const FilterKernel &kernel,
              const FilterOptions &options) {
    run_filter("filter2d", input, output, kernel, options);
}

void gradient_magnitude(ImageView<const uint8_t> input, ImageView<uint8_t> output, GradientOperator op,
                        const FilterOptions &options) {
    run_gradient("gradient_magnitude", input, output, op, options);
}
void gradient_magnitude(ImageView<const uint16_t> input, ImageView<uint16_t> output, GradientOperator op,
                        const FilterOptions &options) {
    run_gradient("gradient_magnitude", input, output, op, options);
}
void gradient_magnitude(ImageView<const float> input, ImageView<float> output, GradientOperator op,
                        const FilterOptions &options) {
    run_gradient("gradient_magnitude", input, output, op, options);
}

}  // namespace halconv
