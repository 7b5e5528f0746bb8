// Shared machinery of the public API: argument checks, device checks,
// Halide buffer wrapping and error mapping. Every operator's API file uses it.
#pragma once

#include <string>
#include <vector>

#include "HalideBuffer.h"
#include "HalideRuntime.h"
#include "halconv/halconv.h"

namespace halconv::detail {

[[noreturn]] void fail(ErrorCode code, const std::string &message);

std::string shape_to_string(const Shape &shape);
template<typename T>
std::string pair_to_string(const std::array<T, 2> &p) {
    return "(" + std::to_string(p[0]) + ", " + std::to_string(p[1]) + ")";
}

// Validates one tensor argument: rank, positive dims, non-null data and an
// element count that 32-bit indexing can address. `fn` prefixes the message.
void check_tensor(const char *fn, const char *arg, const Shape &shape, const void *data, size_t rank);
// Same for an optional tensor: empty is accepted.
bool check_optional_tensor(const char *fn, const char *arg, const Shape &shape, const void *data,
                           size_t rank);
void check_output_shape(const char *fn, const Shape &got, const Shape &expected);
// "<fn>: <arg> has shape [...], expected [...] (<why>)" unless got == expected.
void check_shape(const char *fn, const char *arg, const Shape &got, const Shape &expected, const char *why);
void check_positive_pair(const char *fn, const char *arg, const std::array<int, 2> &v);
void check_non_negative_pair(const char *fn, const char *arg, const std::array<int, 2> &v);

// Outputs are written while inputs are still read (by other rows and
// threads): throws InvalidArgument when the memory of `out` overlaps `in`.
void check_disjoint(const char *fn, const char *out_name, const void *out, int64_t out_bytes, const char *in_name,
                    const void *in, int64_t in_bytes);
template<typename A, typename B>
void check_disjoint(const char *fn, const char *out_name, const TensorView<A> &out, const char *in_name,
                    const TensorView<B> &in) {
    check_disjoint(fn, out_name, out.data, out.numel() * (int64_t)sizeof(A), in_name, in.data,
                   in.numel() * (int64_t)sizeof(B));
}

// Throws InvalidArgument unless `a` is one of GradAccumulation's values.
void check_accumulation(const char *fn, GradAccumulation a);

// Throws DeviceUnavailable unless `device` can run here (also rejects CPUs
// without AVX2/FMA, the library's minimum).
void require_device(const char *fn, Device device);

// A Halide view of a PyTorch-contiguous tensor: dimensions reversed (W, H, C, N).
template<typename T>
Halide::Runtime::Buffer<T> wrap(T *data, const Shape &shape) {
    std::vector<int> extents(shape.rbegin(), shape.rend());
    return Halide::Runtime::Buffer<T>(data, extents);
}

// Runs an AOT pipeline call on `device`: marks inputs host-dirty for GPUs,
// copies the output back, frees device memory, and turns a non-zero Halide
// status into halconv::Error with Halide's message. The buffers handed to
// input() and output() must outlive finish().
class PipelineCall {
public:
    PipelineCall(const char *fn, Device device) : fn_(fn), device_(device) {}
    template<typename T>
    halide_buffer_t *input(Halide::Runtime::Buffer<T> &b) {
        if (device_ != Device::CPU) b.set_host_dirty();
        buffers_.push_back(b.raw_buffer());
        return b.raw_buffer();
    }
    template<typename T>
    halide_buffer_t *output(Halide::Runtime::Buffer<T> &b) {
        outputs_.push_back(b.raw_buffer());
        buffers_.push_back(b.raw_buffer());
        return b.raw_buffer();
    }
    // `status` is the pipeline's return value.
    void finish(int status);

private:
    const char *fn_;
    Device device_;
    std::vector<halide_buffer_t *> outputs_, buffers_;
};

// The AOT pipeline for `device` (all variants share one signature).
template<typename Fn>
Fn pick_pipeline(Device device, Fn cpu, Fn cuda, Fn opencl) {
    return device == Device::CUDA ? cuda : device == Device::OpenCL ? opencl : cpu;
}
// The same for backward passes with an atomic variant, which exists for
// CUDA only: the CPU has one (deterministic) path, see GradAccumulation, and
// so has OpenCL, because Halide 14's OpenCL float atomics (a compare-and-swap
// loop that re-reads the element with a separate plain load) lose updates
// under contention (measured on PoCL: a term missing in ~5% of calls).
template<typename Fn>
Fn pick_pipeline(Device device, GradAccumulation accumulation, Fn cpu, Fn cuda, Fn cuda_atomic, Fn opencl) {
    const bool atomic = accumulation == GradAccumulation::Atomic;
    return pick_pipeline(device, cpu, atomic ? cuda_atomic : cuda, opencl);
}

// Routes the runtime's halide_malloc/halide_free through the scratch cache
// (runtime/memory.cpp); done once, before any pipeline runs.
void install_scratch_allocator();

// Clears the message captured from Halide's runtime for this thread.
void clear_halide_error();

// A zero bias of at least `size` elements, for calls without one.
const float *zero_bias(int64_t size);

}  // namespace halconv::detail
