#include <cstdint>
#include <algorithm>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <sstream>

#include "internal.h"

namespace halconv {
namespace detail {
namespace {

thread_local std::string halide_error_message;
std::mutex last_error_mutex;
std::string last_error_any_thread;

// Halide's default handler prints and, in some runtime paths, aborts; ours
// records the message so the API can throw it.
void record_halide_error(void *, const char *message) {
    halide_error_message = message ? message : "";
    std::lock_guard<std::mutex> lock(last_error_mutex);
    last_error_any_thread = halide_error_message;
}

struct InstallErrorHandler {
    InstallErrorHandler() {
        halide_set_error_handler(record_halide_error);
        install_scratch_allocator();
    }
} install_error_handler;

}  // namespace

void fail(ErrorCode code, const std::string &message) { throw Error(code, message); }

std::string shape_to_string(const Shape &shape) {
    std::ostringstream s;
    s << "[";
    for (size_t i = 0; i < shape.size(); i++) s << (i ? ", " : "") << shape[i];
    s << "]";
    return s.str();
}

void check_tensor(const char *fn, const char *arg, const Shape &shape, const void *data, size_t rank) {
    if (shape.size() != rank) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": " + arg + " must have " +
                                             std::to_string(rank) + " dimensions, got " +
                                             std::to_string(shape.size()) + " " + shape_to_string(shape));
    }
    int64_t count = 1;
    for (int64_t d : shape) {
        if (d <= 0) {
            fail(ErrorCode::InvalidArgument, std::string(fn) + ": " + arg +
                                                 " is empty: every dimension must be positive, got " +
                                                 shape_to_string(shape));
        }
        if (d > INT32_MAX || count > INT32_MAX / d) {
            fail(ErrorCode::InvalidArgument,
                 std::string(fn) + ": " + arg + " of shape " + shape_to_string(shape) +
                     " has more than 2147483647 elements, the most halconv's 32-bit indexing addresses");
        }
        count *= d;
    }
    if (data == nullptr) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": " + arg + " has a null data pointer");
    }
}

bool check_optional_tensor(const char *fn, const char *arg, const Shape &shape, const void *data,
                           size_t rank) {
    if (data == nullptr && shape.empty()) return false;
    check_tensor(fn, arg, shape, data, rank);
    return true;
}

void check_disjoint(const char *fn, const char *out_name, const void *out, int64_t out_bytes, const char *in_name,
                    const void *in, int64_t in_bytes) {
    const auto lo_out = reinterpret_cast<uintptr_t>(out), lo_in = reinterpret_cast<uintptr_t>(in);
    if (lo_out < lo_in + (uintptr_t)in_bytes && lo_in < lo_out + (uintptr_t)out_bytes) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": " + out_name + " overlaps " + in_name +
                                             " in memory; outputs must not alias inputs");
    }
}

void check_accumulation(const char *fn, GradAccumulation a) {
    if (a != GradAccumulation::Deterministic && a != GradAccumulation::Atomic) {
        fail(ErrorCode::InvalidArgument, std::string(fn) +
                                             ": options.accumulation must be GradAccumulation::Deterministic or "
                                             "Atomic, got " + std::to_string((int)a));
    }
}

void check_shape(const char *fn, const char *arg, const Shape &got, const Shape &expected, const char *why) {
    if (got != expected) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": " + arg + " has shape " + shape_to_string(got) +
                                             ", expected " + shape_to_string(expected) + " (" + why + ")");
    }
}

void check_output_shape(const char *fn, const Shape &got, const Shape &expected) {
    if (got != expected) {
        fail(ErrorCode::InvalidArgument, std::string(fn) + ": output has shape " + shape_to_string(got) +
                                             ", expected " + shape_to_string(expected));
    }
}

void check_positive_pair(const char *fn, const char *arg, const std::array<int, 2> &v) {
    if (v[0] <= 0 || v[1] <= 0) {
        fail(ErrorCode::InvalidArgument,
             std::string(fn) + ": " + arg + " must be positive, got " + pair_to_string(v));
    }
}

void check_non_negative_pair(const char *fn, const char *arg, const std::array<int, 2> &v) {
    if (v[0] < 0 || v[1] < 0) {
        fail(ErrorCode::InvalidArgument,
             std::string(fn) + ": " + arg + " must be non-negative, got " + pair_to_string(v));
    }
}

void require_device(const char *fn, Device device) {
    std::string why;
    if (!device_available(device, &why)) {
        fail(device == Device::CPU ? ErrorCode::Unsupported : ErrorCode::DeviceUnavailable,
             std::string(fn) + ": device " + device_name(device) + " is not available: " + why);
    }
}

void clear_halide_error() { halide_error_message.clear(); }

void PipelineCall::finish(int status) {
    if (device_ != Device::CPU) {
        for (halide_buffer_t *out : outputs_) {
            if (status == 0) status = halide_copy_to_host(nullptr, out);
        }
    }
    if (device_ != Device::CPU) {
        for (halide_buffer_t *b : buffers_) {
            if (b->device) halide_device_free(nullptr, b);
        }
    }
    if (status != 0) {
        std::string message = halide_error_message;
        if (message.empty()) {
            std::lock_guard<std::mutex> lock(last_error_mutex);
            message = last_error_any_thread;
        }
        clear_halide_error();
        fail(ErrorCode::Internal, std::string(fn_) + ": the " + device_name(device_) +
                                      " pipeline failed (Halide error " + std::to_string(status) +
                                      "): " + message);
    }
}

const float *zero_bias(int64_t size) {
    // Grows only; never shrinks, so pointers handed out stay valid per call.
    static std::mutex mutex;
    static std::vector<std::vector<float>> blocks;
    std::lock_guard<std::mutex> lock(mutex);
    if (blocks.empty() || (int64_t)blocks.back().size() < size) {
        blocks.emplace_back(std::max<int64_t>(size, 1024), 0.0f);
    }
    return blocks.back().data();
}

}  // namespace detail

const char *version() { return HALCONV_VERSION; }

void set_num_threads(int threads) {
    if (threads < 0) {
        detail::fail(ErrorCode::InvalidArgument,
                     "set_num_threads: threads must be >= 0 (0 = one per core), got " + std::to_string(threads));
    }
    halide_set_num_threads(threads);
}

}  // namespace halconv
