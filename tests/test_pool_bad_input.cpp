// Pooling: every bad input is refused with halconv::Error(InvalidArgument)
// (DeviceUnavailable for a missing device), a message that starts with the
// function name and names the argument and what was expected, and untouched
// outputs (values and indices).
//
// Messages are checked for the argument name (`input`, `output`, `indices`,
// `grad_output`, `grad_input`, `kernel_size`, `stride`, `padding`,
// `dilation`, `offset`, `output_size`) and a key word, not sentences.
#include <gmock/gmock.h>

#include <cstring>
#include <functional>
#include <limits>

#include "pool_cases.h"

namespace halconv_test {
namespace {

using halconv::ErrorCode;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Matcher;
using ::testing::StartsWith;


Matcher<const std::string &> says_positive() {
    return AnyOf(HasSubstr("positive"), HasSubstr("> 0"), HasSubstr(">= 1"), HasSubstr("at least 1"));
}
Matcher<const std::string &> says_non_negative() {
    return AnyOf(HasSubstr("negative"), HasSubstr(">= 0"), HasSubstr("nonnegative"));
}
Matcher<const std::string &> says_null() { return AnyOf(HasSubstr("null"), HasSubstr("NULL")); }
Matcher<const std::string &> says_rank4() {
    return AnyOf(HasSubstr("4 dimensions"), HasSubstr("4-D"), HasSubstr("4D"), HasSubstr("rank"),
                 HasSubstr("[N, C, H, W]"), HasSubstr("dimensions"));
}
Matcher<const std::string &> says_empty() {
    return AnyOf(HasSubstr("empty"), HasSubstr("zero"), HasSubstr("positive"));
}
Matcher<const std::string &> says_half_kernel() {
    return AllOf(HasSubstr("padding"), HasSubstr("kernel_size"), AnyOf(HasSubstr("half"), HasSubstr("/ 2"),
                                                                       HasSubstr("/2")));
}
Matcher<const std::string &> says_out_of_range() {
    return AnyOf(HasSubstr("out of range"), HasSubstr("outside"), HasSubstr("must lie in"), HasSubstr("invalid"));
}
Matcher<const std::string &> says_too_large() {
    return AnyOf(HasSubstr("larger"), HasSubstr("too large"), HasSubstr("too small"), HasSubstr("exceeds"));
}

// ---------------------------------------------------------------------------
// A call on sentinel-filled buffers: a float input, an optional int64 index
// input, a float output and an optional int64 index output. Any of them can
// be given a null pointer.
// ---------------------------------------------------------------------------
constexpr float kSentinel = 4242.25f;
constexpr int64_t kIndexSentinel = -4242;

struct Tensors {
    Shape input, indices, output, out_indices;
    bool null_input = false, null_indices = false, null_output = false, null_out_indices = false;
    int64_t index_value = 0;  // every element of the index input
    std::vector<std::pair<int64_t, int64_t>> index_overrides;  // (position, value)
};

Tensors tensors(Shape input, Shape indices, Shape output, Shape out_indices) {
    Tensors t;
    t.input = std::move(input);
    t.indices = std::move(indices);
    t.output = std::move(output);
    t.out_indices = std::move(out_indices);
    return t;
}

struct Outcome {
    bool threw_error = false;
    ErrorCode code = ErrorCode::Internal;
    std::string message;
    std::string other;
    bool output_untouched = true;
    bool out_indices_untouched = true;
};

std::ostream &operator<<(std::ostream &os, const Outcome &o) {
    if (o.threw_error) return os << "halconv::Error(" << code_name(o.code) << ", \"" << o.message << "\")";
    if (!o.other.empty()) return os << "other exception: " << o.other;
    return os << "no exception";
}

int64_t alloc_count(const Shape &s) {
    int64_t n = 1;
    for (int64_t d : s) n *= std::max<int64_t>(d, 1);
    return std::min<int64_t>(std::max<int64_t>(n, 1), int64_t(1) << 22);
}

using PoolFn = std::function<void(halconv::ConstTensor, halconv::ConstIndexTensor, halconv::Tensor, halconv::IndexTensor)>;

Outcome run_pool_call(const Tensors &t, const PoolFn &fn) {
    std::vector<float> in = random_tensor(alloc_count(t.input), 7);
    std::vector<int64_t> idx((size_t)alloc_count(t.indices), t.index_value);
    for (auto [pos, v] : t.index_overrides) idx.at((size_t)pos) = v;
    std::vector<float> out((size_t)alloc_count(t.output), kSentinel);
    std::vector<int64_t> out_idx((size_t)alloc_count(t.out_indices), kIndexSentinel);
    Outcome o;
    try {
        fn(halconv::ConstTensor(t.null_input ? nullptr : in.data(), t.input),
           halconv::ConstIndexTensor(t.null_indices ? nullptr : idx.data(), t.indices),
           halconv::Tensor(t.null_output ? nullptr : out.data(), t.output),
           halconv::IndexTensor(t.null_out_indices ? nullptr : out_idx.data(), t.out_indices));
    } catch (const halconv::Error &e) {
        o.threw_error = true;
        o.code = e.code();
        o.message = e.what();
    } catch (const std::exception &e) {
        o.other = e.what();
    } catch (...) {
        o.other = "unknown exception";
    }
    for (float v : out) o.output_untouched &= (v == kSentinel);
    for (int64_t v : out_idx) o.out_indices_untouched &= (v == kIndexSentinel);
    return o;
}

void expect_refused(const Outcome &o, const std::string &fn, const Matcher<const std::string &> &m,
                    ErrorCode code = ErrorCode::InvalidArgument) {
    ASSERT_TRUE(o.threw_error) << "expected halconv::Error(" << code_name(code) << "), got " << o;
    EXPECT_EQ(code_name(o.code), std::string(code_name(code))) << o;
    EXPECT_THAT(o.message, StartsWith(fn + ": "));
    EXPECT_THAT(o.message, m);
    EXPECT_TRUE(o.output_untouched) << "a refused call wrote to its output";
    EXPECT_TRUE(o.out_indices_untouched) << "a refused call wrote to its output indices";
}

void expect_accepted(const Outcome &o) {
    EXPECT_FALSE(o.threw_error) << o;
    EXPECT_TRUE(o.other.empty()) << o;
    EXPECT_FALSE(o.output_untouched) << "the accepted call did not write its output";
}

// ---------------------------------------------------------------------------
// Calls: a valid baseline per operator, then one thing broken per test.
// ---------------------------------------------------------------------------
struct MaxPoolCall {
    // input [2, 3, 7, 8], kernel 3, stride 2, padding 1 -> [2, 3, 4, 4]
    Tensors t = tensors({2, 3, 7, 8}, {}, {2, 3, 4, 4}, {2, 3, 4, 4});
    halconv::MaxPool2dOptions opt;
    bool with_indices = true;
    MaxPoolCall() {
        opt.kernel_size = {3, 3};
        opt.stride = std::array<int, 2>{2, 2};
        opt.padding = {1, 1};
    }
    Outcome run() const {
        return run_pool_call(t, [&](auto in, auto, auto out, auto out_idx) {
            if (with_indices)
                halconv::max_pool2d(in, out, out_idx, opt);
            else
                halconv::max_pool2d(in, out, opt);
        });
    }
};

struct MaxPoolBackwardCall {
    // grad_output / indices [2, 3, 4, 4] for a forward input (= grad_input) [2, 3, 7, 8]
    Tensors t = tensors({2, 3, 4, 4}, {2, 3, 4, 4}, {2, 3, 7, 8}, {});
    halconv::MaxPool2dOptions opt;
    MaxPoolBackwardCall() {
        opt.kernel_size = {3, 3};
        opt.stride = std::array<int, 2>{2, 2};
        opt.padding = {1, 1};
        t.index_value = 9;  // (row 1, col 1): inside the plane
    }
    Outcome run() const {
        return run_pool_call(
            t, [&](auto g, auto idx, auto gin, auto) { halconv::max_pool2d_backward(g, idx, gin, opt); });
    }
};

struct AvgPoolCall {
    Tensors t = tensors({2, 3, 7, 8}, {}, {2, 3, 4, 4}, {});
    halconv::AvgPool2dOptions opt;
    AvgPoolCall() {
        opt.kernel_size = {3, 3};
        opt.stride = std::array<int, 2>{2, 2};
        opt.padding = {1, 1};
    }
    Outcome run() const {
        return run_pool_call(t, [&](auto in, auto, auto out, auto) { halconv::avg_pool2d(in, out, opt); });
    }
};

struct AvgPoolBackwardCall {
    Tensors t = tensors({2, 3, 4, 4}, {}, {2, 3, 7, 8}, {});
    halconv::AvgPool2dOptions opt;
    AvgPoolBackwardCall() {
        opt.kernel_size = {3, 3};
        opt.stride = std::array<int, 2>{2, 2};
        opt.padding = {1, 1};
    }
    Outcome run() const {
        return run_pool_call(t, [&](auto g, auto, auto gin, auto) { halconv::avg_pool2d_backward(g, gin, opt); });
    }
};

struct SubsampleCall {
    // input [2, 3, 9, 11], stride 2, offset 1 -> [2, 3, 4, 5]
    Tensors t = tensors({2, 3, 9, 11}, {}, {2, 3, 4, 5}, {});
    halconv::Subsample2dOptions opt;
    SubsampleCall() { opt.offset = {1, 1}; }
    Outcome run() const {
        return run_pool_call(t, [&](auto in, auto, auto out, auto) { halconv::subsample2d(in, out, opt); });
    }
};

struct UnpoolCall {
    // input / indices [2, 3, 4, 5], kernel 2 (stride default) -> [2, 3, 8, 10]
    Tensors t = tensors({2, 3, 4, 5}, {2, 3, 4, 5}, {2, 3, 8, 10}, {});
    halconv::MaxUnpool2dOptions opt;
    UnpoolCall() {
        opt.kernel_size = {2, 2};
        t.index_value = 11;
    }
    Outcome run() const {
        return run_pool_call(t, [&](auto in, auto idx, auto out, auto) { halconv::max_unpool2d(in, idx, out, opt); });
    }
};

struct AdaptiveCall {
    // input [2, 3, 7, 9], output_size (3, 4) -> [2, 3, 3, 4]
    Tensors t = tensors({2, 3, 7, 9}, {}, {2, 3, 3, 4}, {2, 3, 3, 4});
    halconv::AdaptivePool2dOptions opt;
    enum Kind { Avg, Max, MaxWithIndices } kind = Avg;
    AdaptiveCall() { opt.output_size = {3, 4}; }
    std::string fn() const { return kind == Avg ? "adaptive_avg_pool2d" : "adaptive_max_pool2d"; }
    Outcome run() const {
        return run_pool_call(t, [&](auto in, auto, auto out, auto out_idx) {
            if (kind == Avg)
                halconv::adaptive_avg_pool2d(in, out, opt);
            else if (kind == Max)
                halconv::adaptive_max_pool2d(in, out, opt);
            else
                halconv::adaptive_max_pool2d(in, out, out_idx, opt);
        });
    }
};

// The call refused with `fn` (the function name that starts the message).
#define EXPECT_POOL_REFUSED(call, fn, ...) expect_refused((call).run(), fn, AllOf(__VA_ARGS__))

std::string shape_code_of(const std::function<void()> &fn) {
    try {
        fn();
    } catch (const halconv::Error &e) {
        return std::string(code_name(e.code())) + ": " + e.what();
    } catch (const std::exception &e) {
        return std::string("other exception: ") + e.what();
    }
    return "no exception";
}

// ---------------------------------------------------------------------------
// Baselines
// ---------------------------------------------------------------------------
TEST(PoolBadInput, BaselineCallsAreAccepted) {
    {
        MaxPoolCall c;
        expect_accepted(c.run());
        EXPECT_FALSE(c.run().out_indices_untouched) << "max_pool2d did not write its indices";
        c.with_indices = false;
        expect_accepted(c.run());
        EXPECT_EQ(halconv::max_pool2d_output_shape(c.t.input, c.opt), c.t.output);
    }
    expect_accepted(MaxPoolBackwardCall().run());
    expect_accepted(AvgPoolCall().run());
    expect_accepted(AvgPoolBackwardCall().run());
    expect_accepted(SubsampleCall().run());
    expect_accepted(UnpoolCall().run());
    for (auto kind : {AdaptiveCall::Avg, AdaptiveCall::Max, AdaptiveCall::MaxWithIndices}) {
        AdaptiveCall c;
        c.kind = kind;
        SCOPED_TRACE(c.fn());
        expect_accepted(c.run());
    }
}

// ---------------------------------------------------------------------------
// Window parameters (max_pool2d, avg_pool2d and their backward passes)
// ---------------------------------------------------------------------------
TEST(PoolBadInput, KernelSizeNotPositive) {
    for (std::array<int, 2> k : {std::array<int, 2>{0, 3}, std::array<int, 2>{3, -1}, std::array<int, 2>{0, 0}}) {
        SCOPED_TRACE("kernel_size (" + std::to_string(k[0]) + ", " + std::to_string(k[1]) + ")");
        MaxPoolCall m;
        m.opt.kernel_size = k;
        m.opt.padding = {0, 0};
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("kernel_size"), says_positive());
        AvgPoolCall a;
        a.opt.kernel_size = k;
        a.opt.padding = {0, 0};
        EXPECT_POOL_REFUSED(a, "avg_pool2d", HasSubstr("kernel_size"), says_positive());
        MaxPoolBackwardCall mb;
        mb.opt.kernel_size = k;
        mb.opt.padding = {0, 0};
        EXPECT_POOL_REFUSED(mb, "max_pool2d_backward", HasSubstr("kernel_size"), says_positive());
        AvgPoolBackwardCall ab;
        ab.opt.kernel_size = k;
        ab.opt.padding = {0, 0};
        EXPECT_POOL_REFUSED(ab, "avg_pool2d_backward", HasSubstr("kernel_size"), says_positive());
    }
    // The default options leave kernel_size (0, 0): required.
    MaxPoolCall m;
    m.opt = {};
    EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("kernel_size"));
}

TEST(PoolBadInput, StrideNotPositive) {
    for (std::array<int, 2> s : {std::array<int, 2>{0, 2}, std::array<int, 2>{2, 0}, std::array<int, 2>{2, -1}}) {
        SCOPED_TRACE("stride (" + std::to_string(s[0]) + ", " + std::to_string(s[1]) + ")");
        MaxPoolCall m;
        m.opt.stride = s;
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("stride"), says_positive());
        AvgPoolCall a;
        a.opt.stride = s;
        EXPECT_POOL_REFUSED(a, "avg_pool2d", HasSubstr("stride"), says_positive());
        MaxPoolBackwardCall mb;
        mb.opt.stride = s;
        EXPECT_POOL_REFUSED(mb, "max_pool2d_backward", HasSubstr("stride"), says_positive());
        AvgPoolBackwardCall ab;
        ab.opt.stride = s;
        EXPECT_POOL_REFUSED(ab, "avg_pool2d_backward", HasSubstr("stride"), says_positive());
    }
}

TEST(PoolBadInput, PaddingNegative) {
    for (std::array<int, 2> p : {std::array<int, 2>{-1, 0}, std::array<int, 2>{1, -1}}) {
        SCOPED_TRACE("padding (" + std::to_string(p[0]) + ", " + std::to_string(p[1]) + ")");
        MaxPoolCall m;
        m.opt.padding = p;
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("padding"), says_non_negative());
        AvgPoolCall a;
        a.opt.padding = p;
        EXPECT_POOL_REFUSED(a, "avg_pool2d", HasSubstr("padding"), says_non_negative());
        AvgPoolBackwardCall ab;
        ab.opt.padding = p;
        EXPECT_POOL_REFUSED(ab, "avg_pool2d_backward", HasSubstr("padding"), says_non_negative());
    }
}

TEST(PoolBadInput, PaddingGreaterThanHalfKernel) {
    {
        MaxPoolCall m;  // kernel 3: padding at most 1
        m.opt.padding = {2, 1};
        EXPECT_POOL_REFUSED(m, "max_pool2d", says_half_kernel());
        m.opt.kernel_size = {4, 2};  // padding (2, 2): fine for 4, not for 2
        m.opt.padding = {2, 2};
        EXPECT_POOL_REFUSED(m, "max_pool2d", says_half_kernel());
        m.opt.kernel_size = {3, 3};  // dilation does not widen the rule (PyTorch)
        m.opt.dilation = {2, 2};
        EXPECT_POOL_REFUSED(m, "max_pool2d", says_half_kernel());
    }
    {
        AvgPoolCall a;
        a.opt.padding = {1, 2};
        EXPECT_POOL_REFUSED(a, "avg_pool2d", says_half_kernel());
        AvgPoolBackwardCall ab;
        ab.opt.padding = {2, 2};
        EXPECT_POOL_REFUSED(ab, "avg_pool2d_backward", says_half_kernel());
        MaxPoolBackwardCall mb;
        mb.opt.padding = {2, 0};
        EXPECT_POOL_REFUSED(mb, "max_pool2d_backward", says_half_kernel());
    }
    {
        // padding == kernel / 2 is accepted: kernel 4, padding 2 on [2, 3, 7, 8], stride 2 -> [2, 3, 4, 5]
        MaxPoolCall m;
        m.opt.kernel_size = {4, 4};
        m.opt.padding = {2, 2};
        m.t.output = m.t.out_indices = {2, 3, 4, 5};
        expect_accepted(m.run());
    }
}

TEST(PoolBadInput, DilationNotPositive) {
    MaxPoolCall m;
    m.opt.dilation = {0, 1};
    EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("dilation"), says_positive());
    m.opt.dilation = {1, -2};
    EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("dilation"), says_positive());
}

TEST(PoolBadInput, KernelLargerThanPaddedInput) {
    {
        MaxPoolCall m;  // (2 + 2 - 5) / 1 + 1 = 0
        m.t.input = {1, 2, 2, 2};
        m.t.output = m.t.out_indices = {1, 2, 1, 1};
        m.opt.kernel_size = {5, 5};
        m.opt.stride = std::array<int, 2>{1, 1};
        m.opt.padding = {1, 1};
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("kernel_size"), says_too_large());
        EXPECT_THAT(shape_code_of([&] { halconv::max_pool2d_output_shape(m.t.input, m.opt); }),
                    AllOf(StartsWith("InvalidArgument"), HasSubstr("kernel_size")));
        // With stride 2, floor((-1) / 2) + 1 = 0 as well (truncation would give 1).
        m.opt.stride = std::array<int, 2>{2, 2};
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("kernel_size"), says_too_large());
    }
    {
        MaxPoolCall m;  // dilation 3 spreads kernel 3 over 7 pixels of a 5-wide plane (H is fine)
        m.t.input = {1, 2, 9, 5};
        m.t.output = m.t.out_indices = {1, 2, 3, 1};
        m.opt.stride = std::array<int, 2>{1, 1};
        m.opt.padding = {0, 0};
        m.opt.dilation = {3, 3};
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("kernel_size"), says_too_large());
    }
    {
        AvgPoolCall a;
        a.t.input = {1, 2, 2, 3};
        a.t.output = {1, 2, 1, 1};
        a.opt.kernel_size = {5, 5};
        a.opt.stride = std::array<int, 2>{1, 1};
        a.opt.padding = {1, 1};
        EXPECT_POOL_REFUSED(a, "avg_pool2d", HasSubstr("kernel_size"), says_too_large());
        EXPECT_THAT(shape_code_of([&] { halconv::avg_pool2d_output_shape(a.t.input, a.opt); }),
                    AllOf(StartsWith("InvalidArgument"), HasSubstr("kernel_size")));
        AvgPoolBackwardCall ab;
        ab.t.input = {1, 2, 1, 1};
        ab.t.output = {1, 2, 2, 3};
        ab.opt = a.opt;
        EXPECT_POOL_REFUSED(ab, "avg_pool2d_backward", HasSubstr("kernel_size"), says_too_large());
    }
}

TEST(PoolBadInput, InputRankNot4OrEmpty) {
    {
        MaxPoolCall m;
        m.t.input = {3, 7, 8};
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("input"), says_rank4(), HasSubstr("[3, 7, 8]"));
        m.t.input = {1, 2, 3, 7, 8};
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("input"), says_rank4());
        m.t.input = {2, 0, 7, 8};
        m.t.output = m.t.out_indices = {2, 0, 4, 4};
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("input"), says_empty());
    }
    {
        AvgPoolCall a;
        a.t.input = {7, 8};
        EXPECT_POOL_REFUSED(a, "avg_pool2d", HasSubstr("input"), says_rank4());
    }
    {
        SubsampleCall s;
        s.t.input = {3, 9, 11};
        EXPECT_POOL_REFUSED(s, "subsample2d", HasSubstr("input"), says_rank4());
    }
    {
        UnpoolCall u;
        u.t.input = {3, 4, 5};
        EXPECT_POOL_REFUSED(u, "max_unpool2d", HasSubstr("input"), says_rank4());
    }
    {
        AdaptiveCall a;
        a.t.input = {3, 7, 9};
        EXPECT_POOL_REFUSED(a, "adaptive_avg_pool2d", HasSubstr("input"), says_rank4());
        a.kind = AdaptiveCall::MaxWithIndices;
        EXPECT_POOL_REFUSED(a, "adaptive_max_pool2d", HasSubstr("input"), says_rank4());
    }
    {
        MaxPoolBackwardCall mb;
        mb.t.output = {3, 7, 8};  // grad_input
        EXPECT_POOL_REFUSED(mb, "max_pool2d_backward", HasSubstr("grad_input"), says_rank4());
        AvgPoolBackwardCall ab;
        ab.t.input = {2, 3, 16};  // grad_output
        EXPECT_POOL_REFUSED(ab, "avg_pool2d_backward", HasSubstr("grad_output"), says_rank4());
    }
}

TEST(PoolBadInput, OutputWrongShape) {
    {
        MaxPoolCall m;
        m.t.output = {2, 3, 4, 5};
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("output"), HasSubstr("[2, 3, 4, 5]"), HasSubstr("[2, 3, 4, 4]"));
        m.with_indices = false;
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("output"), HasSubstr("[2, 3, 4, 4]"));
        m.t.output = {2, 3, 16};
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("output"));
        // ceil_mode changes the expected shape: 7 -> 4, 8 -> 5
        MaxPoolCall c;
        c.opt.ceil_mode = true;
        EXPECT_POOL_REFUSED(c, "max_pool2d", HasSubstr("output"), HasSubstr("[2, 3, 4, 5]"));
    }
    {
        AvgPoolCall a;
        a.t.output = {2, 4, 4, 4};
        EXPECT_POOL_REFUSED(a, "avg_pool2d", HasSubstr("output"), HasSubstr("[2, 3, 4, 4]"));
        a.t.output = {1, 3, 4, 4};
        EXPECT_POOL_REFUSED(a, "avg_pool2d", HasSubstr("output"), HasSubstr("[2, 3, 4, 4]"));
    }
    {
        SubsampleCall s;
        s.t.output = {2, 3, 5, 5};
        EXPECT_POOL_REFUSED(s, "subsample2d", HasSubstr("output"), HasSubstr("[2, 3, 4, 5]"));
    }
    {
        UnpoolCall u;
        u.t.output = {2, 3, 8, 9};
        EXPECT_POOL_REFUSED(u, "max_unpool2d", HasSubstr("output"), HasSubstr("[2, 3, 8, 10]"));
    }
    for (auto kind : {AdaptiveCall::Avg, AdaptiveCall::Max, AdaptiveCall::MaxWithIndices}) {
        AdaptiveCall a;
        a.kind = kind;
        a.t.output = {2, 3, 4, 3};
        EXPECT_POOL_REFUSED(a, a.fn(), HasSubstr("output"), HasSubstr("[2, 3, 3, 4]"));
    }
    {
        // Backward passes: grad_input is the forward input; grad_output must be
        // the forward output for it.
        MaxPoolBackwardCall mb;
        mb.t.input = {2, 3, 4, 5};
        EXPECT_POOL_REFUSED(mb, "max_pool2d_backward", HasSubstr("grad_output"), HasSubstr("[2, 3, 4, 4]"));
        AvgPoolBackwardCall ab;
        ab.t.input = {2, 3, 3, 4};
        EXPECT_POOL_REFUSED(ab, "avg_pool2d_backward", HasSubstr("grad_output"), HasSubstr("[2, 3, 4, 4]"));
        ab = AvgPoolBackwardCall();
        ab.t.output = {2, 3, 9, 8};  // grad_input [2, 3, 9, 8] pools to [2, 3, 5, 4]
        EXPECT_POOL_REFUSED(ab, "avg_pool2d_backward", HasSubstr("grad_output"), HasSubstr("[2, 3, 5, 4]"));
    }
}

TEST(PoolBadInput, IndicesWrongShape) {
    {
        MaxPoolCall m;
        m.t.out_indices = {2, 3, 4, 5};
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("indices"), HasSubstr("[2, 3, 4, 4]"));
        m.t.out_indices = {2, 3, 16};
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("indices"));
    }
    {
        AdaptiveCall a;
        a.kind = AdaptiveCall::MaxWithIndices;
        a.t.out_indices = {2, 3, 4, 3};
        EXPECT_POOL_REFUSED(a, "adaptive_max_pool2d", HasSubstr("indices"), HasSubstr("[2, 3, 3, 4]"));
    }
    {
        UnpoolCall u;
        u.t.indices = {2, 3, 4, 4};
        EXPECT_POOL_REFUSED(u, "max_unpool2d", HasSubstr("indices"), HasSubstr("[2, 3, 4, 5]"));
        u.t.indices = {2, 3, 20};
        EXPECT_POOL_REFUSED(u, "max_unpool2d", HasSubstr("indices"));
    }
    {
        MaxPoolBackwardCall mb;
        mb.t.indices = {2, 3, 4, 5};
        EXPECT_POOL_REFUSED(mb, "max_pool2d_backward", HasSubstr("indices"), HasSubstr("[2, 3, 4, 4]"));
        mb.t.indices = {1, 3, 4, 4};
        EXPECT_POOL_REFUSED(mb, "max_pool2d_backward", HasSubstr("indices"), HasSubstr("[2, 3, 4, 4]"));
    }
}

TEST(PoolBadInput, UnpoolIndicesOutOfRange) {
    // Output planes are 8 x 10 = 80: valid indices are [0, 80).
    for (int64_t bad : {int64_t(80), int64_t(1000), int64_t(-1), std::numeric_limits<int64_t>::min()}) {
        SCOPED_TRACE("index " + std::to_string(bad));
        UnpoolCall u;
        u.t.index_overrides = {{37, bad}};
        EXPECT_POOL_REFUSED(u, "max_unpool2d", HasSubstr("indices"), says_out_of_range(),
                            HasSubstr(std::to_string(bad)));
    }
    {
        UnpoolCall u;  // the last element of the last plane
        u.t.index_overrides = {{2 * 3 * 4 * 5 - 1, 80}};
        EXPECT_POOL_REFUSED(u, "max_unpool2d", HasSubstr("indices"), says_out_of_range());
        u.t.index_overrides = {{2 * 3 * 4 * 5 - 1, 79}};
        expect_accepted(u.run());
    }
    {
        // An explicit output_size changes the range: 9 x 11 = 99.
        UnpoolCall u;
        u.opt.output_size = std::array<int64_t, 2>{9, 11};
        u.t.output = {2, 3, 9, 11};
        u.t.index_overrides = {{5, 98}};
        expect_accepted(u.run());
        u.t.index_overrides = {{5, 99}};
        EXPECT_POOL_REFUSED(u, "max_unpool2d", HasSubstr("indices"), says_out_of_range(), HasSubstr("99"));
    }
}

TEST(PoolBadInput, MaxPoolBackwardIndicesOutOfRange) {
    // Input planes are 7 x 8 = 56: valid indices are [0, 56).
    for (int64_t bad : {int64_t(56), int64_t(7 * 8 * 6), int64_t(-1), int64_t(-57)}) {
        SCOPED_TRACE("index " + std::to_string(bad));
        MaxPoolBackwardCall mb;
        mb.t.index_overrides = {{20, bad}};
        EXPECT_POOL_REFUSED(mb, "max_pool2d_backward", HasSubstr("indices"), says_out_of_range(),
                            HasSubstr(std::to_string(bad)));
    }
    MaxPoolBackwardCall mb;
    mb.t.index_overrides = {{95, 55}};  // the last element, the last position of the plane
    expect_accepted(mb.run());
}

TEST(PoolBadInput, UnpoolOutputSizeInconsistent) {
    // Default size 8 x 10 with stride 2: output_size must lie strictly within (6, 10) x (8, 12).
    for (std::array<int64_t, 2> size : {std::array<int64_t, 2>{6, 10}, std::array<int64_t, 2>{10, 10},
                                        std::array<int64_t, 2>{8, 8}, std::array<int64_t, 2>{8, 12},
                                        std::array<int64_t, 2>{0, 10}, std::array<int64_t, 2>{-8, 10}}) {
        SCOPED_TRACE("output_size (" + std::to_string(size[0]) + ", " + std::to_string(size[1]) + ")");
        UnpoolCall u;
        u.opt.output_size = size;
        u.t.output = {2, 3, std::max<int64_t>(size[0], 1), std::max<int64_t>(size[1], 1)};
        u.t.index_value = 0;
        EXPECT_POOL_REFUSED(u, "max_unpool2d", HasSubstr("output_size"));
        EXPECT_THAT(shape_code_of([&] { halconv::max_unpool2d_output_shape(u.t.input, u.opt); }),
                    AllOf(StartsWith("InvalidArgument"), HasSubstr("output_size")));
    }
    // The extremes inside the open interval are fine.
    for (std::array<int64_t, 2> size : {std::array<int64_t, 2>{7, 9}, std::array<int64_t, 2>{9, 11}}) {
        UnpoolCall u;
        u.opt.output_size = size;
        u.t.output = {2, 3, size[0], size[1]};
        u.t.index_value = 0;
        expect_accepted(u.run());
    }
}

TEST(PoolBadInput, UnpoolWindowParameters) {
    {
        UnpoolCall u;
        u.opt.kernel_size = {0, 2};
        EXPECT_POOL_REFUSED(u, "max_unpool2d", HasSubstr("kernel_size"), says_positive());
    }
    {
        UnpoolCall u;
        u.opt.stride = std::array<int, 2>{2, 0};
        EXPECT_POOL_REFUSED(u, "max_unpool2d", HasSubstr("stride"), says_positive());
    }
    {
        UnpoolCall u;
        u.opt.padding = {0, -1};
        EXPECT_POOL_REFUSED(u, "max_unpool2d", HasSubstr("padding"), says_non_negative());
    }
    {
        UnpoolCall u;  // (1 - 1) * 2 + 2 - 2 * 2 = -2: no output
        u.t.input = u.t.indices = {1, 1, 1, 1};
        u.t.output = {1, 1, 1, 1};
        u.opt.padding = {2, 2};
        EXPECT_POOL_REFUSED(u, "max_unpool2d", AnyOf(HasSubstr("padding"), HasSubstr("output_size")));
    }
}

TEST(PoolBadInput, SubsampleOffsetAndStride) {
    for (std::array<int, 2> off : {std::array<int, 2>{9, 0}, std::array<int, 2>{0, 11}, std::array<int, 2>{20, 20}}) {
        SCOPED_TRACE("offset (" + std::to_string(off[0]) + ", " + std::to_string(off[1]) + ")");
        SubsampleCall s;
        s.opt.offset = off;
        EXPECT_POOL_REFUSED(s, "subsample2d", HasSubstr("offset"),
                            AnyOf(HasSubstr("smaller"), HasSubstr("less"), HasSubstr("< ")));
        EXPECT_THAT(shape_code_of([&] { halconv::subsample2d_output_shape(s.t.input, s.opt); }),
                    AllOf(StartsWith("InvalidArgument"), HasSubstr("offset")));
    }
    {
        SubsampleCall s;
        s.opt.offset = {-1, 0};
        EXPECT_POOL_REFUSED(s, "subsample2d", HasSubstr("offset"), says_non_negative());
    }
    for (std::array<int, 2> st : {std::array<int, 2>{0, 2}, std::array<int, 2>{2, 0}, std::array<int, 2>{-2, 2}}) {
        SCOPED_TRACE("stride (" + std::to_string(st[0]) + ", " + std::to_string(st[1]) + ")");
        SubsampleCall s;
        s.opt.stride = st;
        EXPECT_POOL_REFUSED(s, "subsample2d", HasSubstr("stride"), says_positive());
    }
    {
        SubsampleCall s;  // offset = size - 1 is the largest accepted: one row and one column
        s.opt.offset = {8, 10};
        s.t.output = {2, 3, 1, 1};
        expect_accepted(s.run());
    }
}

TEST(PoolBadInput, AdaptiveOutputSizeNegative) {
    for (auto kind : {AdaptiveCall::Avg, AdaptiveCall::Max, AdaptiveCall::MaxWithIndices}) {
        for (std::array<int64_t, 2> size : {std::array<int64_t, 2>{-1, 2}, std::array<int64_t, 2>{3, -4}}) {
            AdaptiveCall a;
            a.kind = kind;
            a.opt.output_size = size;
            SCOPED_TRACE(a.fn() + " output_size (" + std::to_string(size[0]) + ", " + std::to_string(size[1]) + ")");
            EXPECT_POOL_REFUSED(a, a.fn(), HasSubstr("output_size"), says_non_negative());
        }
    }
    halconv::AdaptivePool2dOptions o;
    o.output_size = {-1, 1};
    EXPECT_THAT(shape_code_of([&] { halconv::adaptive_pool2d_output_shape({1, 1, 4, 4}, o); }),
                AllOf(StartsWith("InvalidArgument"), HasSubstr("output_size")));
    // output_size 0 keeps the input size: [2, 3, 7, 4] for (0, 4)
    AdaptiveCall keep;
    keep.opt.output_size = {0, 4};
    keep.t.output = {2, 3, 7, 4};
    expect_accepted(keep.run());
}

TEST(PoolBadInput, NullData) {
    {
        MaxPoolCall m;
        m.t.null_input = true;
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("input"), says_null());
    }
    {
        MaxPoolCall m;
        m.t.null_output = true;
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("output"), says_null());
    }
    {
        MaxPoolCall m;
        m.t.null_out_indices = true;
        EXPECT_POOL_REFUSED(m, "max_pool2d", HasSubstr("indices"), says_null());
    }
    {
        MaxPoolBackwardCall mb;
        mb.t.null_input = true;
        EXPECT_POOL_REFUSED(mb, "max_pool2d_backward", HasSubstr("grad_output"), says_null());
        mb = MaxPoolBackwardCall();
        mb.t.null_indices = true;
        EXPECT_POOL_REFUSED(mb, "max_pool2d_backward", HasSubstr("indices"), says_null());
        mb = MaxPoolBackwardCall();
        mb.t.null_output = true;
        EXPECT_POOL_REFUSED(mb, "max_pool2d_backward", HasSubstr("grad_input"), says_null());
    }
    {
        AvgPoolCall a;
        a.t.null_input = true;
        EXPECT_POOL_REFUSED(a, "avg_pool2d", HasSubstr("input"), says_null());
        AvgPoolBackwardCall ab;
        ab.t.null_output = true;
        EXPECT_POOL_REFUSED(ab, "avg_pool2d_backward", HasSubstr("grad_input"), says_null());
    }
    {
        SubsampleCall s;
        s.t.null_output = true;
        EXPECT_POOL_REFUSED(s, "subsample2d", HasSubstr("output"), says_null());
    }
    {
        UnpoolCall u;
        u.t.null_indices = true;
        EXPECT_POOL_REFUSED(u, "max_unpool2d", HasSubstr("indices"), says_null());
        u = UnpoolCall();
        u.t.null_input = true;
        EXPECT_POOL_REFUSED(u, "max_unpool2d", HasSubstr("input"), says_null());
    }
    {
        AdaptiveCall a;
        a.t.null_input = true;
        EXPECT_POOL_REFUSED(a, "adaptive_avg_pool2d", HasSubstr("input"), says_null());
        a = AdaptiveCall();
        a.kind = AdaptiveCall::MaxWithIndices;
        a.t.null_out_indices = true;
        EXPECT_POOL_REFUSED(a, "adaptive_max_pool2d", HasSubstr("indices"), says_null());
    }
}

TEST(PoolBadInput, CudaWithoutGpuIsDeviceUnavailable) {
    if (halconv::device_available(Device::CUDA)) GTEST_SKIP() << "CUDA is available on this machine";
    MaxPoolCall m;
    m.opt.device = Device::CUDA;
    expect_refused(m.run(), "max_pool2d", AnyOf(HasSubstr("CUDA"), HasSubstr("cuda")), ErrorCode::DeviceUnavailable);
    AdaptiveCall a;
    a.opt.device = Device::CUDA;
    expect_refused(a.run(), "adaptive_avg_pool2d", AnyOf(HasSubstr("CUDA"), HasSubstr("cuda")),
                   ErrorCode::DeviceUnavailable);
    UnpoolCall u;
    u.opt.device = Device::CUDA;
    expect_refused(u.run(), "max_unpool2d", AnyOf(HasSubstr("CUDA"), HasSubstr("cuda")),
                   ErrorCode::DeviceUnavailable);
}

}  // namespace
}  // namespace halconv_test
