// Image filters: every bad input is refused with halconv::Error
// (InvalidArgument; DeviceUnavailable for a missing device), a message that
// starts with the function name ("filter2d: ", "gradient_magnitude: ") and
// names the argument (`input`, `output`, `kernel`, `offset`, ...), and the
// output left untouched. Never an abort.
//
// The kernels here are built by hand (not by the factories) so that these
// tests check filter2d's validation alone.
#include <gmock/gmock.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "filter_cases.h"

namespace halconv_test {
namespace {

using halconv::Device;
using halconv::ErrorCode;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Matcher;
using ::testing::StartsWith;


Matcher<const std::string &> says_positive() {
    return AnyOf(HasSubstr("positive"), HasSubstr("> 0"), HasSubstr(">= 1"), HasSubstr("at least 1"));
}
Matcher<const std::string &> says_null() { return AnyOf(HasSubstr("null"), HasSubstr("NULL")); }
Matcher<const std::string &> says_odd() { return AnyOf(HasSubstr("odd"), HasSubstr("even")); }
Matcher<const std::string &> says_finite() {
    return AnyOf(HasSubstr("finite"), HasSubstr("NaN"), HasSubstr("nan"), HasSubstr("inf"));
}
Matcher<const std::string &> says_overlap() {
    return AnyOf(HasSubstr("overlap"), HasSubstr("alias"), HasSubstr("in place"), HasSubstr("in-place"),
                 HasSubstr("same memory"));
}

// box 3x3 built by hand: separable, integer taps, divisor 9.
FilterKernel valid_kernel() {
    FilterKernel k;
    k.name = "box:3";
    k.width = 3, k.height = 3;
    k.taps.assign(9, 1.0f);
    k.divisor = 9;
    k.column = {1, 1, 1};
    k.row = {1, 1, 1};
    k.integer = true;
    return k;
}

struct Outcome {
    bool threw_error = false;
    ErrorCode code = ErrorCode::Internal;
    std::string message;
    std::string other;
    bool output_untouched = true;
    bool input_untouched = true;
};

std::ostream &operator<<(std::ostream &os, const Outcome &o) {
    if (o.threw_error) return os << "halconv::Error(" << code_name(o.code) << ", \"" << o.message << "\")";
    if (!o.other.empty()) return os << "other exception: " << o.other;
    return os << "no exception";
}

enum class Overlap { None, Same, Partial };

// A call on sentinel-filled buffers: the input (7x5x3 by default) and the
// output are separate allocations unless `overlap` puts the output inside
// the input's memory.
template<typename T>
struct Call {
    int in_w = 7, in_h = 5, in_c = 3;
    int out_w = 7, out_h = 5, out_c = 3;
    bool null_input = false, null_output = false;
    Overlap overlap = Overlap::None;
    FilterKernel kernel = valid_kernel();
    bool gradient = false;
    GradientOperator op = GradientOperator::Sobel;
    FilterOptions opt;

    static T sentinel() { return std::is_same_v<T, float> ? T(4242.25f) : T(0xA5); }

    Outcome run() const {
        auto count = [](int w, int h, int c) {
            return (size_t)std::min<int64_t>(std::max<int64_t>(int64_t(std::max(w, 1)) * std::max(h, 1) * std::max(c, 1), 1),
                                             int64_t(1) << 22);
        };
        const size_t n_in = count(in_w, in_h, in_c), n_out = count(out_w, out_h, out_c);
        std::vector<T> in(std::max(n_in, n_out) + 64);
        for (size_t i = 0; i < in.size(); i++) in[i] = T(i % 251);
        const std::vector<T> in0 = in;
        std::vector<T> out(n_out + 64, sentinel());
        T *out_ptr = out.data();
        if (overlap == Overlap::Same) out_ptr = in.data();
        if (overlap == Overlap::Partial) out_ptr = in.data() + n_in / 2;
        Outcome o;
        try {
            const halconv::ImageView<const T> iv(null_input ? nullptr : in.data(), in_w, in_h, in_c);
            const halconv::ImageView<T> ov(null_output ? nullptr : out_ptr, out_w, out_h, out_c);
            if (gradient)
                halconv::gradient_magnitude(iv, ov, op, opt);
            else
                halconv::filter2d(iv, ov, kernel, opt);
        } catch (const halconv::Error &e) {
            o.threw_error = true;
            o.code = e.code();
            o.message = e.what();
        } catch (const std::exception &e) {
            o.other = e.what();
        } catch (...) {
            o.other = "unknown exception";
        }
        for (T v : out) o.output_untouched &= (v == sentinel());
        o.input_untouched = std::memcmp(in.data(), in0.data(), in.size() * sizeof(T)) == 0;
        return o;
    }
};

void expect_refused(const Outcome &o, const std::string &fn, const Matcher<const std::string &> &m,
                    ErrorCode code = ErrorCode::InvalidArgument) {
    ASSERT_TRUE(o.threw_error) << "expected halconv::Error(" << code_name(code) << "), got " << o;
    EXPECT_EQ(code_name(o.code), std::string(code_name(code))) << o;
    EXPECT_THAT(o.message, StartsWith(fn + ": "));
    EXPECT_THAT(o.message, m);
    EXPECT_TRUE(o.output_untouched) << "a refused call wrote to its output";
    EXPECT_TRUE(o.input_untouched) << "a refused call wrote to the input's memory";
}

template<typename T>
class FilterBadInput : public ::testing::Test {};
using SampleTypes = ::testing::Types<uint8_t, uint16_t, float>;
struct SampleTypeNames {
    template<typename T>
    static std::string GetName(int) {
        return sample_type_name(sample_type_of<T>());
    }
};
TYPED_TEST_SUITE(FilterBadInput, SampleTypes, SampleTypeNames);

// Both functions, for the checks they share.
template<typename T>
std::vector<std::pair<std::string, Call<T>>> both() {
    Call<T> f, g;
    g.gradient = true;
    return {{"filter2d", f}, {"gradient_magnitude", g}};
}

TYPED_TEST(FilterBadInput, ValidCallsAreAccepted) {
    for (auto [fn, c] : both<TypeParam>()) {
        SCOPED_TRACE(fn);
        const Outcome o = c.run();
        EXPECT_FALSE(o.threw_error) << o;
        EXPECT_TRUE(o.other.empty()) << o;
        EXPECT_FALSE(o.output_untouched) << "the accepted call did not write its output";
        EXPECT_TRUE(o.input_untouched);
    }
}

TYPED_TEST(FilterBadInput, NullData) {
    for (auto [fn, c] : both<TypeParam>()) {
        SCOPED_TRACE(fn);
        auto a = c;
        a.null_input = true;
        expect_refused(a.run(), fn, AllOf(HasSubstr("input"), says_null()));
        auto b = c;
        b.null_output = true;
        expect_refused(b.run(), fn, AllOf(HasSubstr("output"), says_null()));
    }
}

TYPED_TEST(FilterBadInput, NonPositiveSizes) {
    for (auto [fn, c] : both<TypeParam>()) {
        for (int v : {0, -1, -7}) {
            SCOPED_TRACE(fn + " " + std::to_string(v));
            auto w = c;
            w.in_w = w.out_w = v;
            expect_refused(w.run(), fn, AllOf(HasSubstr("input"), HasSubstr("width"), says_positive()));
            auto h = c;
            h.in_h = h.out_h = v;
            expect_refused(h.run(), fn, AllOf(HasSubstr("input"), HasSubstr("height"), says_positive()));
            auto ch = c;
            ch.in_c = ch.out_c = v;
            expect_refused(ch.run(), fn, AllOf(HasSubstr("input"), HasSubstr("channels"), says_positive()));
        }
    }
}

TYPED_TEST(FilterBadInput, OutputShapeMismatch) {
    for (auto [fn, c] : both<TypeParam>()) {
        SCOPED_TRACE(fn);
        auto w = c;
        w.out_w = 8;
        expect_refused(w.run(), fn, HasSubstr("output"));
        auto w0 = c;
        w0.out_w = 0;
        expect_refused(w0.run(), fn, HasSubstr("output"));
        auto h = c;
        h.out_h = 4;
        expect_refused(h.run(), fn, HasSubstr("output"));
        auto ch = c;
        ch.out_c = 1;
        expect_refused(ch.run(), fn, HasSubstr("output"));
        auto swapped = c;  // same sample count, other shape
        swapped.out_w = 5, swapped.out_h = 7;
        expect_refused(swapped.run(), fn, HasSubstr("output"));
    }
}

// The header: `output` must not overlap the input.
TYPED_TEST(FilterBadInput, OverlappingInputAndOutput) {
    for (auto [fn, c] : both<TypeParam>()) {
        SCOPED_TRACE(fn);
        auto same = c;
        same.overlap = Overlap::Same;
        expect_refused(same.run(), fn, AllOf(HasSubstr("output"), says_overlap()));
        auto partial = c;
        partial.overlap = Overlap::Partial;
        expect_refused(partial.run(), fn, AllOf(HasSubstr("output"), says_overlap()));
    }
}

TYPED_TEST(FilterBadInput, BadKernels) {
    const std::string fn = "filter2d";
    Call<TypeParam> c;
    {
        auto e = c;
        e.kernel = FilterKernel{};  // empty
        expect_refused(e.run(), fn, HasSubstr("kernel"));
    }
    {
        auto e = c;  // dimensions set, no taps
        e.kernel.taps.clear();
        e.kernel.column.clear();
        e.kernel.row.clear();
        expect_refused(e.run(), fn, AllOf(HasSubstr("kernel"), HasSubstr("taps")));
    }
    {
        auto e = c;  // even width
        e.kernel.width = 2;
        e.kernel.taps.assign(6, 1.0f);
        e.kernel.row = {1, 1};
        e.kernel.divisor = 6;
        expect_refused(e.run(), fn, AllOf(HasSubstr("kernel"), HasSubstr("width"), says_odd()));
    }
    {
        auto e = c;  // even height
        e.kernel.height = 4;
        e.kernel.taps.assign(12, 1.0f);
        e.kernel.column = {1, 1, 1, 1};
        e.kernel.divisor = 12;
        expect_refused(e.run(), fn, AllOf(HasSubstr("kernel"), HasSubstr("height"), says_odd()));
    }
    {
        auto e = c;  // negative size
        e.kernel.width = -3;
        expect_refused(e.run(), fn, AllOf(HasSubstr("kernel"), HasSubstr("width")));
    }
    {
        auto e = c;  // taps size mismatch
        e.kernel.taps.assign(8, 1.0f);
        expect_refused(e.run(), fn, AllOf(HasSubstr("kernel"), HasSubstr("taps")));
        e.kernel.taps.assign(10, 1.0f);
        expect_refused(e.run(), fn, AllOf(HasSubstr("kernel"), HasSubstr("taps")));
    }
    {
        auto e = c;  // separable factors of the wrong length
        e.kernel.column = {1, 1};
        expect_refused(e.run(), fn, AllOf(HasSubstr("kernel"), HasSubstr("column")));
        e = c;
        e.kernel.row = {1, 1, 1, 1, 1};
        expect_refused(e.run(), fn, AllOf(HasSubstr("kernel"), HasSubstr("row")));
        e = c;  // column without row
        e.kernel.row.clear();
        expect_refused(e.run(), fn, HasSubstr("kernel"));
    }
    {
        auto e = c;  // divisor 0
        e.kernel.divisor = 0;
        expect_refused(e.run(), fn, AllOf(HasSubstr("kernel"), HasSubstr("divisor")));
        e.kernel.divisor = -0.0;
        expect_refused(e.run(), fn, AllOf(HasSubstr("kernel"), HasSubstr("divisor")));
    }
}

TYPED_TEST(FilterBadInput, NonFiniteOffset) {
    for (auto [fn, c] : both<TypeParam>()) {
        for (float v : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                        -std::numeric_limits<float>::infinity()}) {
            SCOPED_TRACE(fn + " " + std::to_string(v));
            auto e = c;
            e.opt.offset = v;
            expect_refused(e.run(), fn, AllOf(HasSubstr("offset"), says_finite()));
        }
    }
}

// This machine has no CUDA GPU: DeviceUnavailable with a message, never an abort.
TYPED_TEST(FilterBadInput, CudaWithoutGpuIsDeviceUnavailable) {
    if (halconv::device_available(Device::CUDA)) GTEST_SKIP() << "CUDA is available on this machine";
    for (auto [fn, c] : both<TypeParam>()) {
        SCOPED_TRACE(fn);
        c.opt.device = Device::CUDA;
        expect_refused(c.run(), fn, AnyOf(HasSubstr("CUDA"), HasSubstr("cuda")), ErrorCode::DeviceUnavailable);
    }
}

// A bad argument on a missing device: refused (either error), output untouched.
TEST(FilterBadInputOrder, BadArgumentOnMissingDevice) {
    if (halconv::device_available(Device::CUDA)) GTEST_SKIP() << "CUDA is available on this machine";
    Call<uint8_t> c;
    c.opt.device = Device::CUDA;
    c.out_w = 3;
    const Outcome o = c.run();
    ASSERT_TRUE(o.threw_error) << o;
    EXPECT_TRUE(o.output_untouched);
}

TEST(FilterBadInputNames, ParseBorder) {
    try {
        halconv::parse_border("reflect101x");
        ADD_FAILURE() << "parse_border accepted a bad name";
    } catch (const halconv::Error &e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        EXPECT_THAT(std::string(e.what()), HasSubstr("reflect101x"));
    } catch (const std::exception &e) {
        ADD_FAILURE() << "other exception: " << e.what();
    }
    EXPECT_THROW(halconv::parse_border(""), halconv::Error);
    EXPECT_THROW(halconv::parse_border("Mirror "), halconv::Error);
}

}  // namespace
}  // namespace halconv_test
