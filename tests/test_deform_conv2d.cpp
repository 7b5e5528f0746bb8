// deform_conv2d against the double-precision reference of
// tests/reference_deform.h (itself checked against torchvision by
// tests/deform_oracle.py), forward and backward (all five gradients, both
// accumulation options), on the device this executable is built for
// (HALCONV_TEST_DEVICE: CPU, or OpenCL on PoCL); the sweep of
// tests/deform_cases.cpp, determinism of the backward (runs, and on the CPU
// thread counts), the scatter under contention (dense samples, every sample
// in one cell, many calls of one backward), and the documented edge cases
// (non-finite offsets, a NaN mask, the optional bias gradient). OpenCL is skipped with the library's
// reason when it is not available (except in CI, CI=true, where that fails).
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "deform_cases.h"

namespace halconv_test {
namespace {

using halconv::ConstTensor;
using halconv::GradAccumulation;
using halconv::Tensor;

constexpr Device kDevice = Device::HALCONV_TEST_DEVICE;

// Restores the default thread count (0: one per core) at scope exit.
struct DefaultThreadsAtExit {
    ~DefaultThreadsAtExit() { halconv::set_num_threads(0); }
};

// ---------------------------------------------------------------------------
// The sweep
// ---------------------------------------------------------------------------
class DeformSweep : public ::testing::TestWithParam<DeformCase> {
protected:
    void SetUp() override { HALCONV_REQUIRE_DEVICE(kDevice); }
};

TEST_P(DeformSweep, ForwardMatchesReference) { check_deform_forward_case(GetParam(), kDevice); }
TEST_P(DeformSweep, BackwardDeterministicMatchesReference) {
    check_deform_backward_case(GetParam(), kDevice, GradAccumulation::Deterministic);
}
TEST_P(DeformSweep, BackwardAtomicMatchesReference) {
    check_deform_backward_case(GetParam(), kDevice, GradAccumulation::Atomic);
}

INSTANTIATE_TEST_SUITE_P(Deform, DeformSweep, ::testing::ValuesIn(deform_cases()), CaseName());

TEST(DeformCases, ListIsValidAndCoversThePlan) {
    const auto cases = deform_cases();
    EXPECT_GE(cases.size(), 30u);
    EXPECT_TRUE(deform_cases_valid(cases));
    EXPECT_EQ(deform_coverage_missing(cases), std::vector<std::string>{});
}

// The data generators do what the case kinds promise: Gaussian positions
// keep their distance from the kinks, Integer positions are integers and
// reach torchvision's borders -1, 0, H-1 and H (rows and columns) with the
// other coordinate inside, NonFinite offsets hold every special value, a
// NaN mask holds NaN.
TEST(DeformCases, DataKindsHoldTheirPromises) {
    bool border[2][4] = {};  // [axis][-1, 0, size-1, size]
    for (const DeformCase &c : deform_cases()) {
        SCOPED_TRACE(c.describe());
        const DeformConv2dSpec &s = c.spec;
        const DeformTensors t = deform_tensors(c, pool_seed(c.name(), 61));
        const int64_t OH = s.OH(), OW = s.OW(), RS = s.R * s.S, G = s.offset_groups;
        int64_t near_kink = 0, fractional = 0, nan = 0, pinf = 0, ninf = 0, huge = 0;
        for (int64_t n = 0; n < s.N; n++)
            for (int64_t grp = 0; grp < G; grp++)
                for (int64_t i = 0; i < s.R; i++)
                    for (int64_t j = 0; j < s.S; j++)
                        for (int64_t oh = 0; oh < OH; oh++)
                            for (int64_t ow = 0; ow < OW; ow++) {
                                const int64_t k = i * s.S + j;
                                const Shape os = s.offset_shape();
                                const float dy = t.offset[(size_t)idx4(os, n, grp * 2 * RS + 2 * k, oh, ow)];
                                const float dx = t.offset[(size_t)idx4(os, n, grp * 2 * RS + 2 * k + 1, oh, ow)];
                                const double pos[2] = {
                                    (double)(oh * s.stride[0] - s.padding[0] + i * s.dilation[0]) + (double)dy,
                                    (double)(ow * s.stride[1] - s.padding[1] + j * s.dilation[1]) + (double)dx};
                                const double size[2] = {(double)s.H, (double)s.W};
                                for (float v : {dy, dx}) {
                                    nan += std::isnan(v);
                                    pinf += v == std::numeric_limits<float>::infinity();
                                    ninf += v == -std::numeric_limits<float>::infinity();
                                    huge += std::isfinite(v) && std::fabs(v) >= 1e29f;
                                }
                                for (int a = 0; a < 2; a++) {
                                    if (!std::isfinite(pos[a])) continue;
                                    const double kd = deform_kink_distance(pos[a]);
                                    near_kink += kd > 0.0 && kd < kDeformKinkMargin;
                                    fractional += kd > 0.0;
                                    const double other = pos[1 - a];
                                    const bool other_inside = other > -1.0 && other < size[1 - a];
                                    if (kd == 0.0 && other_inside) {
                                        border[a][0] |= pos[a] == -1.0;
                                        border[a][1] |= pos[a] == 0.0;
                                        border[a][2] |= pos[a] == size[a] - 1.0;
                                        border[a][3] |= pos[a] == size[a];
                                    }
                                }
                            }
        EXPECT_EQ(near_kink, 0) << "positions within " << kDeformKinkMargin << " px of an integer, not on it";
        if (c.offsets == DeformOffsets::Integer || c.offsets == DeformOffsets::Zero) {
            EXPECT_EQ(fractional, 0) << "non-integer positions in an integer case";
        }
        if (c.offsets == DeformOffsets::NonFinite) {
            EXPECT_GT(nan, 0);
            EXPECT_GT(pinf, 0);
            EXPECT_GT(ninf, 0);
            EXPECT_GT(huge, 0);
        } else {
            EXPECT_EQ(nan + pinf + ninf + huge, 0) << "special offsets in a finite case";
        }
        if (s.has_mask && c.mask_data == DeformMask::WithNaN) {
            int64_t nan_mask = 0;
            for (float m : t.mask) nan_mask += std::isnan(m);
            EXPECT_GT(nan_mask, 0);
            EXPECT_LT(nan_mask, (int64_t)t.mask.size() / 8) << "NaN would hide everything else";
        }
    }
    const char *names[4] = {"-1", "0", "size - 1", "size"};
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 4; b++)
            EXPECT_TRUE(border[a][b]) << "no integer case puts a sample exactly at " << (a == 0 ? "row " : "column ")
                                      << names[b];
}

// ---------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------
TEST(DeformConv2dShape, OutputShapeFollowsConv2dsRule) {
    halconv::DeformConv2dOptions o;
    o.device = kDevice;
    // 3x3, padding 1: same size; G = 2 inferred from 36 = 2 * 2 * 9 offset channels.
    o.padding = {1, 1};
    EXPECT_EQ(halconv::deform_conv2d_output_shape({2, 4, 6, 7}, {2, 36, 6, 7}, {5, 4, 3, 3}, {}, o),
              (Shape{2, 5, 6, 7}));
    EXPECT_EQ(halconv::deform_conv2d_output_shape({2, 4, 6, 7}, {2, 36, 6, 7}, {5, 4, 3, 3}, {2, 18, 6, 7}, o),
              (Shape{2, 5, 6, 7}));
    // stride (2, 1), dilation (1, 2), padding (0, 2): OH = (9 - 2 - 1) / 2 + 1 = 4, OW = (8 + 4 - 4 - 1) + 1 = 8.
    o.stride = {2, 1};
    o.dilation = {1, 2};
    o.padding = {0, 2};
    EXPECT_EQ(halconv::deform_conv2d_output_shape({1, 6, 9, 8}, {1, 18, 4, 8}, {3, 6, 3, 3}, {1, 9, 4, 8}, o),
              (Shape{1, 3, 4, 8}));
    // groups 2: weight [K, C / 2, R, S]; floor division (10 + 0 - 3) / 2 + 1 = 4.
    o = {};
    o.device = kDevice;
    o.groups = 2;
    o.stride = {2, 2};
    EXPECT_EQ(halconv::deform_conv2d_output_shape({1, 4, 10, 10}, {1, 18, 4, 4}, {6, 2, 3, 3}, {}, o),
              (Shape{1, 6, 4, 4}));
    // 1x1 kernel on a 1x1 input.
    o = {};
    o.device = kDevice;
    EXPECT_EQ(halconv::deform_conv2d_output_shape({3, 2, 1, 1}, {3, 2, 1, 1}, {4, 2, 1, 1}, {3, 1, 1, 1}, o),
              (Shape{3, 4, 1, 1}));
}

// ---------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------
// The Deterministic backward gives the same bits on three runs and, on the
// CPU, for 1 and 2 threads; so does the forward. On the CPU, Atomic is the
// deterministic path (the same bits).
TEST(DeformConv2dDeterminism, DeterministicBackwardIsBitIdentical) {
    HALCONV_REQUIRE_DEVICE(kDevice);
    DefaultThreadsAtExit restore;
    const DeformCase c = deform("determinism", 2, 8, 13, 17, 6, 3, 3).p(1).og(2).masked().with_bias().std_px(1.5);
    const DeformConv2dSpec &s = c.spec;
    SCOPED_TRACE(c.describe());
    const DeformTensors t = deform_tensors(c, 71);
    std::vector<DeformGradTensors> grads;
    std::vector<std::vector<float>> outs;
    const int threads[] = {1, 2, 1, 2};
    for (int run = 0; run < 4; run++) {
        if (kDevice == Device::CPU) halconv::set_num_threads(threads[run]);
        else if (run == 3) break;  // three runs on a GPU device
        grads.push_back(run_deform_backward(s, t, t.grad_output, c.options(kDevice), true));
        outs.push_back(run_deform(s, t, c.options(kDevice)));
        ASSERT_FALSE(grads.back().input.empty() || outs.back().empty());
    }
    for (size_t r = 1; r < grads.size(); r++) {
        SCOPED_TRACE("run " + std::to_string(r) +
                     (kDevice == Device::CPU ? " (" + std::to_string(threads[r]) + " thread(s)) vs run 0 (1 thread)"
                                             : std::string()));
        EXPECT_TRUE(deform_bits_equal(grads[r].input, grads[0].input, s.input_shape())) << "grad_input";
        EXPECT_TRUE(deform_bits_equal(grads[r].offset, grads[0].offset, s.offset_shape())) << "grad_offset";
        EXPECT_TRUE(deform_bits_equal(grads[r].weight, grads[0].weight, s.weight_shape())) << "grad_weight";
        EXPECT_TRUE(deform_bits_equal(grads[r].bias, grads[0].bias, {s.K})) << "grad_bias";
        EXPECT_TRUE(deform_bits_equal(grads[r].mask, grads[0].mask, s.mask_shape())) << "grad_mask";
        EXPECT_TRUE(deform_bits_equal(outs[r], outs[0], s.output_shape())) << "output";
    }
    if (kDevice == Device::CPU) {
        halconv::set_num_threads(2);
        const DeformGradTensors atomic =
            run_deform_backward(s, t, t.grad_output, c.options(kDevice, GradAccumulation::Atomic), true);
        ASSERT_FALSE(atomic.input.empty());
        EXPECT_TRUE(deform_bits_equal(atomic.input, grads[0].input, s.input_shape())) << "Atomic grad_input on the CPU";
        EXPECT_TRUE(deform_bits_equal(atomic.offset, grads[0].offset, s.offset_shape())) << "Atomic grad_offset";
        EXPECT_TRUE(deform_bits_equal(atomic.weight, grads[0].weight, s.weight_shape())) << "Atomic grad_weight";
        EXPECT_TRUE(deform_bits_equal(atomic.mask, grads[0].mask, s.mask_shape())) << "Atomic grad_mask";
    }
}

// A wide problem with many samples per input pixel (dense scatter: the atomic
// variant really races on GPUs) agrees with the reference in both modes.
TEST(DeformConv2dDeterminism, DenseScatterMatchesReferenceInBothModes) {
    HALCONV_REQUIRE_DEVICE(kDevice);
    // 5x5 taps with offsets of std 0.5: each input pixel gets ~100 samples per channel.
    const DeformCase c = deform("dense", 1, 4, 12, 20, 8, 5, 5).p(2).masked().std_px(0.5);
    const DeformConv2dSpec &s = c.spec;
    SCOPED_TRACE(c.describe());
    const DeformTensors t = deform_tensors(c, 81);
    const DeformConv2dGrads want = deform_backward_reference(s, t, t.grad_output);
    const DeformTerms terms = deform_terms(s);
    for (GradAccumulation acc : {GradAccumulation::Deterministic, GradAccumulation::Atomic}) {
        SCOPED_TRACE(halconv::grad_accumulation_name(acc));
        const DeformGradTensors g = run_deform_backward(s, t, t.grad_output, c.options(kDevice, acc), false);
        ASSERT_FALSE(g.input.empty());
        EXPECT_TRUE(deform_values_match(g.input, want.input, deform_tolerance(terms.input))) << "grad_input";
        EXPECT_TRUE(deform_values_match(g.offset, want.offset, deform_tolerance(terms.offset), "ch")) << "grad_offset";
        EXPECT_TRUE(deform_values_match(g.weight, want.weight, deform_tolerance(terms.weight), "c'")) << "grad_weight";
        EXPECT_TRUE(deform_values_match(g.mask, want.mask, deform_tolerance(terms.mask), "ch")) << "grad_mask";
    }
}

// Every sample of every tap and pixel lands in the same cell (offsets
// pointing each sample at (3.3, 4.6)): grad_input gets all its terms on four
// pixels, the worst contention an atomic scatter can meet (a lost update
// shows as a missing term). Five calls per mode.
TEST(DeformConv2dDeterminism, ScatterIntoOneCellMatchesReference) {
    HALCONV_REQUIRE_DEVICE(kDevice);
    const DeformCase c = deform("one_cell", 1, 2, 24, 24, 3, 3, 3).p(1).masked().std_px(0.5);
    const DeformConv2dSpec &s = c.spec;
    SCOPED_TRACE(c.describe() + ", every sample at (3.3, 4.6)");
    DeformTensors t = deform_tensors(c, 121);
    const Shape os = s.offset_shape();
    for (int64_t i = 0; i < s.R; i++)
        for (int64_t j = 0; j < s.S; j++)
            for (int64_t oh = 0; oh < s.OH(); oh++)
                for (int64_t ow = 0; ow < s.OW(); ow++) {
                    const int64_t k = i * s.S + j;
                    t.offset[(size_t)idx4(os, 0, 2 * k, oh, ow)] = (float)(3.3 - (double)(oh - 1 + i));
                    t.offset[(size_t)idx4(os, 0, 2 * k + 1, oh, ow)] = (float)(4.6 - (double)(ow - 1 + j));
                }
    const DeformConv2dGrads want = deform_backward_reference(s, t, t.grad_output);
    const DeformTerms terms = deform_terms(s);
    // All R*S*OH*OW samples of a channel reach the same four pixels.
    const int64_t scatter_terms = s.R * s.S * s.OH() * s.OW() + s.K;
    for (GradAccumulation acc : {GradAccumulation::Deterministic, GradAccumulation::Atomic}) {
        SCOPED_TRACE(halconv::grad_accumulation_name(acc));
        for (int run = 0; run < 5; run++) {
            SCOPED_TRACE("call " + std::to_string(run + 1));
            const DeformGradTensors g = run_deform_backward(s, t, t.grad_output, c.options(kDevice, acc), false);
            ASSERT_FALSE(g.input.empty());
            EXPECT_TRUE(deform_values_match(g.input, want.input, deform_tolerance(scatter_terms))) << "grad_input";
            EXPECT_TRUE(deform_values_match(g.offset, want.offset, deform_tolerance(terms.offset), "ch"))
                << "grad_offset";
            EXPECT_TRUE(deform_values_match(g.weight, want.weight, deform_tolerance(terms.weight), "c'"))
                << "grad_weight";
        }
    }
}

// Many calls of the same backward (a batch of 3, so that the scatter kernel
// has many work-groups), each against the reference: a race that loses an
// update now and then (a missing term in one element of grad_input) shows
// up here even when it hits only a few percent of the calls.
TEST(DeformConv2dDeterminism, EveryCallOfTheBackwardIsRight) {
    HALCONV_REQUIRE_DEVICE(kDevice);
    const DeformCase c = deform("repeat", 3, 16, 10, 12, 16, 3, 3).p(1).og(4).masked().with_bias().std_px(1.0);
    const DeformConv2dSpec &s = c.spec;
    SCOPED_TRACE(c.describe());
    const DeformTensors t = deform_tensors(c, 131);
    const DeformConv2dGrads want = deform_backward_reference(s, t, t.grad_output);
    const DeformTerms terms = deform_terms(s);
    const int calls = 150;
    for (GradAccumulation acc : {GradAccumulation::Deterministic, GradAccumulation::Atomic}) {
        SCOPED_TRACE(halconv::grad_accumulation_name(acc));
        int bad_calls = 0;
        std::string first;
        for (int call = 0; call < calls; call++) {
            const DeformGradTensors g = run_deform_backward(s, t, t.grad_output, c.options(kDevice, acc), true);
            ASSERT_FALSE(g.input.empty());
            const ::testing::AssertionResult in = deform_values_match(g.input, want.input, deform_tolerance(terms.input));
            const ::testing::AssertionResult off =
                deform_values_match(g.offset, want.offset, deform_tolerance(terms.offset), "ch");
            const ::testing::AssertionResult w =
                deform_values_match(g.weight, want.weight, deform_tolerance(terms.weight), "c'");
            if ((!in || !off || !w) && bad_calls++ == 0) {
                first = "call " + std::to_string(call + 1) + ": " + (in ? "" : "grad_input: " + std::string(in.message())) +
                        (off ? "" : " grad_offset: " + std::string(off.message())) +
                        (w ? "" : " grad_weight: " + std::string(w.message()));
            }
        }
        EXPECT_EQ(bad_calls, 0) << "of " << calls << " calls gave wrong gradients; the first: " << first;
    }
}

// ---------------------------------------------------------------------------
// Documented edge cases
// ---------------------------------------------------------------------------

// grads.bias is optional: leaving it empty computes the others, bit for bit
// the same; grad_bias is the sum of grad_output over n, oh, ow.
TEST(DeformConv2dEdgeCases, BiasGradientIsOptional) {
    HALCONV_REQUIRE_DEVICE(kDevice);
    const DeformCase c = deform("optional_bias", 2, 4, 6, 7, 5, 3, 3).p(1).og(2).masked().with_bias().std_px(1.0);
    const DeformConv2dSpec &s = c.spec;
    const DeformTensors t = deform_tensors(c, 91);
    const DeformGradTensors with = run_deform_backward(s, t, t.grad_output, c.options(kDevice), true);
    const DeformGradTensors without = run_deform_backward(s, t, t.grad_output, c.options(kDevice), false);
    ASSERT_FALSE(with.input.empty() || without.input.empty());
    EXPECT_TRUE(without.bias.empty());
    EXPECT_TRUE(deform_bits_equal(without.input, with.input, s.input_shape())) << "grad_input";
    EXPECT_TRUE(deform_bits_equal(without.offset, with.offset, s.offset_shape())) << "grad_offset";
    EXPECT_TRUE(deform_bits_equal(without.weight, with.weight, s.weight_shape())) << "grad_weight";
    EXPECT_TRUE(deform_bits_equal(without.mask, with.mask, s.mask_shape())) << "grad_mask";
    const int64_t P = s.OH() * s.OW();
    for (int64_t o = 0; o < s.K; o++) {
        double sum = 0.0, abs_sum = 0.0;
        for (int64_t n = 0; n < s.N; n++)
            for (int64_t e = 0; e < P; e++) {
                const double g = t.grad_output[(size_t)((n * s.K + o) * P + e)];
                sum += g, abs_sum += std::fabs(g);
            }
        EXPECT_NEAR(with.bias[(size_t)o], sum, deform_tolerance(deform_terms(s).bias).rel * abs_sum) << "grad_bias " << o;
    }
}

// NaN, +-Inf and huge offsets sample 0 with derivative 0: the results equal
// (bit for bit up to the sign of zeros) those of the same problem with those
// offsets replaced by a plainly far one (1e6 px), and the offset gradient of
// every tap with a non-finite component is exactly 0 (both components).
TEST(DeformConv2dEdgeCases, NonFiniteOffsetsSampleZeroWithoutGradient) {
    HALCONV_REQUIRE_DEVICE(kDevice);
    const DeformCase c = deform("nonfinite", 2, 4, 6, 8, 3, 3, 3).p(1).og(2).masked().with_bias().std_px(1.5);
    const DeformConv2dSpec &s = c.spec;
    SCOPED_TRACE(c.describe());
    DeformTensors bad = deform_tensors(c, 101);
    DeformTensors far = bad;
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    const float specials[] = {nan, inf, -inf, 1e30f, -1e30f, 3e38f, -3e38f, 3e9f, -3e9f};
    const int64_t P = s.OH() * s.OW();
    std::vector<bool> tap_nonfinite(bad.offset.size() / 2, false);  // per (n, tap channel pair, oh, ow)
    int replaced = 0;
    for (size_t e = 0; e < bad.offset.size(); e += 3) {
        bad.offset[e] = specials[replaced % 9];
        far.offset[e] = 1e6f;
        const size_t ch = (e / (size_t)P) % (size_t)(s.offset_shape()[1]);
        const size_t n = e / ((size_t)P * (size_t)s.offset_shape()[1]);
        const size_t pair = (n * (size_t)s.offset_shape()[1] / 2 + ch / 2) * (size_t)P + e % (size_t)P;
        if (!std::isfinite(specials[replaced % 9])) tap_nonfinite[pair] = true;
        replaced++;
    }
    const std::vector<float> yb = run_deform(s, bad, c.options(kDevice)), yf = run_deform(s, far, c.options(kDevice));
    ASSERT_FALSE(yb.empty() || yf.empty());
    EXPECT_TRUE(pool_values_equal(yb, yf, s.output_shape())) << "output: non-finite vs far offsets";
    const DeformGradTensors gb = run_deform_backward(s, bad, bad.grad_output, c.options(kDevice), true);
    const DeformGradTensors gf = run_deform_backward(s, far, far.grad_output, c.options(kDevice), true);
    ASSERT_FALSE(gb.input.empty() || gf.input.empty());
    EXPECT_TRUE(pool_values_equal(gb.input, gf.input, s.input_shape())) << "grad_input";
    EXPECT_TRUE(pool_values_equal(gb.offset, gf.offset, s.offset_shape())) << "grad_offset";
    EXPECT_TRUE(pool_values_equal(gb.weight, gf.weight, s.weight_shape())) << "grad_weight";
    EXPECT_TRUE(pool_values_equal(gb.bias, gf.bias, {s.K})) << "grad_bias";
    EXPECT_TRUE(pool_values_equal(gb.mask, gf.mask, s.mask_shape())) << "grad_mask";
    int64_t nonzero = 0, checked = 0;
    for (size_t e = 0; e < bad.offset.size(); e++) {
        const size_t ch = (e / (size_t)P) % (size_t)(s.offset_shape()[1]);
        const size_t n = e / ((size_t)P * (size_t)s.offset_shape()[1]);
        const size_t pair = (n * (size_t)s.offset_shape()[1] / 2 + ch / 2) * (size_t)P + e % (size_t)P;
        if (!tap_nonfinite[pair]) continue;
        checked++;
        if (!(gb.offset[e] == 0.0f) && nonzero++ < 3)
            ADD_FAILURE() << "grad_offset " << position_str(s.offset_shape(), (int64_t)e, "ch") << " = "
                          << float_str(gb.offset[e]) << " for a tap with a non-finite offset (expected 0)";
    }
    EXPECT_GT(checked, 20);
    EXPECT_EQ(nonzero, 0) << "offset gradients of taps with a non-finite component that are not 0";
}

// A NaN mask value gives NaN in every output it reaches, even where its
// sample lies outside the input (mask * 0 is NaN, as in torchvision); the
// other outputs stay finite. Its own grad_mask (grad_column * B) is finite.
TEST(DeformConv2dEdgeCases, NaNMaskPropagatesEvenWhereTheSampleIsZero) {
    HALCONV_REQUIRE_DEVICE(kDevice);
    // K = 4 in 2 weight groups of 2 output channels; C = 4 in 2 offset
    // groups (channels 0-1 and 2-3) = the weight groups' channels.
    const DeformCase c = deform("nan_mask_outside", 1, 4, 5, 6, 4, 3, 3).p(1).g(2).og(2).masked().std_px(0.5);
    const DeformConv2dSpec &s = c.spec;
    DeformTensors t = deform_tensors(c, 111);
    const int64_t RS = 9, k = 4, grp = 1, oh = 2, ow = 3;  // centre tap of offset group 1 at (2, 3)
    t.offset[(size_t)idx4(s.offset_shape(), 0, grp * 2 * RS + 2 * k, oh, ow)] = 100.5f;  // far below: sample 0
    t.mask[(size_t)idx4(s.mask_shape(), 0, grp * RS + k, oh, ow)] = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> y = run_deform(s, t, c.options(kDevice));
    ASSERT_FALSE(y.empty());
    for (int64_t o = 0; o < s.K; o++)
        for (int64_t yy = 0; yy < s.OH(); yy++)
            for (int64_t xx = 0; xx < s.OW(); xx++) {
                const float v = y[(size_t)idx4(s.output_shape(), 0, o, yy, xx)];
                // Outputs 2, 3 (weight group 1) read channels 2, 3 (offset group 1).
                if (o >= 2 && yy == oh && xx == ow) {
                    EXPECT_TRUE(std::isnan(v)) << "output (" << o << ", " << yy << ", " << xx << ") = " << v;
                } else {
                    EXPECT_TRUE(std::isfinite(v)) << "output (" << o << ", " << yy << ", " << xx << ") = " << v;
                }
            }
    const DeformConv2dGrads want = deform_backward_reference(s, t, t.grad_output);
    const DeformGradTensors g = run_deform_backward(s, t, t.grad_output, c.options(kDevice), false);
    ASSERT_FALSE(g.input.empty());
    const DeformTerms terms = deform_terms(s);
    EXPECT_TRUE(deform_values_match(g.input, want.input, deform_tolerance(terms.input))) << "grad_input";
    EXPECT_TRUE(deform_values_match(g.offset, want.offset, deform_tolerance(terms.offset), "ch")) << "grad_offset";
    EXPECT_TRUE(deform_values_match(g.weight, want.weight, deform_tolerance(terms.weight), "c'")) << "grad_weight";
    EXPECT_TRUE(deform_values_match(g.mask, want.mask, deform_tolerance(terms.mask), "ch")) << "grad_mask";
    const float own = g.mask[(size_t)idx4(s.mask_shape(), 0, grp * RS + k, oh, ow)];
    EXPECT_EQ(own, 0.0f) << "grad_mask of the NaN mask value (its sample is 0)";
}

}  // namespace
}  // namespace halconv_test
