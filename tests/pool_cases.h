// Pooling tests: data generators, guarded buffers for values and indices,
// comparisons that understand NaN / Inf, the parameter sweeps of every
// pooling operator and the functions that run one case on a device
// (Device::CPU or Device::OpenCL) against the reference (reference_pool.h).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "reference_pool.h"
#include "test_util.h"

namespace halconv_test {

// ---------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------
enum class PoolData {
    Uniform,   // uniform in [-1, 1)
    IntTies,   // integers in [-2, 2]: many ties inside every window
    NaNs,      // integers in [-2, 2] with ~20% NaN (several per window: the last one's index)
    Infs,      // integers in [-2, 2] with ~25% -inf and ~5% +inf (all -inf windows too)
    Distinct,  // a permutation of k * 0.01 - offset: no ties, gaps of 0.01 (gradient checks)
};

const char *pool_data_name(PoolData d);
// Deterministic data of `shape` (the Infs kind also fills the first two rows
// of every plane with -inf when H >= 4).
std::vector<float> pool_data(const Shape &shape, PoolData kind, uint32_t seed);

// FNV-1a of a case name, for per-case deterministic seeds.
uint32_t pool_seed(const std::string &name, uint32_t salt);

// ---------------------------------------------------------------------------
// A buffer with guard zones on both sides (like GuardedBuffer, for any
// element type and a chosen fill value): the tensor itself is filled with
// `fill` (so unwritten elements are caught), the guards with `guard`.
// ---------------------------------------------------------------------------
template<typename T>
class Guarded {
public:
    Guarded(int64_t count, T fill, T guard, int64_t guard_count = 257)
        : count_(count), guard_count_(guard_count), guard_(guard),
          storage_((size_t)(count + 2 * guard_count), guard) {
        std::fill(storage_.begin() + guard_count_, storage_.begin() + guard_count_ + count_, fill);
    }
    T *data() { return storage_.data() + guard_count_; }
    int64_t size() const { return count_; }
    std::vector<T> values() const {
        return std::vector<T>(storage_.begin() + guard_count_, storage_.begin() + guard_count_ + count_);
    }
    ::testing::AssertionResult guards_intact() const {
        int64_t before = 0, after = 0;
        for (int64_t i = 0; i < guard_count_; i++) {
            before += !same(storage_[(size_t)i], guard_);
            after += !same(storage_[(size_t)(guard_count_ + count_ + i)], guard_);
        }
        if (before == 0 && after == 0) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure()
               << "write outside the tensor: " << before << " element(s) changed in the " << guard_count_
               << " before it, " << after << " in the " << guard_count_ << " after it";
    }

private:
    static bool same(T a, T b) { return a == b; }
    int64_t count_, guard_count_;
    T guard_;
    std::vector<T> storage_;
};

using GuardedIndexBuffer = Guarded<int64_t>;
constexpr int64_t kIndexFill = -7;      // never a valid index: unwritten indices show
constexpr int64_t kIndexGuard = -999;
constexpr float kFiniteFill = 7777.25f;  // fill for outputs that may hold NaN
// A guarded float buffer for an expected result: NaN-filled, or filled with
// kFiniteFill when `want` holds a NaN (so that unwritten elements still show).
Guarded<float> guarded_output(const std::vector<float> &want);
Guarded<float> guarded_output(const std::vector<double> &want);

// ---------------------------------------------------------------------------
// Comparison (messages give the NCHW position, got and expected values)
// ---------------------------------------------------------------------------
// Exact equality of values (max pooling, subsampling, unpooling): NaN must
// match NaN, +-Inf must match exactly, 0 == -0.
::testing::AssertionResult pool_values_equal(const std::vector<float> &got, const std::vector<float> &want,
                                             const Shape &shape);
// Within rel * want.abs_sum + abs of the reference; NaN must match NaN and
// +-Inf must match exactly (never counted as errors when expected).
::testing::AssertionResult pool_values_match(const std::vector<float> &got, const ref::Result &want,
                                             Tolerance tol = {});
// Exact equality of indices; `input_plane_w` turns an index into (row, col)
// for the message, `input` (optional, the pooled tensor) adds the values there.
::testing::AssertionResult pool_indices_equal(const std::vector<int64_t> &got, const std::vector<int64_t> &want,
                                              const Shape &shape, int64_t input_plane_w,
                                              const std::vector<float> *input = nullptr,
                                              const Shape *input_shape = nullptr);

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------
// max_pool2d / avg_pool2d (and their backward passes). For avg pooling the
// dilation stays 1; count_include_pad and divisor_override are avg only.
struct PoolCase {
    std::string label;
    int64_t N = 1, C = 1, H = 1, W = 1;
    std::array<int, 2> kernel{1, 1};
    std::optional<std::array<int, 2>> stride;  // unset: the default (kernel_size)
    std::array<int, 2> padding{0, 0}, dilation{1, 1};
    bool ceil_mode = false;
    bool count_include_pad = true;
    int divisor_override = 0;
    PoolData data = PoolData::Uniform;

    PoolCase &s(int h, int w) { stride = std::array<int, 2>{h, w}; return *this; }
    PoolCase &s(int v) { return s(v, v); }
    PoolCase &p(int h, int w) { padding = {h, w}; return *this; }
    PoolCase &p(int v) { return p(v, v); }
    PoolCase &d(int h, int w) { dilation = {h, w}; return *this; }
    PoolCase &d(int v) { return d(v, v); }
    PoolCase &ceil() { ceil_mode = true; return *this; }
    PoolCase &exclude_pad() { count_include_pad = false; return *this; }
    PoolCase &divisor(int v) { divisor_override = v; return *this; }
    PoolCase &with(PoolData kind) { data = kind; return *this; }

    Shape input_shape() const { return {N, C, H, W}; }
    std::array<int, 2> effective_stride() const { return stride ? *stride : kernel; }
    halconv::MaxPool2dOptions max_options(Device device) const;
    halconv::AvgPool2dOptions avg_options(Device device) const;
    ref::PoolParams ref_params() const;
    std::string describe(const char *op) const;
    std::string name() const;  // label + compact parameters, a valid gtest name
};

// subsample2d
struct SubsampleCase {
    std::string label;
    int64_t N = 1, C = 1, H = 1, W = 1;
    std::array<int, 2> stride{2, 2}, offset{0, 0};
    PoolData data = PoolData::Uniform;
    bool default_options = false;  // call with the default options argument

    SubsampleCase &s(int h, int w) { stride = {h, w}; return *this; }
    SubsampleCase &s(int v) { return s(v, v); }
    SubsampleCase &off(int h, int w) { offset = {h, w}; return *this; }
    SubsampleCase &off(int v) { return off(v, v); }
    SubsampleCase &with(PoolData kind) { data = kind; return *this; }
    SubsampleCase &defaults() { default_options = true; return *this; }

    Shape input_shape() const { return {N, C, H, W}; }
    halconv::Subsample2dOptions options(Device device) const;
    std::string describe() const;
    std::string name() const;
};

// max_unpool2d: the input [N, C, H, W] holds pooled values; the indices
// are made by `indices` (see below) for the output plane.
enum class UnpoolIndices {
    Pooled,    // a random tap of each input position's pooling window (switches)
    Distinct,  // distinct random positions anywhere in the output plane
    Random,    // uniform random positions: duplicates (the last one wins)
};
const char *unpool_indices_name(UnpoolIndices u);

struct UnpoolCase {
    std::string label;
    int64_t N = 1, C = 1, H = 1, W = 1;
    std::array<int, 2> kernel{1, 1};
    std::optional<std::array<int, 2>> stride;
    std::array<int, 2> padding{0, 0};
    std::optional<std::array<int64_t, 2>> output_size;
    UnpoolIndices indices = UnpoolIndices::Pooled;
    PoolData data = PoolData::Uniform;

    UnpoolCase &s(int h, int w) { stride = std::array<int, 2>{h, w}; return *this; }
    UnpoolCase &s(int v) { return s(v, v); }
    UnpoolCase &p(int h, int w) { padding = {h, w}; return *this; }
    UnpoolCase &p(int v) { return p(v, v); }
    UnpoolCase &size(int64_t h, int64_t w) { output_size = std::array<int64_t, 2>{h, w}; return *this; }
    UnpoolCase &idx(UnpoolIndices u) { indices = u; return *this; }
    UnpoolCase &with(PoolData kind) { data = kind; return *this; }

    Shape input_shape() const { return {N, C, H, W}; }
    std::array<int, 2> effective_stride() const { return stride ? *stride : kernel; }
    Shape ref_output_shape() const;  // empty when invalid
    halconv::MaxUnpool2dOptions options(Device device) const;
    std::string describe() const;
    std::string name() const;
};

// Indices of an unpooling case (for an output plane of oh x ow), deterministic.
std::vector<int64_t> make_unpool_indices(const UnpoolCase &c, int64_t oh, int64_t ow, uint32_t seed);

// adaptive_avg_pool2d and adaptive_max_pool2d
struct AdaptiveCase {
    std::string label;
    int64_t N = 1, C = 1, H = 1, W = 1;
    std::array<int64_t, 2> output_size{1, 1};
    PoolData data = PoolData::Uniform;
    bool default_options = false;  // call with the default options (global pooling)

    AdaptiveCase &with(PoolData kind) { data = kind; return *this; }
    AdaptiveCase &defaults() { default_options = true; return *this; }

    Shape input_shape() const { return {N, C, H, W}; }
    halconv::AdaptivePool2dOptions options(Device device) const;
    std::string describe(const char *op) const;
    std::string name() const;
};

// pool(label, N, C, H, W, kh, kw): chain .s() .p() .d() .ceil() .exclude_pad() .divisor() .with()
inline PoolCase pool(std::string label, int64_t N, int64_t C, int64_t H, int64_t W, int kh, int kw) {
    PoolCase c;
    c.label = std::move(label);
    c.N = N, c.C = C, c.H = H, c.W = W;
    c.kernel = {kh, kw};
    return c;
}
inline SubsampleCase subsample(std::string label, int64_t N, int64_t C, int64_t H, int64_t W) {
    SubsampleCase c;
    c.label = std::move(label);
    c.N = N, c.C = C, c.H = H, c.W = W;
    return c;
}
inline UnpoolCase unpool(std::string label, int64_t N, int64_t C, int64_t H, int64_t W, int kh, int kw) {
    UnpoolCase c;
    c.label = std::move(label);
    c.N = N, c.C = C, c.H = H, c.W = W;
    c.kernel = {kh, kw};
    return c;
}
inline AdaptiveCase adaptive(std::string label, int64_t N, int64_t C, int64_t H, int64_t W, int64_t OH,
                             int64_t OW) {
    AdaptiveCase c;
    c.label = std::move(label);
    c.N = N, c.C = C, c.H = H, c.W = W;
    c.output_size = {OH, OW};
    return c;
}

void PrintTo(const PoolCase &c, std::ostream *os);
void PrintTo(const SubsampleCase &c, std::ostream *os);
void PrintTo(const UnpoolCase &c, std::ostream *os);
void PrintTo(const AdaptiveCase &c, std::ostream *os);

// The sweeps (CPU: full lists; OpenCL: smaller shapes, same features).
// The backward passes use the forward lists.
std::vector<PoolCase> max_pool2d_cpu_cases();
std::vector<PoolCase> avg_pool2d_cpu_cases();
std::vector<SubsampleCase> subsample2d_cpu_cases();
std::vector<UnpoolCase> max_unpool2d_cpu_cases();
std::vector<AdaptiveCase> adaptive_pool2d_cpu_cases();
std::vector<PoolCase> max_pool2d_opencl_cases();
std::vector<PoolCase> avg_pool2d_opencl_cases();
std::vector<SubsampleCase> subsample2d_opencl_cases();
std::vector<UnpoolCase> max_unpool2d_opencl_cases();
std::vector<AdaptiveCase> adaptive_pool2d_opencl_cases();

// Runs one case on `device` with deterministic data and checks the output
// shape function, every output element (values; indices exactly) against
// the reference, guard zones, unwritten elements and that inputs are unmodified.
void check_max_pool2d_case(const PoolCase &c, Device device);           // both overloads
void check_max_pool2d_backward_case(const PoolCase &c, Device device);  // reference indices
void check_avg_pool2d_case(const PoolCase &c, Device device);
void check_avg_pool2d_backward_case(const PoolCase &c, Device device);
void check_subsample2d_case(const SubsampleCase &c, Device device);
void check_max_unpool2d_case(const UnpoolCase &c, Device device);
void check_adaptive_avg_pool2d_case(const AdaptiveCase &c, Device device);
void check_adaptive_max_pool2d_case(const AdaptiveCase &c, Device device);  // both overloads

// Every case of the lists is valid for the reference and has a unique name.
::testing::AssertionResult pool_cases_valid(const std::vector<PoolCase> &cases, bool avg);
::testing::AssertionResult subsample_cases_valid(const std::vector<SubsampleCase> &cases);
::testing::AssertionResult unpool_cases_valid(const std::vector<UnpoolCase> &cases);
::testing::AssertionResult adaptive_cases_valid(const std::vector<AdaptiveCase> &cases);
// The features a max_pool2d / avg_pool2d sweep must contain (ceil_mode with an
// extra window and with a dropped one, dilation, ties, NaN, ...) that no case
// of `cases` has; empty when all are covered.
std::vector<std::string> pool_coverage_missing(const std::vector<PoolCase> &cases, bool avg);

// ---------------------------------------------------------------------------
// Library calls returning fresh outputs (for property tests). A halconv::Error
// is reported with ADD_FAILURE and gives an empty result.
// ---------------------------------------------------------------------------
struct Pooled {
    Shape shape;
    std::vector<float> value;
    std::vector<int64_t> index;  // filled when indices were asked for
};

Pooled run_max_pool2d(const Tensor4 &x, const halconv::MaxPool2dOptions &opt, bool with_indices = true);
Tensor4 run_avg_pool2d(const Tensor4 &x, const halconv::AvgPool2dOptions &opt);
Tensor4 run_max_pool2d_backward(const Tensor4 &grad_output, const std::vector<int64_t> &indices,
                                const Shape &input_shape, const halconv::MaxPool2dOptions &opt);
Tensor4 run_avg_pool2d_backward(const Tensor4 &grad_output, const Shape &input_shape,
                                const halconv::AvgPool2dOptions &opt);
Tensor4 run_subsample2d(const Tensor4 &x, const halconv::Subsample2dOptions &opt);
Tensor4 run_max_unpool2d(const Tensor4 &x, const std::vector<int64_t> &indices,
                         const halconv::MaxUnpool2dOptions &opt);
Tensor4 run_adaptive_avg_pool2d(const Tensor4 &x, const halconv::AdaptivePool2dOptions &opt);
Pooled run_adaptive_max_pool2d(const Tensor4 &x, const halconv::AdaptivePool2dOptions &opt,
                               bool with_indices = true);

// halconv::Error as "Code: message".
std::string pool_error_str(const halconv::Error &e);

}  // namespace halconv_test
