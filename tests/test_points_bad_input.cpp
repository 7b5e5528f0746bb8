// Points collection: every bad input is refused with
// halconv::Error(InvalidArgument) (DeviceUnavailable for a missing device), a
// message that starts with the function name and names the argument (t, d,
// p, grad_p, grad_t, grad_d) and what was expected, and untouched outputs.
//
// Arguments are one letter long, so "names the argument" is checked as a
// whole word (not preceded or followed by a letter, digit or '_').
#include <gmock/gmock.h>

#include <functional>
#include <limits>

#include "points_cases.h"

namespace halconv_test {
namespace {

using halconv::ErrorCode;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Matcher;
using ::testing::Not;
using ::testing::StartsWith;


// The argument `arg` as a word of the message.
Matcher<const std::string &> names(const std::string &arg) {
    return ContainsRegex("(^|[^A-Za-z0-9_])" + arg + "([^A-Za-z0-9_]|$)");
}
Matcher<const std::string &> says_null() { return AnyOf(HasSubstr("null"), HasSubstr("NULL")); }
Matcher<const std::string &> says_rank4() {
    return AnyOf(HasSubstr("4 dimensions"), HasSubstr("4-D"), HasSubstr("rank"), HasSubstr("dimensions"));
}
Matcher<const std::string &> says_empty() {
    return AnyOf(HasSubstr("empty"), HasSubstr("zero"), HasSubstr("positive"));
}
Matcher<const std::string &> says_even() { return AnyOf(HasSubstr("even"), HasSubstr("odd"), HasSubstr("pairs")); }
Matcher<const std::string &> says_batch() { return AnyOf(HasSubstr("batch"), HasSubstr("B ")); }

// ---------------------------------------------------------------------------
// A call on sentinel-filled buffers. Shapes may be anything; buffers are
// allocated for at least one element (at most 2^22), data pointers can be
// made null.
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

// Forward: t [2, 6, 5, 7] (N = 3), d [2, 4, 3, 2] (M = 2) -> p [2, 12, 5, 7].
// Backward: grad_p like p, grad_t like t, grad_d like d.
struct PointsCall {
    bool backward = false;
    bool allocating = false;  // the forward overload that returns p
    Shape t{2, 6, 5, 7}, d{2, 4, 3, 2}, p{2, 12, 5, 7}, grad_t{2, 6, 5, 7}, grad_d{2, 4, 3, 2};
    // p doubles as grad_p for the backward.
    bool null_t = false, null_d = false, null_p = false, null_grad_t = false, null_grad_d = false;
    halconv::PointsCollectionOptions opt;

    static PointsCall forward() { return PointsCall(); }
    static PointsCall backward_call() {
        PointsCall c;
        c.backward = true;
        return c;
    }
    std::string fn() const { return backward ? "points_collection_backward" : "points_collection"; }

    Outcome run() const {
        std::vector<float> tv = random_tensor(alloc_count(t), 7, -0.5f, 0.5f);
        std::vector<float> dv = random_tensor(alloc_count(d), 8);
        std::vector<float> pv = random_tensor(alloc_count(p), 9);
        std::vector<float> out_p((size_t)alloc_count(p), kSentinel);
        std::vector<float> out_t((size_t)alloc_count(grad_t), kSentinel);
        std::vector<float> out_d((size_t)alloc_count(grad_d), kSentinel);
        Outcome o;
        try {
            const halconv::ConstTensor tt(null_t ? nullptr : tv.data(), t), dd(null_d ? nullptr : dv.data(), d);
            if (!backward) {
                if (allocating) {
                    Shape shape;
                    halconv::points_collection(tt, dd, opt, &shape);
                } else {
                    halconv::points_collection(tt, dd, halconv::Tensor(null_p ? nullptr : out_p.data(), p), opt);
                }
            } else {
                halconv::points_collection_backward(
                    tt, dd, halconv::ConstTensor(null_p ? nullptr : pv.data(), p),
                    halconv::Tensor(null_grad_t ? nullptr : out_t.data(), grad_t),
                    halconv::Tensor(null_grad_d ? nullptr : out_d.data(), grad_d), opt);
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
        for (const auto *v : {&out_p, &out_t, &out_d})
            for (float x : *v) o.outputs_untouched &= (x == kSentinel);
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
    if (writes) EXPECT_FALSE(o.outputs_untouched) << "the accepted call did not write its outputs";
}

#define EXPECT_POINTS_REFUSED(call, ...) expect_refused((call).run(), (call).fn(), AllOf(__VA_ARGS__))

// Both the forward and the backward call with `edit` applied.
template<typename Edit>
void for_both(Edit edit, const std::function<void(const PointsCall &)> &check) {
    for (PointsCall c : {PointsCall::forward(), PointsCall::backward_call()}) {
        SCOPED_TRACE(c.fn());
        edit(c);
        check(c);
    }
}

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
TEST(PointsBadInput, BaselineCallsAreAccepted) {
    expect_accepted(PointsCall::forward().run());
    expect_accepted(PointsCall::backward_call().run());
    PointsCall alloc = PointsCall::forward();
    alloc.allocating = true;
    expect_accepted(alloc.run(), false);
    EXPECT_EQ(halconv::points_collection_output_shape(alloc.t, alloc.d), alloc.p);
    for (auto acc : {halconv::GradAccumulation::Deterministic, halconv::GradAccumulation::Atomic}) {
        PointsCall b = PointsCall::backward_call();
        b.opt.accumulation = acc;
        expect_accepted(b.run());
    }
    // N = M = 1 and 1x1 grids are valid.
    PointsCall tiny = PointsCall::backward_call();
    tiny.t = tiny.grad_t = {1, 2, 1, 1};
    tiny.d = tiny.grad_d = {1, 2, 1, 1};
    tiny.p = {1, 2, 1, 1};
    expect_accepted(tiny.run());
}

// ---------------------------------------------------------------------------
// t and d
// ---------------------------------------------------------------------------
TEST(PointsBadInput, OddChannelCounts) {
    for_both([](PointsCall &c) { c.t = c.grad_t = {2, 5, 5, 7}; },
             [](const PointsCall &c) {
                 EXPECT_POINTS_REFUSED(c, names("t"), says_even(), HasSubstr("[2, 5, 5, 7]"));
             });
    for_both([](PointsCall &c) { c.t = c.grad_t = {2, 1, 5, 7}; },
             [](const PointsCall &c) { EXPECT_POINTS_REFUSED(c, names("t"), says_even()); });
    for_both([](PointsCall &c) { c.d = c.grad_d = {2, 3, 3, 2}; },
             [](const PointsCall &c) {
                 EXPECT_POINTS_REFUSED(c, names("d"), says_even(), HasSubstr("[2, 3, 3, 2]"));
             });
    for_both([](PointsCall &c) { c.d = c.grad_d = {2, 1, 3, 2}; },
             [](const PointsCall &c) { EXPECT_POINTS_REFUSED(c, names("d"), says_even()); });
    {
        PointsCall alloc = PointsCall::forward();  // the allocating overload checks the same
        alloc.allocating = true;
        alloc.t = {2, 5, 5, 7};
        EXPECT_POINTS_REFUSED(alloc, names("t"), says_even());
        alloc.t = {2, 6, 5, 7};
        alloc.d = {2, 3, 3, 2};
        EXPECT_POINTS_REFUSED(alloc, names("d"), says_even());
        alloc.d = {2, 4, 3, 2};
        alloc.null_t = true;
        EXPECT_POINTS_REFUSED(alloc, names("t"), says_null());
    }
    EXPECT_THAT(shape_code_of([] { halconv::points_collection_output_shape({2, 5, 5, 7}, {2, 4, 3, 2}); }),
                AllOf(StartsWith("InvalidArgument"), names("t"), says_even()));
    EXPECT_THAT(shape_code_of([] { halconv::points_collection_output_shape({2, 6, 5, 7}, {2, 7, 3, 2}); }),
                AllOf(StartsWith("InvalidArgument"), names("d"), says_even()));
}

TEST(PointsBadInput, BatchMismatch) {
    for_both([](PointsCall &c) { c.d = c.grad_d = {3, 4, 3, 2}; },
             [](const PointsCall &c) { EXPECT_POINTS_REFUSED(c, names("t"), names("d"), says_batch()); });
    for_both([](PointsCall &c) { c.d = c.grad_d = {1, 4, 3, 2}; },
             [](const PointsCall &c) { EXPECT_POINTS_REFUSED(c, names("t"), names("d"), says_batch()); });
    EXPECT_THAT(shape_code_of([] { halconv::points_collection_output_shape({2, 6, 5, 7}, {1, 4, 3, 2}); }),
                AllOf(StartsWith("InvalidArgument"), says_batch()));
}

TEST(PointsBadInput, RankNot4) {
    for_both([](PointsCall &c) { c.t = c.grad_t = {6, 5, 7}; },
             [](const PointsCall &c) {
                 EXPECT_POINTS_REFUSED(c, names("t"), says_rank4(), HasSubstr("[6, 5, 7]"));
             });
    for_both([](PointsCall &c) { c.t = c.grad_t = {1, 2, 6, 5, 7}; },
             [](const PointsCall &c) { EXPECT_POINTS_REFUSED(c, names("t"), says_rank4()); });
    for_both([](PointsCall &c) { c.d = c.grad_d = {4, 3, 2}; },
             [](const PointsCall &c) { EXPECT_POINTS_REFUSED(c, names("d"), says_rank4()); });
    for_both([](PointsCall &c) { c.d = c.grad_d = {}; },
             [](const PointsCall &c) { EXPECT_POINTS_REFUSED(c, names("d"), says_rank4()); });
    {
        PointsCall c = PointsCall::forward();
        c.p = {12, 5, 7};
        EXPECT_POINTS_REFUSED(c, names("p"), says_rank4());
    }
    {
        PointsCall c = PointsCall::backward_call();
        c.p = {2, 12, 35};  // grad_p
        EXPECT_POINTS_REFUSED(c, names("grad_p"), says_rank4());
        c = PointsCall::backward_call();
        c.grad_t = {6, 5, 7};
        EXPECT_POINTS_REFUSED(c, names("grad_t"), says_rank4());
        c = PointsCall::backward_call();
        c.grad_d = {2, 4, 6};
        EXPECT_POINTS_REFUSED(c, names("grad_d"), says_rank4());
    }
    EXPECT_THAT(shape_code_of([] { halconv::points_collection_output_shape({6, 5, 7}, {2, 4, 3, 2}); }),
                AllOf(StartsWith("InvalidArgument"), names("t")));
}

TEST(PointsBadInput, EmptyTensors) {
    // Every dimension of t and d, one at a time.
    for (int dim = 0; dim < 4; dim++) {
        SCOPED_TRACE("dimension " + std::to_string(dim));
        for_both([dim](PointsCall &c) { c.t[(size_t)dim] = 0; },
                 [](const PointsCall &c) { EXPECT_POINTS_REFUSED(c, names("t"), says_empty()); });
        for_both([dim](PointsCall &c) { c.d[(size_t)dim] = 0; },
                 [](const PointsCall &c) { EXPECT_POINTS_REFUSED(c, names("d"), says_empty()); });
        for_both([dim](PointsCall &c) { c.t[(size_t)dim] = -2; },
                 [](const PointsCall &c) { EXPECT_POINTS_REFUSED(c, names("t")); });
    }
    {
        PointsCall c = PointsCall::forward();
        c.p = {2, 12, 0, 7};
        EXPECT_POINTS_REFUSED(c, names("p"));
    }
    {
        PointsCall c = PointsCall::backward_call();
        c.p = {2, 0, 5, 7};
        EXPECT_POINTS_REFUSED(c, names("grad_p"));
        c = PointsCall::backward_call();
        c.grad_t = {2, 6, 5, 0};
        EXPECT_POINTS_REFUSED(c, names("grad_t"));
        c = PointsCall::backward_call();
        c.grad_d = {0, 4, 3, 2};
        EXPECT_POINTS_REFUSED(c, names("grad_d"));
    }
    EXPECT_THAT(shape_code_of([] { halconv::points_collection_output_shape({2, 0, 5, 7}, {2, 4, 3, 2}); }),
                AllOf(StartsWith("InvalidArgument"), names("t")));
    EXPECT_THAT(shape_code_of([] { halconv::points_collection_output_shape({2, 6, 5, 7}, {2, 4, 0, 2}); }),
                AllOf(StartsWith("InvalidArgument"), names("d")));
}

TEST(PointsBadInput, NullData) {
    for_both([](PointsCall &c) { c.null_t = true; },
             [](const PointsCall &c) { EXPECT_POINTS_REFUSED(c, names("t"), says_null()); });
    for_both([](PointsCall &c) { c.null_d = true; },
             [](const PointsCall &c) { EXPECT_POINTS_REFUSED(c, names("d"), says_null()); });
    {
        PointsCall c = PointsCall::forward();
        c.null_p = true;
        EXPECT_POINTS_REFUSED(c, names("p"), says_null());
    }
    {
        PointsCall c = PointsCall::backward_call();
        c.null_p = true;
        EXPECT_POINTS_REFUSED(c, names("grad_p"), says_null());
        c = PointsCall::backward_call();
        c.null_grad_t = true;
        EXPECT_POINTS_REFUSED(c, names("grad_t"), says_null());
        c = PointsCall::backward_call();
        c.null_grad_d = true;
        EXPECT_POINTS_REFUSED(c, names("grad_d"), says_null());
    }
}

// ---------------------------------------------------------------------------
// Outputs and gradients of the wrong shape
// ---------------------------------------------------------------------------
TEST(PointsBadInput, OutputWrongShape) {
    for (Shape bad : {Shape{2, 6, 5, 7}, Shape{2, 12, 7, 5}, Shape{1, 12, 5, 7}, Shape{2, 12, 3, 2},
                      Shape{2, 24, 5, 7}, Shape{2, 12, 5, 8}}) {
        SCOPED_TRACE(shape_str(bad));
        PointsCall c = PointsCall::forward();
        c.p = bad;
        EXPECT_POINTS_REFUSED(c, names("p"), HasSubstr(shape_str(bad)), HasSubstr("[2, 12, 5, 7]"));
    }
}

TEST(PointsBadInput, GradientsWrongShape) {
    for (Shape bad : {Shape{2, 6, 5, 7}, Shape{2, 12, 7, 5}, Shape{1, 12, 5, 7}, Shape{2, 12, 3, 2}}) {
        SCOPED_TRACE("grad_p " + shape_str(bad));
        PointsCall c = PointsCall::backward_call();
        c.p = bad;
        EXPECT_POINTS_REFUSED(c, names("grad_p"), HasSubstr(shape_str(bad)), HasSubstr("[2, 12, 5, 7]"));
    }
    for (Shape bad : {Shape{2, 4, 5, 7}, Shape{2, 6, 7, 5}, Shape{1, 6, 5, 7}, Shape{2, 6, 3, 2}}) {
        SCOPED_TRACE("grad_t " + shape_str(bad));
        PointsCall c = PointsCall::backward_call();
        c.grad_t = bad;
        EXPECT_POINTS_REFUSED(c, names("grad_t"), HasSubstr(shape_str(bad)), HasSubstr("[2, 6, 5, 7]"));
    }
    for (Shape bad : {Shape{2, 6, 3, 2}, Shape{2, 4, 2, 3}, Shape{1, 4, 3, 2}, Shape{2, 4, 5, 7}}) {
        SCOPED_TRACE("grad_d " + shape_str(bad));
        PointsCall c = PointsCall::backward_call();
        c.grad_d = bad;
        EXPECT_POINTS_REFUSED(c, names("grad_d"), HasSubstr(shape_str(bad)), HasSubstr("[2, 4, 3, 2]"));
    }
}

// p = [B, 2NM, H, W] beyond halconv's 32-bit indexing is refused before any
// memory is touched (t and d themselves are fine).
TEST(PointsBadInput, OutputTooLarge) {
    for_both(
        [](PointsCall &c) {
            c.t = c.grad_t = {1, 200, 1000, 1000};  // 2e8 elements
            c.d = c.grad_d = {1, 200, 2, 2};        // M = 100: p would hold 2e10
            c.p = {1, 20000, 1000, 1000};
        },
        [](const PointsCall &c) {
            EXPECT_POINTS_REFUSED(c, names("p"), AnyOf(HasSubstr("2147483647"), HasSubstr("too large"),
                                                       HasSubstr("32-bit")));
        });
    EXPECT_THAT(shape_code_of([] { halconv::points_collection_output_shape({1, 200, 1000, 1000}, {1, 200, 2, 2}); }),
                StartsWith("InvalidArgument"));
}

TEST(PointsBadInput, CudaWithoutGpuIsDeviceUnavailable) {
    if (halconv::device_available(Device::CUDA)) GTEST_SKIP() << "CUDA is available on this machine";
    for_both([](PointsCall &c) { c.opt.device = Device::CUDA; },
             [](const PointsCall &c) {
                 expect_refused(c.run(), c.fn(), AnyOf(HasSubstr("CUDA"), HasSubstr("cuda")),
                                ErrorCode::DeviceUnavailable);
             });
}

// Shape errors come before device errors: a bad shape on an unavailable
// device is still InvalidArgument.
TEST(PointsBadInput, ShapeErrorsBeforeDeviceErrors) {
    if (halconv::device_available(Device::CUDA)) GTEST_SKIP() << "CUDA is available on this machine";
    for_both(
        [](PointsCall &c) {
            c.opt.device = Device::CUDA;
            c.t = c.grad_t = {2, 5, 5, 7};
        },
        [](const PointsCall &c) { EXPECT_POINTS_REFUSED(c, names("t"), says_even()); });
}


// Outputs written while inputs are still read must not share their memory
// (N = M = 1 makes p and t the same size, so p could be pointed at t).
using halconv::ConstTensor;
using halconv::Tensor;

TEST(PointsBadInput, OutputsAliasingInputs) {
    std::vector<float> t(1 * 2 * 3 * 4, 0.5f), d(1 * 2 * 2 * 2, 0.25f), g(t.size(), 1.0f), gd(d.size());
    const Shape ts{1, 2, 3, 4}, ds{1, 2, 2, 2};
    auto refused = [](const std::function<void()> &call, const std::string &out, const std::string &in) {
        try {
            call();
            ADD_FAILURE() << out << " aliasing " << in << " was accepted";
        } catch (const halconv::Error &e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
            EXPECT_THAT(std::string(e.what()), AllOf(names(out), names(in), HasSubstr("overlaps")));
        }
    };
    refused([&] { halconv::points_collection(ConstTensor(t, ts), ConstTensor(d, ds), Tensor(t, ts)); }, "p", "t");
    refused([&] {
        halconv::points_collection_backward(ConstTensor(t, ts), ConstTensor(d, ds), ConstTensor(g, ts), Tensor(g, ts),
                                            Tensor(gd, ds));
    }, "grad_t", "grad_p");
    refused([&] {
        halconv::points_collection_backward(ConstTensor(t, ts), ConstTensor(d, ds), ConstTensor(g, ts), Tensor(g.data() + 4, ts),
                                            Tensor(gd, ds));
    }, "grad_t", "grad_p");
    refused([&] {
        halconv::points_collection_backward(ConstTensor(t, ts), ConstTensor(d, ds), ConstTensor(g, ts), Tensor(t, ts),
                                            Tensor(gd, ds));
    }, "grad_t", "t");
}

TEST(PointsBadInput, AccumulationOutOfRange) {
    std::vector<float> t(2 * 3 * 4, 0.5f), d(2 * 2 * 2, 0.25f), g(t.size(), 1.0f), gt(t.size()), gd(d.size());
    halconv::PointsCollectionOptions o;
    o.accumulation = static_cast<halconv::GradAccumulation>(7);
    try {
        halconv::points_collection_backward(ConstTensor(t, {1, 2, 3, 4}), ConstTensor(d, {1, 2, 2, 2}),
                                            ConstTensor(g, {1, 2, 3, 4}), Tensor(gt, {1, 2, 3, 4}),
                                            Tensor(gd, {1, 2, 2, 2}), o);
        ADD_FAILURE() << "accumulation 7 was accepted";
    } catch (const halconv::Error &e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        EXPECT_THAT(std::string(e.what()), HasSubstr("accumulation"));
    }
}

}  // namespace
}  // namespace halconv_test
