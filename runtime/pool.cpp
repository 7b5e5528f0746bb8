// Public API of the pooling family: PyTorch's argument checks and output-size
// rules, device choice and dispatch to the AOT pipelines.
#include <algorithm>
#include <atomic>
#include <string>

#include "adaptive_avg_pool2d_cpu.h"
#include "adaptive_avg_pool2d_cuda.h"
#include "adaptive_avg_pool2d_opencl.h"
#include "adaptive_max_pool2d_cpu.h"
#include "adaptive_max_pool2d_cuda.h"
#include "adaptive_max_pool2d_opencl.h"
#include "avg_pool2d_backward_cpu.h"
#include "avg_pool2d_backward_cuda.h"
#include "avg_pool2d_backward_opencl.h"
#include "avg_pool2d_cpu.h"
#include "avg_pool2d_cuda.h"
#include "avg_pool2d_opencl.h"
#include "internal.h"
#include "max_pool2d_backward_cpu.h"
#include "max_pool2d_backward_cuda.h"
#include "max_pool2d_backward_opencl.h"
#include "max_pool2d_cpu.h"
#include "max_pool2d_cuda.h"
#include "max_pool2d_opencl.h"
#include "max_pool2d_with_indices_cpu.h"
#include "max_pool2d_with_indices_cuda.h"
#include "max_pool2d_with_indices_opencl.h"
#include "max_unpool2d_cpu.h"
#include "max_unpool2d_cuda.h"
#include "max_unpool2d_opencl.h"
#include "subsample2d_cpu.h"
#include "subsample2d_cuda.h"
#include "subsample2d_opencl.h"
#include "shape_class.h"
#include "tuned.h"

namespace halconv {
namespace {

using detail::fail;
using detail::pair_to_string;
using detail::shape_to_string;

template<typename Fn>
Fn pick(Device device, Fn cpu, Fn cuda, Fn opencl) {
    switch (device) {
    case Device::CUDA: return cuda;
    case Device::OpenCL: return opencl;
    default: return cpu;
    }
}

[[noreturn]] void invalid(const char *fn, const std::string &message) {
    fail(ErrorCode::InvalidArgument, std::string(fn) + ": " + message);
}

void check_shape(const char *fn, const char *arg, const Shape &got, const Shape &expected) {
    if (got != expected) {
        invalid(fn, std::string(arg) + " has shape " + shape_to_string(got) + ", expected " +
                        shape_to_string(expected));
    }
}

// The window parameters shared by max and average pooling, PyTorch's
// checks (pool2d_shape_check) with messages naming the argument.
struct Window {
    std::array<int, 2> kernel, stride, padding, dilation;
    bool ceil_mode;
};

Window resolve_window(const char *fn, const std::array<int, 2> &kernel,
                      const std::optional<std::array<int, 2>> &stride, const std::array<int, 2> &padding,
                      const std::array<int, 2> &dilation, bool ceil_mode) {
    detail::check_positive_pair(fn, "kernel_size", kernel);
    Window w{kernel, stride.value_or(kernel), padding, dilation, ceil_mode};
    detail::check_positive_pair(fn, "stride", w.stride);
    detail::check_non_negative_pair(fn, "padding", padding);
    detail::check_positive_pair(fn, "dilation", dilation);
    for (int i = 0; i < 2; i++) {
        if (padding[i] > kernel[i] / 2) {
            invalid(fn, "padding must be at most half of kernel_size (PyTorch's rule), got padding " +
                            pair_to_string(padding) + " for kernel_size " + pair_to_string(kernel));
        }
    }
    return w;
}

// PyTorch's pooling_output_shape: floor or ceil division, and in ceil mode a
// last window starting in the right padding is dropped.
int64_t pooled_size(int64_t in, int kernel, int stride, int pad, int dil, bool ceil_mode) {
    int64_t span = in + 2 * (int64_t)pad - (int64_t)dil * (kernel - 1) - 1 + (ceil_mode ? stride - 1 : 0);
    int64_t out = (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
    if (ceil_mode && out > 0 && (out - 1) * stride >= in + pad) out--;
    return out;
}

Shape window_output_shape(const char *fn, const Shape &input, const Window &w) {
    detail::check_tensor(fn, "input", input, reinterpret_cast<const void *>(1), 4);
    const int64_t OH = pooled_size(input[2], w.kernel[0], w.stride[0], w.padding[0], w.dilation[0], w.ceil_mode);
    const int64_t OW = pooled_size(input[3], w.kernel[1], w.stride[1], w.padding[1], w.dilation[1], w.ceil_mode);
    if (OH <= 0 || OW <= 0) {
        invalid(fn, "kernel_size " + pair_to_string(w.kernel) + " (dilated: " +
                        shape_to_string({(int64_t)w.dilation[0] * (w.kernel[0] - 1) + 1,
                                         (int64_t)w.dilation[1] * (w.kernel[1] - 1) + 1}) +
                        ") is larger than the padded input " +
                        shape_to_string({input[2] + 2 * w.padding[0], input[3] + 2 * w.padding[1]}) +
                        " (input " + shape_to_string(input) + ")");
    }
    return {input[0], input[1], OH, OW};
}

// No padding and no ceil-mode overhang: every tap of every window is inside
// the input (the pipelines then read it without bounds tests).
bool windows_lie_inside(const Window &w, const Shape &input, const Shape &output) {
    for (int d = 0; d < 2; d++) {
        const int64_t last_tap = (output[2 + d] - 1) * w.stride[d] + (int64_t)(w.kernel[d] - 1) * w.dilation[d];
        if (w.padding[d] != 0 || last_tap >= input[2 + d]) return false;
    }
    return true;
}

Window max_window(const char *fn, const MaxPool2dOptions &o) {
    return resolve_window(fn, o.kernel_size, o.stride, o.padding, o.dilation, o.ceil_mode);
}

Window avg_window(const char *fn, const AvgPool2dOptions &o) {
    return resolve_window(fn, o.kernel_size, o.stride, o.padding, {1, 1}, o.ceil_mode);
}

// The shape class of a pooling call (runtime/shape_class.h): C H W R S sy sx py px.
std::string pool_class(const char *op, const Shape &input, const Window &w) {
    return shape_class(op, {{"C", input[1]}, {"H", input[2]}, {"W", input[3]}, {"R", w.kernel[0]},
                            {"S", w.kernel[1]}, {"sy", w.stride[0]}, {"sx", w.stride[1]}, {"py", w.padding[0]},
                            {"px", w.padding[1]}});
}

// Indices must address the plane they scatter into: [0, plane). Checked
// before any work, in parallel chunks on Halide's thread pool; the message
// names the first bad one.
struct IndexScan {
    const int64_t *data;
    int64_t count, plane, chunk;
    std::atomic<int64_t> first_bad;  // lowered by the scans of bad chunks
};

int scan_index_chunk(void *, int chunk, uint8_t *closure) {
    IndexScan &s = *reinterpret_cast<IndexScan *>(closure);
    const int64_t begin = (int64_t)chunk * s.chunk, end = std::min(s.count, begin + s.chunk);
    bool bad = false;
    for (int64_t i = begin; i < end; i++) bad |= (uint64_t)s.data[i] >= (uint64_t)s.plane;
    if (!bad) return 0;
    for (int64_t i = begin; i < end; i++) {
        if ((uint64_t)s.data[i] >= (uint64_t)s.plane) {
            int64_t seen = s.first_bad.load();
            while (i < seen && !s.first_bad.compare_exchange_weak(seen, i)) {
            }
            break;
        }
    }
    return 0;
}

void check_indices_in_plane(const char *fn, const int64_t *indices, int64_t count, int64_t plane,
                            const std::string &plane_desc) {
    IndexScan scan{indices, count, plane, 1 << 16, {count}};
    const int chunks = (int)((count + scan.chunk - 1) / scan.chunk);
    halide_do_par_for(nullptr, scan_index_chunk, 0, chunks, reinterpret_cast<uint8_t *>(&scan));
    const int64_t bad = scan.first_bad.load();
    if (bad < count) {
        invalid(fn, "indices[" + std::to_string(bad) + "] = " + std::to_string(indices[bad]) +
                        " is out of range: indices must lie in [0, " + std::to_string(plane) + ") (" + plane_desc +
                        ")");
    }
}

// The runtime's view of NCHW planes flattened: (h*W + w, c, n).
template<typename T>
Halide::Runtime::Buffer<T> wrap_planes(T *data, const Shape &nchw) {
    return detail::wrap(data, Shape{nchw[0], nchw[1], nchw[2] * nchw[3]});
}

}  // namespace

// ---------------------------------------------------------------------------
// max_pool2d
// ---------------------------------------------------------------------------
Shape max_pool2d_output_shape(const Shape &input, const MaxPool2dOptions &o) {
    const char *fn = "max_pool2d";
    return window_output_shape(fn, input, max_window(fn, o));
}

namespace {

void run_max_pool2d(const char *fn, ConstTensor input, Tensor output, const IndexTensor *indices,
                    const MaxPool2dOptions &o) {
    Window w = max_window(fn, o);
    detail::check_tensor(fn, "input", input.shape, input.data, 4);
    Shape expected = window_output_shape(fn, input.shape, w);
    detail::check_tensor(fn, "output", output.shape, output.data, 4);
    check_shape(fn, "output", output.shape, expected);
    if (indices) {
        detail::check_tensor(fn, "indices", indices->shape, indices->data, 4);
        check_shape(fn, "indices", indices->shape, expected);
    }
    detail::require_device(fn, o.device);

    auto in = detail::wrap(input.data, input.shape);
    auto out = detail::wrap(output.data, output.shape);
    const int windows_inside = windows_lie_inside(w, input.shape, expected) ? 1 : 0;
    // Declared before the call: every buffer must outlive call.finish().
    Halide::Runtime::Buffer<int64_t> idx;
    if (indices) idx = detail::wrap(indices->data, indices->shape);
    detail::PipelineCall call(fn, o.device);
    // Halide's x is PyTorch's last dimension (w), y is h.
    int status;
    if (indices) {
        auto run = detail::tuned_or(pick(o.device, halconv_max_pool2d_with_indices_cpu,
                                         halconv_max_pool2d_with_indices_cuda, halconv_max_pool2d_with_indices_opencl),
                                    "max_pool2d_with_indices",
                                    [&] { return pool_class("max_pool2d_with_indices", input.shape, w); }, o.device);
        status = run(call.input(in), w.kernel[1], w.kernel[0], w.stride[1], w.stride[0], w.padding[1], w.padding[0],
                     w.dilation[1], w.dilation[0], windows_inside, call.output(out), call.output(idx));
    } else {
        auto run = detail::tuned_or(pick(o.device, halconv_max_pool2d_cpu, halconv_max_pool2d_cuda,
                                         halconv_max_pool2d_opencl),
                                    "max_pool2d", [&] { return pool_class("max_pool2d", input.shape, w); }, o.device);
        status = run(call.input(in), w.kernel[1], w.kernel[0], w.stride[1], w.stride[0], w.padding[1], w.padding[0],
                     w.dilation[1], w.dilation[0], windows_inside, call.output(out));
    }
    call.finish(status);
}

}  // namespace

void max_pool2d(ConstTensor input, Tensor output, const MaxPool2dOptions &o) {
    run_max_pool2d("max_pool2d", input, output, nullptr, o);
}

void max_pool2d(ConstTensor input, Tensor output, IndexTensor indices, const MaxPool2dOptions &o) {
    run_max_pool2d("max_pool2d", input, output, &indices, o);
}

void max_pool2d_backward(ConstTensor grad_output, ConstIndexTensor indices, Tensor grad_input,
                         const MaxPool2dOptions &o) {
    const char *fn = "max_pool2d_backward";
    Window w = max_window(fn, o);
    detail::check_tensor(fn, "grad_input", grad_input.shape, grad_input.data, 4);
    Shape expected = window_output_shape(fn, grad_input.shape, w);
    detail::check_tensor(fn, "grad_output", grad_output.shape, grad_output.data, 4);
    check_shape(fn, "grad_output", grad_output.shape,
                expected);  // the forward's output for an input of grad_input's shape
    detail::check_tensor(fn, "indices", indices.shape, indices.data, 4);
    check_shape(fn, "indices", indices.shape, expected);
    detail::require_device(fn, o.device);
    const int64_t plane = grad_input.shape[2] * grad_input.shape[3];
    check_indices_in_plane(fn, indices.data, indices.numel(), plane,
                           "flat positions h*W + w in input planes of " +
                               shape_to_string({grad_input.shape[2], grad_input.shape[3]}));

    auto src = wrap_planes(grad_output.data, grad_output.shape);
    auto idx = wrap_planes(indices.data, indices.shape);
    auto out = wrap_planes(grad_input.data, grad_input.shape);
    auto run = pick(o.device, halconv_max_pool2d_backward_cpu, halconv_max_pool2d_backward_cuda,
                    halconv_max_pool2d_backward_opencl);
    detail::PipelineCall call(fn, o.device);
    call.finish(run(call.input(src), call.input(idx), call.output(out)));
}

// ---------------------------------------------------------------------------
// avg_pool2d
// ---------------------------------------------------------------------------
Shape avg_pool2d_output_shape(const Shape &input, const AvgPool2dOptions &o) {
    const char *fn = "avg_pool2d";
    return window_output_shape(fn, input, avg_window(fn, o));
}

void avg_pool2d(ConstTensor input, Tensor output, const AvgPool2dOptions &o) {
    const char *fn = "avg_pool2d";
    Window w = avg_window(fn, o);
    detail::check_tensor(fn, "input", input.shape, input.data, 4);
    Shape expected = window_output_shape(fn, input.shape, w);
    detail::check_tensor(fn, "output", output.shape, output.data, 4);
    check_shape(fn, "output", output.shape, expected);
    detail::require_device(fn, o.device);

    const int windows_inside = windows_lie_inside(w, input.shape, expected) ? 1 : 0;
    auto in = detail::wrap(input.data, input.shape);
    auto out = detail::wrap(output.data, output.shape);
    auto run = detail::tuned_or(pick(o.device, halconv_avg_pool2d_cpu, halconv_avg_pool2d_cuda,
                                     halconv_avg_pool2d_opencl),
                                "avg_pool2d", [&] { return pool_class("avg_pool2d", input.shape, w); }, o.device);
    detail::PipelineCall call(fn, o.device);
    call.finish(run(call.input(in), w.kernel[1], w.kernel[0], w.stride[1], w.stride[0], w.padding[1], w.padding[0],
                    o.count_include_pad ? 1 : 0, o.divisor_override, windows_inside, call.output(out)));
}

void avg_pool2d_backward(ConstTensor grad_output, Tensor grad_input, const AvgPool2dOptions &o) {
    const char *fn = "avg_pool2d_backward";
    Window w = avg_window(fn, o);
    detail::check_tensor(fn, "grad_input", grad_input.shape, grad_input.data, 4);
    Shape expected = window_output_shape(fn, grad_input.shape, w);
    detail::check_tensor(fn, "grad_output", grad_output.shape, grad_output.data, 4);
    check_shape(fn, "grad_output", grad_output.shape, expected);
    detail::require_device(fn, o.device);

    auto gout = detail::wrap(grad_output.data, grad_output.shape);
    auto gin = detail::wrap(grad_input.data, grad_input.shape);
    auto run = pick(o.device, halconv_avg_pool2d_backward_cpu, halconv_avg_pool2d_backward_cuda,
                    halconv_avg_pool2d_backward_opencl);
    detail::PipelineCall call(fn, o.device);
    call.finish(run(call.input(gout), w.kernel[1], w.kernel[0], w.stride[1], w.stride[0], w.padding[1],
                    w.padding[0], o.count_include_pad ? 1 : 0, o.divisor_override, (int)grad_input.shape[3],
                    (int)grad_input.shape[2], call.output(gin)));
}

// ---------------------------------------------------------------------------
// subsample2d
// ---------------------------------------------------------------------------
Shape subsample2d_output_shape(const Shape &input, const Subsample2dOptions &o) {
    const char *fn = "subsample2d";
    detail::check_tensor(fn, "input", input, reinterpret_cast<const void *>(1), 4);
    detail::check_positive_pair(fn, "stride", o.stride);
    detail::check_non_negative_pair(fn, "offset", o.offset);
    if (o.offset[0] >= input[2] || o.offset[1] >= input[3]) {
        invalid(fn, "offset " + pair_to_string(o.offset) + " must be smaller than the input size " +
                        shape_to_string({input[2], input[3]}));
    }
    return {input[0], input[1], (input[2] - o.offset[0] + o.stride[0] - 1) / o.stride[0],
            (input[3] - o.offset[1] + o.stride[1] - 1) / o.stride[1]};
}

void subsample2d(ConstTensor input, Tensor output, const Subsample2dOptions &o) {
    const char *fn = "subsample2d";
    detail::check_tensor(fn, "input", input.shape, input.data, 4);
    Shape expected = subsample2d_output_shape(input.shape, o);
    detail::check_tensor(fn, "output", output.shape, output.data, 4);
    check_shape(fn, "output", output.shape, expected);
    detail::require_device(fn, o.device);

    auto in = detail::wrap(input.data, input.shape);
    auto out = detail::wrap(output.data, output.shape);
    auto run = pick(o.device, halconv_subsample2d_cpu, halconv_subsample2d_cuda, halconv_subsample2d_opencl);
    detail::PipelineCall call(fn, o.device);
    call.finish(run(call.input(in), o.stride[1], o.stride[0], o.offset[1], o.offset[0], call.output(out)));
}

// ---------------------------------------------------------------------------
// max_unpool2d
// ---------------------------------------------------------------------------
Shape max_unpool2d_output_shape(const Shape &input, const MaxUnpool2dOptions &o) {
    const char *fn = "max_unpool2d";
    detail::check_tensor(fn, "input", input, reinterpret_cast<const void *>(1), 4);
    detail::check_positive_pair(fn, "kernel_size", o.kernel_size);
    const std::array<int, 2> stride = o.stride.value_or(o.kernel_size);
    detail::check_positive_pair(fn, "stride", stride);
    detail::check_non_negative_pair(fn, "padding", o.padding);
    Shape out{input[0], input[1], 0, 0};
    for (int d = 0; d < 2; d++) {
        const int64_t default_size = (input[2 + d] - 1) * stride[d] + o.kernel_size[d] - 2 * (int64_t)o.padding[d];
        if (!o.output_size) {
            if (default_size <= 0) {
                invalid(fn, "padding " + pair_to_string(o.padding) + " leaves an empty output for input " +
                                shape_to_string(input) + " and kernel_size " + pair_to_string(o.kernel_size));
            }
            out[2 + d] = default_size;
            continue;
        }
        const int64_t size = (*o.output_size)[d];
        const int64_t lo = default_size - stride[d], hi = default_size + stride[d];
        if (!(lo < size && size < hi) || size <= 0) {
            invalid(fn, "output_size " + pair_to_string(*o.output_size) + " is inconsistent with the input: dim " +
                            std::to_string(d) + " must be strictly between " + std::to_string(lo) + " and " +
                            std::to_string(hi) + " (and positive), PyTorch's rule");
        }
        out[2 + d] = size;
    }
    return out;
}

void max_unpool2d(ConstTensor input, ConstIndexTensor indices, Tensor output, const MaxUnpool2dOptions &o) {
    const char *fn = "max_unpool2d";
    detail::check_tensor(fn, "input", input.shape, input.data, 4);
    Shape expected = max_unpool2d_output_shape(input.shape, o);
    detail::check_tensor(fn, "indices", indices.shape, indices.data, 4);
    check_shape(fn, "indices", indices.shape, input.shape);
    detail::check_tensor(fn, "output", output.shape, output.data, 4);
    check_shape(fn, "output", output.shape, expected);
    detail::require_device(fn, o.device);
    check_indices_in_plane(fn, indices.data, indices.numel(), expected[2] * expected[3],
                           "flat positions h*W + w in output planes of " + shape_to_string({expected[2], expected[3]}));

    auto src = wrap_planes(input.data, input.shape);
    auto idx = wrap_planes(indices.data, indices.shape);
    auto out = wrap_planes(output.data, output.shape);
    auto run = pick(o.device, halconv_max_unpool2d_cpu, halconv_max_unpool2d_cuda, halconv_max_unpool2d_opencl);
    detail::PipelineCall call(fn, o.device);
    call.finish(run(call.input(src), call.input(idx), call.output(out)));
}

// ---------------------------------------------------------------------------
// adaptive pooling
// ---------------------------------------------------------------------------
namespace {

Shape adaptive_output_shape(const char *fn, const Shape &input, const AdaptivePool2dOptions &o) {
    detail::check_tensor(fn, "input", input, reinterpret_cast<const void *>(1), 4);
    Shape out{input[0], input[1], 0, 0};
    for (int d = 0; d < 2; d++) {
        const int64_t size = o.output_size[d];
        if (size < 0) {
            invalid(fn, "output_size must be non-negative (0 keeps the input size), got " +
                            shape_to_string({o.output_size[0], o.output_size[1]}));
        }
        out[2 + d] = size == 0 ? input[2 + d] : size;
        if (out[2 + d] > (1 << 24)) {
            invalid(fn, "output_size " + shape_to_string({o.output_size[0], o.output_size[1]}) +
                            " is too large (at most 16777216 per axis)");
        }
    }
    return out;
}

}  // namespace

Shape adaptive_pool2d_output_shape(const Shape &input, const AdaptivePool2dOptions &o) {
    return adaptive_output_shape("adaptive_pool2d", input, o);
}

namespace {

// The largest adaptive window along an axis: ceil(I/O), or one more where
// windows straddle.
int largest_window(int64_t in, int64_t out) {
    int64_t largest = 1;
    for (int64_t o = 0; o < out; o++) {
        int64_t start = o * in / out, end = ((o + 1) * in + out - 1) / out;
        largest = std::max(largest, end - start);
    }
    return (int)largest;
}

// Per-thread scratch for the indices adaptive_max_pool2d computes anyway.
int64_t *index_scratch(int64_t size) {
    thread_local std::vector<int64_t> scratch;
    if ((int64_t)scratch.size() < size) scratch.resize(size);
    return scratch.data();
}

void run_adaptive(const char *fn, bool max, ConstTensor input, Tensor output, const IndexTensor *indices,
                  const AdaptivePool2dOptions &o) {
    detail::check_tensor(fn, "input", input.shape, input.data, 4);
    Shape expected = adaptive_output_shape(fn, input.shape, o);
    detail::check_tensor(fn, "output", output.shape, output.data, 4);
    check_shape(fn, "output", output.shape, expected);
    if (indices) {
        detail::check_tensor(fn, "indices", indices->shape, indices->data, 4);
        check_shape(fn, "indices", indices->shape, expected);
    }
    detail::require_device(fn, o.device);
    const int64_t OH = expected[2], OW = expected[3];
    const int window_x = largest_window(input.shape[3], OW), window_y = largest_window(input.shape[2], OH);

    auto in = detail::wrap(input.data, input.shape);
    auto out = detail::wrap(output.data, output.shape);
    // Declared before the call: every buffer must outlive call.finish().
    Halide::Runtime::Buffer<int64_t> idx;
    if (max) idx = detail::wrap(indices ? indices->data : index_scratch(output.numel()), expected);
    detail::PipelineCall call(fn, o.device);
    int status;
    if (max) {
        auto run = pick(o.device, halconv_adaptive_max_pool2d_cpu, halconv_adaptive_max_pool2d_cuda,
                        halconv_adaptive_max_pool2d_opencl);
        status = run(call.input(in), (int)OW, (int)OH, window_x, window_y, call.output(out), call.output(idx));
    } else {
        auto run = pick(o.device, halconv_adaptive_avg_pool2d_cpu, halconv_adaptive_avg_pool2d_cuda,
                        halconv_adaptive_avg_pool2d_opencl);
        status = run(call.input(in), (int)OW, (int)OH, window_x, window_y, call.output(out));
    }
    call.finish(status);
}

}  // namespace

void adaptive_avg_pool2d(ConstTensor input, Tensor output, const AdaptivePool2dOptions &o) {
    run_adaptive("adaptive_avg_pool2d", false, input, output, nullptr, o);
}

void adaptive_max_pool2d(ConstTensor input, Tensor output, const AdaptivePool2dOptions &o) {
    run_adaptive("adaptive_max_pool2d", true, input, output, nullptr, o);
}

void adaptive_max_pool2d(ConstTensor input, Tensor output, IndexTensor indices, const AdaptivePool2dOptions &o) {
    run_adaptive("adaptive_max_pool2d", true, input, output, &indices, o);
}

}  // namespace halconv
