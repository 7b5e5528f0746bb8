#include "reference.h"

#include <cmath>
#include <stdexcept>

namespace ref {

int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && (a < 0)) q -= 1;
    return q;
}

namespace {

bool valid_common(const Shape &input, const Shape &weight, const std::array<int, 2> &stride,
                  const std::array<int, 2> &padding, const std::array<int, 2> &dilation,
                  int groups) {
    if (input.size() != 4 || weight.size() != 4) return false;
    for (int64_t d : input)
        if (d <= 0) return false;
    for (int64_t d : weight)
        if (d <= 0) return false;
    if (groups <= 0) return false;
    for (int i = 0; i < 2; i++) {
        if (stride[i] <= 0 || dilation[i] <= 0 || padding[i] < 0) return false;
    }
    return true;
}

void require(bool ok, const char *what) {
    if (!ok) throw std::invalid_argument(std::string("reference: invalid parameters: ") + what);
}

}  // namespace

Shape conv2d_output_shape(const Shape &input, const Shape &weight, const ConvParams &p) {
    if (!valid_common(input, weight, p.stride, p.padding, p.dilation, p.groups)) return {};
    const int64_t N = input[0], C = input[1], H = input[2], W = input[3];
    const int64_t K = weight[0], Cg = weight[1], R = weight[2], S = weight[3];
    if (C % p.groups != 0 || K % p.groups != 0 || Cg != C / p.groups) return {};
    const int64_t OH = floor_div(H + 2 * p.padding[0] - p.dilation[0] * (R - 1) - 1, p.stride[0]) + 1;
    const int64_t OW = floor_div(W + 2 * p.padding[1] - p.dilation[1] * (S - 1) - 1, p.stride[1]) + 1;
    if (OH <= 0 || OW <= 0) return {};
    return {N, K, OH, OW};
}

Shape conv_transpose2d_output_shape(const Shape &input, const Shape &weight,
                                    const ConvTransposeParams &p) {
    if (!valid_common(input, weight, p.stride, p.padding, p.dilation, p.groups)) return {};
    const int64_t N = input[0], C = input[1], H = input[2], W = input[3];
    const int64_t Cw = weight[0], Kg = weight[1], R = weight[2], S = weight[3];
    if (C % p.groups != 0 || Cw != C) return {};
    for (int i = 0; i < 2; i++) {
        const int op = p.output_padding[i];
        // PyTorch: output padding must be smaller than either stride or dilation.
        if (op < 0 || (op >= p.stride[i] && op >= p.dilation[i])) return {};
    }
    const int64_t K = Kg * p.groups;
    const int64_t OH = (H - 1) * p.stride[0] - 2 * p.padding[0] + p.dilation[0] * (R - 1) +
                       p.output_padding[0] + 1;
    const int64_t OW = (W - 1) * p.stride[1] - 2 * p.padding[1] + p.dilation[1] * (S - 1) +
                       p.output_padding[1] + 1;
    if (OH <= 0 || OW <= 0) return {};
    return {N, K, OH, OW};
}

Result conv2d(const float *input, const Shape &input_shape, const float *weight,
              const Shape &weight_shape, const float *bias, const ConvParams &p) {
    Result res;
    res.shape = conv2d_output_shape(input_shape, weight_shape, p);
    require(!res.shape.empty(), "conv2d");
    const int64_t N = input_shape[0], C = input_shape[1], H = input_shape[2], W = input_shape[3];
    const int64_t K = weight_shape[0], R = weight_shape[2], S = weight_shape[3];
    const int64_t OH = res.shape[2], OW = res.shape[3];
    const int64_t Cg = C / p.groups, Kg = K / p.groups;

    auto in_at = [&](int64_t n, int64_t c, int64_t y, int64_t x) -> double {
        return input[((n * C + c) * H + y) * W + x];
    };
    auto w_at = [&](int64_t k, int64_t c, int64_t r, int64_t s) -> double {
        return weight[((k * Cg + c) * R + r) * S + s];
    };

    res.value.assign(N * K * OH * OW, 0.0);
    res.abs_sum.assign(N * K * OH * OW, 0.0);
    for (int64_t n = 0; n < N; n++) {
        for (int64_t k = 0; k < K; k++) {
            const int64_t g = k / Kg;
            for (int64_t oy = 0; oy < OH; oy++) {
                for (int64_t ox = 0; ox < OW; ox++) {
                    double sum = 0.0, abs_sum = 0.0;
                    if (bias) {
                        sum = bias[k];
                        abs_sum = std::fabs(sum);
                    }
                    for (int64_t c = 0; c < Cg; c++) {
                        for (int64_t r = 0; r < R; r++) {
                            const int64_t iy = oy * p.stride[0] - p.padding[0] + r * p.dilation[0];
                            if (iy < 0 || iy >= H) continue;  // zero padding
                            for (int64_t s = 0; s < S; s++) {
                                const int64_t ix = ox * p.stride[1] - p.padding[1] + s * p.dilation[1];
                                if (ix < 0 || ix >= W) continue;
                                const int64_t wr = p.flip_kernel ? R - 1 - r : r;
                                const int64_t ws = p.flip_kernel ? S - 1 - s : s;
                                const double term = in_at(n, g * Cg + c, iy, ix) * w_at(k, c, wr, ws);
                                sum += term;
                                abs_sum += std::fabs(term);
                            }
                        }
                    }
                    const int64_t o = ((n * K + k) * OH + oy) * OW + ox;
                    res.value[o] = sum;
                    res.abs_sum[o] = abs_sum;
                }
            }
        }
    }
    return res;
}

Result conv_transpose2d(const float *input, const Shape &input_shape, const float *weight,
                        const Shape &weight_shape, const float *bias,
                        const ConvTransposeParams &p) {
    Result res;
    res.shape = conv_transpose2d_output_shape(input_shape, weight_shape, p);
    require(!res.shape.empty(), "conv_transpose2d");
    const int64_t N = input_shape[0], C = input_shape[1], H = input_shape[2], W = input_shape[3];
    const int64_t Kg = weight_shape[1], R = weight_shape[2], S = weight_shape[3];
    const int64_t K = res.shape[1], OH = res.shape[2], OW = res.shape[3];
    const int64_t Cg = C / p.groups;

    res.value.assign(N * K * OH * OW, 0.0);
    res.abs_sum.assign(N * K * OH * OW, 0.0);
    auto out_index = [&](int64_t n, int64_t k, int64_t y, int64_t x) {
        return ((n * K + k) * OH + y) * OW + x;
    };

    if (bias) {
        for (int64_t n = 0; n < N; n++)
            for (int64_t k = 0; k < K; k++)
                for (int64_t y = 0; y < OH; y++)
                    for (int64_t x = 0; x < OW; x++) {
                        res.value[out_index(n, k, y, x)] = bias[k];
                        res.abs_sum[out_index(n, k, y, x)] = std::fabs(bias[k]);
                    }
    }

    // Scatter every input element through every weight tap.
    for (int64_t n = 0; n < N; n++) {
        for (int64_t c = 0; c < C; c++) {
            const int64_t g = c / Cg;
            for (int64_t iy = 0; iy < H; iy++) {
                for (int64_t ix = 0; ix < W; ix++) {
                    const double v = input[((n * C + c) * H + iy) * W + ix];
                    for (int64_t k = 0; k < Kg; k++) {
                        for (int64_t r = 0; r < R; r++) {
                            const int64_t oy = iy * p.stride[0] - p.padding[0] + r * p.dilation[0];
                            if (oy < 0 || oy >= OH) continue;
                            for (int64_t s = 0; s < S; s++) {
                                const int64_t ox = ix * p.stride[1] - p.padding[1] + s * p.dilation[1];
                                if (ox < 0 || ox >= OW) continue;
                                const double term = v * (double)weight[((c * Kg + k) * R + r) * S + s];
                                const int64_t o = out_index(n, g * Kg + k, oy, ox);
                                res.value[o] += term;
                                res.abs_sum[o] += std::fabs(term);
                            }
                        }
                    }
                }
            }
        }
    }
    return res;
}

}  // namespace ref
