// Every bad input is refused with halconv::Error (InvalidArgument or
// DeviceUnavailable), a message that names the argument and what was
// expected, and an untouched output buffer.
//
// Message conventions (agreed with the library): messages start with the
// function name ("conv2d: ", "conv_transpose2d: ") and name the argument as
// `input`, `weight`, `bias`, `output`, `stride`, `padding`, `dilation`,
// `groups` or `output_padding`; shapes print as [a, b, c, d] and pairs as
// (h, w). The tests check the argument name and a key word, not sentences.
#include <gmock/gmock.h>

#include <cstring>
#include <limits>
#include <memory>

#include "test_util.h"

namespace halconv_test {
namespace {

using halconv::ErrorCode;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Matcher;
using ::testing::StartsWith;


// Key words of the messages (any one of each group is enough).
Matcher<const std::string &> says_positive() {
    return AnyOf(HasSubstr("positive"), HasSubstr("> 0"), HasSubstr(">= 1"), HasSubstr("at least 1"));
}
Matcher<const std::string &> says_non_negative() {
    return AnyOf(HasSubstr("negative"), HasSubstr(">= 0"), HasSubstr("nonnegative"));
}
Matcher<const std::string &> says_divisible() {
    return AnyOf(HasSubstr("divisible"), HasSubstr("divide"), HasSubstr("multiple"));
}
Matcher<const std::string &> says_empty() {
    return AnyOf(HasSubstr("empty"), HasSubstr("zero"), HasSubstr("positive"), HasSubstr("> 0"),
                 HasSubstr(">= 1"));
}
Matcher<const std::string &> says_null() {
    return AnyOf(HasSubstr("null"), HasSubstr("NULL"), HasSubstr("data"));
}
Matcher<const std::string &> says_too_large() {
    return AnyOf(HasSubstr("too large"), HasSubstr("too big"), HasSubstr("overflow"), HasSubstr("2^31"),
                 HasSubstr("32-bit"), HasSubstr("2147483647"), HasSubstr("int32"), HasSubstr("exceeds"));
}
Matcher<const std::string &> says_rank4() {
    return AnyOf(HasSubstr("4 dimensions"), HasSubstr("4-D"), HasSubstr("4D"), HasSubstr("rank"),
                 HasSubstr("[N, C, H, W]"), HasSubstr("[K, C/groups, R, S]"), HasSubstr("[C, K/groups, R, S]"),
                 HasSubstr("dimensions"));
}
Matcher<const std::string &> says_output_too_small() {
    return AllOf(AnyOf(HasSubstr("output"), HasSubstr("kernel"), HasSubstr("weight"), HasSubstr("input")),
                 AnyOf(HasSubstr("small"), HasSubstr("large"), HasSubstr("empty"), HasSubstr("positive"),
                       HasSubstr("<= 0"), HasSubstr("> 0"), HasSubstr("size"), HasSubstr("exceeds")));
}

// ---------------------------------------------------------------------------
// A call with buffers sized from shapes; any piece can be replaced by a null
// pointer, a dummy pointer (huge shapes that must never be dereferenced) or
// left out (bias).
// ---------------------------------------------------------------------------
constexpr int64_t kMaxAlloc = int64_t(1) << 24;  // larger shapes get a dummy pointer
alignas(64) float g_dummy[64];

struct Buffer {
    std::vector<float> storage;
    float *ptr = nullptr;
    void make(const Shape &shape, bool null, uint32_t seed) {
        const int64_t n = numel(shape);
        if (null) {
            ptr = nullptr;
        } else if (n <= 0 || n > kMaxAlloc || shape.empty()) {
            ptr = g_dummy;  // never to be read: the call must be refused first
        } else {
            storage = random_tensor(n, seed);
            ptr = storage.data();
        }
    }
};

struct Outcome {
    bool threw_error = false;  // halconv::Error
    ErrorCode code = ErrorCode::Internal;
    std::string message;
    std::string other;          // a different exception, if any
    bool output_untouched = true;
};

std::ostream &operator<<(std::ostream &os, const Outcome &o) {
    if (o.threw_error) return os << "halconv::Error(" << code_name(o.code) << ", \"" << o.message << "\")";
    if (!o.other.empty()) return os << "other exception: " << o.other;
    return os << "no exception";
}

template<typename Options, typename Fn>
Outcome run_call(const Shape &input, const Shape &weight, const Shape &bias, const Shape &output,
                 bool use_bias, bool null_input, bool null_weight, bool null_bias, bool null_output,
                 const Options &opt, Fn &&fn) {
    Buffer in, w, b, out;
    in.make(input, null_input, 1);
    w.make(weight, null_weight, 2);
    b.make(bias, null_bias, 3);
    out.make(output, null_output, 4);
    const float sentinel = 4242.25f;
    std::fill(out.storage.begin(), out.storage.end(), sentinel);
    std::fill(std::begin(g_dummy), std::end(g_dummy), sentinel);

    Outcome o;
    try {
        fn(halconv::ConstTensor(in.ptr, input), halconv::ConstTensor(w.ptr, weight),
           use_bias ? halconv::ConstTensor(b.ptr, bias) : halconv::ConstTensor(),
           halconv::Tensor(out.ptr, output), opt);
    } catch (const halconv::Error &e) {
        o.threw_error = true;
        o.code = e.code();
        o.message = e.what();
    } catch (const std::exception &e) {
        o.other = e.what();
    } catch (...) {
        o.other = "unknown exception";
    }
    for (float v : out.storage) o.output_untouched &= (v == sentinel);
    for (float v : g_dummy) o.output_untouched &= (v == sentinel);
    return o;
}

struct Conv2dCall {
    Shape input{2, 4, 7, 8};
    Shape weight{6, 4, 3, 3};
    Shape bias{6};
    Shape output{2, 6, 5, 6};
    bool use_bias = true;
    bool null_input = false, null_weight = false, null_bias = false, null_output = false;
    halconv::Conv2dOptions opt;

    Outcome run() const {
        return run_call(input, weight, bias, output, use_bias, null_input, null_weight, null_bias, null_output,
                        opt, [](auto i, auto w, auto b, auto o, const auto &opt) { halconv::conv2d(i, w, b, o, opt); });
    }
};

struct ConvT2dCall {
    // (5-1)*2 - 2 + 2 + 1 + 1 = 10, (6-1)*2 - 2 + 2 + 1 + 1 = 12
    Shape input{2, 4, 5, 6};
    Shape weight{4, 3, 3, 3};
    Shape bias{3};
    Shape output{2, 3, 10, 12};
    bool use_bias = true;
    bool null_input = false, null_weight = false, null_bias = false, null_output = false;
    halconv::ConvTranspose2dOptions opt;
    ConvT2dCall() {
        opt.stride = {2, 2};
        opt.padding = {1, 1};
        opt.output_padding = {1, 1};
    }

    Outcome run() const {
        return run_call(input, weight, bias, output, use_bias, null_input, null_weight, null_bias, null_output,
                        opt, [](auto i, auto w, auto b, auto o, const auto &opt) {
                            halconv::conv_transpose2d(i, w, b, o, opt);
                        });
    }
};

// The call is refused with `code` and a message that starts with `prefix`
// and satisfies `m`; the output buffer is untouched.
void expect_refused(const Outcome &o, const char *prefix, const Matcher<const std::string &> &m,
                    ErrorCode code = ErrorCode::InvalidArgument) {
    ASSERT_TRUE(o.threw_error) << "expected halconv::Error(" << code_name(code) << "), got " << o;
    EXPECT_EQ(code_name(o.code), std::string(code_name(code))) << o;
    EXPECT_THAT(o.message, StartsWith(prefix));
    EXPECT_THAT(o.message, m);
    EXPECT_TRUE(o.output_untouched) << "a refused call wrote to the output";
}

#define EXPECT_CONV2D_REFUSED(call, ...) expect_refused((call).run(), "conv2d: ", AllOf(__VA_ARGS__))
#define EXPECT_CONVT_REFUSED(call, ...) expect_refused((call).run(), "conv_transpose2d: ", AllOf(__VA_ARGS__))

// ---------------------------------------------------------------------------
// conv2d
// ---------------------------------------------------------------------------
TEST(Conv2dBadInput, BaselineCallIsAccepted) {
    const Conv2dCall c;
    const Outcome o = c.run();
    EXPECT_FALSE(o.threw_error) << o;
    EXPECT_TRUE(o.other.empty()) << o;
    EXPECT_FALSE(o.output_untouched) << "the valid baseline call did not write its output";
    EXPECT_EQ(halconv::conv2d_output_shape(c.input, c.weight, c.opt), c.output);
}

TEST(Conv2dBadInput, InputRankNot4) {
    Conv2dCall c;
    c.input = {4, 7, 8};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("input"), says_rank4(), HasSubstr("[4, 7, 8]"));
    c.input = {1, 2, 4, 7, 8};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("input"), says_rank4(), HasSubstr("[1, 2, 4, 7, 8]"));
    c.input = {};
    c.null_input = true;
    EXPECT_CONV2D_REFUSED(c, HasSubstr("input"));
}

TEST(Conv2dBadInput, WeightRankNot4) {
    Conv2dCall c;
    c.weight = {6, 4, 9};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("weight"), says_rank4(), HasSubstr("[6, 4, 9]"));
    c.weight = {};
    c.null_weight = true;
    EXPECT_CONV2D_REFUSED(c, HasSubstr("weight"));
}

TEST(Conv2dBadInput, WeightChannelsDoNotMatchInput) {
    Conv2dCall c;
    c.weight = {6, 3, 3, 3};  // input has C = 4
    EXPECT_CONV2D_REFUSED(c, HasSubstr("weight"), HasSubstr("[6, 3, 3, 3]"));
    // groups 2: C/groups = 4 for C = 8, weight says 3 (the example message of the convention)
    Conv2dCall g;
    g.input = {1, 8, 6, 6};
    g.weight = {8, 3, 3, 3};
    g.bias = {8};
    g.output = {1, 8, 4, 4};
    g.opt.groups = 2;
    EXPECT_CONV2D_REFUSED(g, HasSubstr("weight"), HasSubstr("[8, 3, 3, 3]"), HasSubstr("4"));
    // weight holding all C channels although groups = 2
    g.weight = {8, 8, 3, 3};
    EXPECT_CONV2D_REFUSED(g, HasSubstr("weight"), HasSubstr("[8, 8, 3, 3]"));
}

TEST(Conv2dBadInput, InputChannelsNotDivisibleByGroups) {
    Conv2dCall c;
    c.input = {1, 6, 6, 6};
    c.weight = {8, 1, 3, 3};  // 6 / 4 rounds down to 1
    c.bias = {8};
    c.output = {1, 8, 4, 4};
    c.opt.groups = 4;
    EXPECT_CONV2D_REFUSED(c, HasSubstr("groups"), says_divisible());
}

TEST(Conv2dBadInput, OutputChannelsNotDivisibleByGroups) {
    Conv2dCall c;
    c.input = {1, 8, 6, 6};
    c.weight = {6, 2, 3, 3};  // K = 6 not divisible by 4
    c.bias = {6};
    c.output = {1, 6, 4, 4};
    c.opt.groups = 4;
    EXPECT_CONV2D_REFUSED(c, HasSubstr("groups"), says_divisible());
}

TEST(Conv2dBadInput, GroupsNotPositive) {
    for (int groups : {0, -1, -4}) {
        SCOPED_TRACE("groups = " + std::to_string(groups));
        Conv2dCall c;
        c.opt.groups = groups;
        EXPECT_CONV2D_REFUSED(c, HasSubstr("groups"), says_positive());
    }
}

TEST(Conv2dBadInput, StrideNotPositive) {
    Conv2dCall c;
    c.opt.stride = {0, 1};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("stride"), says_positive(), HasSubstr("(0, 1)"));
    c.opt.stride = {2, -1};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("stride"), says_positive(), HasSubstr("(2, -1)"));
}

TEST(Conv2dBadInput, DilationNotPositive) {
    Conv2dCall c;
    c.opt.dilation = {1, 0};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("dilation"), says_positive());
    c.opt.dilation = {-2, 1};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("dilation"), says_positive());
}

TEST(Conv2dBadInput, PaddingNegative) {
    Conv2dCall c;
    c.opt.padding = {-1, 0};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("padding"), says_non_negative());
    c.opt.padding = {0, -3};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("padding"), says_non_negative());
}

TEST(Conv2dBadInput, ZeroSizeDimensions) {
    {
        Conv2dCall c;
        c.input = {0, 4, 7, 8};
        c.output = {0, 6, 5, 6};
        EXPECT_CONV2D_REFUSED(c, HasSubstr("input"), says_empty());
    }
    {
        Conv2dCall c;
        c.input = {2, 4, 0, 8};
        EXPECT_CONV2D_REFUSED(c, HasSubstr("input"));
    }
    {
        Conv2dCall c;
        c.input = {2, 0, 7, 8};
        c.weight = {6, 0, 3, 3};
        EXPECT_CONV2D_REFUSED(c, AnyOf(HasSubstr("input"), HasSubstr("weight")), says_empty());
    }
    {
        Conv2dCall c;
        c.weight = {0, 4, 3, 3};
        c.bias = {0};
        c.use_bias = false;
        c.output = {2, 0, 5, 6};
        EXPECT_CONV2D_REFUSED(c, HasSubstr("weight"), says_empty());
    }
    {
        Conv2dCall c;
        c.weight = {6, 4, 0, 3};
        EXPECT_CONV2D_REFUSED(c, HasSubstr("weight"));
    }
}

TEST(Conv2dBadInput, NullData) {
    {
        Conv2dCall c;
        c.null_input = true;
        EXPECT_CONV2D_REFUSED(c, HasSubstr("input"), says_null());
    }
    {
        Conv2dCall c;
        c.null_weight = true;
        EXPECT_CONV2D_REFUSED(c, HasSubstr("weight"), says_null());
    }
    {
        Conv2dCall c;
        c.null_bias = true;  // shape [6] but no data
        EXPECT_CONV2D_REFUSED(c, HasSubstr("bias"));
    }
    {
        Conv2dCall c;
        c.null_output = true;
        EXPECT_CONV2D_REFUSED(c, HasSubstr("output"), says_null());
    }
}

TEST(Conv2dBadInput, OutputWrongShape) {
    Conv2dCall c;
    c.output = {2, 6, 5, 5};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("output"), HasSubstr("[2, 6, 5, 5]"), HasSubstr("[2, 6, 5, 6]"));
    c.output = {1, 6, 5, 6};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("output"), HasSubstr("[2, 6, 5, 6]"));
    c.output = {2, 5, 5, 6};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("output"), HasSubstr("[2, 6, 5, 6]"));
    c.output = {2, 6, 30};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("output"), AnyOf(says_rank4(), HasSubstr("[2, 6, 5, 6]")));
    // The example of the convention: 8 channels, 5x5 given, 6x6 expected.
    Conv2dCall e;
    e.input = {1, 3, 8, 8};
    e.weight = {8, 3, 3, 3};
    e.bias = {8};
    e.output = {1, 8, 5, 5};
    EXPECT_CONV2D_REFUSED(e, HasSubstr("output"), HasSubstr("[1, 8, 5, 5]"), HasSubstr("expected"),
                          HasSubstr("[1, 8, 6, 6]"));
}

TEST(Conv2dBadInput, BiasWrongSize) {
    Conv2dCall c;
    c.bias = {5};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("bias"), HasSubstr("6"));
    c.bias = {7};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("bias"), HasSubstr("6"));
    c.bias = {1, 6};
    EXPECT_CONV2D_REFUSED(c, HasSubstr("bias"));
}

TEST(Conv2dBadInput, ElementCountOverflows32BitIndexing) {
    {
        // 4.9e9 input elements; the pointer is a dummy that must never be read.
        Conv2dCall c;
        c.input = {1, 1, 70000, 70000};
        c.weight = {1, 1, 3, 3};
        c.bias = {1};
        c.output = {1, 1, 69998, 69998};
        EXPECT_CONV2D_REFUSED(c, AnyOf(HasSubstr("input"), HasSubstr("output")), says_too_large());
    }
    {
        // Only the output is too large: 8 x 20000 x 20000 = 3.2e9 elements.
        Conv2dCall c;
        c.input = {1, 1, 20000, 20000};
        c.weight = {8, 1, 1, 1};
        c.bias = {8};
        c.output = {1, 8, 20000, 20000};
        EXPECT_CONV2D_REFUSED(c, HasSubstr("output"), says_too_large());
    }
    {
        // Only the weight is too large: 50000 x 50000 taps over a padded 1x1 input.
        Conv2dCall c;
        c.input = {1, 1, 1, 1};
        c.weight = {1, 1, 50000, 50000};
        c.bias = {1};
        c.opt.padding = {25000, 25000};  // 1 + 50000 - 49999 - 1 + 1 = 2
        c.output = {1, 1, 2, 2};
        EXPECT_CONV2D_REFUSED(c, HasSubstr("weight"), says_too_large());
    }
    {
        // Batch dimension alone pushes the count over 2^31.
        Conv2dCall c;
        c.input = {70000, 4, 100, 100};
        c.weight = {4, 4, 1, 1};
        c.bias = {4};
        c.output = {70000, 4, 100, 100};
        EXPECT_CONV2D_REFUSED(c, AnyOf(HasSubstr("input"), HasSubstr("output")), says_too_large());
    }
}

TEST(Conv2dBadInput, KernelLargerThanPaddedInput) {
    {
        Conv2dCall c;  // (4 + 2 - 6 - 1) / 1 + 1 = 0
        c.input = {1, 2, 4, 4};
        c.weight = {3, 2, 7, 7};
        c.bias = {3};
        c.output = {1, 3, 1, 1};
        c.opt.padding = {1, 1};
        EXPECT_CONV2D_REFUSED(c, says_output_too_small());
        EXPECT_THROW(halconv::conv2d_output_shape(c.input, c.weight, c.opt), halconv::Error);
    }
    {
        // With stride 2 PyTorch's floor((-1) / 2) + 1 = 0: refused. Truncating
        // division would wrongly give 1.
        Conv2dCall c;
        c.input = {1, 2, 4, 4};
        c.weight = {3, 2, 7, 7};
        c.bias = {3};
        c.output = {1, 3, 1, 1};
        c.opt.padding = {1, 1};
        c.opt.stride = {2, 2};
        EXPECT_CONV2D_REFUSED(c, says_output_too_small());
        EXPECT_THROW(halconv::conv2d_output_shape(c.input, c.weight, c.opt), halconv::Error);
    }
    {
        // Dilation makes a 3x3 kernel span 7 pixels of a 5-wide input; only W fails.
        Conv2dCall c;
        c.input = {1, 2, 9, 5};
        c.weight = {3, 2, 3, 3};
        c.bias = {3};
        c.output = {1, 3, 3, 1};
        c.opt.dilation = {3, 3};
        EXPECT_CONV2D_REFUSED(c, says_output_too_small());
    }
}

TEST(Conv2dBadInput, OutputShapeFunctionRefusesTheSame) {
    auto code_of = [](auto &&fn) {
        try {
            fn();
        } catch (const halconv::Error &e) {
            return std::string(code_name(e.code())) + ": " + e.what();
        } catch (const std::exception &e) {
            return std::string("other exception: ") + e.what();
        }
        return std::string("no exception");
    };
    halconv::Conv2dOptions o;
    o.stride = {0, 1};
    EXPECT_THAT(code_of([&] { halconv::conv2d_output_shape({1, 4, 7, 8}, {6, 4, 3, 3}, o); }),
                AllOf(StartsWith("InvalidArgument"), HasSubstr("stride")));
    o = {};
    o.groups = 3;
    EXPECT_THAT(code_of([&] { halconv::conv2d_output_shape({1, 4, 7, 8}, {6, 4, 3, 3}, o); }),
                AllOf(StartsWith("InvalidArgument"), HasSubstr("groups")));
    o = {};
    EXPECT_THAT(code_of([&] { halconv::conv2d_output_shape({1, 4, 7}, {6, 4, 3, 3}, o); }),
                AllOf(StartsWith("InvalidArgument"), HasSubstr("input")));
    EXPECT_THAT(code_of([&] { halconv::conv2d_output_shape({1, 4, 7, 8}, {6, 5, 3, 3}, o); }),
                AllOf(StartsWith("InvalidArgument"), HasSubstr("weight")));
}

// ---------------------------------------------------------------------------
// conv_transpose2d
// ---------------------------------------------------------------------------
TEST(ConvTranspose2dBadInput, BaselineCallIsAccepted) {
    const ConvT2dCall c;
    const Outcome o = c.run();
    EXPECT_FALSE(o.threw_error) << o;
    EXPECT_TRUE(o.other.empty()) << o;
    EXPECT_FALSE(o.output_untouched) << "the valid baseline call did not write its output";
    EXPECT_EQ(halconv::conv_transpose2d_output_shape(c.input, c.weight, c.opt), c.output);
}

TEST(ConvTranspose2dBadInput, RankNot4) {
    ConvT2dCall c;
    c.input = {4, 5, 6};
    EXPECT_CONVT_REFUSED(c, HasSubstr("input"), says_rank4(), HasSubstr("[4, 5, 6]"));
    ConvT2dCall w;
    w.weight = {4, 3, 9};
    EXPECT_CONVT_REFUSED(w, HasSubstr("weight"), says_rank4(), HasSubstr("[4, 3, 9]"));
    ConvT2dCall o;
    o.output = {2, 3, 120};
    EXPECT_CONVT_REFUSED(o, HasSubstr("output"), AnyOf(says_rank4(), HasSubstr("[2, 3, 10, 12]")));
}

TEST(ConvTranspose2dBadInput, WeightInChannelsDoNotMatchInput) {
    ConvT2dCall c;
    c.weight = {3, 3, 3, 3};  // input has C = 4
    EXPECT_CONVT_REFUSED(c, HasSubstr("weight"), HasSubstr("[3, 3, 3, 3]"));
}

TEST(ConvTranspose2dBadInput, InputChannelsNotDivisibleByGroups) {
    ConvT2dCall c;
    c.input = {2, 6, 5, 6};
    c.weight = {6, 1, 3, 3};
    c.bias = {4};
    c.output = {2, 4, 10, 12};
    c.opt.groups = 4;
    EXPECT_CONVT_REFUSED(c, HasSubstr("groups"), says_divisible());
}

TEST(ConvTranspose2dBadInput, GroupsNotPositive) {
    ConvT2dCall c;
    c.opt.groups = 0;
    EXPECT_CONVT_REFUSED(c, HasSubstr("groups"), says_positive());
    c.opt.groups = -2;
    EXPECT_CONVT_REFUSED(c, HasSubstr("groups"), says_positive());
}

TEST(ConvTranspose2dBadInput, StrideDilationPaddingOutOfRange) {
    {
        ConvT2dCall c;
        c.opt.stride = {0, 2};
        EXPECT_CONVT_REFUSED(c, HasSubstr("stride"), says_positive(), HasSubstr("(0, 2)"));
    }
    {
        ConvT2dCall c;
        c.opt.stride = {2, -2};
        EXPECT_CONVT_REFUSED(c, HasSubstr("stride"), says_positive());
    }
    {
        ConvT2dCall c;
        c.opt.dilation = {0, 1};
        EXPECT_CONVT_REFUSED(c, HasSubstr("dilation"), says_positive());
    }
    {
        ConvT2dCall c;
        c.opt.padding = {1, -1};
        EXPECT_CONVT_REFUSED(c, HasSubstr("padding"), says_non_negative());
    }
}

TEST(ConvTranspose2dBadInput, OutputPaddingNotSmallerThanStrideOrDilation) {
    {
        ConvT2dCall c;  // stride 2, dilation 1: output_padding 2 is too large
        c.opt.output_padding = {2, 1};
        EXPECT_CONVT_REFUSED(c, HasSubstr("output_padding"),
                             AnyOf(HasSubstr("stride"), HasSubstr("dilation")));
    }
    {
        ConvT2dCall c;  // stride 1 and dilation 1: any output_padding > 0 is too large
        c.opt.stride = {1, 1};
        c.opt.padding = {0, 0};
        c.opt.output_padding = {0, 1};
        c.output = {2, 3, 7, 9};
        EXPECT_CONVT_REFUSED(c, HasSubstr("output_padding"),
                             AnyOf(HasSubstr("stride"), HasSubstr("dilation")));
    }
    {
        ConvT2dCall c;
        c.opt.output_padding = {-1, 0};
        EXPECT_CONVT_REFUSED(c, HasSubstr("output_padding"));
    }
    {
        // output_padding < dilation is accepted even when >= stride (PyTorch's rule).
        ConvT2dCall c;
        c.opt.stride = {1, 1};
        c.opt.padding = {0, 0};
        c.opt.dilation = {2, 2};
        c.opt.output_padding = {1, 1};
        c.output = {2, 3, 10, 11};  // (5-1) + 4 + 1 + 1 = 10, (6-1) + 4 + 1 + 1 = 11
        const Outcome o = c.run();
        EXPECT_FALSE(o.threw_error) << o;
        EXPECT_FALSE(o.output_untouched);
    }
}

TEST(ConvTranspose2dBadInput, ZeroSizeAndNull) {
    {
        ConvT2dCall c;
        c.input = {0, 4, 5, 6};
        c.output = {0, 3, 10, 12};
        EXPECT_CONVT_REFUSED(c, HasSubstr("input"), says_empty());
    }
    {
        ConvT2dCall c;
        c.weight = {4, 0, 3, 3};
        c.use_bias = false;
        c.output = {2, 0, 10, 12};
        EXPECT_CONVT_REFUSED(c, HasSubstr("weight"), says_empty());
    }
    {
        ConvT2dCall c;
        c.null_input = true;
        EXPECT_CONVT_REFUSED(c, HasSubstr("input"), says_null());
    }
    {
        ConvT2dCall c;
        c.null_weight = true;
        EXPECT_CONVT_REFUSED(c, HasSubstr("weight"), says_null());
    }
    {
        ConvT2dCall c;
        c.null_output = true;
        EXPECT_CONVT_REFUSED(c, HasSubstr("output"), says_null());
    }
    {
        ConvT2dCall c;
        c.null_bias = true;
        EXPECT_CONVT_REFUSED(c, HasSubstr("bias"));
    }
}

TEST(ConvTranspose2dBadInput, OutputAndBiasWrongShape) {
    {
        ConvT2dCall c;
        c.output = {2, 3, 9, 12};
        EXPECT_CONVT_REFUSED(c, HasSubstr("output"), HasSubstr("[2, 3, 9, 12]"), HasSubstr("[2, 3, 10, 12]"));
    }
    {
        ConvT2dCall c;  // K = weight[1] * groups = 3, not weight[0]
        c.output = {2, 4, 10, 12};
        EXPECT_CONVT_REFUSED(c, HasSubstr("output"), HasSubstr("[2, 3, 10, 12]"));
    }
    {
        ConvT2dCall c;
        c.bias = {4};
        EXPECT_CONVT_REFUSED(c, HasSubstr("bias"), HasSubstr("3"));
    }
}

TEST(ConvTranspose2dBadInput, OutputSizeNotPositive) {
    ConvT2dCall c;  // (1-1)*1 - 2*2 + 2 + 0 + 1 = -1
    c.input = {1, 2, 1, 1};
    c.weight = {2, 3, 3, 3};
    c.bias = {3};
    c.output = {1, 3, 1, 1};
    c.opt = {};
    c.opt.padding = {2, 2};
    EXPECT_CONVT_REFUSED(c, says_output_too_small());
    EXPECT_THROW(halconv::conv_transpose2d_output_shape(c.input, c.weight, c.opt), halconv::Error);
    c.opt.padding = {1, 0};
    c.weight = {2, 3, 1, 3};  // OH = 0 - 2 + 0 + 0 + 1 = -1, OW = 0 - 0 + 2 + 0 + 1 = 3
    EXPECT_CONVT_REFUSED(c, says_output_too_small());
}

TEST(ConvTranspose2dBadInput, ElementCountOverflows32BitIndexing) {
    {
        ConvT2dCall c;
        c.input = {1, 1, 70000, 70000};
        c.weight = {1, 1, 1, 1};
        c.bias = {1};
        c.output = {1, 1, 70000, 70000};
        c.opt = {};
        EXPECT_CONVT_REFUSED(c, AnyOf(HasSubstr("input"), HasSubstr("output")), says_too_large());
    }
    {
        // A fine input (4e8 elements) upsampled 4x: the output has 6.4e9 elements.
        ConvT2dCall c;
        c.input = {1, 1, 20000, 20000};
        c.weight = {1, 1, 4, 4};
        c.bias = {1};
        c.output = {1, 1, 80000, 80000};
        c.opt = {};
        c.opt.stride = {4, 4};
        EXPECT_CONVT_REFUSED(c, HasSubstr("output"), says_too_large());
    }
}

// ---------------------------------------------------------------------------
// Devices
// ---------------------------------------------------------------------------
TEST(DeviceBadInput, CudaWithoutGpuIsDeviceUnavailable) {
    std::string why;
    const bool available = halconv::device_available(Device::CUDA, &why);
    if (available) GTEST_SKIP() << "CUDA is available on this machine";
    EXPECT_FALSE(why.empty()) << "device_available(CUDA) gave no reason";

    Conv2dCall c;
    c.opt.device = Device::CUDA;
    const Outcome o = c.run();
    expect_refused(o, "conv2d: ", AnyOf(HasSubstr("CUDA"), HasSubstr("cuda")), ErrorCode::DeviceUnavailable);

    ConvT2dCall t;
    t.opt.device = Device::CUDA;
    expect_refused(t.run(), "conv_transpose2d: ", AnyOf(HasSubstr("CUDA"), HasSubstr("cuda")),
                   ErrorCode::DeviceUnavailable);
}

TEST(DeviceBadInput, UnavailableOpenCLIsDeviceUnavailable) {
    std::string why;
    if (halconv::device_available(Device::OpenCL, &why)) GTEST_SKIP() << "OpenCL is available on this machine";
    EXPECT_FALSE(why.empty());
    Conv2dCall c;
    c.opt.device = Device::OpenCL;
    expect_refused(c.run(), "conv2d: ", AnyOf(HasSubstr("OpenCL"), HasSubstr("opencl")),
                   ErrorCode::DeviceUnavailable);
}

TEST(DeviceBadInput, DeviceAvailableNeverAbortsAndExplains) {
    for (Device d : {Device::CPU, Device::CUDA, Device::OpenCL}) {
        std::string why;
        const bool ok = halconv::device_available(d, &why);
        EXPECT_EQ(ok, halconv::device_available(d)) << "answer depends on the `why` argument";
        if (!ok) {
            EXPECT_FALSE(why.empty()) << halconv::device_name(d);
        }
    }
    EXPECT_TRUE(halconv::device_available(Device::CPU)) << "this test suite expects an AVX2 machine";
}

TEST(DeviceBadInput, ParseDevice) {
    EXPECT_EQ(halconv::parse_device("cpu"), Device::CPU);
    EXPECT_EQ(halconv::parse_device("cuda"), Device::CUDA);
    EXPECT_EQ(halconv::parse_device("opencl"), Device::OpenCL);
    try {
        halconv::parse_device("tpu");
        ADD_FAILURE() << "parse_device(\"tpu\") did not throw";
    } catch (const halconv::Error &e) {
        EXPECT_EQ(code_name(e.code()), std::string("InvalidArgument"));
        EXPECT_THAT(std::string(e.what()), HasSubstr("tpu"));
    }
    EXPECT_THROW(halconv::parse_device(""), halconv::Error);
    for (Device d : {Device::CPU, Device::CUDA, Device::OpenCL}) {
        ASSERT_NE(halconv::device_name(d), nullptr);
        EXPECT_STRNE(halconv::device_name(d), "");
    }
}

TEST(Library, Version) {
    ASSERT_NE(halconv::version(), nullptr);
    EXPECT_THAT(std::string(halconv::version()), ::testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+.*"));
}

}  // namespace
}  // namespace halconv_test
