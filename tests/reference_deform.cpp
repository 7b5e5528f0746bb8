#include "reference_deform.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace halconv_test {

namespace {

void require(bool ok, const std::string &what) {
    if (!ok) throw std::invalid_argument("deform reference: " + what);
}

// The 1-D bilinear kernel g(a, b) = max(0, 1 - |a - b|).
double g(double a, double b) { return std::max(0.0, 1.0 - std::fabs(a - b)); }

bool in_plane(int64_t H, int64_t W, int64_t r, int64_t c) { return r >= 0 && r < H && c >= 0 && c < W; }

// sum of g(qy,y) g(qx,x) |plane[q]| over the corners B reads (the abs_sum of B).
double bilinear_abs(const double *plane, int64_t H, int64_t W, double y, double x) {
    if (!(y > -1.0 && y < (double)H && x > -1.0 && x < (double)W)) return 0.0;
    const int64_t y0 = (int64_t)std::floor(y), x0 = (int64_t)std::floor(x);
    double sum = 0.0;
    for (int64_t qy = y0; qy <= y0 + 1; qy++)
        for (int64_t qx = x0; qx <= x0 + 1; qx++)
            if (in_plane(H, W, qy, qx)) sum += g((double)qy, y) * g((double)qx, x) * std::fabs(plane[qy * W + qx]);
    return sum;
}

// The abs_sum of dB/dy's terms (sum over the corners of g(qx,x) |v|) and of
// dB/dx's (sum of g(qy,y) |v|), over the cell of deform_bilinear_gradient.
void bilinear_gradient_abs(const double *plane, int64_t H, int64_t W, double y, double x, double *abs_dy,
                           double *abs_dx) {
    *abs_dy = *abs_dx = 0.0;
    if (!(y >= -1.0 && y < (double)H && x >= -1.0 && x < (double)W)) return;
    const int64_t y0 = (int64_t)std::floor(y), x0 = (int64_t)std::floor(x);
    for (int64_t qy = y0; qy <= y0 + 1; qy++)
        for (int64_t qx = x0; qx <= x0 + 1; qx++)
            if (in_plane(H, W, qy, qx)) {
                const double v = std::fabs(plane[qy * W + qx]);
                *abs_dy += g((double)qx, x) * v;
                *abs_dx += g((double)qy, y) * v;
            }
}

// L: sum of |plane| over the 4x4 grid points rows floor(y)-1 .. floor(y)+2,
// columns alike (every corner of every cell a sub-pixel move can reach).
double lipschitz(const double *plane, int64_t H, int64_t W, double y, double x) {
    if (!(y >= -3.0 && y < (double)H + 1.0 && x >= -3.0 && x < (double)W + 1.0)) return 0.0;
    const int64_t y0 = (int64_t)std::floor(y), x0 = (int64_t)std::floor(x);
    double sum = 0.0;
    for (int64_t r = y0 - 1; r <= y0 + 2; r++)
        for (int64_t c = x0 - 1; c <= x0 + 2; c++)
            if (in_plane(H, W, r, c)) sum += std::fabs(plane[r * W + c]);
    return sum;
}

// L * (|y| + |x| + 1), 0 when L is 0 (also for non-finite positions).
double position_term(double L, double y, double x) {
    return L == 0.0 ? 0.0 : L * (std::fabs(y) + std::fabs(x) + 1.0);
}

// grad_input's scatter (deformable_col2im): coef * g(qy,y) g(qx,x) into every
// in-plane q with |y - qy| < 1 and |x - qx| < 1; the abs and position bounds
// (coef_abs * G, and coef_abs * (|y|+|x|+1) on the 4x4 block of points a
// sub-pixel move can give a weight).
void scatter(double *grad, double *grad_abs, double *grad_pos, int64_t H, int64_t W, double y, double x, double coef,
             double coef_abs) {
    if (y >= -3.0 && y < (double)H + 1.0 && x >= -3.0 && x < (double)W + 1.0) {
        const int64_t y0 = (int64_t)std::floor(y), x0 = (int64_t)std::floor(x);
        const double pf = coef_abs * (std::fabs(y) + std::fabs(x) + 1.0);
        for (int64_t r = y0 - 1; r <= y0 + 2; r++)
            for (int64_t c = x0 - 1; c <= x0 + 2; c++)
                if (in_plane(H, W, r, c) && coef_abs != 0.0) grad_pos[r * W + c] += pf;
    }
    if (!(y > -1.0 && y < (double)H && x > -1.0 && x < (double)W)) return;
    const int64_t y0 = (int64_t)std::floor(y), x0 = (int64_t)std::floor(x);
    for (int64_t qy = y0; qy <= y0 + 1; qy++)
        for (int64_t qx = x0; qx <= x0 + 1; qx++)
            if (in_plane(H, W, qy, qx) && std::fabs(y - (double)qy) < 1.0 && std::fabs(x - (double)qx) < 1.0) {
                const double G = g((double)qy, y) * g((double)qx, x);
                grad[qy * W + qx] += coef * G;
                grad_abs[qy * W + qx] += coef_abs * G;
            }
}

DeformResult make_result(const ref::Shape &shape) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    DeformResult r;
    r.shape = shape;
    r.value.assign((size_t)n, 0.0);
    r.abs_sum.assign((size_t)n, 0.0);
    r.position_bound.assign((size_t)n, 0.0);
    return r;
}

int64_t count(const ref::Shape &s) {
    int64_t n = 1;
    for (int64_t d : s) n *= d;
    return n;
}

void check_data(const DeformConv2dSpec &spec, const DeformConv2dData &d) {
    std::string why;
    require(spec.valid(&why), "invalid spec: " + why);
    require((int64_t)d.input.size() == count(spec.input_shape()), "input size");
    require((int64_t)d.offset.size() == count(spec.offset_shape()), "offset size");
    require((int64_t)d.weight.size() == count(spec.weight_shape()), "weight size");
    require(spec.has_bias ? (int64_t)d.bias.size() == spec.K : d.bias.empty(), "bias size");
    require(spec.has_mask ? (int64_t)d.mask.size() == count(spec.mask_shape()) : d.mask.empty(), "mask size");
}

}  // namespace

std::vector<double> widen(const std::vector<float> &v) { return std::vector<double>(v.begin(), v.end()); }

// ---------------------------------------------------------------------------
// Bilinear sampling
// ---------------------------------------------------------------------------
double deform_bilinear(const double *plane, int64_t H, int64_t W, double y, double x) {
    // torchvision: if (h <= -1 || height <= h || w <= -1 || width <= w) return 0;
    // written positively so that NaN also returns 0 (torchvision lets NaN through).
    if (!(y > -1.0 && y < (double)H && x > -1.0 && x < (double)W)) return 0.0;
    const int64_t y0 = (int64_t)std::floor(y), x0 = (int64_t)std::floor(x);  // in [-1, H-1], [-1, W-1]
    double sum = 0.0;
    for (int64_t qy = y0; qy <= y0 + 1; qy++)
        for (int64_t qx = x0; qx <= x0 + 1; qx++)
            if (in_plane(H, W, qy, qx)) sum += g((double)qy, y) * g((double)qx, x) * plane[qy * W + qx];
    return sum;
}

void deform_bilinear_gradient(const double *plane, int64_t H, int64_t W, double y, double x, double *d_dy,
                              double *d_dx) {
    *d_dy = *d_dx = 0.0;
    // Outside this range no corner of the cell lies in the plane (and NaN fails it).
    if (!(y >= -1.0 && y < (double)H && x >= -1.0 && x < (double)W)) return;
    const int64_t y0 = (int64_t)std::floor(y), x0 = (int64_t)std::floor(x);
    for (int64_t qy = y0; qy <= y0 + 1; qy++)
        for (int64_t qx = x0; qx <= x0 + 1; qx++) {
            if (!in_plane(H, W, qy, qx)) continue;  // zero padding
            const double v = plane[qy * W + qx];
            // d/dy g(qy, y) on the cell [y0, y0+1]: -1 for the lower corner, +1 for the upper.
            const double sy = qy == y0 ? -1.0 : 1.0;
            const double sx = qx == x0 ? -1.0 : 1.0;
            *d_dy += sy * g((double)qx, x) * v;
            *d_dx += g((double)qy, y) * sx * v;
        }
}

// ---------------------------------------------------------------------------
// Spec
// ---------------------------------------------------------------------------
int64_t DeformConv2dSpec::OH() const {
    if (stride[0] < 1) return 0;
    return ref::floor_div(H + 2 * padding[0] - dilation[0] * (R - 1) - 1, stride[0]) + 1;
}
int64_t DeformConv2dSpec::OW() const {
    if (stride[1] < 1) return 0;
    return ref::floor_div(W + 2 * padding[1] - dilation[1] * (S - 1) - 1, stride[1]) + 1;
}

bool DeformConv2dSpec::valid(std::string *why) const {
    auto fail = [&](const char *m) {
        if (why) *why = m;
        return false;
    };
    if (N < 1 || C < 1 || H < 1 || W < 1 || K < 1 || R < 1 || S < 1) return fail("sizes must be >= 1");
    for (int a = 0; a < 2; a++) {
        if (stride[a] < 1) return fail("stride must be >= 1");
        if (dilation[a] < 1) return fail("dilation must be >= 1");
        if (padding[a] < 0) return fail("padding must be >= 0");
    }
    if (groups < 1 || C % groups != 0 || K % groups != 0) return fail("groups must divide C and K");
    if (offset_groups < 1 || C % offset_groups != 0) return fail("offset_groups must divide C");
    if (OH() < 1 || OW() < 1) return fail("output size < 1");
    return true;
}

std::string DeformConv2dSpec::describe() const {
    std::ostringstream os;
    os << "N=" << N << " C=" << C << " H=" << H << " W=" << W << " K=" << K << " R=" << R << " S=" << S
       << " stride=(" << stride[0] << "," << stride[1] << ") padding=(" << padding[0] << "," << padding[1]
       << ") dilation=(" << dilation[0] << "," << dilation[1] << ") groups=" << groups
       << " offset_groups=" << offset_groups << (has_mask ? " mask" : "") << (has_bias ? " bias" : "");
    return os.str();
}

// ---------------------------------------------------------------------------
// deform_conv2d
// ---------------------------------------------------------------------------
namespace {

// Everything about one sampling tap (n, offset group, k, oh, ow).
struct Tap {
    double y, x;  // sampling position
    double m;     // mask value (1 without a mask)
    int64_t dy_index, dx_index, mask_index;  // flat indices into offset / mask
};

Tap tap(const DeformConv2dSpec &s, const DeformConv2dData &d, int64_t n, int64_t grp, int64_t i, int64_t j,
        int64_t oh, int64_t ow) {
    const int64_t OH = s.OH(), OW = s.OW(), RS = s.R * s.S, G = s.offset_groups;
    const int64_t k = i * s.S + j;
    Tap t;
    t.dy_index = ((n * 2 * G * RS + grp * 2 * RS + 2 * k) * OH + oh) * OW + ow;
    t.dx_index = ((n * 2 * G * RS + grp * 2 * RS + 2 * k + 1) * OH + oh) * OW + ow;
    t.mask_index = ((n * G * RS + grp * RS + k) * OH + oh) * OW + ow;
    // The integer part of the position first (exact), then + the offset: one rounding.
    const int64_t base_y = oh * s.stride[0] - s.padding[0] + i * s.dilation[0];
    const int64_t base_x = ow * s.stride[1] - s.padding[1] + j * s.dilation[1];
    t.y = (double)base_y + d.offset[(size_t)t.dy_index];
    t.x = (double)base_x + d.offset[(size_t)t.dx_index];
    t.m = s.has_mask ? d.mask[(size_t)t.mask_index] : 1.0;
    return t;
}

}  // namespace

DeformResult deform_conv2d_reference(const DeformConv2dSpec &s, const DeformConv2dData &d) {
    check_data(s, d);
    const int64_t N = s.N, C = s.C, H = s.H, W = s.W, K = s.K, R = s.R, S = s.S;
    const int64_t OH = s.OH(), OW = s.OW();
    const int64_t Cg = C / s.groups, Kg = K / s.groups, Cog = C / s.offset_groups;
    DeformResult out = make_result(s.output_shape());
    for (int64_t n = 0; n < N; n++)
        for (int64_t o = 0; o < K; o++)
            for (int64_t oh = 0; oh < OH; oh++)
                for (int64_t ow = 0; ow < OW; ow++) {
                    const int64_t wg = o / Kg;  // weight group of o
                    double sum = s.has_bias ? d.bias[(size_t)o] : 0.0;
                    double abs_sum = s.has_bias ? std::fabs(d.bias[(size_t)o]) : 0.0;
                    double pos = 0.0;
                    for (int64_t cc = 0; cc < Cg; cc++)
                        for (int64_t i = 0; i < R; i++)
                            for (int64_t j = 0; j < S; j++) {
                                const int64_t c = wg * Cg + cc;
                                const Tap t = tap(s, d, n, c / Cog, i, j, oh, ow);
                                const double *plane = d.input.data() + (n * C + c) * H * W;
                                const double w = d.weight[(size_t)(((o * Cg + cc) * R + i) * S + j)];
                                // torchvision: column = mask * B; out += weight * column
                                sum += w * (t.m * deform_bilinear(plane, H, W, t.y, t.x));
                                abs_sum += std::fabs(w * t.m) * bilinear_abs(plane, H, W, t.y, t.x);
                                pos += std::fabs(w * t.m) * position_term(lipschitz(plane, H, W, t.y, t.x), t.y, t.x);
                            }
                    const size_t e = (size_t)(((n * K + o) * OH + oh) * OW + ow);
                    out.value[e] = sum;
                    out.abs_sum[e] = abs_sum;
                    out.position_bound[e] = pos;
                }
    return out;
}

DeformConv2dGrads deform_conv2d_backward_reference(const DeformConv2dSpec &s, const DeformConv2dData &d,
                                                   const std::vector<double> &grad_output) {
    check_data(s, d);
    require((int64_t)grad_output.size() == count(s.output_shape()), "grad_output size");
    const int64_t N = s.N, C = s.C, H = s.H, W = s.W, K = s.K, R = s.R, S = s.S;
    const int64_t OH = s.OH(), OW = s.OW();
    const int64_t Cg = C / s.groups, Kg = K / s.groups, Cog = C / s.offset_groups;
    DeformConv2dGrads gr;
    gr.input = make_result(s.input_shape());
    gr.offset = make_result(s.offset_shape());
    gr.weight = make_result(s.weight_shape());
    if (s.has_mask) gr.mask = make_result(s.mask_shape());
    if (s.has_bias) gr.bias = make_result({K});

    auto gout = [&](int64_t n, int64_t o, int64_t oh, int64_t ow) {
        return grad_output[(size_t)(((n * K + o) * OH + oh) * OW + ow)];
    };

    for (int64_t n = 0; n < N; n++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t i = 0; i < R; i++)
                for (int64_t j = 0; j < S; j++)
                    for (int64_t oh = 0; oh < OH; oh++)
                        for (int64_t ow = 0; ow < OW; ow++) {
                            const int64_t wg = c / Cg, cc = c - wg * Cg;  // weight group, channel in it
                            const Tap t = tap(s, d, n, c / Cog, i, j, oh, ow);
                            const double *plane = d.input.data() + (n * C + c) * H * W;

                            // col: d loss / d (m * B) of this channel and tap.
                            double col = 0.0, col_abs = 0.0;
                            for (int64_t o = wg * Kg; o < (wg + 1) * Kg; o++) {
                                const double w = d.weight[(size_t)(((o * Cg + cc) * R + i) * S + j)];
                                col += w * gout(n, o, oh, ow);
                                col_abs += std::fabs(w * gout(n, o, oh, ow));
                            }

                            const double B = deform_bilinear(plane, H, W, t.y, t.x);
                            const double B_abs = bilinear_abs(plane, H, W, t.y, t.x);
                            const double pf = position_term(lipschitz(plane, H, W, t.y, t.x), t.y, t.x);
                            double dB_dy, dB_dx, dy_abs, dx_abs;
                            deform_bilinear_gradient(plane, H, W, t.y, t.x, &dB_dy, &dB_dx);
                            bilinear_gradient_abs(plane, H, W, t.y, t.x, &dy_abs, &dx_abs);

                            // grad_offset (both components of this tap)
                            gr.offset.value[(size_t)t.dy_index] += t.m * col * dB_dy;
                            gr.offset.value[(size_t)t.dx_index] += t.m * col * dB_dx;
                            gr.offset.abs_sum[(size_t)t.dy_index] += std::fabs(t.m) * col_abs * dy_abs;
                            gr.offset.abs_sum[(size_t)t.dx_index] += std::fabs(t.m) * col_abs * dx_abs;
                            gr.offset.position_bound[(size_t)t.dy_index] += std::fabs(t.m) * col_abs * pf;
                            gr.offset.position_bound[(size_t)t.dx_index] += std::fabs(t.m) * col_abs * pf;

                            // grad_mask
                            if (s.has_mask) {
                                gr.mask.value[(size_t)t.mask_index] += col * B;
                                gr.mask.abs_sum[(size_t)t.mask_index] += col_abs * B_abs;
                                gr.mask.position_bound[(size_t)t.mask_index] += col_abs * pf;
                            }

                            // grad_input
                            const size_t plane_at = (size_t)((n * C + c) * H * W);
                            scatter(gr.input.value.data() + plane_at, gr.input.abs_sum.data() + plane_at,
                                    gr.input.position_bound.data() + plane_at, H, W, t.y, t.x, t.m * col,
                                    std::fabs(t.m) * col_abs);

                            // grad_weight
                            for (int64_t o = wg * Kg; o < (wg + 1) * Kg; o++) {
                                const size_t e = (size_t)(((o * Cg + cc) * R + i) * S + j);
                                const double go = gout(n, o, oh, ow);
                                gr.weight.value[e] += go * (t.m * B);
                                gr.weight.abs_sum[e] += std::fabs(go * t.m) * B_abs;
                                gr.weight.position_bound[e] += std::fabs(go * t.m) * pf;
                            }
                        }

    if (s.has_bias)
        for (int64_t o = 0; o < K; o++)
            for (int64_t n = 0; n < N; n++)
                for (int64_t oh = 0; oh < OH; oh++)
                    for (int64_t ow = 0; ow < OW; ow++) {
                        gr.bias.value[(size_t)o] += gout(n, o, oh, ow);
                        gr.bias.abs_sum[(size_t)o] += std::fabs(gout(n, o, oh, ow));
                    }
    return gr;
}

// ---------------------------------------------------------------------------
// flow_warp
// ---------------------------------------------------------------------------
namespace {

void check_flow(const ref::Shape &shape, const std::vector<double> &input, const std::vector<double> &flow) {
    require(shape.size() == 4 && shape[0] >= 1 && shape[1] >= 1 && shape[2] >= 1 && shape[3] >= 1,
            "flow_warp input shape");
    require((int64_t)input.size() == count(shape), "flow_warp input size");
    require((int64_t)flow.size() == shape[0] * 2 * shape[2] * shape[3], "flow_warp flow size");
}

}  // namespace

DeformResult flow_warp_reference(const ref::Shape &shape, const std::vector<double> &input,
                                 const std::vector<double> &flow) {
    check_flow(shape, input, flow);
    const int64_t N = shape[0], C = shape[1], H = shape[2], W = shape[3];
    DeformResult out = make_result(shape);
    for (int64_t n = 0; n < N; n++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t yy = 0; yy < H; yy++)
                for (int64_t xx = 0; xx < W; xx++) {
                    const double fx = flow[(size_t)(((n * 2 + 0) * H + yy) * W + xx)];
                    const double fy = flow[(size_t)(((n * 2 + 1) * H + yy) * W + xx)];
                    const double y = (double)yy + fy, x = (double)xx + fx;
                    const double *plane = input.data() + (n * C + c) * H * W;
                    const size_t e = (size_t)(((n * C + c) * H + yy) * W + xx);
                    out.value[e] = deform_bilinear(plane, H, W, y, x);
                    out.abs_sum[e] = bilinear_abs(plane, H, W, y, x);
                    out.position_bound[e] = position_term(lipschitz(plane, H, W, y, x), y, x);
                }
    return out;
}

FlowWarpGrads flow_warp_backward_reference(const ref::Shape &shape, const std::vector<double> &input,
                                           const std::vector<double> &flow, const std::vector<double> &grad_output) {
    check_flow(shape, input, flow);
    require((int64_t)grad_output.size() == count(shape), "flow_warp grad_output size");
    const int64_t N = shape[0], C = shape[1], H = shape[2], W = shape[3];
    FlowWarpGrads gr;
    gr.input = make_result(shape);
    gr.flow = make_result({N, 2, H, W});
    for (int64_t n = 0; n < N; n++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t yy = 0; yy < H; yy++)
                for (int64_t xx = 0; xx < W; xx++) {
                    const size_t ix = (size_t)(((n * 2 + 0) * H + yy) * W + xx);
                    const size_t iy = (size_t)(((n * 2 + 1) * H + yy) * W + xx);
                    const double y = (double)yy + flow[iy], x = (double)xx + flow[ix];
                    const double *plane = input.data() + (n * C + c) * H * W;
                    const double go = grad_output[(size_t)(((n * C + c) * H + yy) * W + xx)];
                    double dB_dy, dB_dx, dy_abs, dx_abs;
                    deform_bilinear_gradient(plane, H, W, y, x, &dB_dy, &dB_dx);
                    bilinear_gradient_abs(plane, H, W, y, x, &dy_abs, &dx_abs);
                    const double pf = position_term(lipschitz(plane, H, W, y, x), y, x);
                    gr.flow.value[ix] += go * dB_dx;
                    gr.flow.value[iy] += go * dB_dy;
                    gr.flow.abs_sum[ix] += std::fabs(go) * dx_abs;
                    gr.flow.abs_sum[iy] += std::fabs(go) * dy_abs;
                    gr.flow.position_bound[ix] += std::fabs(go) * pf;
                    gr.flow.position_bound[iy] += std::fabs(go) * pf;
                    const size_t plane_at = (size_t)((n * C + c) * H * W);
                    scatter(gr.input.value.data() + plane_at, gr.input.abs_sum.data() + plane_at,
                            gr.input.position_bound.data() + plane_at, H, W, y, x, go, std::fabs(go));
                }
    return gr;
}

}  // namespace halconv_test
