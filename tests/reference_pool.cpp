#include "reference_pool.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace ref {

namespace {

void require(bool ok, const char *what) {
    if (!ok) throw std::invalid_argument(std::string("reference: invalid parameters: ") + what);
}

bool valid_input(const Shape &input) {
    if (input.size() != 4) return false;
    for (int64_t d : input)
        if (d <= 0) return false;
    return true;
}

// PyTorch's div_rtn for a positive divisor: floor division.
int64_t div_floor(int64_t a, int64_t b) { return floor_div(a, b); }

}  // namespace

int64_t pool_output_size(int64_t in, int kernel, int stride, int pad, int dilation, bool ceil_mode) {
    const int64_t span = in + 2 * (int64_t)pad - (int64_t)dilation * (kernel - 1) - 1;
    int64_t out = div_floor(span + (ceil_mode ? stride - 1 : 0), stride) + 1;
    if (ceil_mode && (out - 1) * stride >= in + pad) out--;
    return out;
}

Shape pool2d_output_shape(const Shape &input, const PoolParams &p) {
    if (!valid_input(input)) return {};
    Shape out{input[0], input[1], 0, 0};
    for (int a = 0; a < 2; a++) {
        const int k = p.kernel[a], s = p.stride[a], pad = p.padding[a], d = p.dilation[a];
        if (k < 1 || s < 1 || d < 1 || pad < 0 || pad > k / 2) return {};
        const int64_t in = input[2 + a];
        const int64_t o = pool_output_size(in, k, s, pad, d, p.ceil_mode);
        if (o < 1) return {};
        // Every window must hold an in-bounds tap (see the header).
        for (int64_t i = 0; i < o; i++) {
            bool any = false;
            for (int t = 0; t < k; t++) {
                const int64_t x = i * s - pad + (int64_t)t * d;
                any |= (x >= 0 && x < in);
            }
            if (!any) return {};
        }
        out[2 + a] = o;
    }
    return out;
}

MaxResult max_pool2d(const float *input, const Shape &input_shape, const PoolParams &p) {
    MaxResult res;
    res.shape = pool2d_output_shape(input_shape, p);
    require(!res.shape.empty(), "max_pool2d");
    const int64_t N = input_shape[0], C = input_shape[1], H = input_shape[2], W = input_shape[3];
    const int64_t OH = res.shape[2], OW = res.shape[3];
    res.value.resize((size_t)(N * C * OH * OW));
    res.index.resize(res.value.size());
    for (int64_t n = 0; n < N; n++) {
        for (int64_t c = 0; c < C; c++) {
            const float *plane = input + (n * C + c) * H * W;
            for (int64_t oy = 0; oy < OH; oy++) {
                for (int64_t ox = 0; ox < OW; ox++) {
                    float maxval = -std::numeric_limits<float>::infinity();
                    int64_t maxidx = -1;
                    for (int r = 0; r < p.kernel[0]; r++) {
                        const int64_t y = oy * p.stride[0] - p.padding[0] + (int64_t)r * p.dilation[0];
                        if (y < 0 || y >= H) continue;  // -inf padding never wins
                        for (int s = 0; s < p.kernel[1]; s++) {
                            const int64_t x = ox * p.stride[1] - p.padding[1] + (int64_t)s * p.dilation[1];
                            if (x < 0 || x >= W) continue;
                            const float v = plane[y * W + x];
                            if (maxidx < 0) maxidx = y * W + x;  // first in-bounds tap
                            if (v > maxval || std::isnan(v)) {
                                maxval = v;
                                maxidx = y * W + x;
                            }
                        }
                    }
                    require(maxidx >= 0, "max_pool2d window without an in-bounds tap");
                    const int64_t o = ((n * C + c) * OH + oy) * OW + ox;
                    res.value[(size_t)o] = maxval;
                    res.index[(size_t)o] = maxidx;
                }
            }
        }
    }
    return res;
}

namespace {

// The window of output `o` along one axis for average pooling, PyTorch's way:
// [start, end) clipped to the input, and the divisor's extent (the window
// clipped to the padded input [-pad, in + pad)).
struct AvgWindow {
    int64_t start, end, padded_extent;
};

AvgWindow avg_window(int64_t o, int64_t in, int kernel, int stride, int pad) {
    int64_t start = o * stride - pad;
    int64_t end = std::min<int64_t>(start + kernel, in + pad);
    const int64_t padded_extent = end - start;
    start = std::max<int64_t>(start, 0);
    end = std::min<int64_t>(end, in);
    return {start, end, padded_extent};
}

double avg_divisor(const AvgWindow &wy, const AvgWindow &wx, const PoolParams &p) {
    if (p.divisor_override != 0) return p.divisor_override;
    if (p.count_include_pad) return (double)(wy.padded_extent * wx.padded_extent);
    return (double)((wy.end - wy.start) * (wx.end - wx.start));
}

void require_avg(const Shape &input_shape, const PoolParams &p, Shape *out) {
    require(p.dilation[0] == 1 && p.dilation[1] == 1, "avg_pool2d has no dilation");
    *out = pool2d_output_shape(input_shape, p);
    require(!out->empty(), "avg_pool2d");
}

}  // namespace

Result avg_pool2d(const float *input, const Shape &input_shape, const PoolParams &p) {
    Result res;
    require_avg(input_shape, p, &res.shape);
    const int64_t N = input_shape[0], C = input_shape[1], H = input_shape[2], W = input_shape[3];
    const int64_t OH = res.shape[2], OW = res.shape[3];
    res.value.resize((size_t)(N * C * OH * OW));
    res.abs_sum.resize(res.value.size());
    for (int64_t n = 0; n < N; n++) {
        for (int64_t c = 0; c < C; c++) {
            const float *plane = input + (n * C + c) * H * W;
            for (int64_t oy = 0; oy < OH; oy++) {
                const AvgWindow wy = avg_window(oy, H, p.kernel[0], p.stride[0], p.padding[0]);
                for (int64_t ox = 0; ox < OW; ox++) {
                    const AvgWindow wx = avg_window(ox, W, p.kernel[1], p.stride[1], p.padding[1]);
                    double sum = 0.0, abs_sum = 0.0;
                    for (int64_t y = wy.start; y < wy.end; y++) {
                        for (int64_t x = wx.start; x < wx.end; x++) {
                            sum += plane[y * W + x];
                            abs_sum += std::fabs((double)plane[y * W + x]);
                        }
                    }
                    const double div = avg_divisor(wy, wx, p);
                    const int64_t o = ((n * C + c) * OH + oy) * OW + ox;
                    res.value[(size_t)o] = sum / div;
                    res.abs_sum[(size_t)o] = abs_sum / std::fabs(div);
                }
            }
        }
    }
    return res;
}

Result avg_pool2d_backward(const float *grad_output, const Shape &grad_output_shape,
                           const Shape &input_shape, const PoolParams &p) {
    Shape out_shape;
    require_avg(input_shape, p, &out_shape);
    require(out_shape == grad_output_shape, "avg_pool2d_backward: grad_output shape");
    const int64_t N = input_shape[0], C = input_shape[1], H = input_shape[2], W = input_shape[3];
    const int64_t OH = out_shape[2], OW = out_shape[3];
    Result res;
    res.shape = input_shape;
    res.value.assign((size_t)(N * C * H * W), 0.0);
    res.abs_sum.assign(res.value.size(), 0.0);
    for (int64_t n = 0; n < N; n++) {
        for (int64_t c = 0; c < C; c++) {
            const int64_t plane = (n * C + c) * H * W;
            for (int64_t oy = 0; oy < OH; oy++) {
                const AvgWindow wy = avg_window(oy, H, p.kernel[0], p.stride[0], p.padding[0]);
                for (int64_t ox = 0; ox < OW; ox++) {
                    const AvgWindow wx = avg_window(ox, W, p.kernel[1], p.stride[1], p.padding[1]);
                    const double div = avg_divisor(wy, wx, p);
                    const double g = grad_output[((n * C + c) * OH + oy) * OW + ox];
                    for (int64_t y = wy.start; y < wy.end; y++) {
                        for (int64_t x = wx.start; x < wx.end; x++) {
                            res.value[(size_t)(plane + y * W + x)] += g / div;
                            res.abs_sum[(size_t)(plane + y * W + x)] += std::fabs(g / div);
                        }
                    }
                }
            }
        }
    }
    return res;
}

Result max_pool2d_backward(const float *grad_output, const int64_t *indices,
                           const Shape &grad_output_shape, const Shape &input_shape) {
    require(valid_input(grad_output_shape) && valid_input(input_shape) &&
                grad_output_shape[0] == input_shape[0] && grad_output_shape[1] == input_shape[1],
            "max_pool2d_backward shapes");
    const int64_t N = input_shape[0], C = input_shape[1], H = input_shape[2], W = input_shape[3];
    const int64_t OH = grad_output_shape[2], OW = grad_output_shape[3];
    Result res;
    res.shape = input_shape;
    res.value.assign((size_t)(N * C * H * W), 0.0);
    res.abs_sum.assign(res.value.size(), 0.0);
    for (int64_t n = 0; n < N; n++) {
        for (int64_t c = 0; c < C; c++) {
            for (int64_t o = 0; o < OH * OW; o++) {
                const int64_t src = (n * C + c) * OH * OW + o;
                const int64_t idx = indices[src];
                require(idx >= 0 && idx < H * W, "max_pool2d_backward: index outside the plane");
                const int64_t dst = (n * C + c) * H * W + idx;
                res.value[(size_t)dst] += grad_output[src];
                res.abs_sum[(size_t)dst] += std::fabs((double)grad_output[src]);
            }
        }
    }
    return res;
}

Shape subsample2d_output_shape(const Shape &input, const std::array<int, 2> &stride,
                               const std::array<int, 2> &offset) {
    if (!valid_input(input)) return {};
    Shape out{input[0], input[1], 0, 0};
    for (int a = 0; a < 2; a++) {
        const int64_t in = input[2 + a];
        if (stride[a] < 1 || offset[a] < 0 || offset[a] >= in) return {};
        out[2 + a] = (in - offset[a] + stride[a] - 1) / stride[a];  // ceil, positive operands
    }
    return out;
}

std::vector<float> subsample2d(const float *input, const Shape &input_shape,
                               const std::array<int, 2> &stride, const std::array<int, 2> &offset) {
    const Shape out = subsample2d_output_shape(input_shape, stride, offset);
    require(!out.empty(), "subsample2d");
    const int64_t N = input_shape[0], C = input_shape[1], H = input_shape[2], W = input_shape[3];
    const int64_t OH = out[2], OW = out[3];
    std::vector<float> res((size_t)(N * C * OH * OW));
    for (int64_t n = 0; n < N; n++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t i = 0; i < OH; i++)
                for (int64_t j = 0; j < OW; j++)
                    res[(size_t)(((n * C + c) * OH + i) * OW + j)] =
                        input[((n * C + c) * H + offset[0] + i * stride[0]) * W + offset[1] + j * stride[1]];
    return res;
}

Shape max_unpool2d_output_shape(const Shape &input, const std::array<int, 2> &kernel,
                                const std::array<int, 2> &stride, const std::array<int, 2> &padding,
                                const std::optional<std::array<int64_t, 2>> &output_size) {
    if (!valid_input(input)) return {};
    Shape out{input[0], input[1], 0, 0};
    for (int a = 0; a < 2; a++) {
        if (kernel[a] < 1 || stride[a] < 1 || padding[a] < 0) return {};
        const int64_t dflt = (input[2 + a] - 1) * stride[a] - 2 * (int64_t)padding[a] + kernel[a];
        int64_t size = dflt;
        if (output_size) {
            size = (*output_size)[a];
            if (!(dflt - stride[a] < size && size < dflt + stride[a])) return {};
        }
        if (size < 1) return {};
        out[2 + a] = size;
    }
    return out;
}

std::vector<float> max_unpool2d(const float *input, const int64_t *indices, const Shape &input_shape,
                                const Shape &output_shape) {
    require(valid_input(input_shape) && valid_input(output_shape) && input_shape[0] == output_shape[0] &&
                input_shape[1] == output_shape[1],
            "max_unpool2d shapes");
    const int64_t N = input_shape[0], C = input_shape[1];
    const int64_t in_plane = input_shape[2] * input_shape[3];
    const int64_t out_plane = output_shape[2] * output_shape[3];
    std::vector<float> res((size_t)(N * C * out_plane), 0.0f);
    for (int64_t nc = 0; nc < N * C; nc++) {
        for (int64_t i = 0; i < in_plane; i++) {  // scan order: the last duplicate wins
            const int64_t idx = indices[nc * in_plane + i];
            require(idx >= 0 && idx < out_plane, "max_unpool2d: index outside the output plane");
            res[(size_t)(nc * out_plane + idx)] = input[nc * in_plane + i];
        }
    }
    return res;
}

Shape adaptive_pool2d_output_shape(const Shape &input, const std::array<int64_t, 2> &output_size) {
    if (!valid_input(input)) return {};
    Shape out{input[0], input[1], 0, 0};
    for (int a = 0; a < 2; a++) {
        if (output_size[a] < 0) return {};
        out[2 + a] = output_size[a] == 0 ? input[2 + a] : output_size[a];
    }
    return out;
}

int64_t adaptive_start(int64_t o, int64_t in, int64_t out) { return (o * in) / out; }  // floor
int64_t adaptive_end(int64_t o, int64_t in, int64_t out) {
    return ((o + 1) * in + out - 1) / out;  // ceil
}

Result adaptive_avg_pool2d(const float *input, const Shape &input_shape,
                           const std::array<int64_t, 2> &output_size) {
    Result res;
    res.shape = adaptive_pool2d_output_shape(input_shape, output_size);
    require(!res.shape.empty(), "adaptive_avg_pool2d");
    const int64_t N = input_shape[0], C = input_shape[1], H = input_shape[2], W = input_shape[3];
    const int64_t OH = res.shape[2], OW = res.shape[3];
    res.value.resize((size_t)(N * C * OH * OW));
    res.abs_sum.resize(res.value.size());
    for (int64_t nc = 0; nc < N * C; nc++) {
        const float *plane = input + nc * H * W;
        for (int64_t oy = 0; oy < OH; oy++) {
            const int64_t y0 = adaptive_start(oy, H, OH), y1 = adaptive_end(oy, H, OH);
            for (int64_t ox = 0; ox < OW; ox++) {
                const int64_t x0 = adaptive_start(ox, W, OW), x1 = adaptive_end(ox, W, OW);
                double sum = 0.0, abs_sum = 0.0;
                for (int64_t y = y0; y < y1; y++) {
                    for (int64_t x = x0; x < x1; x++) {
                        sum += plane[y * W + x];
                        abs_sum += std::fabs((double)plane[y * W + x]);
                    }
                }
                const double count = (double)((y1 - y0) * (x1 - x0));
                const int64_t o = (nc * OH + oy) * OW + ox;
                res.value[(size_t)o] = sum / count;
                res.abs_sum[(size_t)o] = abs_sum / count;
            }
        }
    }
    return res;
}

MaxResult adaptive_max_pool2d(const float *input, const Shape &input_shape,
                              const std::array<int64_t, 2> &output_size) {
    MaxResult res;
    res.shape = adaptive_pool2d_output_shape(input_shape, output_size);
    require(!res.shape.empty(), "adaptive_max_pool2d");
    const int64_t N = input_shape[0], C = input_shape[1], H = input_shape[2], W = input_shape[3];
    const int64_t OH = res.shape[2], OW = res.shape[3];
    res.value.resize((size_t)(N * C * OH * OW));
    res.index.resize(res.value.size());
    for (int64_t nc = 0; nc < N * C; nc++) {
        const float *plane = input + nc * H * W;
        for (int64_t oy = 0; oy < OH; oy++) {
            const int64_t y0 = adaptive_start(oy, H, OH), y1 = adaptive_end(oy, H, OH);
            for (int64_t ox = 0; ox < OW; ox++) {
                const int64_t x0 = adaptive_start(ox, W, OW), x1 = adaptive_end(ox, W, OW);
                float maxval = -std::numeric_limits<float>::infinity();
                int64_t maxidx = y0 * W + x0;
                for (int64_t y = y0; y < y1; y++) {
                    for (int64_t x = x0; x < x1; x++) {
                        const float v = plane[y * W + x];
                        if (v > maxval || std::isnan(v)) {
                            maxval = v;
                            maxidx = y * W + x;
                        }
                    }
                }
                const int64_t o = (nc * OH + oy) * OW + ox;
                res.value[(size_t)o] = maxval;
                res.index[(size_t)o] = maxidx;
            }
        }
    }
    return res;
}

}  // namespace ref
