// deform_conv2d on the CPU: its mathematics as properties of halconv's own
// results (against halconv::conv2d and halconv::flow_warp, which have their
// own reference tests), and central finite differences of every gradient.
//
//   * zero offsets (and a unit mask) give conv2d exactly;
//   * a constant integer offset gives conv2d of the shifted (zero-filled)
//     input;
//   * the decomposition: for stride 1 and "same" padding, deform_conv2d is
//     the sum over taps k of a 1x1 conv2d (weights w[:, :, i_k, j_k]) of
//     mask_k * flow_warp(x, p_k + offset_k), p_k = (i dh - ph, j dw - pw);
//   * one constant flow f for every tap gives conv2d of flow_warp(x, f)
//     (on the zero-padded input, then conv2d without padding);
//   * G offset groups are the sum of G independent deformable convolutions
//     of the channel slices (forward and backward);
//   * the backward is linear in grad_output;
//   * adjoint identities: the forward is linear in the input, the weight
//     and the mask for fixed offsets, so <y - bias, g> equals <x, grad_input>,
//     <w, grad_weight> and <m, grad_mask>.
//
// Two float results are compared with twice the tolerance of one
// (deform_cases.h), scaled by the reference's abs_sum of the same problem.
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "deform_cases.h"

namespace halconv_test {
namespace {

using halconv::ConstTensor;
using halconv::GradAccumulation;
using halconv::Tensor;

const GradAccumulation kBothAccumulations[] = {GradAccumulation::Deterministic, GradAccumulation::Atomic};

halconv::Conv2dOptions conv_options(const DeformConv2dSpec &s) {
    halconv::Conv2dOptions o;
    o.stride = s.stride;
    o.padding = s.padding;
    o.dilation = s.dilation;
    o.groups = s.groups;
    o.device = Device::CPU;
    return o;
}

halconv::DeformConv2dOptions cpu(const DeformConv2dSpec &s, GradAccumulation acc = GradAccumulation::Deterministic) {
    return deform_options(s, Device::CPU, acc);
}

// |a - b| <= 2 (rel * bound.abs_sum + position * bound.position_bound) element by element.
::testing::AssertionResult agree(const std::vector<float> &a, const std::vector<double> &b, const DeformResult &bound,
                                 DeformTolerance tol, const char *channel = "c") {
    DeformResult want = bound;
    want.value = b;
    tol.rel *= 2, tol.position *= 2;
    return deform_values_match(a, want, tol, channel);
}
::testing::AssertionResult agree(const std::vector<float> &a, const std::vector<float> &b, const DeformResult &bound,
                                 DeformTolerance tol, const char *channel = "c") {
    return agree(a, widen(b), bound, tol, channel);
}

// Offsets on a grid of 1/64 px (positions base + offset exact in float, also
// when computed as (base part) + offset elsewhere), away from integers.
std::vector<float> dyadic_offsets(const DeformConv2dSpec &s, double spread, uint32_t seed) {
    std::vector<float> v = deform_offsets(s, DeformOffsets::Gaussian, spread, 1.0 / 32, seed);
    for (float &x : v) {
        double q = std::round((double)x * 64.0) / 64.0;
        if (q == std::floor(q)) q += 1.0 / 64;
        x = (float)q;
    }
    return v;
}

// input zero-padded by the padding: [N, C, H + 2 ph, W + 2 pw].
Tensor4 zero_pad(const DeformConv2dSpec &s, const std::vector<float> &x) {
    const int64_t Hp = s.H + 2 * s.padding[0], Wp = s.W + 2 * s.padding[1];
    Tensor4 r{{s.N, s.C, Hp, Wp}, std::vector<float>((size_t)(s.N * s.C * Hp * Wp), 0.0f)};
    for (int64_t n = 0; n < s.N; n++)
        for (int64_t c = 0; c < s.C; c++)
            for (int64_t y = 0; y < s.H; y++)
                for (int64_t xx = 0; xx < s.W; xx++)
                    r.data[(size_t)idx4(r.shape, n, c, y + s.padding[0], xx + s.padding[1])] =
                        x[(size_t)idx4(s.input_shape(), n, c, y, xx)];
    return r;
}

// Channels [c0, c1) of a [A, Ctot, ...] tensor with `inner` elements per channel.
std::vector<float> channels(const std::vector<float> &t, int64_t A, int64_t Ctot, int64_t inner, int64_t c0, int64_t c1) {
    std::vector<float> r;
    for (int64_t a = 0; a < A; a++)
        r.insert(r.end(), t.begin() + (long)((a * Ctot + c0) * inner), t.begin() + (long)((a * Ctot + c1) * inner));
    return r;
}
DeformResult channels(const DeformResult &t, int64_t A, int64_t Ctot, int64_t inner, int64_t c0, int64_t c1) {
    DeformResult r;
    r.shape = t.shape;
    r.shape[1] = c1 - c0;
    auto cut = [&](const std::vector<double> &v) {
        std::vector<double> out;
        for (int64_t a = 0; a < A; a++)
            out.insert(out.end(), v.begin() + (long)((a * Ctot + c0) * inner), v.begin() + (long)((a * Ctot + c1) * inner));
        return out;
    };
    r.value = cut(t.value), r.abs_sum = cut(t.abs_sum), r.position_bound = cut(t.position_bound);
    return r;
}

// ---------------------------------------------------------------------------
// Against conv2d
// ---------------------------------------------------------------------------
const DeformCase kConvCases[] = {
    deform("conv_basic", 2, 4, 7, 9, 5, 3, 3).p(1).with_bias(),
    deform("conv_s2_d2_g2_og2", 1, 6, 11, 10, 4, 3, 3).s(2).d(2).p(2).g(2).og(2),
    deform("conv_1x3_s12_og3", 1, 3, 8, 13, 5, 1, 3).s(1, 2).p(0, 1).og(3).with_bias(),
    deform("conv_5x5_og4", 1, 4, 9, 8, 3, 5, 5).p(2, 1).og(4),
};

TEST(DeformProperties, ZeroOffsetsAndUnitMaskGiveConv2d) {
    for (DeformCase c : kConvCases) {
        for (bool unit_mask : {false, true}) {
            c.spec.has_mask = unit_mask;
            const DeformConv2dSpec &s = c.spec;
            SCOPED_TRACE(c.describe() + (unit_mask ? ", unit mask" : ", no mask"));
            DeformTensors t = deform_tensors(s, DeformOffsets::Zero, 0.0, 0.0, DeformMask::Uniform, 201);
            if (unit_mask) std::fill(t.mask.begin(), t.mask.end(), 1.0f);
            const std::vector<float> y = run_deform(s, t, cpu(s));
            const Tensor4 conv = run_conv2d(Tensor4{s.input_shape(), t.input}, Tensor4{s.weight_shape(), t.weight},
                                            s.has_bias ? &t.bias : nullptr, conv_options(s));
            ASSERT_FALSE(y.empty() || conv.data.empty());
            ASSERT_EQ(conv.shape, s.output_shape());
            const DeformResult bound = deform_conv2d_reference(s, t.data());
            EXPECT_TRUE(agree(y, conv.data, bound, deform_tolerance(deform_terms(s).output), "k"));
        }
    }
}

// A constant integer offset (a, b) everywhere (mask 0.5: exact in float)
// equals conv2d, without padding, of the zero-padded input shifted by (a, b).
TEST(DeformProperties, ConstantIntegerOffsetIsConv2dOfTheShiftedInput) {
    for (DeformCase c : {kConvCases[0], kConvCases[1]}) {
        for (bool with_mask : {false, true}) {
            c.spec.has_mask = with_mask;
            const DeformConv2dSpec &s = c.spec;
            const int64_t ph = s.padding[0], pw = s.padding[1];
            for (auto ab : {std::array<int, 2>{1, 0}, {0, -1}, {-2, 3}, {2, 2}, {7, 0}, {0, -9}}) {
                SCOPED_TRACE(c.describe() + ", offset (" + std::to_string(ab[0]) + ", " + std::to_string(ab[1]) + ")" +
                             (with_mask ? ", mask 0.5" : ""));
                DeformTensors t = deform_tensors(s, DeformOffsets::Zero, 0.0, 0.0, DeformMask::Uniform, 211);
                for (size_t e = 0; e < t.offset.size(); e++) {
                    const int64_t ch = ((int64_t)e / (s.OH() * s.OW())) % (2 * s.offset_groups * s.R * s.S);
                    t.offset[e] = (float)(ch % 2 == 0 ? ab[0] : ab[1]);
                }
                std::fill(t.mask.begin(), t.mask.end(), 0.5f);
                Tensor4 canvas = zero_pad(s, std::vector<float>(t.input.size(), 0.0f));
                for (int64_t n = 0; n < s.N; n++)
                    for (int64_t ch = 0; ch < s.C; ch++)
                        for (int64_t yy = 0; yy < canvas.shape[2]; yy++)
                            for (int64_t xx = 0; xx < canvas.shape[3]; xx++) {
                                const int64_t sy = yy - ph + ab[0], sx = xx - pw + ab[1];
                                if (sy >= 0 && sy < s.H && sx >= 0 && sx < s.W)
                                    canvas.data[(size_t)idx4(canvas.shape, n, ch, yy, xx)] =
                                        (with_mask ? 0.5f : 1.0f) * t.input[(size_t)idx4(s.input_shape(), n, ch, sy, sx)];
                            }
                halconv::Conv2dOptions co = conv_options(s);
                co.padding = {0, 0};
                const Tensor4 conv = run_conv2d(canvas, Tensor4{s.weight_shape(), t.weight},
                                                s.has_bias ? &t.bias : nullptr, co);
                const std::vector<float> y = run_deform(s, t, cpu(s));
                ASSERT_FALSE(y.empty() || conv.data.empty());
                ASSERT_EQ(conv.shape, s.output_shape());
                EXPECT_TRUE(agree(y, conv.data, deform_conv2d_reference(s, t.data()),
                                  deform_tolerance(deform_terms(s).output), "k"));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Against flow_warp
// ---------------------------------------------------------------------------

// Stride 1, padding dil * (R - 1) / 2 (OH = H, OW = W):
//   deform_conv2d(x, offset, w, mask) = bias + sum_k conv1x1(w[:, :, i_k, j_k], mask_k * flow_warp(x, f_k))
// with flow f_k = (dx_k + j dw - pw, dy_k + i dh - ph) (channel 0 = dx), per
// offset group on its channel slice. Offsets on a 1/64 grid keep every
// position exact in float both ways.
TEST(DeformProperties, IsASumOverTapsOf1x1Conv2dOfFlowWarp) {
    const DeformCase cases[] = {
        deform("fw_3x3_g2_og2", 2, 4, 7, 9, 6, 3, 3).p(1).g(2).og(2).masked().with_bias().std_px(1.5),
        deform("fw_5x3_dil2", 1, 3, 9, 8, 4, 5, 3).d(2).p(4, 2).masked().std_px(2.5),
        deform("fw_1x1_og4", 1, 4, 6, 5, 3, 1, 1).og(4).with_bias().std_px(1.0),
        deform("fw_3x3_g2_og4_std6", 1, 8, 6, 7, 4, 3, 3).p(1).g(2).og(4).masked().std_px(6.0),
    };
    for (const DeformCase &c : cases) {
        const DeformConv2dSpec &s = c.spec;
        SCOPED_TRACE(c.describe());
        ASSERT_EQ(s.OH(), s.H);
        ASSERT_EQ(s.OW(), s.W);
        DeformTensors t = deform_tensors(c, 221);
        t.offset = dyadic_offsets(s, c.spread, 222);
        const int64_t N = s.N, C = s.C, H = s.H, W = s.W, RS = s.R * s.S, G = s.offset_groups, Cog = C / G;
        std::vector<double> sum((size_t)numel(s.output_shape()), 0.0);
        for (int64_t n = 0; n < N; n++)
            for (int64_t o = 0; o < s.K; o++)
                for (int64_t e = 0; e < H * W; e++)
                    sum[(size_t)((n * s.K + o) * H * W + e)] = s.has_bias ? t.bias[(size_t)o] : 0.0;
        for (int64_t i = 0; i < s.R; i++)
            for (int64_t j = 0; j < s.S; j++) {
                const int64_t k = i * s.S + j;
                // mask_k * flow_warp(x, f_k), offset group by offset group.
                Tensor4 z{s.input_shape(), std::vector<float>(t.input.size())};
                for (int64_t grp = 0; grp < G; grp++) {
                    const Shape slice{N, Cog, H, W}, fs{N, 2, H, W};
                    const std::vector<float> xs = channels(t.input, N, C, H * W, grp * Cog, (grp + 1) * Cog);
                    std::vector<float> flow((size_t)numel(fs)), warped(xs.size());
                    for (int64_t n = 0; n < N; n++)
                        for (int64_t e = 0; e < H * W; e++) {
                            const float dy = t.offset[(size_t)((n * 2 * G * RS + grp * 2 * RS + 2 * k) * H * W + e)];
                            const float dx = t.offset[(size_t)((n * 2 * G * RS + grp * 2 * RS + 2 * k + 1) * H * W + e)];
                            flow[(size_t)((n * 2 + 0) * H * W + e)] = dx + (float)(j * s.dilation[1] - s.padding[1]);
                            flow[(size_t)((n * 2 + 1) * H * W + e)] = dy + (float)(i * s.dilation[0] - s.padding[0]);
                        }
                    try {
                        halconv::flow_warp(ConstTensor(xs, slice), ConstTensor(flow, fs), Tensor(warped, slice));
                    } catch (const halconv::Error &e) {
                        FAIL() << "flow_warp threw " << pool_error_str(e);
                    }
                    for (int64_t n = 0; n < N; n++)
                        for (int64_t cc = 0; cc < Cog; cc++)
                            for (int64_t e = 0; e < H * W; e++) {
                                const float m =
                                    s.has_mask ? t.mask[(size_t)((n * G * RS + grp * RS + k) * H * W + e)] : 1.0f;
                                z.data[(size_t)((n * C + grp * Cog + cc) * H * W + e)] =
                                    m * warped[(size_t)((n * Cog + cc) * H * W + e)];
                            }
                }
                // 1x1 conv2d with the tap's weights.
                Tensor4 wk{{s.K, C / s.groups, 1, 1}, std::vector<float>((size_t)(s.K * C / s.groups))};
                for (int64_t o = 0; o < s.K; o++)
                    for (int64_t cc = 0; cc < C / s.groups; cc++)
                        wk.data[(size_t)(o * (C / s.groups) + cc)] =
                            t.weight[(size_t)idx4(s.weight_shape(), o, cc, i, j)];
                halconv::Conv2dOptions co;
                co.groups = s.groups;
                const Tensor4 yk = run_conv2d(z, wk, nullptr, co);
                ASSERT_EQ(yk.shape, s.output_shape());
                for (size_t e = 0; e < sum.size(); e++) sum[e] += yk.data[e];
            }
        const std::vector<float> y = run_deform(s, t, cpu(s));
        ASSERT_FALSE(y.empty());
        EXPECT_TRUE(agree(y, sum, deform_conv2d_reference(s, t.data()), deform_tolerance(deform_terms(s).output), "k"));
    }
}

// One constant flow f = (fy, fx) for every tap and position (any stride,
// dilation, groups): deform_conv2d(x, f, w) == conv2d(flow_warp(pad(x), f), w)
// without padding.
TEST(DeformProperties, ConstantFlowIsConv2dOfFlowWarp) {
    const DeformCase cases[] = {
        deform("cf_basic", 2, 4, 7, 9, 5, 3, 3).p(1).with_bias(),
        deform("cf_s2_d2_g2_og2", 1, 6, 11, 10, 4, 3, 3).s(2).d(2).p(2).g(2).og(2),
        deform("cf_1x3_s12_og3", 1, 3, 8, 13, 5, 1, 3).s(1, 2).p(0, 1).og(3).with_bias(),
    };
    for (const DeformCase &c : cases) {
        const DeformConv2dSpec &s = c.spec;
        for (auto f : {std::array<float, 2>{0.25f, -1.75f}, {2.5f, 0.75f}, {-0.5f, -3.25f}, {1.0f, -2.0f},
                       {-6.75f, 4.5f}}) {
            SCOPED_TRACE(c.describe() + ", flow (dy, dx) = (" + float_str(f[0]) + ", " + float_str(f[1]) + ")");
            DeformTensors t = deform_tensors(s, DeformOffsets::Zero, 0.0, 0.0, DeformMask::Uniform, 231);
            for (size_t e = 0; e < t.offset.size(); e++) {
                const int64_t ch = ((int64_t)e / (s.OH() * s.OW())) % (2 * s.offset_groups * s.R * s.S);
                t.offset[e] = ch % 2 == 0 ? f[0] : f[1];
            }
            const Tensor4 canvas = zero_pad(s, t.input);
            const Shape fs{s.N, 2, canvas.shape[2], canvas.shape[3]};
            std::vector<float> flow((size_t)numel(fs));
            for (size_t e = 0; e < flow.size(); e++)
                flow[e] = ((int64_t)e / (fs[2] * fs[3])) % 2 == 0 ? f[1] : f[0];
            Tensor4 warped{canvas.shape, std::vector<float>(canvas.data.size())};
            try {
                halconv::flow_warp(ConstTensor(canvas.data, canvas.shape), ConstTensor(flow, fs),
                                   Tensor(warped.data, warped.shape));
            } catch (const halconv::Error &e) {
                FAIL() << "flow_warp threw " << pool_error_str(e);
            }
            halconv::Conv2dOptions co = conv_options(s);
            co.padding = {0, 0};
            const Tensor4 conv = run_conv2d(warped, Tensor4{s.weight_shape(), t.weight}, s.has_bias ? &t.bias : nullptr, co);
            const std::vector<float> y = run_deform(s, t, cpu(s));
            ASSERT_FALSE(y.empty() || conv.data.empty());
            ASSERT_EQ(conv.shape, s.output_shape());
            EXPECT_TRUE(agree(y, conv.data, deform_conv2d_reference(s, t.data()),
                              deform_tolerance(deform_terms(s).output), "k"));
        }
    }
}

// ---------------------------------------------------------------------------
// Offset groups
// ---------------------------------------------------------------------------
// G offset groups (weight groups 1) == the sum over g of deformable convs of
// channel slice g with offset group g's offsets, mask and weights; the
// gradients of each part are the slices of the full gradients.
TEST(DeformProperties, OffsetGroupsAreIndependentConvsOfTheChannelSlices) {
    const DeformCase cases[] = {
        deform("og3_sum", 2, 6, 7, 8, 4, 3, 3).p(1).og(3).masked().with_bias().std_px(2.0),
        deform("og2_sum_s2", 1, 8, 9, 10, 5, 3, 3).s(2).p(1).og(2).std_px(1.5),
    };
    for (const DeformCase &c : cases) {
        const DeformConv2dSpec &s = c.spec;
        SCOPED_TRACE(c.describe());
        const DeformTensors t = deform_tensors(c, 241);
        const int64_t G = s.offset_groups, Cog = s.C / G, RS = s.R * s.S, OHW = s.OH() * s.OW();
        const std::vector<float> y = run_deform(s, t, cpu(s));
        const DeformGradTensors full = run_deform_backward(s, t, t.grad_output, cpu(s), false);
        ASSERT_FALSE(y.empty() || full.input.empty());
        const DeformResult fref = deform_conv2d_reference(s, t.data());
        const DeformConv2dGrads gref = deform_conv2d_backward_reference(s, t.data(), widen(t.grad_output));
        std::vector<double> sum((size_t)numel(s.output_shape()), 0.0);
        for (int64_t n = 0; n < s.N; n++)
            for (int64_t o = 0; o < s.K; o++)
                for (int64_t e = 0; e < OHW; e++)
                    sum[(size_t)((n * s.K + o) * OHW + e)] = s.has_bias ? t.bias[(size_t)o] : 0.0;
        for (int64_t grp = 0; grp < G; grp++) {
            SCOPED_TRACE("offset group " + std::to_string(grp));
            DeformConv2dSpec sub = s;
            sub.C = Cog, sub.offset_groups = 1, sub.has_bias = false;
            DeformTensors p;
            p.input = channels(t.input, s.N, s.C, s.H * s.W, grp * Cog, (grp + 1) * Cog);
            p.offset = channels(t.offset, s.N, 2 * G * RS, OHW, grp * 2 * RS, (grp + 1) * 2 * RS);
            if (s.has_mask) p.mask = channels(t.mask, s.N, G * RS, OHW, grp * RS, (grp + 1) * RS);
            p.weight = channels(t.weight, s.K, s.C, RS, grp * Cog, (grp + 1) * Cog);
            const std::vector<float> part = run_deform(sub, p, cpu(sub));
            const DeformGradTensors pg = run_deform_backward(sub, p, t.grad_output, cpu(sub), false);
            ASSERT_FALSE(part.empty() || pg.input.empty());
            for (size_t e = 0; e < sum.size(); e++) sum[e] += part[e];
            const DeformTerms terms = deform_terms(s);
            EXPECT_TRUE(agree(pg.input, channels(full.input, s.N, s.C, s.H * s.W, grp * Cog, (grp + 1) * Cog),
                              channels(gref.input, s.N, s.C, s.H * s.W, grp * Cog, (grp + 1) * Cog),
                              deform_tolerance(terms.input)))
                << "grad_input";
            EXPECT_TRUE(agree(pg.offset, channels(full.offset, s.N, 2 * G * RS, OHW, grp * 2 * RS, (grp + 1) * 2 * RS),
                              channels(gref.offset, s.N, 2 * G * RS, OHW, grp * 2 * RS, (grp + 1) * 2 * RS),
                              deform_tolerance(terms.offset), "ch"))
                << "grad_offset";
            EXPECT_TRUE(agree(pg.weight, channels(full.weight, s.K, s.C, RS, grp * Cog, (grp + 1) * Cog),
                              channels(gref.weight, s.K, s.C, RS, grp * Cog, (grp + 1) * Cog),
                              deform_tolerance(terms.weight), "c'"))
                << "grad_weight";
            if (s.has_mask) {
                EXPECT_TRUE(agree(pg.mask, channels(full.mask, s.N, G * RS, OHW, grp * RS, (grp + 1) * RS),
                                  channels(gref.mask, s.N, G * RS, OHW, grp * RS, (grp + 1) * RS),
                                  deform_tolerance(terms.mask), "ch"))
                    << "grad_mask";
            }
        }
        // The parts' sum carries one more rounding per part than the full call.
        DeformTolerance tol = deform_tolerance(deform_terms(s).output + G);
        EXPECT_TRUE(agree(y, sum, fref, tol, "k")) << "forward: the sum of the offset groups' convs";
    }
}

// ---------------------------------------------------------------------------
// Linearity and adjoints
// ---------------------------------------------------------------------------
const DeformCase kLinearCases[] = {
    deform("lin_og2_mask_bias", 2, 4, 6, 7, 5, 3, 3).p(1).og(2).masked().with_bias().std_px(1.5),
    deform("lin_g2_s2_d2", 1, 6, 9, 10, 4, 3, 3).s(2).d(2).p(2).g(2).og(3).masked().std_px(3.0),
    deform("lin_1x3_outside", 1, 3, 5, 11, 3, 1, 3).p(0, 1).with_bias().std_px(8.0),
};

// grads(g1 + a g2) = grads(g1) + a grads(g2), every gradient.
TEST(DeformProperties, BackwardIsLinearInGradOutput) {
    const float alpha = -0.625f;
    for (const DeformCase &c : kLinearCases) {
        const DeformConv2dSpec &s = c.spec;
        SCOPED_TRACE(c.describe());
        const DeformTensors t = deform_tensors(c, 251);
        const std::vector<float> g1 = t.grad_output, g2 = random_tensor((int64_t)g1.size(), 252);
        std::vector<float> g3(g1.size());
        for (size_t i = 0; i < g1.size(); i++) g3[i] = g1[i] + alpha * g2[i];
        const DeformConv2dData data = t.data();
        const DeformConv2dGrads r1 = deform_conv2d_backward_reference(s, data, widen(g1));
        const DeformConv2dGrads r2 = deform_conv2d_backward_reference(s, data, widen(g2));
        const DeformConv2dGrads r3 = deform_conv2d_backward_reference(s, data, widen(g3));
        const DeformTerms terms = deform_terms(s);
        for (GradAccumulation acc : kBothAccumulations) {
            SCOPED_TRACE(halconv::grad_accumulation_name(acc));
            const DeformGradTensors a = run_deform_backward(s, t, g1, cpu(s, acc), true);
            const DeformGradTensors b = run_deform_backward(s, t, g2, cpu(s, acc), true);
            const DeformGradTensors d = run_deform_backward(s, t, g3, cpu(s, acc), true);
            ASSERT_FALSE(a.input.empty() || b.input.empty() || d.input.empty());
            auto check = [&](const std::vector<float> &x1, const std::vector<float> &x2, const std::vector<float> &x3,
                             const DeformResult &w1, const DeformResult &w2, const DeformResult &w3, int64_t n,
                             const char *what) {
                const double rel = deform_tolerance(n).rel;
                int64_t bad = 0;
                std::string first;
                for (size_t i = 0; i < x1.size(); i++) {
                    const double lhs = x3[i], rhs = (double)x1[i] + (double)alpha * (double)x2[i];
                    const double tol =
                        rel * (w1.abs_sum[i] + std::fabs(alpha) * w2.abs_sum[i] + w3.abs_sum[i]) + 1e-30;
                    if (!(std::fabs(lhs - rhs) <= tol) && bad++ == 0)
                        first = position_str(w1.shape, (int64_t)i) + ": " + float_str(lhs) + " vs " + float_str(rhs) +
                                ", tolerance " + float_str(tol);
                }
                EXPECT_EQ(bad, 0) << what << ": elements violate linearity in grad_output; first " << first;
            };
            check(a.input, b.input, d.input, r1.input, r2.input, r3.input, terms.input, "grad_input");
            check(a.offset, b.offset, d.offset, r1.offset, r2.offset, r3.offset, terms.offset, "grad_offset");
            check(a.weight, b.weight, d.weight, r1.weight, r2.weight, r3.weight, terms.weight, "grad_weight");
            // grad_bias needs no bias in the forward: the reference computes it only with one.
            if (s.has_bias) check(a.bias, b.bias, d.bias, r1.bias, r2.bias, r3.bias, terms.bias, "grad_bias");
            if (s.has_mask) check(a.mask, b.mask, d.mask, r1.mask, r2.mask, r3.mask, terms.mask, "grad_mask");
        }
    }
}

// For fixed offsets the forward is linear in the input, in the weight and in
// the mask: <y - bias, g> = <x, grad_input> = <w, grad_weight> = <m, grad_mask>.
TEST(DeformProperties, AdjointIdentities) {
    for (const DeformCase &c : kLinearCases) {
        const DeformConv2dSpec &s = c.spec;
        SCOPED_TRACE(c.describe());
        const DeformTensors t = deform_tensors(c, 261);
        const DeformResult fref = deform_conv2d_reference(s, t.data());
        const DeformConv2dGrads gref = deform_conv2d_backward_reference(s, t.data(), widen(t.grad_output));
        const DeformTerms terms = deform_terms(s);
        const std::vector<float> y = run_deform(s, t, cpu(s));
        ASSERT_FALSE(y.empty());
        // <y - bias, g> and its error bound.
        const int64_t OHW = s.OH() * s.OW();
        double lhs = 0.0, lhs_err = 0.0;
        const DeformTolerance ft = deform_tolerance(terms.output);
        for (size_t e = 0; e < y.size(); e++) {
            const int64_t o = ((int64_t)e / OHW) % s.K;
            const double g = t.grad_output[e];
            lhs += g * ((double)y[e] - (s.has_bias ? (double)t.bias[(size_t)o] : 0.0));
            lhs_err += std::fabs(g) * (ft.rel * fref.abs_sum[e] + ft.position * fref.position_bound[e]);
        }
        for (GradAccumulation acc : kBothAccumulations) {
            SCOPED_TRACE(halconv::grad_accumulation_name(acc));
            const DeformGradTensors gr = run_deform_backward(s, t, t.grad_output, cpu(s, acc), false);
            ASSERT_FALSE(gr.input.empty());
            auto inner = [&](const std::vector<float> &v, const std::vector<float> &grad, const DeformResult &bound,
                             int64_t n, double *err) {
                const DeformTolerance tol = deform_tolerance(n);
                double sum = 0.0;
                *err = 0.0;
                for (size_t i = 0; i < v.size(); i++) {
                    sum += (double)v[i] * (double)grad[i];
                    *err += std::fabs((double)v[i]) * (tol.rel * bound.abs_sum[i] + tol.position * bound.position_bound[i]);
                }
                return sum;
            };
            double err;
            const double via_input = inner(t.input, gr.input, gref.input, terms.input, &err);
            EXPECT_NEAR(lhs, via_input, lhs_err + err + 1e-12) << "<y - bias, g> vs <x, grad_input>";
            const double via_weight = inner(t.weight, gr.weight, gref.weight, terms.weight, &err);
            EXPECT_NEAR(lhs, via_weight, lhs_err + err + 1e-12) << "<y - bias, g> vs <w, grad_weight>";
            if (s.has_mask) {
                const double via_mask = inner(t.mask, gr.mask, gref.mask, terms.mask, &err);
                EXPECT_NEAR(lhs, via_mask, lhs_err + err + 1e-12) << "<y - bias, g> vs <m, grad_mask>";
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Finite differences
// ---------------------------------------------------------------------------
// The loss L = <y, g> with y the forward of the perturbed problem. The
// offsets keep kFdMargin px from integer positions and move by kFdOffsetStep,
// so every perturbed sample stays in its cell, where B is linear in each
// coordinate; L is linear in the input, weight, mask and bias. So the
// central difference is exact up to rounding:
//   * on the reference (double): up to ~1e-16 L / step: compared with
//     halconv's analytic gradient within that gradient's own tolerance
//     (deform_cases.h) plus 1e-9 (1 + |fd|);
//   * on halconv's float forward: each output element is within its
//     tolerance e_i of the exact value (the sweep checks that), so the
//     difference is within sum_i |g_i| (e_i(+) + e_i(-)) / step over the
//     outputs the perturbation changes; added to the analytic gradient's
//     tolerance.
// The error bound of halconv's difference shrinks with the step (the
// rounding errors of y(+) and y(-) do not), so the steps are large: any step
// is exact for the linear arguments, and offsets move by a quarter pixel
// inside cells they keep 0.3 px inside of.
constexpr double kFdMargin = 0.3;
constexpr double kFdOffsetStep = 0.25;
constexpr float kFdLinearStep = 4.0f;

// Up to `limit` distinct indices of [0, n), deterministic, the first and the last included.
std::vector<size_t> some_indices(size_t n, size_t limit, uint32_t seed) {
    std::vector<size_t> all(n);
    for (size_t i = 0; i < n; i++) all[i] = i;
    if (n <= limit) return all;
    std::mt19937 gen(seed);
    std::shuffle(all.begin() + 1, all.end() - 1, gen);
    std::vector<size_t> r(all.begin(), all.begin() + (long)(limit - 1));
    r.push_back(n - 1);
    return r;
}

struct FdOutcome {
    int64_t checked = 0, bad_ref = 0, bad_halconv = 0;
    std::string first_ref, first_halconv;
};

// Central differences in the elements of `member` (one of t's tensors) for
// the analytic gradient `grad` (halconv) with its reference `want`.
void central_differences(const DeformConv2dSpec &s, DeformTensors t, std::vector<float> DeformTensors::*member,
                         const std::vector<float> &grad, const DeformResult &want, int64_t grad_terms, float step,
                         size_t limit, const char *what) {
    SCOPED_TRACE(what);
    std::vector<float> &v = t.*member;
    ASSERT_EQ(v.size(), grad.size());
    const std::vector<double> g = widen(t.grad_output);
    const DeformTolerance gt = deform_tolerance(grad_terms), ft = deform_tolerance(deform_terms(s).output);
    FdOutcome out;
    for (size_t e : some_indices(v.size(), limit, 271)) {
        const float keep = v[e];
        const float plus = (float)((double)keep + step), minus = (float)((double)keep - step);
        const double h = (double)plus - (double)minus;  // the step actually taken
        v[e] = plus;
        const DeformResult rp = deform_conv2d_reference(s, t.data());
        const std::vector<float> yp = run_deform(s, t, cpu(s));
        v[e] = minus;
        const DeformResult rm = deform_conv2d_reference(s, t.data());
        const std::vector<float> ym = run_deform(s, t, cpu(s));
        v[e] = keep;
        ASSERT_FALSE(yp.empty() || ym.empty());
        double ref_diff = 0.0, hal_diff = 0.0, hal_err = 0.0, scale = 0.0;
        for (size_t i = 0; i < g.size(); i++) {
            if (rp.value[i] == rm.value[i] && yp[i] == ym[i]) continue;  // unchanged output
            ref_diff += g[i] * (rp.value[i] - rm.value[i]);
            hal_diff += g[i] * ((double)yp[i] - (double)ym[i]);
            hal_err += std::fabs(g[i]) * (ft.rel * (rp.abs_sum[i] + rm.abs_sum[i]) +
                                          ft.position * (rp.position_bound[i] + rm.position_bound[i]));
            scale += std::fabs(g[i]) * (rp.abs_sum[i] + rm.abs_sum[i]);
        }
        const double fd_ref = ref_diff / h, fd_hal = hal_diff / h;
        const double an = grad[e];
        const double an_tol = gt.rel * want.abs_sum[e] + gt.position * want.position_bound[e];
        out.checked++;
        const double tol_ref = an_tol + 1e-9 * (1.0 + std::fabs(fd_ref)) + 1e-14 * scale / h;
        if (!(std::fabs(fd_ref - an) <= tol_ref) && out.bad_ref++ == 0)
            out.first_ref = "element " + position_str(want.shape, (int64_t)e) + ": analytic " + float_str(an) +
                            ", central difference of the reference " + float_str(fd_ref) + " (tolerance " +
                            float_str(tol_ref) + ")";
        const double tol_hal = an_tol + hal_err / h;
        if (!(std::fabs(fd_hal - an) <= tol_hal) && out.bad_halconv++ == 0)
            out.first_halconv = "element " + position_str(want.shape, (int64_t)e) + ": analytic " + float_str(an) +
                                ", central difference of halconv's forward " + float_str(fd_hal) + " (tolerance " +
                                float_str(tol_hal) + ")";
    }
    EXPECT_GT(out.checked, 0);
    EXPECT_EQ(out.bad_ref, 0) << "of " << out.checked << " elements; first " << out.first_ref;
    EXPECT_EQ(out.bad_halconv, 0) << "of " << out.checked << " elements; first " << out.first_halconv;
}

class DeformFiniteDifferences : public ::testing::TestWithParam<DeformCase> {};

TEST_P(DeformFiniteDifferences, OfEveryGradient) {
    const DeformCase &c = GetParam();
    const DeformConv2dSpec &s = c.spec;
    SCOPED_TRACE(c.describe() + ", offsets " + float_str(kFdMargin) + " px from integers");
    const DeformTensors t =
        deform_tensors(s, DeformOffsets::Gaussian, c.spread, kFdMargin, DeformMask::Uniform, pool_seed(c.name(), 281));
    const DeformConv2dGrads want = deform_conv2d_backward_reference(s, t.data(), widen(t.grad_output));
    const DeformTerms terms = deform_terms(s);
    for (GradAccumulation acc : kBothAccumulations) {
        SCOPED_TRACE(halconv::grad_accumulation_name(acc));
        const DeformGradTensors an = run_deform_backward(s, t, t.grad_output, cpu(s, acc), s.has_bias);
        ASSERT_FALSE(an.input.empty());
        central_differences(s, t, &DeformTensors::input, an.input, want.input, terms.input, kFdLinearStep, 60,
                            "grad_input");
        central_differences(s, t, &DeformTensors::offset, an.offset, want.offset, terms.offset, (float)kFdOffsetStep,
                            120, "grad_offset");
        central_differences(s, t, &DeformTensors::weight, an.weight, want.weight, terms.weight, kFdLinearStep, 60,
                            "grad_weight");
        if (s.has_mask)
            central_differences(s, t, &DeformTensors::mask, an.mask, want.mask, terms.mask, kFdLinearStep, 60,
                                "grad_mask");
        if (s.has_bias)
            central_differences(s, t, &DeformTensors::bias, an.bias, want.bias, terms.bias, kFdLinearStep, 60,
                                "grad_bias");
    }
}

INSTANTIATE_TEST_SUITE_P(
    Deform, DeformFiniteDifferences,
    ::testing::Values(deform("fd_basic", 1, 4, 5, 6, 3, 3, 3).p(1).og(2).masked().with_bias().std_px(1.0),
                      deform("fd_s2_d2_g2", 2, 4, 7, 7, 4, 3, 3).s(2).d(2).p(2).g(2).og(2).masked().std_px(2.0),
                      deform("fd_1x3_og4_outside", 1, 4, 4, 7, 2, 1, 3).p(0, 1).og(4).masked().with_bias().std_px(4.0)),
    CaseName());

}  // namespace
}  // namespace halconv_test
