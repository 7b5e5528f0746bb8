// Shared helpers of the halconv test suite: deterministic data, guarded
// output buffers, comparison against the reference, device gating, and the
// parameter sets of the operator sweeps.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <random>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "halconv/halconv.h"
#include "reference.h"

namespace halconv_test {

// The case files' data generator: uniform in (0, 1) and standard normal
// (Box-Muller) from mt19937, which the standard fully specifies: the same
// data everywhere.
struct Rng {
    std::mt19937 gen;
    explicit Rng(uint32_t seed) : gen(seed) {}
    double uniform() { return ((double)(gen() >> 8) + 0.5) * (1.0 / 16777216.0); }
    double normal() {
        const double u1 = uniform(), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
    uint32_t below(uint32_t n) { return gen() % n; }
};

using halconv::Device;
using halconv::Shape;

// ---------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------

// Deterministic uniform values in [lo, hi) (std::mt19937 is fully specified by
// the standard; the float mapping is ours, so data is identical everywhere).
std::vector<float> random_tensor(int64_t count, uint32_t seed, float lo = -1.0f, float hi = 1.0f);

int64_t numel(const Shape &s);
std::string shape_str(const Shape &s);
// Element i of an NCHW tensor as "(n=.., c=.., y=.., x=..)" (the batch and
// channel letters can be renamed), or "[i]" for other ranks.
std::string position_str(const Shape &shape, int64_t i, const char *channel = "c", const char *batch = "n");
// "InvalidArgument", "DeviceUnavailable", ... for messages of failed checks.
const char *code_name(halconv::ErrorCode c);
// A value with 9 significant digits (enough to tell floats apart).
std::string float_str(double v);

// Row-major index helpers for NCHW / [A, B, R, S] tensors.
inline int64_t idx4(const Shape &s, int64_t a, int64_t b, int64_t c, int64_t d) {
    return ((a * s[1] + b) * s[2] + c) * s[3] + d;
}

// ---------------------------------------------------------------------------
// Output buffer with guard zones on both sides: the output itself is filled
// with a NaN sentinel (so unwritten elements are caught), the guards with a
// different sentinel (so writes outside the output are caught).
// ---------------------------------------------------------------------------
class GuardedBuffer {
public:
    explicit GuardedBuffer(int64_t count, int64_t guard = 257);
    float *data() { return storage_.data() + guard_; }
    const float *data() const { return storage_.data() + guard_; }
    int64_t size() const { return count_; }
    std::vector<float> values() const;
    // Fails the current test when a guard element changed.
    ::testing::AssertionResult guards_intact() const;

private:
    int64_t count_, guard_;
    std::vector<float> storage_;
};

float guard_sentinel();  // value of the guard elements

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------
struct Tolerance {
    double rel = 1e-5;   // relative to the sum of |terms| of each output element
    double abs = 1e-6;
};

// Every got[i] must satisfy |got[i] - want.value[i]| <= rel * want.abs_sum[i] + abs.
// NaN / Inf count as errors. On failure the message lists the number of bad
// elements, the worst one (with its NCHW position) and the maximum error.
::testing::AssertionResult matches_reference(const std::vector<float> &got, const ref::Result &want,
                                             Tolerance tol = {});

// Two halconv results that should be equal up to float rounding; `bound` is a
// per-element sum of |terms| (e.g. from the reference) scaling the tolerance.
::testing::AssertionResult nearly_equal(const std::vector<float> &a, const std::vector<float> &b,
                                        const std::vector<double> &bound, const Shape &shape,
                                        Tolerance tol = {});

// ---------------------------------------------------------------------------
// Devices
// ---------------------------------------------------------------------------
bool running_in_ci();  // CI == "true"

// In a test body or SetUp(): when `device` is not available, FAIL() in CI
// (CI=true) and GTEST_SKIP() elsewhere, both with the library's reason.
#define HALCONV_REQUIRE_DEVICE(device)                                                     \
    do {                                                                                   \
        std::string halconv_why_;                                                          \
        if (!halconv::device_available((device), &halconv_why_)) {                         \
            if (::halconv_test::running_in_ci()) {                                         \
                FAIL() << "device " << halconv::device_name(device)                       \
                       << " is not available in CI (CI=true): " << halconv_why_;           \
            } else {                                                                       \
                GTEST_SKIP() << "device " << halconv::device_name(device)                 \
                             << " not available: " << halconv_why_;                        \
            }                                                                              \
        }                                                                                  \
    } while (0)

// ---------------------------------------------------------------------------
// Sweep parameters
// ---------------------------------------------------------------------------
struct Conv2dCase {
    std::string label;
    int64_t N = 1, C = 1, H = 1, W = 1;  // input
    int64_t K = 1, R = 1, S = 1;         // output channels and kernel
    std::array<int, 2> stride{1, 1}, padding{0, 0}, dilation{1, 1};
    int groups = 1;
    bool bias = false;
    bool flip = false;

    Conv2dCase &s(int h, int w) { stride = {h, w}; return *this; }
    Conv2dCase &s(int v) { return s(v, v); }
    Conv2dCase &p(int h, int w) { padding = {h, w}; return *this; }
    Conv2dCase &p(int v) { return p(v, v); }
    Conv2dCase &d(int h, int w) { dilation = {h, w}; return *this; }
    Conv2dCase &d(int v) { return d(v, v); }
    Conv2dCase &g(int v) { groups = v; return *this; }
    Conv2dCase &with_bias() { bias = true; return *this; }
    Conv2dCase &flipped() { flip = true; return *this; }

    Shape input_shape() const { return {N, C, H, W}; }
    Shape weight_shape() const { return {K, C / groups, R, S}; }
    halconv::Conv2dOptions options(Device device) const;
    ref::ConvParams ref_params() const;
    std::string describe() const;  // all parameters, human readable
    std::string name() const;      // label + compact parameters, a valid gtest name
};

struct ConvT2dCase {
    std::string label;
    int64_t N = 1, C = 1, H = 1, W = 1;  // input
    int64_t K = 1, R = 1, S = 1;         // output channels and kernel
    std::array<int, 2> stride{1, 1}, padding{0, 0}, output_padding{0, 0}, dilation{1, 1};
    int groups = 1;
    bool bias = false;

    ConvT2dCase &s(int h, int w) { stride = {h, w}; return *this; }
    ConvT2dCase &s(int v) { return s(v, v); }
    ConvT2dCase &p(int h, int w) { padding = {h, w}; return *this; }
    ConvT2dCase &p(int v) { return p(v, v); }
    ConvT2dCase &op(int h, int w) { output_padding = {h, w}; return *this; }
    ConvT2dCase &op(int v) { return op(v, v); }
    ConvT2dCase &d(int h, int w) { dilation = {h, w}; return *this; }
    ConvT2dCase &d(int v) { return d(v, v); }
    ConvT2dCase &g(int v) { groups = v; return *this; }
    ConvT2dCase &with_bias() { bias = true; return *this; }

    Shape input_shape() const { return {N, C, H, W}; }
    Shape weight_shape() const { return {C, K / groups, R, S}; }
    halconv::ConvTranspose2dOptions options(Device device) const;
    ref::ConvTransposeParams ref_params() const;
    std::string describe() const;
    std::string name() const;
};

// conv(label, N, C, H, W, K, R, S) and convt(...): start a case, then chain
// .s() .p() .d() .g() .op() .with_bias() .flipped().
inline Conv2dCase conv(std::string label, int64_t N, int64_t C, int64_t H, int64_t W, int64_t K,
                       int64_t R, int64_t S) {
    Conv2dCase c;
    c.label = std::move(label);
    c.N = N, c.C = C, c.H = H, c.W = W, c.K = K, c.R = R, c.S = S;
    return c;
}
inline ConvT2dCase convt(std::string label, int64_t N, int64_t C, int64_t H, int64_t W, int64_t K,
                         int64_t R, int64_t S) {
    ConvT2dCase c;
    c.label = std::move(label);
    c.N = N, c.C = C, c.H = H, c.W = W, c.K = K, c.R = R, c.S = S;
    return c;
}

void PrintTo(const Conv2dCase &c, std::ostream *os);
void PrintTo(const ConvT2dCase &c, std::ostream *os);

struct CaseName {
    template<typename T>
    std::string operator()(const ::testing::TestParamInfo<T> &info) const {
        return info.param.name();
    }
};

// The sweeps (CPU: full lists; OpenCL: smaller shapes, same features).
std::vector<Conv2dCase> conv2d_cpu_cases();
std::vector<ConvT2dCase> conv_transpose2d_cpu_cases();
std::vector<Conv2dCase> conv2d_opencl_cases();
std::vector<ConvT2dCase> conv_transpose2d_opencl_cases();

// Runs one case on `device` with deterministic data and checks: output shape
// function, every output element against the reference, guard zones, inputs
// unmodified, and (for the first case of each device) the allocating overload.
void check_conv2d_case(const Conv2dCase &c, Device device);
void check_conv_transpose2d_case(const ConvT2dCase &c, Device device);

// ---------------------------------------------------------------------------
// Library calls returning fresh outputs (for property tests)
// ---------------------------------------------------------------------------
struct Tensor4 {
    Shape shape;
    std::vector<float> data;
};

Tensor4 run_conv2d(const Tensor4 &x, const Tensor4 &w, const std::vector<float> *bias,
                   const halconv::Conv2dOptions &opt);
Tensor4 run_conv_transpose2d(const Tensor4 &x, const Tensor4 &w, const std::vector<float> *bias,
                             const halconv::ConvTranspose2dOptions &opt);
Tensor4 random_tensor4(const Shape &shape, uint32_t seed);

}  // namespace halconv_test
