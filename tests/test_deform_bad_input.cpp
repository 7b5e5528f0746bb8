// deform_conv2d, deform_conv2d_backward and deform_conv2d_output_shape: every
// bad input is refused with halconv::Error(InvalidArgument)
// (DeviceUnavailable for a missing device), a message that starts with the
// function name and names the argument (input, offset, weight, bias, mask,
// output, grad_output, grads.*, groups, offset groups, stride, padding,
// dilation, accumulation) and, where a shape is wrong, the shape it got; and
// the outputs are left untouched.
//
// The exact wording is the implementation's: the checks look for what any
// message about that argument must contain (its name, the offending shape or
// number), not for sentences. Gradients may be called grads.<x> (the
// struct's field) or grad_<x> (torch's name): both are accepted.
#include <gmock/gmock.h>

#include <algorithm>
#include <functional>
#include <limits>

#include <sys/mman.h>

#include "deform_cases.h"

namespace halconv_test {
namespace {

using halconv::ConstTensor;
using halconv::ErrorCode;
using halconv::GradAccumulation;
using halconv::Tensor;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Matcher;
using ::testing::StartsWith;

// The argument `arg` as a word of the message (not part of a longer name:
// "offset" does not match "offset_groups" or "grad_offset").
Matcher<const std::string &> names(const std::string &arg) {
    return ContainsRegex("(^|[^A-Za-z0-9_.])" + arg + "([^A-Za-z0-9_]|$)");
}
// A gradient: grads.input or grad_input.
Matcher<const std::string &> names_grad(const std::string &arg) {
    return AnyOf(HasSubstr("grads." + arg), HasSubstr("grad_" + arg));
}
Matcher<const std::string &> says_offset_groups() {
    return AnyOf(HasSubstr("offset_groups"), HasSubstr("offset groups"), HasSubstr("offset group"));
}
Matcher<const std::string &> says_groups() { return ContainsRegex("(^|[^A-Za-z_])groups"); }
Matcher<const std::string &> says_null() { return AnyOf(HasSubstr("null"), HasSubstr("NULL")); }
Matcher<const std::string &> says_rank4() {
    return AnyOf(HasSubstr("4 dimensions"), HasSubstr("4-D"), HasSubstr("rank"), HasSubstr("dimensions"));
}
Matcher<const std::string &> says_empty() {
    return AnyOf(HasSubstr("empty"), HasSubstr("zero"), HasSubstr("positive"));
}
Matcher<const std::string &> says_overlap() { return AnyOf(HasSubstr("overlap"), HasSubstr("alias")); }

// ---------------------------------------------------------------------------
// A call on sentinel-filled buffers. Shapes may be anything; buffers are
// allocated for at least one element (at most 2^22), data pointers can be
// made null and optional tensors left out.
//
// The valid baseline: input [2, 4, 6, 7], 3x3 kernel, padding 1, groups 2
// (weight [6, 2, 3, 3]), 2 offset groups (offset [2, 36, 6, 7], mask
// [2, 18, 6, 7]), bias [6], output [2, 6, 6, 7].
// ---------------------------------------------------------------------------
constexpr float kSentinel = 4242.25f;

int64_t alloc_count(const Shape &s) {
    int64_t n = 1;
    for (int64_t d : s) n *= std::max<int64_t>(d, 1);
    return std::min<int64_t>(std::max<int64_t>(n, 1), int64_t(1) << 22);
}

struct Outcome {
    bool threw_error = false;
    ErrorCode code = ErrorCode::Internal;
    std::string message;
    std::string other;
    bool outputs_untouched = true;
};

std::ostream &operator<<(std::ostream &os, const Outcome &o) {
    if (o.threw_error) return os << "halconv::Error(" << code_name(o.code) << ", \"" << o.message << "\")";
    if (!o.other.empty()) return os << "other exception: " << o.other;
    return os << "no exception";
}

// One tensor argument: its shape, whether it is passed at all (optional
// ones), and whether its data pointer is null.
struct Arg {
    Shape shape;
    bool present = true;
    bool null = false;
};

struct DeformCall {
    enum Kind { Forward, Allocating, Backward } kind = Forward;
    Arg input{{2, 4, 6, 7}}, offset{{2, 36, 6, 7}}, weight{{6, 2, 3, 3}}, bias{{6}}, mask{{2, 18, 6, 7}};
    Arg output{{2, 6, 6, 7}};  // the forward's output, or the backward's grad_output
    Arg grad_input{{2, 4, 6, 7}}, grad_offset{{2, 36, 6, 7}}, grad_weight{{6, 2, 3, 3}}, grad_bias{{6}},
        grad_mask{{2, 18, 6, 7}};
    halconv::DeformConv2dOptions opt = base_options();

    static halconv::DeformConv2dOptions base_options() {
        halconv::DeformConv2dOptions o;
        o.padding = {1, 1};
        o.groups = 2;
        return o;
    }
    static DeformCall forward() { return DeformCall(); }
    static DeformCall allocating() {
        DeformCall c;
        c.kind = Allocating;
        return c;
    }
    static DeformCall backward() {
        DeformCall c;
        c.kind = Backward;
        return c;
    }
    std::string fn() const { return kind == Backward ? "deform_conv2d_backward" : "deform_conv2d"; }
    // Without a mask (DCN v1): no mask and no grads.mask.
    DeformCall &v1() {
        mask.present = grad_mask.present = false;
        return *this;
    }

    Outcome run() const {
        auto in_buffer = [](const Arg &a, uint32_t seed) { return random_tensor(alloc_count(a.shape), seed); };
        const std::vector<float> x = in_buffer(input, 1), off = in_buffer(offset, 2), w = in_buffer(weight, 3),
                                 b = in_buffer(bias, 4), m = in_buffer(mask, 5), go = in_buffer(output, 6);
        std::vector<float> out((size_t)alloc_count(output.shape), kSentinel);
        std::vector<float> gi((size_t)alloc_count(grad_input.shape), kSentinel),
            goff((size_t)alloc_count(grad_offset.shape), kSentinel), gw((size_t)alloc_count(grad_weight.shape), kSentinel),
            gb((size_t)alloc_count(grad_bias.shape), kSentinel), gm((size_t)alloc_count(grad_mask.shape), kSentinel);
        auto cview = [](const Arg &a, const std::vector<float> &v) {
            return a.present ? ConstTensor(a.null ? nullptr : v.data(), a.shape) : ConstTensor();
        };
        auto view = [](const Arg &a, std::vector<float> &v) {
            return a.present ? Tensor(a.null ? nullptr : v.data(), a.shape) : Tensor();
        };
        Outcome o;
        try {
            if (kind == Forward) {
                halconv::deform_conv2d(cview(input, x), cview(offset, off), cview(weight, w), cview(bias, b),
                                       cview(mask, m), view(output, out), opt);
            } else if (kind == Allocating) {
                Shape shape;
                halconv::deform_conv2d(cview(input, x), cview(offset, off), cview(weight, w), cview(bias, b),
                                       cview(mask, m), opt, &shape);
            } else {
                halconv::DeformConv2dGrads grads;
                grads.input = view(grad_input, gi);
                grads.offset = view(grad_offset, goff);
                grads.weight = view(grad_weight, gw);
                grads.bias = view(grad_bias, gb);
                grads.mask = view(grad_mask, gm);
                halconv::deform_conv2d_backward(cview(input, x), cview(offset, off), cview(weight, w), cview(mask, m),
                                                cview(output, go), grads, opt);
            }
        } catch (const halconv::Error &e) {
            o.threw_error = true;
            o.code = e.code();
            o.message = e.what();
        } catch (const std::exception &e) {
            o.other = e.what();
        } catch (...) {
            o.other = "unknown exception";
        }
        const std::vector<const std::vector<float> *> outputs =
            kind == Backward ? std::vector<const std::vector<float> *>{&gi, &goff, &gw, &gb, &gm}
                             : std::vector<const std::vector<float> *>{&out};
        for (const auto *v : outputs)
            for (float f : *v) o.outputs_untouched &= (f == kSentinel);
        return o;
    }
};

void expect_refused(const Outcome &o, const std::string &fn, const Matcher<const std::string &> &m,
                    ErrorCode code = ErrorCode::InvalidArgument) {
    ASSERT_TRUE(o.threw_error) << "expected halconv::Error(" << code_name(code) << "), got " << o;
    EXPECT_EQ(code_name(o.code), std::string(code_name(code))) << o;
    EXPECT_THAT(o.message, StartsWith(fn + ": "));
    EXPECT_THAT(o.message, m);
    EXPECT_TRUE(o.outputs_untouched) << "a refused call wrote to an output";
}

void expect_accepted(const Outcome &o, bool writes = true) {
    EXPECT_FALSE(o.threw_error) << o;
    EXPECT_TRUE(o.other.empty()) << o;
    if (writes) {
        EXPECT_FALSE(o.outputs_untouched) << "the accepted call did not write its outputs";
    }
}

#define EXPECT_DEFORM_REFUSED(call, ...) expect_refused((call).run(), (call).fn(), AllOf(__VA_ARGS__))

// The forward, the allocating forward and the backward with `edit` applied
// (the input-side arguments are common to all three).
template<typename Edit>
void for_all(Edit edit, const std::function<void(const DeformCall &)> &check) {
    for (DeformCall c : {DeformCall::forward(), DeformCall::allocating(), DeformCall::backward()}) {
        SCOPED_TRACE(c.kind == DeformCall::Allocating ? "allocating deform_conv2d" : c.fn());
        edit(c);
        check(c);
    }
}

// "<ErrorCode>: <message>" of a deform_conv2d_output_shape call, or what else happened.
std::string shape_call(const Shape &input, const Shape &offset, const Shape &weight, const Shape &mask,
                       const halconv::DeformConv2dOptions &opt = DeformCall::base_options()) {
    try {
        const Shape s = halconv::deform_conv2d_output_shape(input, offset, weight, mask, opt);
        return "no exception: " + shape_str(s);
    } catch (const halconv::Error &e) {
        return std::string(code_name(e.code())) + ": " + e.what();
    } catch (const std::exception &e) {
        return std::string("other exception: ") + e.what();
    }
}
Matcher<const std::string &> shape_refused() {
    return AnyOf(StartsWith("InvalidArgument: deform_conv2d_output_shape: "),
                 StartsWith("InvalidArgument: deform_conv2d: "));
}

// ---------------------------------------------------------------------------
// Baselines
// ---------------------------------------------------------------------------
TEST(DeformBadInput, BaselineCallsAreAccepted) {
    expect_accepted(DeformCall::forward().run());
    expect_accepted(DeformCall::allocating().run(), false);
    for (GradAccumulation acc : {GradAccumulation::Deterministic, GradAccumulation::Atomic}) {
        DeformCall b = DeformCall::backward();
        b.opt.accumulation = acc;
        expect_accepted(b.run());
    }
    // DCN v1 (no mask), no bias, no grads.bias.
    DeformCall f = DeformCall::forward();
    f.v1().bias.present = false;
    expect_accepted(f.run());
    DeformCall b = DeformCall::backward();
    b.v1().grad_bias.present = false;
    expect_accepted(b.run());
    EXPECT_EQ(halconv::deform_conv2d_output_shape({2, 4, 6, 7}, {2, 36, 6, 7}, {6, 2, 3, 3}, {2, 18, 6, 7},
                                                  DeformCall::base_options()),
              (Shape{2, 6, 6, 7}));
    EXPECT_EQ(halconv::deform_conv2d_output_shape({2, 4, 6, 7}, {2, 36, 6, 7}, {6, 2, 3, 3}, {},
                                                  DeformCall::base_options()),
              (Shape{2, 6, 6, 7}));
}

// ---------------------------------------------------------------------------
// offset and mask
// ---------------------------------------------------------------------------
TEST(DeformBadInput, OffsetChannelsNotAMultipleOf2RS) {
    // 2 * R * S = 18: 35 and 16 are not multiples of it.
    for (int64_t ch : {35, 16, 1, 9}) {
        SCOPED_TRACE("offset channels " + std::to_string(ch));
        for_all([ch](DeformCall &c) { c.offset.shape[1] = c.grad_offset.shape[1] = ch; },
                [ch](const DeformCall &c) {
                    EXPECT_DEFORM_REFUSED(c, names("offset"), HasSubstr(std::to_string(ch)));
                });
        EXPECT_THAT(shape_call({2, 4, 6, 7}, {2, ch, 6, 7}, {6, 2, 3, 3}, {2, 18, 6, 7}),
                    AllOf(shape_refused(), names("offset"), HasSubstr(std::to_string(ch))));
    }
}

TEST(DeformBadInput, OffsetGroupsMustDivideC) {
    // 54 offset channels = 3 offset groups of 3x3 taps (mask [2, 27, ...] to
    // match), but C = 4.
    for_all([](DeformCall &c) {
        c.offset.shape[1] = c.grad_offset.shape[1] = 54;
        c.mask.shape[1] = c.grad_mask.shape[1] = 27;
    }, [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, says_offset_groups(), HasSubstr("3")); });
    // 4 offset groups, C = 6 (weight [6, 3, 3, 3] with groups 2).
    for_all([](DeformCall &c) {
        c.input.shape = c.grad_input.shape = {2, 6, 6, 7};
        c.weight.shape = c.grad_weight.shape = {6, 3, 3, 3};
        c.offset.shape = c.grad_offset.shape = {2, 72, 6, 7};
        c.mask.shape = c.grad_mask.shape = {2, 36, 6, 7};
    }, [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, says_offset_groups(), HasSubstr("6")); });
    EXPECT_THAT(shape_call({2, 4, 6, 7}, {2, 54, 6, 7}, {6, 2, 3, 3}, {2, 27, 6, 7}),
                AllOf(shape_refused(), says_offset_groups()));
}

TEST(DeformBadInput, OffsetSpatialSizeMustBeTheOutputSize) {
    for (Shape bad : {Shape{2, 36, 5, 7}, Shape{2, 36, 6, 8}, Shape{2, 36, 7, 6}, Shape{2, 36, 1, 1}}) {
        SCOPED_TRACE("offset " + shape_str(bad));
        for_all([bad](DeformCall &c) { c.offset.shape = c.grad_offset.shape = bad; },
                [bad](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("offset"), HasSubstr(shape_str(bad))); });
        EXPECT_THAT(shape_call({2, 4, 6, 7}, bad, {6, 2, 3, 3}, {2, 18, 6, 7}),
                    AllOf(shape_refused(), names("offset"), HasSubstr(shape_str(bad))));
    }
}

TEST(DeformBadInput, MaskShapeMustBeGRSByOutputSize) {
    for (Shape bad : {Shape{2, 17, 6, 7}, Shape{2, 36, 6, 7}, Shape{2, 9, 6, 7}, Shape{2, 18, 6, 8},
                      Shape{2, 18, 5, 7}, Shape{3, 18, 6, 7}}) {
        SCOPED_TRACE("mask " + shape_str(bad));
        for_all([bad](DeformCall &c) { c.mask.shape = c.grad_mask.shape = bad; },
                [bad](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("mask"), HasSubstr(shape_str(bad))); });
        EXPECT_THAT(shape_call({2, 4, 6, 7}, {2, 36, 6, 7}, {6, 2, 3, 3}, bad),
                    AllOf(shape_refused(), names("mask"), HasSubstr(shape_str(bad))));
    }
}

TEST(DeformBadInput, BatchMismatch) {
    // The message gives the shape, or says that the batch sizes differ.
    auto shape_or_batch = [](const char *shape) { return AnyOf(HasSubstr(shape), HasSubstr("batch")); };
    for_all([](DeformCall &c) { c.offset.shape = c.grad_offset.shape = {1, 36, 6, 7}; },
            [&](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("offset"), shape_or_batch("[1, 36, 6, 7]")); });
    for_all([](DeformCall &c) { c.offset.shape = c.grad_offset.shape = {3, 36, 6, 7}; },
            [&](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("offset"), shape_or_batch("[3, 36, 6, 7]")); });
    for_all([](DeformCall &c) { c.mask.shape = c.grad_mask.shape = {1, 18, 6, 7}; },
            [&](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("mask"), shape_or_batch("[1, 18, 6, 7]")); });
    {
        DeformCall c = DeformCall::backward();
        c.output.shape = {1, 6, 6, 7};  // grad_output
        EXPECT_DEFORM_REFUSED(c, names("grad_output"), shape_or_batch("[1, 6, 6, 7]"));
    }
}

// ---------------------------------------------------------------------------
// weight, groups, bias
// ---------------------------------------------------------------------------
TEST(DeformBadInput, WeightShapeMustBeKByCOverGroups) {
    for (Shape bad : {Shape{6, 4, 3, 3}, Shape{6, 1, 3, 3}, Shape{6, 3, 3, 3}}) {
        SCOPED_TRACE("weight " + shape_str(bad));
        for_all([bad](DeformCall &c) { c.weight.shape = c.grad_weight.shape = bad; },
                [bad](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("weight"), HasSubstr(shape_str(bad))); });
        EXPECT_THAT(shape_call({2, 4, 6, 7}, {2, 36, 6, 7}, bad, {2, 18, 6, 7}),
                    AllOf(shape_refused(), names("weight"), HasSubstr(shape_str(bad))));
    }
}

TEST(DeformBadInput, GroupsMustDivideCAndK) {
    // C = 4 and groups 3 (K = 6 divisible; weight [6, 1, 3, 3] = C / groups rounded down).
    for_all([](DeformCall &c) {
        c.opt.groups = 3;
        c.weight.shape = c.grad_weight.shape = {6, 1, 3, 3};
    }, [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, says_groups(), HasSubstr("3")); });
    // K = 5 and groups 2.
    for_all([](DeformCall &c) {
        c.weight.shape = c.grad_weight.shape = {5, 2, 3, 3};
        c.bias.shape = c.grad_bias.shape = {5};
        c.output.shape = {2, 5, 6, 7};
    }, [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, says_groups(), HasSubstr("5")); });
    for (int g : {0, -2}) {
        SCOPED_TRACE("groups " + std::to_string(g));
        for_all([g](DeformCall &c) { c.opt.groups = g; },
                [g](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, says_groups(), HasSubstr(std::to_string(g))); });
        halconv::DeformConv2dOptions o = DeformCall::base_options();
        o.groups = g;
        EXPECT_THAT(shape_call({2, 4, 6, 7}, {2, 36, 6, 7}, {6, 2, 3, 3}, {2, 18, 6, 7}, o),
                    AllOf(shape_refused(), says_groups()));
    }
    halconv::DeformConv2dOptions o = DeformCall::base_options();
    o.groups = 3;
    EXPECT_THAT(shape_call({2, 4, 6, 7}, {2, 36, 6, 7}, {6, 1, 3, 3}, {2, 18, 6, 7}, o),
                AllOf(shape_refused(), says_groups()));
}

TEST(DeformBadInput, BiasMustHaveKElements) {
    for (Shape bad : {Shape{5}, Shape{7}, Shape{6, 1}, Shape{1, 6}}) {
        SCOPED_TRACE("bias " + shape_str(bad));
        for (DeformCall c : {DeformCall::forward(), DeformCall::allocating()}) {
            c.bias.shape = bad;
            EXPECT_DEFORM_REFUSED(c, names("bias"), HasSubstr(shape_str(bad)));
        }
        DeformCall b = DeformCall::backward();
        b.grad_bias.shape = bad;
        EXPECT_DEFORM_REFUSED(b, names_grad("bias"), HasSubstr(shape_str(bad)));
    }
}

// ---------------------------------------------------------------------------
// Output and gradients
// ---------------------------------------------------------------------------
TEST(DeformBadInput, OutputWrongShape) {
    for (Shape bad : {Shape{2, 6, 6, 6}, Shape{2, 5, 6, 7}, Shape{1, 6, 6, 7}, Shape{2, 6, 7, 7}, Shape{2, 6, 7, 6}}) {
        SCOPED_TRACE("output " + shape_str(bad));
        DeformCall c = DeformCall::forward();
        c.output.shape = bad;
        EXPECT_DEFORM_REFUSED(c, names("output"), HasSubstr(shape_str(bad)), HasSubstr("[2, 6, 6, 7]"));
    }
}

TEST(DeformBadInput, GradientsWrongShape) {
    struct Bad {
        Arg DeformCall::*arg;
        const char *name;
        Shape shape;
    };
    const Bad bads[] = {
        {&DeformCall::output, "grad_output", {2, 6, 6, 6}},   {&DeformCall::output, "grad_output", {2, 5, 6, 7}},
        {&DeformCall::grad_input, "input", {2, 4, 6, 6}},     {&DeformCall::grad_input, "input", {2, 2, 6, 7}},
        {&DeformCall::grad_offset, "offset", {2, 36, 6, 6}},  {&DeformCall::grad_offset, "offset", {2, 18, 6, 7}},
        {&DeformCall::grad_weight, "weight", {6, 4, 3, 3}},   {&DeformCall::grad_weight, "weight", {6, 2, 3, 2}},
        {&DeformCall::grad_mask, "mask", {2, 9, 6, 7}},       {&DeformCall::grad_mask, "mask", {2, 18, 7, 6}},
        {&DeformCall::grad_bias, "bias", {5}},
    };
    for (const Bad &b : bads) {
        SCOPED_TRACE(std::string(b.name) + " " + shape_str(b.shape));
        DeformCall c = DeformCall::backward();
        (c.*b.arg).shape = b.shape;
        if (b.arg == &DeformCall::output) {
            EXPECT_DEFORM_REFUSED(c, names("grad_output"), HasSubstr(shape_str(b.shape)));
        } else {
            EXPECT_DEFORM_REFUSED(c, names_grad(b.name), HasSubstr(shape_str(b.shape)));
        }
    }
}

TEST(DeformBadInput, RequiredGradientsMissing) {
    for (Arg DeformCall::*arg : {&DeformCall::grad_input, &DeformCall::grad_offset, &DeformCall::grad_weight}) {
        DeformCall c = DeformCall::backward();
        (c.*arg).present = false;
        const char *name = arg == &DeformCall::grad_input ? "input" : arg == &DeformCall::grad_offset ? "offset" : "weight";
        SCOPED_TRACE(name);
        EXPECT_DEFORM_REFUSED(c, names_grad(name));
    }
}

// grads.mask exactly when the forward had a mask.
TEST(DeformBadInput, GradMaskExactlyWithAMask) {
    DeformCall with_mask = DeformCall::backward();
    with_mask.grad_mask.present = false;
    EXPECT_DEFORM_REFUSED(with_mask, HasSubstr("mask"));
    DeformCall without = DeformCall::backward();
    without.mask.present = false;  // grads.mask still given
    EXPECT_DEFORM_REFUSED(without, HasSubstr("mask"));
}

// ---------------------------------------------------------------------------
// Rank, empty dimensions, null data
// ---------------------------------------------------------------------------
TEST(DeformBadInput, RankNot4) {
    for_all([](DeformCall &c) { c.input.shape = c.grad_input.shape = {4, 6, 7}; },
            [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("input"), says_rank4(), HasSubstr("[4, 6, 7]")); });
    for_all([](DeformCall &c) { c.input.shape = c.grad_input.shape = {1, 2, 4, 6, 7}; },
            [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("input"), says_rank4()); });
    for_all([](DeformCall &c) { c.offset.shape = c.grad_offset.shape = {36, 6, 7}; },
            [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("offset"), says_rank4()); });
    for_all([](DeformCall &c) { c.weight.shape = c.grad_weight.shape = {6, 2, 9}; },
            [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("weight"), says_rank4()); });
    for_all([](DeformCall &c) { c.mask.shape = c.grad_mask.shape = {18, 6, 7}; },
            [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("mask"), says_rank4()); });
    for_all([](DeformCall &c) { c.mask.shape = c.grad_mask.shape = {}; },  // data without a shape
            [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("mask")); });
    {
        DeformCall c = DeformCall::forward();
        c.output.shape = {12, 6, 7};
        EXPECT_DEFORM_REFUSED(c, names("output"), says_rank4());
        c = DeformCall::backward();
        c.output.shape = {2, 6, 42};
        EXPECT_DEFORM_REFUSED(c, names("grad_output"), says_rank4());
        c = DeformCall::backward();
        c.grad_input.shape = {4, 6, 7};
        EXPECT_DEFORM_REFUSED(c, names_grad("input"));
    }
    EXPECT_THAT(shape_call({4, 6, 7}, {2, 36, 6, 7}, {6, 2, 3, 3}, {2, 18, 6, 7}), AllOf(shape_refused(), names("input")));
    EXPECT_THAT(shape_call({2, 4, 6, 7}, {2, 36, 6, 7}, {6, 2, 9}, {2, 18, 6, 7}), AllOf(shape_refused(), names("weight")));
}

TEST(DeformBadInput, EmptyDimensions) {
    for (int dim = 0; dim < 4; dim++) {
        SCOPED_TRACE("dimension " + std::to_string(dim));
        for_all([dim](DeformCall &c) { c.input.shape[(size_t)dim] = c.grad_input.shape[(size_t)dim] = 0; },
                [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("input"), says_empty()); });
        for_all([dim](DeformCall &c) { c.offset.shape[(size_t)dim] = c.grad_offset.shape[(size_t)dim] = 0; },
                [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("offset")); });
        for_all([dim](DeformCall &c) { c.weight.shape[(size_t)dim] = c.grad_weight.shape[(size_t)dim] = 0; },
                [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("weight")); });
        for_all([dim](DeformCall &c) { c.mask.shape[(size_t)dim] = c.grad_mask.shape[(size_t)dim] = 0; },
                [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("mask")); });
        for_all([dim](DeformCall &c) { c.input.shape[(size_t)dim] = c.grad_input.shape[(size_t)dim] = -3; },
                [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("input")); });
    }
    for_all([](DeformCall &c) { c.bias.shape = {0}; c.grad_bias.shape = {0}; },
            [](const DeformCall &c) {
                EXPECT_DEFORM_REFUSED(c, c.kind == DeformCall::Backward ? names_grad("bias") : names("bias"));
            });
    EXPECT_THAT(shape_call({2, 0, 6, 7}, {2, 36, 6, 7}, {6, 2, 3, 3}, {2, 18, 6, 7}), AllOf(shape_refused(), names("input")));
}

TEST(DeformBadInput, NullData) {
    for (Arg DeformCall::*arg : {&DeformCall::input, &DeformCall::offset, &DeformCall::weight, &DeformCall::mask}) {
        for_all([arg](DeformCall &c) { (c.*arg).null = true; },
                [arg](const DeformCall &c) {
                    const char *name = arg == &DeformCall::input    ? "input"
                                       : arg == &DeformCall::offset ? "offset"
                                       : arg == &DeformCall::weight ? "weight"
                                                                    : "mask";
                    EXPECT_DEFORM_REFUSED(c, names(name), says_null());
                });
    }
    for (DeformCall c : {DeformCall::forward(), DeformCall::allocating()}) {
        c.bias.null = true;
        EXPECT_DEFORM_REFUSED(c, names("bias"), says_null());
    }
    DeformCall c = DeformCall::forward();
    c.output.null = true;
    EXPECT_DEFORM_REFUSED(c, names("output"), says_null());
    c = DeformCall::backward();
    c.output.null = true;
    EXPECT_DEFORM_REFUSED(c, names("grad_output"), says_null());
    struct G {
        Arg DeformCall::*arg;
        const char *name;
    };
    for (G g : {G{&DeformCall::grad_input, "input"}, G{&DeformCall::grad_offset, "offset"},
                G{&DeformCall::grad_weight, "weight"}, G{&DeformCall::grad_bias, "bias"},
                G{&DeformCall::grad_mask, "mask"}}) {
        SCOPED_TRACE(g.name);
        c = DeformCall::backward();
        (c.*g.arg).null = true;
        EXPECT_DEFORM_REFUSED(c, names_grad(g.name), says_null());
    }
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------
TEST(DeformBadInput, StridePaddingDilation) {
    struct Bad {
        const char *name;
        std::function<void(halconv::DeformConv2dOptions &)> edit;
    };
    const Bad bads[] = {
        {"stride", [](halconv::DeformConv2dOptions &o) { o.stride = {0, 1}; }},
        {"stride", [](halconv::DeformConv2dOptions &o) { o.stride = {1, -1}; }},
        {"padding", [](halconv::DeformConv2dOptions &o) { o.padding = {-1, 1}; }},
        {"padding", [](halconv::DeformConv2dOptions &o) { o.padding = {1, -2}; }},
        {"dilation", [](halconv::DeformConv2dOptions &o) { o.dilation = {0, 1}; }},
        {"dilation", [](halconv::DeformConv2dOptions &o) { o.dilation = {1, -1}; }},
    };
    for (const Bad &b : bads) {
        halconv::DeformConv2dOptions o = DeformCall::base_options();
        b.edit(o);
        SCOPED_TRACE(std::string(b.name) + " (" + std::to_string(b.name[0] == 's'   ? o.stride[0]
                                                                 : b.name[0] == 'p' ? o.padding[0]
                                                                                    : o.dilation[0]) +
                     ", " + std::to_string(b.name[0] == 's' ? o.stride[1] : b.name[0] == 'p' ? o.padding[1] : o.dilation[1]) + ")");
        for_all([&](DeformCall &c) { b.edit(c.opt); },
                [&](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, HasSubstr(b.name)); });
        EXPECT_THAT(shape_call({2, 4, 6, 7}, {2, 36, 6, 7}, {6, 2, 3, 3}, {2, 18, 6, 7}, o),
                    AllOf(shape_refused(), HasSubstr(b.name)));
    }
}

// The padded input smaller than the dilated kernel: conv2d's rule gives an
// output size below 1 (torchvision 0.14 truncates and may accept, e.g. a
// 2x2 input, a 3x3 kernel and stride 2; halconv refuses).
TEST(DeformBadInput, PaddedInputSmallerThanTheDilatedKernel) {
    Matcher<const std::string &> says_size =
        AnyOf(HasSubstr("kernel"), HasSubstr("padded"), HasSubstr("output size"), HasSubstr("smaller"));
    for_all([](DeformCall &c) {
        c.input.shape = c.grad_input.shape = {1, 2, 2, 2};
        c.weight.shape = c.grad_weight.shape = {1, 2, 3, 3};
        c.bias.shape = c.grad_bias.shape = {1};
        c.offset.shape = c.grad_offset.shape = {1, 18, 1, 1};
        c.mask.shape = c.grad_mask.shape = {1, 9, 1, 1};
        c.output.shape = {1, 1, 1, 1};
        c.opt = {};
        c.opt.stride = {2, 2};
    }, [&](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, says_size); });
    // 5x5 input, 3x3 kernel with dilation 3 (7x7), padding (0, 1).
    for_all([](DeformCall &c) {
        c.input.shape = c.grad_input.shape = {1, 2, 5, 5};
        c.weight.shape = c.grad_weight.shape = {1, 2, 3, 3};
        c.bias.shape = c.grad_bias.shape = {1};
        c.offset.shape = c.grad_offset.shape = {1, 18, 1, 1};
        c.mask.shape = c.grad_mask.shape = {1, 9, 1, 1};
        c.output.shape = {1, 1, 1, 1};
        c.opt = {};
        c.opt.dilation = {3, 3};
        c.opt.padding = {0, 1};
    }, [&](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, says_size); });
    halconv::DeformConv2dOptions o;
    o.stride = {2, 2};
    EXPECT_THAT(shape_call({1, 2, 2, 2}, {1, 18, 1, 1}, {1, 2, 3, 3}, {}, o), AllOf(shape_refused(), says_size));
}

TEST(DeformBadInput, BadAccumulationValue) {
    DeformCall c = DeformCall::backward();
    c.opt.accumulation = static_cast<GradAccumulation>(7);
    EXPECT_DEFORM_REFUSED(c, HasSubstr("accumulation"), HasSubstr("7"));
}

TEST(DeformBadInput, CudaWithoutGpuIsDeviceUnavailable) {
    if (halconv::device_available(Device::CUDA)) GTEST_SKIP() << "CUDA is available on this machine";
    for_all([](DeformCall &c) { c.opt.device = Device::CUDA; },
            [](const DeformCall &c) {
                expect_refused(c.run(), c.fn(), AnyOf(HasSubstr("CUDA"), HasSubstr("cuda")),
                               ErrorCode::DeviceUnavailable);
            });
}

// Shape errors come before device errors: a bad shape on an unavailable
// device is still InvalidArgument.
TEST(DeformBadInput, ShapeErrorsBeforeDeviceErrors) {
    if (halconv::device_available(Device::CUDA)) GTEST_SKIP() << "CUDA is available on this machine";
    for_all([](DeformCall &c) {
        c.opt.device = Device::CUDA;
        c.offset.shape[1] = c.grad_offset.shape[1] = 35;
    }, [](const DeformCall &c) { EXPECT_DEFORM_REFUSED(c, names("offset")); });
}

// ---------------------------------------------------------------------------
// Sizes beyond halconv's limits (refused before any memory is touched: the
// buffers behind these shapes are small)
// ---------------------------------------------------------------------------
TEST(DeformBadInput, TensorsOver2To31Elements) {
    for_all([](DeformCall &c) {
        c.input.shape = c.grad_input.shape = {1, 2, 65536, 32768};  // 2^32 elements
        c.weight.shape = c.grad_weight.shape = {2, 1, 1, 1};
        c.bias.shape = c.grad_bias.shape = {2};
        c.offset.shape = c.grad_offset.shape = {1, 2, 65536, 32768};
        c.mask.shape = c.grad_mask.shape = {1, 1, 65536, 32768};
        c.output.shape = {1, 2, 65536, 32768};
        c.opt = {};
        c.opt.groups = 2;
    }, [](const DeformCall &c) {
        EXPECT_DEFORM_REFUSED(c, AnyOf(HasSubstr("2147483647"), HasSubstr("2^31"), HasSubstr("32-bit"),
                                       HasSubstr("too large")));
    });
}

// Address space for a tensor too large to allocate here: an anonymous
// mapping that is never committed (untouched pages read as zeros and take no
// memory), so that big tensors do not overlap each other.
class Reserved {
public:
    explicit Reserved(const Shape &shape) : bytes_((size_t)numel(shape) * sizeof(float)) {
        void *p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        data_ = p == MAP_FAILED ? nullptr : static_cast<float *>(p);
    }
    ~Reserved() {
        if (data_) munmap(data_, bytes_);
    }
    Reserved(const Reserved &) = delete;
    Reserved &operator=(const Reserved &) = delete;
    float *data() const { return data_; }

private:
    size_t bytes_;
    float *data_;
};

// The backward's column-gradient matrix N*C*R*S*OH*OW floats must fit 2^31
// bytes: 1 * 64 * 9 * 1024 * 1024 * 4 bytes = 2.25 GiB does not, nor does
// a batch of 4 images of 16 channels (each image's 0.56 GiB would); every
// tensor is below 2^31 elements. Refused before any memory is touched.
TEST(DeformBadInput, BackwardColumnMatrixOver2GiB) {
    for (int64_t N : {1, 4}) {
        const int64_t C = N == 1 ? 64 : 16;
        SCOPED_TRACE("N = " + std::to_string(N) + ", C = " + std::to_string(C));
        const Shape xs{N, C, 1024, 1024}, ws{2, C, 3, 3}, offs{N, 18, 1024, 1024}, ms{N, 9, 1024, 1024},
            gs{N, 2, 1024, 1024};
        Reserved x(xs), off(offs), m(ms), g(gs), gi(xs), goff(offs), gm(ms);
        for (const Reserved *r : {&x, &off, &m, &g, &gi, &goff, &gm}) ASSERT_NE(r->data(), nullptr) << "mmap failed";
        std::vector<float> w((size_t)numel(ws), 0.5f), gw(w.size(), kSentinel), gb(2, kSentinel);
        for (int i = 0; i < 1024; i++) gi.data()[i] = goff.data()[i] = gm.data()[i] = kSentinel;
        halconv::DeformConv2dOptions o;
        o.padding = {1, 1};
        halconv::DeformConv2dGrads grads;
        grads.input = Tensor(gi.data(), xs);
        grads.offset = Tensor(goff.data(), offs);
        grads.weight = Tensor(gw.data(), ws);
        grads.bias = Tensor(gb.data(), {2});
        grads.mask = Tensor(gm.data(), ms);
        Outcome out;
        try {
            halconv::deform_conv2d_backward(ConstTensor(x.data(), xs), ConstTensor(off.data(), offs),
                                            ConstTensor(w.data(), ws), ConstTensor(m.data(), ms),
                                            ConstTensor(g.data(), gs), grads, o);
        } catch (const halconv::Error &e) {
            out.threw_error = true;
            out.code = e.code();
            out.message = e.what();
        } catch (const std::exception &e) {
            out.other = e.what();
        }
        for (int i = 0; i < 1024; i++)
            out.outputs_untouched &= gi.data()[i] == kSentinel && goff.data()[i] == kSentinel && gm.data()[i] == kSentinel;
        for (float v : gw) out.outputs_untouched &= v == kSentinel;
        for (float v : gb) out.outputs_untouched &= v == kSentinel;
        expect_refused(out, "deform_conv2d_backward",
                       AnyOf(HasSubstr("column"), HasSubstr("2^31"), HasSubstr("2147483648"), HasSubstr("bytes"),
                             HasSubstr("too large")));
    }
}

// The per-row weight gradients N*OH*K*C*R*S floats must fit 2^31 bytes too
// (include/halconv/deform.h): 1024 rows * 256 * 256 * 9 * 4 bytes = 2.25 GiB
// with a one-pixel-wide image, whose columns (9 MiB) and tensors are small.
TEST(DeformBadInput, BackwardRowWeightGradientsOver2GiB) {
    DeformCall c = DeformCall::backward();
    c.input.shape = c.grad_input.shape = {1, 256, 1024, 1};
    c.weight.shape = c.grad_weight.shape = {256, 256, 3, 3};
    c.bias.shape = c.grad_bias.shape = {256};
    c.offset.shape = c.grad_offset.shape = {1, 18, 1024, 1};
    c.mask.shape = c.grad_mask.shape = {1, 9, 1024, 1};
    c.output.shape = {1, 256, 1024, 1};
    c.opt = {};
    c.opt.padding = {1, 1};
    EXPECT_DEFORM_REFUSED(c, AnyOf(HasSubstr("weight gradient"), HasSubstr("2^31"), HasSubstr("2147483648"),
                                   HasSubstr("bytes"), HasSubstr("too large")));
}

// ---------------------------------------------------------------------------
// Outputs aliasing inputs (written while the inputs are still read)
// ---------------------------------------------------------------------------
TEST(DeformBadInput, OutputsAliasingInputs) {
    // A 1x1 kernel, C = K = 2, one offset group: input, output, mask-sized
    // tensors can share one buffer; the buffer is big enough for any of them.
    const Shape xs{1, 2, 3, 4}, os{1, 2, 3, 4}, ws{2, 2, 1, 1}, offs{1, 2, 3, 4}, ms{1, 1, 3, 4}, bs{2};
    std::vector<float> x = random_tensor(64, 1), off(64, 0.25f), w = random_tensor(64, 2), b(64, 0.5f), m(64, 1.0f),
                       out(64, 0.0f), g = random_tensor(64, 3), gi(64), go(64), gw(64), gb(64), gm(64);
    auto forward_refused = [&](float *output, const std::string &in) {
        try {
            halconv::deform_conv2d(ConstTensor(x.data(), xs), ConstTensor(off.data(), offs), ConstTensor(w.data(), ws),
                                   ConstTensor(b.data(), bs), ConstTensor(m.data(), ms), Tensor(output, os));
            ADD_FAILURE() << "output aliasing " << in << " was accepted";
        } catch (const halconv::Error &e) {
            EXPECT_EQ(code_name(e.code()), std::string("InvalidArgument"));
            EXPECT_THAT(std::string(e.what()), AllOf(StartsWith("deform_conv2d: "), names("output"), names(in), says_overlap()));
        }
    };
    forward_refused(x.data(), "input");
    forward_refused(x.data() + 5, "input");
    forward_refused(off.data(), "offset");
    forward_refused(w.data(), "weight");
    forward_refused(b.data(), "bias");
    forward_refused(m.data(), "mask");

    // Backward: each gradient over an input of the call.
    struct Alias {
        const char *out;  // grads.<out>
        const char *in;
        float *out_data;
    };
    for (Alias a : {Alias{"input", "input", x.data()}, Alias{"input", "grad_output", g.data()},
                    Alias{"offset", "offset", off.data()}, Alias{"offset", "input", x.data() + 2},
                    Alias{"weight", "weight", w.data()}, Alias{"mask", "mask", m.data()},
                    Alias{"bias", "grad_output", g.data()}, Alias{"mask", "offset", off.data()}}) {
        SCOPED_TRACE(std::string("grads.") + a.out + " over " + a.in);
        halconv::DeformConv2dGrads grads;
        grads.input = Tensor(gi.data(), xs);
        grads.offset = Tensor(go.data(), offs);
        grads.weight = Tensor(gw.data(), ws);
        grads.bias = Tensor(gb.data(), bs);
        grads.mask = Tensor(gm.data(), ms);
        Tensor *t = std::string(a.out) == "input"    ? &grads.input
                    : std::string(a.out) == "offset" ? &grads.offset
                    : std::string(a.out) == "weight" ? &grads.weight
                    : std::string(a.out) == "bias"   ? &grads.bias
                                                     : &grads.mask;
        t->data = a.out_data;
        try {
            halconv::deform_conv2d_backward(ConstTensor(x.data(), xs), ConstTensor(off.data(), offs),
                                            ConstTensor(w.data(), ws), ConstTensor(m.data(), ms),
                                            ConstTensor(g.data(), os), grads);
            ADD_FAILURE() << "accepted";
        } catch (const halconv::Error &e) {
            EXPECT_EQ(code_name(e.code()), std::string("InvalidArgument"));
            EXPECT_THAT(std::string(e.what()),
                        AllOf(StartsWith("deform_conv2d_backward: "), names_grad(a.out), names(a.in), says_overlap()));
        }
    }
    // Two gradients in the same memory.
    {
        halconv::DeformConv2dGrads grads;
        grads.input = Tensor(gi.data(), xs);
        grads.offset = Tensor(gi.data() + 4, offs);
        grads.weight = Tensor(gw.data(), ws);
        grads.mask = Tensor(gm.data(), ms);
        try {
            halconv::deform_conv2d_backward(ConstTensor(x.data(), xs), ConstTensor(off.data(), offs),
                                            ConstTensor(w.data(), ws), ConstTensor(m.data(), ms),
                                            ConstTensor(g.data(), os), grads);
            ADD_FAILURE() << "grads.offset overlapping grads.input was accepted";
        } catch (const halconv::Error &e) {
            EXPECT_EQ(code_name(e.code()), std::string("InvalidArgument"));
            EXPECT_THAT(std::string(e.what()), AllOf(names_grad("input"), names_grad("offset"), says_overlap()));
        }
    }
    // The inputs were not written.
    for (float v : off) ASSERT_EQ(v, 0.25f);
    for (float v : b) ASSERT_EQ(v, 0.5f);
    for (float v : m) ASSERT_EQ(v, 1.0f);
}

}  // namespace
}  // namespace halconv_test
