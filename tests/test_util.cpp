#include "test_util.h"

#include <cmath>
#include <cstring>
#include <iomanip>
#include <limits>
#include <random>
#include <sstream>

namespace halconv_test {

// ---------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------
std::vector<float> random_tensor(int64_t count, uint32_t seed, float lo, float hi) {
    std::mt19937 gen(seed);
    std::vector<float> v((size_t)count);
    for (auto &x : v) {
        const float u = (float)(gen() >> 8) * (1.0f / 16777216.0f);  // [0, 1), 24 bits
        x = lo + (hi - lo) * u;
    }
    return v;
}

int64_t numel(const Shape &s) {
    int64_t n = 1;
    for (int64_t d : s) n *= d;
    return n;
}

std::string shape_str(const Shape &s) {
    std::ostringstream os;
    os << "[";
    for (size_t i = 0; i < s.size(); i++) os << (i ? ", " : "") << s[i];
    os << "]";
    return os.str();
}

Tensor4 random_tensor4(const Shape &shape, uint32_t seed) {
    return Tensor4{shape, random_tensor(numel(shape), seed)};
}

// ---------------------------------------------------------------------------
// Guarded buffers
// ---------------------------------------------------------------------------
float guard_sentinel() { return -12345.678f; }

GuardedBuffer::GuardedBuffer(int64_t count, int64_t guard)
    : count_(count), guard_(guard), storage_((size_t)(count + 2 * guard), guard_sentinel()) {
    std::fill(storage_.begin() + guard_, storage_.begin() + guard_ + count_,
              std::numeric_limits<float>::quiet_NaN());
}

std::vector<float> GuardedBuffer::values() const {
    return std::vector<float>(storage_.begin() + guard_, storage_.begin() + guard_ + count_);
}

::testing::AssertionResult GuardedBuffer::guards_intact() const {
    int64_t bad_before = 0, bad_after = 0;
    for (int64_t i = 0; i < guard_; i++) {
        if (storage_[i] != guard_sentinel()) bad_before++;
        if (storage_[guard_ + count_ + i] != guard_sentinel()) bad_after++;
    }
    if (bad_before || bad_after) {
        return ::testing::AssertionFailure()
               << "write outside the output tensor: " << bad_before << " element(s) changed in the "
               << guard_ << " floats before it, " << bad_after << " in the " << guard_
               << " floats after it";
    }
    return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------
std::string position_str(const Shape &shape, int64_t i, const char *channel, const char *batch) {
    if (shape.size() != 4) return "[" + std::to_string(i) + "]";
    const int64_t x = i % shape[3];
    const int64_t y = (i / shape[3]) % shape[2];
    const int64_t c = (i / (shape[3] * shape[2])) % shape[1];
    const int64_t n = i / (shape[3] * shape[2] * shape[1]);
    std::ostringstream os;
    os << "(" << batch << "=" << n << ", " << channel << "=" << c << ", y=" << y << ", x=" << x << ")";
    return os.str();
}

const char *code_name(halconv::ErrorCode c) {
    switch (c) {
    case halconv::ErrorCode::InvalidArgument: return "InvalidArgument";
    case halconv::ErrorCode::DeviceUnavailable: return "DeviceUnavailable";
    case halconv::ErrorCode::Unsupported: return "Unsupported";
    case halconv::ErrorCode::Internal: return "Internal";
    }
    return "?";
}

std::string float_str(double v) {
    std::ostringstream os;
    os << std::setprecision(9) << v;
    return os.str();
}

namespace {

::testing::AssertionResult compare(const std::vector<float> &got, const std::vector<double> &want,
                                   const std::vector<double> &bound, const Shape &shape,
                                   Tolerance tol, const char *want_name) {
    if (got.size() != want.size()) {
        return ::testing::AssertionFailure() << "size mismatch: got " << got.size()
                                             << " elements, expected " << want.size();
    }
    int64_t bad = 0, first_bad = -1, worst = -1;
    double worst_ratio = 0.0, max_err = 0.0;
    for (size_t i = 0; i < got.size(); i++) {
        const double t = tol.rel * bound[i] + tol.abs;
        const double err = std::fabs((double)got[i] - want[i]);
        const bool ok = std::isfinite(got[i]) && err <= t;
        if (std::isfinite(got[i])) max_err = std::max(max_err, err);
        const double ratio = std::isfinite(got[i]) ? err / t : std::numeric_limits<double>::infinity();
        if (!ok) {
            bad++;
            if (first_bad < 0) first_bad = (int64_t)i;
        }
        if (worst < 0 || ratio > worst_ratio) {
            worst_ratio = ratio;
            worst = (int64_t)i;
        }
    }
    if (bad == 0) return ::testing::AssertionSuccess();
    auto describe = [&](int64_t i) {
        std::ostringstream os;
        os << std::setprecision(9) << position_str(shape, i, "k") << ": got " << got[i] << ", "
           << want_name << " " << want[i] << ", |error| " << std::fabs(got[i] - want[i])
           << ", tolerance " << tol.rel * bound[i] + tol.abs;
        return os.str();
    };
    return ::testing::AssertionFailure()
           << bad << " of " << got.size() << " elements of shape " << shape_str(shape)
           << " out of tolerance (max |error| over finite elements " << max_err
           << ")\n  first bad " << describe(first_bad) << "\n  worst     " << describe(worst);
}

}  // namespace

::testing::AssertionResult matches_reference(const std::vector<float> &got, const ref::Result &want,
                                             Tolerance tol) {
    return compare(got, want.value, want.abs_sum, want.shape, tol, "reference");
}

::testing::AssertionResult nearly_equal(const std::vector<float> &a, const std::vector<float> &b,
                                        const std::vector<double> &bound, const Shape &shape,
                                        Tolerance tol) {
    if (a.size() != bound.size() || b.size() != bound.size()) {
        return ::testing::AssertionFailure() << "size mismatch: " << a.size() << " vs " << b.size()
                                             << " (bound " << bound.size() << ")";
    }
    std::vector<double> bd(b.begin(), b.end());
    // Each side carries rounding error, so allow twice the single tolerance.
    Tolerance t2{2 * tol.rel, 2 * tol.abs};
    return compare(a, bd, bound, shape, t2, "expected");
}

bool running_in_ci() {
    const char *ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------
namespace {

std::string pair_str(const std::array<int, 2> &v) {
    return "(" + std::to_string(v[0]) + ", " + std::to_string(v[1]) + ")";
}
std::string pair_compact(const std::array<int, 2> &v) {
    return std::to_string(v[0]) + "x" + std::to_string(v[1]);
}

uint32_t seed_of(const std::string &s, uint32_t salt) {
    uint32_t h = 2166136261u ^ salt;  // FNV-1a
    for (unsigned char ch : s) {
        h ^= ch;
        h *= 16777619u;
    }
    return h;
}

}  // namespace

halconv::Conv2dOptions Conv2dCase::options(Device device) const {
    halconv::Conv2dOptions o;
    o.stride = stride;
    o.padding = padding;
    o.dilation = dilation;
    o.groups = groups;
    o.flip_kernel = flip;
    o.device = device;
    return o;
}

ref::ConvParams Conv2dCase::ref_params() const {
    ref::ConvParams p;
    p.stride = stride;
    p.padding = padding;
    p.dilation = dilation;
    p.groups = groups;
    p.flip_kernel = flip;
    return p;
}

std::string Conv2dCase::describe() const {
    std::ostringstream os;
    os << "conv2d case '" << label << "': input " << shape_str(input_shape()) << ", weight "
       << shape_str(weight_shape()) << ", stride " << pair_str(stride) << ", padding "
       << pair_str(padding) << ", dilation " << pair_str(dilation) << ", groups " << groups
       << ", bias " << (bias ? "yes" : "no") << ", flip_kernel " << (flip ? "yes" : "no");
    return os.str();
}

std::string Conv2dCase::name() const {
    std::ostringstream os;
    os << label << "__N" << N << "C" << C << "H" << H << "W" << W << "_K" << K << "R" << R << "S"
       << S << "_s" << pair_compact(stride) << "_p" << pair_compact(padding) << "_d"
       << pair_compact(dilation) << "_g" << groups << (bias ? "_bias" : "") << (flip ? "_flip" : "");
    return os.str();
}

halconv::ConvTranspose2dOptions ConvT2dCase::options(Device device) const {
    halconv::ConvTranspose2dOptions o;
    o.stride = stride;
    o.padding = padding;
    o.output_padding = output_padding;
    o.dilation = dilation;
    o.groups = groups;
    o.device = device;
    return o;
}

ref::ConvTransposeParams ConvT2dCase::ref_params() const {
    ref::ConvTransposeParams p;
    p.stride = stride;
    p.padding = padding;
    p.output_padding = output_padding;
    p.dilation = dilation;
    p.groups = groups;
    return p;
}

std::string ConvT2dCase::describe() const {
    std::ostringstream os;
    os << "conv_transpose2d case '" << label << "': input " << shape_str(input_shape())
       << ", weight " << shape_str(weight_shape()) << " (K = " << K << "), stride "
       << pair_str(stride) << ", padding " << pair_str(padding) << ", output_padding "
       << pair_str(output_padding) << ", dilation " << pair_str(dilation) << ", groups " << groups
       << ", bias " << (bias ? "yes" : "no");
    return os.str();
}

std::string ConvT2dCase::name() const {
    std::ostringstream os;
    os << label << "__N" << N << "C" << C << "H" << H << "W" << W << "_K" << K << "R" << R << "S"
       << S << "_s" << pair_compact(stride) << "_p" << pair_compact(padding) << "_op"
       << pair_compact(output_padding) << "_d" << pair_compact(dilation) << "_g" << groups
       << (bias ? "_bias" : "");
    return os.str();
}

// Short on purpose: ctest's test names (gtest_discover_tests) carry this text;
// the full parameters are in the gtest name and in every failure's trace.
void PrintTo(const Conv2dCase &c, std::ostream *os) { *os << c.label; }
void PrintTo(const ConvT2dCase &c, std::ostream *os) { *os << c.label; }

// ---------------------------------------------------------------------------
// Running one case
// ---------------------------------------------------------------------------
namespace {

std::string error_str(const halconv::Error &e) {
    static const char *names[] = {"InvalidArgument", "DeviceUnavailable", "Unsupported", "Internal"};
    const int code = (int)e.code();
    std::string s = (code >= 0 && code < 4) ? names[code] : "ErrorCode(" + std::to_string(code) + ")";
    return s + ": " + e.what();
}

template<typename Call>
bool call_ok(Call &&call) {
    try {
        call();
        return true;
    } catch (const halconv::Error &e) {
        ADD_FAILURE() << "halconv::Error thrown: " << error_str(e);
    } catch (const std::exception &e) {
        ADD_FAILURE() << "unexpected exception (not halconv::Error): " << e.what();
    }
    return false;
}

bool same_bits(const std::vector<float> &a, const std::vector<float> &b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

void check_conv2d_case(const Conv2dCase &c, Device device) {
    SCOPED_TRACE(c.describe() + " on " + halconv::device_name(device));
    const Shape in_shape = c.input_shape(), w_shape = c.weight_shape();
    const std::vector<float> x = random_tensor(numel(in_shape), seed_of(c.name(), 1));
    const std::vector<float> w = random_tensor(numel(w_shape), seed_of(c.name(), 2));
    const std::vector<float> b = random_tensor(c.K, seed_of(c.name(), 3));
    const std::vector<float> x0 = x, w0 = w, b0 = b;

    const ref::Result want =
        ref::conv2d(x.data(), in_shape, w.data(), w_shape, c.bias ? b.data() : nullptr, c.ref_params());
    const halconv::Conv2dOptions opt = c.options(device);

    Shape got_shape;
    ASSERT_TRUE(call_ok([&] { got_shape = halconv::conv2d_output_shape(in_shape, w_shape, opt); }));
    ASSERT_EQ(got_shape, want.shape) << "conv2d_output_shape disagrees with PyTorch's rule";

    GuardedBuffer out(numel(want.shape));
    const halconv::ConstTensor bias_view =
        c.bias ? halconv::ConstTensor(b.data(), {c.K}) : halconv::ConstTensor();
    ASSERT_TRUE(call_ok([&] {
        halconv::conv2d(halconv::ConstTensor(x.data(), in_shape), halconv::ConstTensor(w.data(), w_shape),
                        bias_view, halconv::Tensor(out.data(), want.shape), opt);
    }));
    EXPECT_TRUE(out.guards_intact());
    const std::vector<float> got = out.values();
    EXPECT_TRUE(matches_reference(got, want));
    EXPECT_TRUE(same_bits(x, x0) && same_bits(w, w0) && same_bits(b, b0)) << "an input was modified";

    if (device == Device::CPU) {
        // The allocating overload runs the same pipeline: identical bits.
        Shape alloc_shape;
        std::vector<float> alloc;
        ASSERT_TRUE(call_ok([&] {
            alloc = halconv::conv2d(halconv::ConstTensor(x.data(), in_shape),
                                    halconv::ConstTensor(w.data(), w_shape), bias_view, opt, &alloc_shape);
        }));
        EXPECT_EQ(alloc_shape, want.shape);
        EXPECT_TRUE(same_bits(alloc, got)) << "allocating overload differs from the in-place call";
    }
}

void check_conv_transpose2d_case(const ConvT2dCase &c, Device device) {
    SCOPED_TRACE(c.describe() + " on " + halconv::device_name(device));
    const Shape in_shape = c.input_shape(), w_shape = c.weight_shape();
    const std::vector<float> x = random_tensor(numel(in_shape), seed_of(c.name(), 1));
    const std::vector<float> w = random_tensor(numel(w_shape), seed_of(c.name(), 2));
    const std::vector<float> b = random_tensor(c.K, seed_of(c.name(), 3));
    const std::vector<float> x0 = x, w0 = w, b0 = b;

    const ref::Result want = ref::conv_transpose2d(x.data(), in_shape, w.data(), w_shape,
                                                   c.bias ? b.data() : nullptr, c.ref_params());
    const halconv::ConvTranspose2dOptions opt = c.options(device);

    Shape got_shape;
    ASSERT_TRUE(call_ok([&] { got_shape = halconv::conv_transpose2d_output_shape(in_shape, w_shape, opt); }));
    ASSERT_EQ(got_shape, want.shape) << "conv_transpose2d_output_shape disagrees with PyTorch's rule";

    GuardedBuffer out(numel(want.shape));
    const halconv::ConstTensor bias_view =
        c.bias ? halconv::ConstTensor(b.data(), {c.K}) : halconv::ConstTensor();
    ASSERT_TRUE(call_ok([&] {
        halconv::conv_transpose2d(halconv::ConstTensor(x.data(), in_shape),
                                  halconv::ConstTensor(w.data(), w_shape), bias_view,
                                  halconv::Tensor(out.data(), want.shape), opt);
    }));
    EXPECT_TRUE(out.guards_intact());
    const std::vector<float> got = out.values();
    EXPECT_TRUE(matches_reference(got, want));
    EXPECT_TRUE(same_bits(x, x0) && same_bits(w, w0) && same_bits(b, b0)) << "an input was modified";

    if (device == Device::CPU) {
        Shape alloc_shape;
        std::vector<float> alloc;
        ASSERT_TRUE(call_ok([&] {
            alloc = halconv::conv_transpose2d(halconv::ConstTensor(x.data(), in_shape),
                                              halconv::ConstTensor(w.data(), w_shape), bias_view, opt,
                                              &alloc_shape);
        }));
        EXPECT_EQ(alloc_shape, want.shape);
        EXPECT_TRUE(same_bits(alloc, got)) << "allocating overload differs from the in-place call";
    }
}

// ---------------------------------------------------------------------------
// Library calls for property tests
// ---------------------------------------------------------------------------
Tensor4 run_conv2d(const Tensor4 &x, const Tensor4 &w, const std::vector<float> *bias,
                   const halconv::Conv2dOptions &opt) {
    Tensor4 out;
    try {
        out.shape = halconv::conv2d_output_shape(x.shape, w.shape, opt);
        out.data.assign((size_t)numel(out.shape), std::numeric_limits<float>::quiet_NaN());
        halconv::conv2d(halconv::ConstTensor(x.data.data(), x.shape),
                        halconv::ConstTensor(w.data.data(), w.shape),
                        bias ? halconv::ConstTensor(bias->data(), {(int64_t)bias->size()})
                             : halconv::ConstTensor(),
                        halconv::Tensor(out.data.data(), out.shape), opt);
    } catch (const halconv::Error &e) {
        ADD_FAILURE() << "conv2d(input " << shape_str(x.shape) << ", weight " << shape_str(w.shape)
                      << ") threw " << error_str(e);
    }
    return out;
}

Tensor4 run_conv_transpose2d(const Tensor4 &x, const Tensor4 &w, const std::vector<float> *bias,
                             const halconv::ConvTranspose2dOptions &opt) {
    Tensor4 out;
    try {
        out.shape = halconv::conv_transpose2d_output_shape(x.shape, w.shape, opt);
        out.data.assign((size_t)numel(out.shape), std::numeric_limits<float>::quiet_NaN());
        halconv::conv_transpose2d(halconv::ConstTensor(x.data.data(), x.shape),
                                  halconv::ConstTensor(w.data.data(), w.shape),
                                  bias ? halconv::ConstTensor(bias->data(), {(int64_t)bias->size()})
                                       : halconv::ConstTensor(),
                                  halconv::Tensor(out.data.data(), out.shape), opt);
    } catch (const halconv::Error &e) {
        ADD_FAILURE() << "conv_transpose2d(input " << shape_str(x.shape) << ", weight "
                      << shape_str(w.shape) << ") threw " << error_str(e);
    }
    return out;
}

}  // namespace halconv_test
