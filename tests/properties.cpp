#include "properties.h"

#include <cmath>
#include <sstream>

namespace halconv_test {

namespace {

// Per-element sum of |terms| of conv2d / conv_transpose2d from the reference:
// the scale of the rounding error of any evaluation order.
std::vector<double> conv2d_bound(const Tensor4 &x, const Tensor4 &w, const std::vector<float> *bias,
                                 const halconv::Conv2dOptions &o) {
    ref::ConvParams p;
    p.stride = o.stride;
    p.padding = o.padding;
    p.dilation = o.dilation;
    p.groups = o.groups;
    p.flip_kernel = o.flip_kernel;
    return ref::conv2d(x.data.data(), x.shape, w.data.data(), w.shape, bias ? bias->data() : nullptr, p)
        .abs_sum;
}

std::vector<double> conv_transpose2d_bound(const Tensor4 &x, const Tensor4 &w,
                                           const std::vector<float> *bias,
                                           const halconv::ConvTranspose2dOptions &o) {
    ref::ConvTransposeParams p;
    p.stride = o.stride;
    p.padding = o.padding;
    p.output_padding = o.output_padding;
    p.dilation = o.dilation;
    p.groups = o.groups;
    return ref::conv_transpose2d(x.data.data(), x.shape, w.data.data(), w.shape,
                                 bias ? bias->data() : nullptr, p)
        .abs_sum;
}

// Channels [c0, c0 + count) of dimension 1 of an [A, B, H, W] tensor.
Tensor4 channel_slice(const Tensor4 &t, int64_t c0, int64_t count) {
    Tensor4 out;
    out.shape = {t.shape[0], count, t.shape[2], t.shape[3]};
    const int64_t plane = t.shape[2] * t.shape[3];
    for (int64_t a = 0; a < t.shape[0]; a++) {
        const float *src = t.data.data() + (a * t.shape[1] + c0) * plane;
        out.data.insert(out.data.end(), src, src + count * plane);
    }
    return out;
}

// Rows [r0, r0 + count) of dimension 0 of an [A, B, R, S] tensor.
Tensor4 outer_slice(const Tensor4 &t, int64_t r0, int64_t count) {
    Tensor4 out;
    out.shape = {count, t.shape[1], t.shape[2], t.shape[3]};
    const int64_t block = t.shape[1] * t.shape[2] * t.shape[3];
    out.data.assign(t.data.begin() + r0 * block, t.data.begin() + (r0 + count) * block);
    return out;
}

// Writes `part` ([A, count, H, W]) into channels [c0, c0 + count) of `whole`.
void put_channels(Tensor4 &whole, const Tensor4 &part, int64_t c0) {
    const int64_t plane = whole.shape[2] * whole.shape[3];
    const int64_t count = part.shape[1];
    for (int64_t a = 0; a < whole.shape[0]; a++) {
        std::copy(part.data.begin() + a * count * plane, part.data.begin() + (a + 1) * count * plane,
                  whole.data.begin() + (a * whole.shape[1] + c0) * plane);
    }
}

bool in_range(int64_t v, int64_t n) { return v >= 0 && v < n; }

int64_t pos_mod(int64_t a, int64_t b) { return ((a % b) + b) % b; }

struct Inputs {
    Tensor4 x, w;
    std::vector<float> b;
};

Inputs conv2d_inputs(const Conv2dCase &c, uint32_t seed) {
    Inputs in;
    in.x = random_tensor4(c.input_shape(), seed);
    in.w = random_tensor4(c.weight_shape(), seed + 1);
    in.b = random_tensor(c.K, seed + 2);
    return in;
}

Inputs conv_transpose2d_inputs(const ConvT2dCase &c, uint32_t seed) {
    Inputs in;
    in.x = random_tensor4(c.input_shape(), seed);
    in.w = random_tensor4(c.weight_shape(), seed + 1);
    in.b = random_tensor(c.K, seed + 2);
    return in;
}

}  // namespace

// ---------------------------------------------------------------------------
void check_adjoint(const Conv2dCase &c, Device device) {
    SCOPED_TRACE("adjoint: " + c.describe());
    halconv::Conv2dOptions co = c.options(device);
    co.flip_kernel = false;
    const Inputs in = conv2d_inputs(c, 101);
    const Tensor4 ax = run_conv2d(in.x, in.w, nullptr, co);
    ASSERT_EQ(ax.shape.size(), 4u);
    const Tensor4 y = random_tensor4(ax.shape, 202);

    halconv::ConvTranspose2dOptions to;
    to.stride = c.stride;
    to.padding = c.padding;
    to.dilation = c.dilation;
    to.groups = c.groups;
    to.device = device;
    for (int i = 0; i < 2; i++) {
        const int64_t size = i == 0 ? c.H : c.W;
        const int64_t kernel = i == 0 ? c.R : c.S;
        to.output_padding[i] =
            (int)((size + 2 * c.padding[i] - c.dilation[i] * (kernel - 1) - 1) % c.stride[i]);
    }
    // conv_transpose2d's weight is [in_channels = K, K_out/groups = C/groups, R, S]: the same tensor.
    const Tensor4 aty = run_conv_transpose2d(y, in.w, nullptr, to);
    ASSERT_EQ(aty.shape, in.x.shape) << "conv_transpose2d output shape with output_padding ("
                                     << to.output_padding[0] << ", " << to.output_padding[1] << ")";

    double lhs = 0, rhs = 0, scale = 0;
    const std::vector<double> bound = conv2d_bound(in.x, in.w, nullptr, co);
    for (size_t i = 0; i < ax.data.size(); i++) {
        lhs += (double)ax.data[i] * y.data[i];
        scale += bound[i] * std::fabs(y.data[i]);  // sum over all |x * w * y| terms
    }
    for (size_t i = 0; i < aty.data.size(); i++) rhs += (double)in.x.data[i] * aty.data[i];
    ASSERT_TRUE(std::isfinite(lhs) && std::isfinite(rhs)) << "lhs " << lhs << ", rhs " << rhs;
    EXPECT_NEAR(lhs, rhs, 2e-6 * scale + 1e-6)
        << "<conv2d(x), y> = " << lhs << " but <x, conv_transpose2d(y)> = " << rhs
        << " (sum of |terms| " << scale << ")";
}

// ---------------------------------------------------------------------------
// Linearity of an operator in its input, and bias as an added constant per
// output channel: op(a x + b y) = a op(x) + b op(y), op(x; bias) = op(x) + bias.
// `run(x, bias)` runs it, `bound(x)` gives each output's sum of |terms|.
template<typename Run, typename Bound>
void check_linearity(const std::string &name, const Inputs &in, const Tensor4 &y, Run run, Bound bound_of) {
    const float a = 0.375f, b = -1.25f;
    Tensor4 z = in.x;
    for (size_t i = 0; i < z.data.size(); i++) z.data[i] = a * in.x.data[i] + b * y.data[i];

    const Tensor4 cx = run(in.x, nullptr);
    const Tensor4 cy = run(y, nullptr);
    const Tensor4 cz = run(z, nullptr);
    const Tensor4 cxb = run(in.x, &in.b);
    ASSERT_EQ(cz.shape, cx.shape);
    ASSERT_EQ(cxb.shape, cx.shape);

    const std::vector<double> bx = bound_of(in.x), by = bound_of(y);
    std::vector<float> combo(cx.data.size()), with_bias(cx.data.size());
    std::vector<double> bound(cx.data.size()), bias_bound(cx.data.size());
    const int64_t plane = cx.shape[2] * cx.shape[3];
    for (size_t i = 0; i < combo.size(); i++) {
        combo[i] = (float)(a * (double)cx.data[i] + b * (double)cy.data[i]);
        bound[i] = std::fabs(a) * bx[i] + std::fabs(b) * by[i];
        const int64_t k = ((int64_t)i / plane) % cx.shape[1];
        with_bias[i] = (float)((double)cx.data[i] + in.b[k]);
        bias_bound[i] = bx[i] + std::fabs(in.b[k]);
    }
    EXPECT_TRUE(nearly_equal(cz.data, combo, bound, cz.shape))
        << name << "(a x + b y) vs a " << name << "(x) + b " << name << "(y)";
    EXPECT_TRUE(nearly_equal(cxb.data, with_bias, bias_bound, cx.shape)) << name << " with bias vs without bias + bias";
}

void check_conv2d_linearity(const Conv2dCase &c, Device device) {
    SCOPED_TRACE("linearity: " + c.describe());
    const halconv::Conv2dOptions o = c.options(device);
    const Inputs in = conv2d_inputs(c, 303);
    check_linearity(
        "conv2d", in, random_tensor4(c.input_shape(), 304),
        [&](const Tensor4 &x, const std::vector<float> *bias) { return run_conv2d(x, in.w, bias, o); },
        [&](const Tensor4 &x) { return conv2d_bound(x, in.w, nullptr, o); });
}

void check_conv_transpose2d_linearity(const ConvT2dCase &c, Device device) {
    SCOPED_TRACE("linearity: " + c.describe());
    const halconv::ConvTranspose2dOptions o = c.options(device);
    const Inputs in = conv_transpose2d_inputs(c, 305);
    check_linearity(
        "conv_transpose2d", in, random_tensor4(c.input_shape(), 306),
        [&](const Tensor4 &x, const std::vector<float> *bias) { return run_conv_transpose2d(x, in.w, bias, o); },
        [&](const Tensor4 &x) { return conv_transpose2d_bound(x, in.w, nullptr, o); });
}

// ---------------------------------------------------------------------------
void check_strided_is_subsampled(const Conv2dCase &c, Device device) {
    SCOPED_TRACE("strided == subsampled: " + c.describe());
    const Inputs in = conv2d_inputs(c, 404);
    const std::vector<float> *bias = c.bias ? &in.b : nullptr;
    const halconv::Conv2dOptions strided = c.options(device);
    halconv::Conv2dOptions dense = strided;
    dense.stride = {1, 1};
    const Tensor4 s = run_conv2d(in.x, in.w, bias, strided);
    const Tensor4 d = run_conv2d(in.x, in.w, bias, dense);
    ASSERT_EQ(s.shape.size(), 4u);
    ASSERT_EQ(d.shape.size(), 4u);
    const std::vector<double> dbound = conv2d_bound(in.x, in.w, bias, dense);

    std::vector<float> sub(s.data.size());
    std::vector<double> bound(s.data.size());
    for (int64_t n = 0; n < s.shape[0]; n++)
        for (int64_t k = 0; k < s.shape[1]; k++)
            for (int64_t oy = 0; oy < s.shape[2]; oy++)
                for (int64_t ox = 0; ox < s.shape[3]; ox++) {
                    const int64_t di = idx4(d.shape, n, k, oy * c.stride[0], ox * c.stride[1]);
                    sub[idx4(s.shape, n, k, oy, ox)] = d.data[di];
                    bound[idx4(s.shape, n, k, oy, ox)] = dbound[di];
                }
    EXPECT_TRUE(nearly_equal(s.data, sub, bound, s.shape));
}

// ---------------------------------------------------------------------------
void check_conv2d_translation(const Conv2dCase &c, int ty, int tx, Device device) {
    std::ostringstream trace;
    trace << "translation by (" << ty << ", " << tx << ") output pixels: " << c.describe();
    SCOPED_TRACE(trace.str());
    const halconv::Conv2dOptions o = c.options(device);
    const Inputs in = conv2d_inputs(c, 505);
    const std::vector<float> *bias = c.bias ? &in.b : nullptr;
    const int64_t dy = (int64_t)ty * c.stride[0], dx = (int64_t)tx * c.stride[1];

    Tensor4 shifted = in.x;
    for (int64_t n = 0; n < c.N; n++)
        for (int64_t ch = 0; ch < c.C; ch++)
            for (int64_t y = 0; y < c.H; y++)
                for (int64_t x = 0; x < c.W; x++) {
                    const int64_t sy = y - dy, sx = x - dx;
                    shifted.data[idx4(in.x.shape, n, ch, y, x)] =
                        in_range(sy, c.H) && in_range(sx, c.W) ? in.x.data[idx4(in.x.shape, n, ch, sy, sx)] : 0.0f;
                }

    const Tensor4 out = run_conv2d(in.x, in.w, bias, o);
    const Tensor4 out_s = run_conv2d(shifted, in.w, bias, o);
    ASSERT_EQ(out.shape, out_s.shape);
    ASSERT_EQ(out.shape.size(), 4u);
    const std::vector<double> bnd = conv2d_bound(in.x, in.w, bias, o);
    const int64_t OH = out.shape[2], OW = out.shape[3];

    std::vector<float> got, want;
    std::vector<double> bound;
    for (int64_t oy = 0; oy < OH; oy++) {
        for (int64_t ox = 0; ox < OW; ox++) {
            const int64_t y0 = oy - ty, x0 = ox - tx;
            if (!in_range(y0, OH) || !in_range(x0, OW)) continue;
            // Every tap of the shifted output must be a real (non-padding) pixel.
            const int64_t top = oy * c.stride[0] - c.padding[0];
            const int64_t bottom = top + (c.R - 1) * c.dilation[0];
            const int64_t left = ox * c.stride[1] - c.padding[1];
            const int64_t right = left + (c.S - 1) * c.dilation[1];
            if (top < 0 || bottom >= c.H || left < 0 || right >= c.W) continue;
            for (int64_t n = 0; n < c.N; n++)
                for (int64_t k = 0; k < c.K; k++) {
                    got.push_back(out_s.data[idx4(out.shape, n, k, oy, ox)]);
                    want.push_back(out.data[idx4(out.shape, n, k, y0, x0)]);
                    bound.push_back(bnd[idx4(out.shape, n, k, y0, x0)]);
                }
        }
    }
    ASSERT_GT(got.size(), 0u) << "test setup: no interior position to compare";
    EXPECT_TRUE(nearly_equal(got, want, bound, {(int64_t)got.size()}));
}

void check_conv_transpose2d_translation(const ConvT2dCase &c, int ty, int tx, Device device) {
    std::ostringstream trace;
    trace << "translation by (" << ty << ", " << tx << ") input pixels: " << c.describe();
    SCOPED_TRACE(trace.str());
    const halconv::ConvTranspose2dOptions o = c.options(device);
    const Inputs in = conv_transpose2d_inputs(c, 606);
    const std::vector<float> *bias = c.bias ? &in.b : nullptr;

    Tensor4 shifted = in.x;
    for (int64_t n = 0; n < c.N; n++)
        for (int64_t ch = 0; ch < c.C; ch++)
            for (int64_t y = 0; y < c.H; y++)
                for (int64_t x = 0; x < c.W; x++) {
                    const int64_t sy = y - ty, sx = x - tx;
                    shifted.data[idx4(in.x.shape, n, ch, y, x)] =
                        in_range(sy, c.H) && in_range(sx, c.W) ? in.x.data[idx4(in.x.shape, n, ch, sy, sx)] : 0.0f;
                }

    const Tensor4 out = run_conv_transpose2d(in.x, in.w, bias, o);
    const Tensor4 out_s = run_conv_transpose2d(shifted, in.w, bias, o);
    ASSERT_EQ(out.shape, out_s.shape);
    ASSERT_EQ(out.shape.size(), 4u);
    const std::vector<double> bnd = conv_transpose2d_bound(in.x, in.w, bias, o);
    const int64_t OH = out.shape[2], OW = out.shape[3];
    const int64_t dy = (int64_t)ty * c.stride[0], dx = (int64_t)tx * c.stride[1];

    // Output (oy, ox) gathers input rows iy = (oy + ph - r*dh) / sh for the taps r
    // where that division is exact; all of them must be inside the input.
    auto taps_inside = [](int64_t o, int64_t pad, int64_t dil, int64_t stride, int64_t taps, int64_t size) {
        for (int64_t r = 0; r < taps; r++) {
            const int64_t v = o + pad - r * dil;
            if (pos_mod(v, stride) != 0) continue;
            const int64_t i = (v - pos_mod(v, stride)) / stride;
            if (!in_range(i, size)) return false;
        }
        return true;
    };

    std::vector<float> got, want;
    std::vector<double> bound;
    for (int64_t oy = 0; oy < OH; oy++) {
        for (int64_t ox = 0; ox < OW; ox++) {
            const int64_t y0 = oy - dy, x0 = ox - dx;
            if (!in_range(y0, OH) || !in_range(x0, OW)) continue;
            if (!taps_inside(oy, c.padding[0], c.dilation[0], c.stride[0], c.R, c.H) ||
                !taps_inside(ox, c.padding[1], c.dilation[1], c.stride[1], c.S, c.W))
                continue;
            for (int64_t n = 0; n < c.N; n++)
                for (int64_t k = 0; k < c.K; k++) {
                    got.push_back(out_s.data[idx4(out.shape, n, k, oy, ox)]);
                    want.push_back(out.data[idx4(out.shape, n, k, y0, x0)]);
                    bound.push_back(bnd[idx4(out.shape, n, k, y0, x0)]);
                }
        }
    }
    ASSERT_GT(got.size(), 0u) << "test setup: no interior position to compare";
    EXPECT_TRUE(nearly_equal(got, want, bound, {(int64_t)got.size()}));
}

// ---------------------------------------------------------------------------
void check_1x1_is_matmul(const Conv2dCase &c, Device device) {
    SCOPED_TRACE("1x1 == matmul: " + c.describe());
    ASSERT_EQ(c.R, 1);
    ASSERT_EQ(c.S, 1);
    ASSERT_EQ(c.groups, 1);
    ASSERT_EQ(c.padding, (std::array<int, 2>{0, 0}));
    const Inputs in = conv2d_inputs(c, 707);
    const std::vector<float> *bias = c.bias ? &in.b : nullptr;
    const Tensor4 out = run_conv2d(in.x, in.w, bias, c.options(device));
    ASSERT_EQ(out.shape.size(), 4u);
    const int64_t OH = out.shape[2], OW = out.shape[3];

    // out[n] (K x P) = W (K x C) * X[n] (C x P) over the sampled pixels P.
    std::vector<float> want(out.data.size());
    std::vector<double> bound(out.data.size());
    for (int64_t n = 0; n < c.N; n++)
        for (int64_t k = 0; k < c.K; k++)
            for (int64_t oy = 0; oy < OH; oy++)
                for (int64_t ox = 0; ox < OW; ox++) {
                    double acc = bias ? in.b[k] : 0.0, mag = bias ? std::fabs(in.b[k]) : 0.0;
                    for (int64_t ch = 0; ch < c.C; ch++) {
                        const double t = (double)in.w.data[k * c.C + ch] *
                                         in.x.data[idx4(in.x.shape, n, ch, oy * c.stride[0], ox * c.stride[1])];
                        acc += t;
                        mag += std::fabs(t);
                    }
                    want[idx4(out.shape, n, k, oy, ox)] = (float)acc;
                    bound[idx4(out.shape, n, k, oy, ox)] = mag;
                }
    EXPECT_TRUE(nearly_equal(out.data, want, bound, out.shape));
}

// ---------------------------------------------------------------------------
void check_dilated_is_zero_inserted(const Conv2dCase &c, Device device) {
    SCOPED_TRACE("dilated == zero-inserted kernel: " + c.describe());
    const Inputs in = conv2d_inputs(c, 808);
    const std::vector<float> *bias = c.bias ? &in.b : nullptr;
    const int64_t RD = (c.R - 1) * c.dilation[0] + 1, SD = (c.S - 1) * c.dilation[1] + 1;
    Tensor4 wd;
    wd.shape = {in.w.shape[0], in.w.shape[1], RD, SD};
    wd.data.assign((size_t)numel(wd.shape), 0.0f);
    for (int64_t k = 0; k < in.w.shape[0]; k++)
        for (int64_t ch = 0; ch < in.w.shape[1]; ch++)
            for (int64_t r = 0; r < c.R; r++)
                for (int64_t s = 0; s < c.S; s++)
                    wd.data[idx4(wd.shape, k, ch, r * c.dilation[0], s * c.dilation[1])] =
                        in.w.data[idx4(in.w.shape, k, ch, r, s)];

    const halconv::Conv2dOptions dilated = c.options(device);
    halconv::Conv2dOptions dense = dilated;
    dense.dilation = {1, 1};
    const Tensor4 a = run_conv2d(in.x, in.w, bias, dilated);
    const Tensor4 b = run_conv2d(in.x, wd, bias, dense);
    ASSERT_EQ(a.shape, b.shape);
    EXPECT_TRUE(nearly_equal(a.data, b.data, conv2d_bound(in.x, in.w, bias, dilated), a.shape));
}

// ---------------------------------------------------------------------------
void check_flip_is_rotated_kernel(const Conv2dCase &c, Device device) {
    SCOPED_TRACE("flip_kernel == rotated kernel: " + c.describe());
    const Inputs in = conv2d_inputs(c, 909);
    const std::vector<float> *bias = c.bias ? &in.b : nullptr;
    Tensor4 rot = in.w;
    for (int64_t k = 0; k < in.w.shape[0]; k++)
        for (int64_t ch = 0; ch < in.w.shape[1]; ch++)
            for (int64_t r = 0; r < c.R; r++)
                for (int64_t s = 0; s < c.S; s++)
                    rot.data[idx4(rot.shape, k, ch, r, s)] = in.w.data[idx4(in.w.shape, k, ch, c.R - 1 - r, c.S - 1 - s)];

    halconv::Conv2dOptions flipped = c.options(device);
    flipped.flip_kernel = true;
    halconv::Conv2dOptions plain = flipped;
    plain.flip_kernel = false;
    const Tensor4 a = run_conv2d(in.x, in.w, bias, flipped);
    const Tensor4 b = run_conv2d(in.x, rot, bias, plain);
    ASSERT_EQ(a.shape, b.shape);
    EXPECT_TRUE(nearly_equal(a.data, b.data, conv2d_bound(in.x, rot, bias, plain), a.shape));
    // And flipping is not a no-op for a non-symmetric kernel.
    if (c.R * c.S > 1) {
        const Tensor4 unflipped = run_conv2d(in.x, in.w, bias, plain);
        EXPECT_NE(unflipped.data, a.data) << "flip_kernel had no effect";
    }
}

// ---------------------------------------------------------------------------
void check_conv2d_groups_concat(const Conv2dCase &c, Device device) {
    SCOPED_TRACE("groups == concatenated per-group convs: " + c.describe());
    ASSERT_GT(c.groups, 1);
    const Inputs in = conv2d_inputs(c, 1010);
    const std::vector<float> *bias = c.bias ? &in.b : nullptr;
    const halconv::Conv2dOptions grouped = c.options(device);
    const Tensor4 whole = run_conv2d(in.x, in.w, bias, grouped);
    ASSERT_EQ(whole.shape.size(), 4u);

    halconv::Conv2dOptions single = grouped;
    single.groups = 1;
    const int64_t Cg = c.C / c.groups, Kg = c.K / c.groups;
    Tensor4 concat = whole;
    std::fill(concat.data.begin(), concat.data.end(), std::nanf(""));
    for (int g = 0; g < c.groups; g++) {
        const Tensor4 xg = channel_slice(in.x, g * Cg, Cg);
        const Tensor4 wg = outer_slice(in.w, g * Kg, Kg);
        std::vector<float> bg;
        if (bias) bg.assign(in.b.begin() + g * Kg, in.b.begin() + (g + 1) * Kg);
        const Tensor4 part = run_conv2d(xg, wg, bias ? &bg : nullptr, single);
        ASSERT_EQ(part.shape, (Shape{c.N, Kg, whole.shape[2], whole.shape[3]})) << "group " << g;
        put_channels(concat, part, g * Kg);
    }
    EXPECT_TRUE(nearly_equal(whole.data, concat.data, conv2d_bound(in.x, in.w, bias, grouped), whole.shape));
}

void check_conv_transpose2d_groups_concat(const ConvT2dCase &c, Device device) {
    SCOPED_TRACE("groups == concatenated per-group transposed convs: " + c.describe());
    ASSERT_GT(c.groups, 1);
    const Inputs in = conv_transpose2d_inputs(c, 1111);
    const std::vector<float> *bias = c.bias ? &in.b : nullptr;
    const halconv::ConvTranspose2dOptions grouped = c.options(device);
    const Tensor4 whole = run_conv_transpose2d(in.x, in.w, bias, grouped);
    ASSERT_EQ(whole.shape.size(), 4u);

    halconv::ConvTranspose2dOptions single = grouped;
    single.groups = 1;
    const int64_t Cg = c.C / c.groups, Kg = c.K / c.groups;
    Tensor4 concat = whole;
    std::fill(concat.data.begin(), concat.data.end(), std::nanf(""));
    for (int g = 0; g < c.groups; g++) {
        const Tensor4 xg = channel_slice(in.x, g * Cg, Cg);
        const Tensor4 wg = outer_slice(in.w, g * Cg, Cg);  // [C/g, K/g, R, S]
        std::vector<float> bg;
        if (bias) bg.assign(in.b.begin() + g * Kg, in.b.begin() + (g + 1) * Kg);
        const Tensor4 part = run_conv_transpose2d(xg, wg, bias ? &bg : nullptr, single);
        ASSERT_EQ(part.shape, (Shape{c.N, Kg, whole.shape[2], whole.shape[3]})) << "group " << g;
        put_channels(concat, part, g * Kg);
    }
    EXPECT_TRUE(nearly_equal(whole.data, concat.data, conv_transpose2d_bound(in.x, in.w, bias, grouped),
                             whole.shape));
}

// ---------------------------------------------------------------------------
void check_transpose_stride1_is_flipped_conv(const ConvT2dCase &c, Device device) {
    SCOPED_TRACE("stride-1 transpose == flipped conv: " + c.describe());
    ASSERT_EQ(c.stride, (std::array<int, 2>{1, 1}));
    ASSERT_EQ(c.output_padding, (std::array<int, 2>{0, 0}));
    const Inputs in = conv_transpose2d_inputs(c, 1212);
    const std::vector<float> *bias = c.bias ? &in.b : nullptr;
    const halconv::ConvTranspose2dOptions to = c.options(device);
    const Tensor4 t = run_conv_transpose2d(in.x, in.w, bias, to);

    // conv2d weight [K, C/g, R, S]: w2[g*Kg + k][ch] = w[g*Cg + ch][k].
    const int64_t Cg = c.C / c.groups, Kg = c.K / c.groups;
    Tensor4 w2;
    w2.shape = {c.K, Cg, c.R, c.S};
    w2.data.resize((size_t)numel(w2.shape));
    for (int64_t g = 0; g < c.groups; g++)
        for (int64_t k = 0; k < Kg; k++)
            for (int64_t ch = 0; ch < Cg; ch++)
                for (int64_t r = 0; r < c.R; r++)
                    for (int64_t s = 0; s < c.S; s++)
                        w2.data[idx4(w2.shape, g * Kg + k, ch, r, s)] = in.w.data[idx4(in.w.shape, g * Cg + ch, k, r, s)];
    halconv::Conv2dOptions co;
    co.dilation = c.dilation;
    co.groups = c.groups;
    co.flip_kernel = true;
    co.device = device;
    co.padding = {(int)(c.dilation[0] * (c.R - 1) - c.padding[0]), (int)(c.dilation[1] * (c.S - 1) - c.padding[1])};
    ASSERT_GE(co.padding[0], 0) << "test setup: needs padding <= dilation * (R - 1)";
    ASSERT_GE(co.padding[1], 0) << "test setup: needs padding <= dilation * (S - 1)";
    const Tensor4 v = run_conv2d(in.x, w2, bias, co);
    ASSERT_EQ(t.shape, v.shape);
    EXPECT_TRUE(nearly_equal(t.data, v.data, conv_transpose2d_bound(in.x, in.w, bias, to), t.shape));
}

void check_transpose_strided_is_zero_upsampled(const ConvT2dCase &c, Device device) {
    SCOPED_TRACE("strided transpose == stride-1 transpose of zero-upsampled input: " + c.describe());
    ASSERT_EQ(c.output_padding, (std::array<int, 2>{0, 0}));
    const Inputs in = conv_transpose2d_inputs(c, 1313);
    const std::vector<float> *bias = c.bias ? &in.b : nullptr;
    const halconv::ConvTranspose2dOptions strided = c.options(device);
    const Tensor4 a = run_conv_transpose2d(in.x, in.w, bias, strided);

    Tensor4 up;
    up.shape = {c.N, c.C, (c.H - 1) * c.stride[0] + 1, (c.W - 1) * c.stride[1] + 1};
    up.data.assign((size_t)numel(up.shape), 0.0f);
    for (int64_t n = 0; n < c.N; n++)
        for (int64_t ch = 0; ch < c.C; ch++)
            for (int64_t y = 0; y < c.H; y++)
                for (int64_t x = 0; x < c.W; x++)
                    up.data[idx4(up.shape, n, ch, y * c.stride[0], x * c.stride[1])] =
                        in.x.data[idx4(in.x.shape, n, ch, y, x)];
    halconv::ConvTranspose2dOptions unit = strided;
    unit.stride = {1, 1};
    const Tensor4 b = run_conv_transpose2d(up, in.w, bias, unit);
    ASSERT_EQ(a.shape, b.shape);
    EXPECT_TRUE(nearly_equal(a.data, b.data, conv_transpose2d_bound(in.x, in.w, bias, strided), a.shape));
}

}  // namespace halconv_test
