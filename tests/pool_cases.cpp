#include "pool_cases.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <random>
#include <set>
#include <sstream>

namespace halconv_test {

// ---------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------
const char *pool_data_name(PoolData d) {
    switch (d) {
    case PoolData::Uniform: return "uniform";
    case PoolData::IntTies: return "ties";
    case PoolData::NaNs: return "nan";
    case PoolData::Infs: return "inf";
    case PoolData::Distinct: return "distinct";
    }
    return "?";
}

std::vector<float> pool_data(const Shape &shape, PoolData kind, uint32_t seed) {
    const int64_t count = numel(shape);
    if (kind == PoolData::Uniform) return random_tensor(count, seed);
    std::mt19937 gen(seed);
    std::vector<float> v((size_t)count);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    auto small_int = [&] { return (float)((int)(gen() % 5u) - 2); };
    switch (kind) {
    case PoolData::IntTies:
        for (auto &x : v) x = small_int();
        break;
    case PoolData::NaNs:
        for (auto &x : v) {
            const unsigned r = gen() % 100u;
            x = r < 20 ? nan : small_int();
        }
        break;
    case PoolData::Infs:
        for (auto &x : v) {
            const unsigned r = gen() % 100u;
            x = r < 25 ? -inf : r < 30 ? inf : small_int();
        }
        // The first two rows of every plane are all -inf, so that windows at
        // the top border (padding included) hold nothing but -inf.
        if (shape.size() == 4 && shape[2] >= 4) {
            const int64_t H = shape[2], W = shape[3];
            for (int64_t p = 0; p < shape[0] * shape[1]; p++)
                for (int64_t i = 0; i < 2 * W; i++) v[(size_t)(p * H * W + i)] = -inf;
        }
        break;
    case PoolData::Distinct: {
        std::vector<int64_t> perm((size_t)count);
        for (int64_t i = 0; i < count; i++) perm[(size_t)i] = i;
        for (int64_t i = count - 1; i > 0; i--) std::swap(perm[(size_t)i], perm[(size_t)(gen() % (uint32_t)(i + 1))]);
        for (int64_t i = 0; i < count; i++) v[(size_t)i] = 0.01f * (float)(perm[(size_t)i] - count / 2);
        break;
    }
    case PoolData::Uniform: break;
    }
    return v;
}

uint32_t pool_seed(const std::string &s, uint32_t salt) {
    uint32_t h = 2166136261u ^ salt;  // FNV-1a
    for (unsigned char ch : s) {
        h ^= ch;
        h *= 16777619u;
    }
    return h;
}

Guarded<float> guarded_output(const std::vector<float> &want) {
    const bool has_nan = std::any_of(want.begin(), want.end(), [](float v) { return std::isnan(v); });
    return Guarded<float>((int64_t)want.size(), has_nan ? kFiniteFill : std::numeric_limits<float>::quiet_NaN(),
                          guard_sentinel());
}

Guarded<float> guarded_output(const std::vector<double> &want) {
    const bool has_nan = std::any_of(want.begin(), want.end(), [](double v) { return std::isnan(v); });
    return Guarded<float>((int64_t)want.size(), has_nan ? kFiniteFill : std::numeric_limits<float>::quiet_NaN(),
                          guard_sentinel());
}

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------
namespace {



::testing::AssertionResult report(int64_t bad, int64_t total, const Shape &shape, const std::string &first,
                                  const std::string &extra = "") {
    if (bad == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << bad << " of " << total << " elements of shape " << shape_str(shape)
                                         << " differ" << extra << "\n  first bad " << first;
}

}  // namespace

::testing::AssertionResult pool_values_equal(const std::vector<float> &got, const std::vector<float> &want,
                                             const Shape &shape) {
    if (got.size() != want.size())
        return ::testing::AssertionFailure() << "size mismatch: got " << got.size() << ", expected " << want.size();
    int64_t bad = 0;
    std::string first;
    for (size_t i = 0; i < got.size(); i++) {
        const bool ok = std::isnan(want[i]) ? std::isnan(got[i]) : got[i] == want[i];
        if (!ok && bad++ == 0) {
            first = position_str(shape, (int64_t)i) + ": got " + float_str(got[i]) + ", expected " +
                    float_str(want[i]) + (got[i] == kFiniteFill || std::isnan(got[i]) ? " (unwritten?)" : "");
        }
    }
    return report(bad, (int64_t)got.size(), shape, first);
}

::testing::AssertionResult pool_values_match(const std::vector<float> &got, const ref::Result &want,
                                             Tolerance tol) {
    if (got.size() != want.value.size())
        return ::testing::AssertionFailure() << "size mismatch: got " << got.size() << ", expected "
                                             << want.value.size();
    int64_t bad = 0, worst = -1;
    double worst_ratio = 0.0;
    std::string first;
    for (size_t i = 0; i < got.size(); i++) {
        const double w = want.value[i];
        const double t = tol.rel * want.abs_sum[i] + tol.abs;
        bool ok;
        double ratio = 0.0;
        if (std::isnan(w)) {
            ok = std::isnan(got[i]);
        } else if (std::isinf(w)) {
            ok = (double)got[i] == w;
        } else {
            ok = std::isfinite(got[i]) && std::fabs((double)got[i] - w) <= t;
            ratio = std::isfinite(got[i]) ? std::fabs((double)got[i] - w) / t : 1e300;
        }
        if (!ok) {
            if (bad++ == 0) {
                first = position_str(want.shape, (int64_t)i) + ": got " + float_str(got[i]) + ", expected " +
                        float_str(w) + ", tolerance " + float_str(t) +
                        (got[i] == kFiniteFill || std::isnan(got[i]) ? " (unwritten?)" : "");
            }
            if (worst < 0 || ratio > worst_ratio) worst = (int64_t)i, worst_ratio = ratio;
        }
    }
    std::string extra;
    if (worst >= 0) {
        extra = "; worst " + position_str(want.shape, worst) + ": got " + float_str(got[(size_t)worst]) +
                ", expected " + float_str(want.value[(size_t)worst]);
    }
    return report(bad, (int64_t)got.size(), want.shape, first, extra);
}

::testing::AssertionResult pool_indices_equal(const std::vector<int64_t> &got, const std::vector<int64_t> &want,
                                              const Shape &shape, int64_t input_plane_w,
                                              const std::vector<float> *input, const Shape *input_shape) {
    if (got.size() != want.size())
        return ::testing::AssertionFailure() << "size mismatch: got " << got.size() << ", expected " << want.size();
    int64_t bad = 0;
    std::string first;
    auto where = [&](int64_t plane, int64_t idx) {
        std::ostringstream os;
        os << idx;
        if (idx == kIndexFill) {
            os << " (unwritten)";
        } else if (idx >= 0 && input_plane_w > 0) {
            os << " = (row " << idx / input_plane_w << ", col " << idx % input_plane_w << ")";
            if (input && input_shape && input_shape->size() == 4) {
                const int64_t plane_size = (*input_shape)[2] * (*input_shape)[3];
                if (idx < plane_size)
                    os << " holding " << float_str((*input)[(size_t)(plane * plane_size + idx)]);
                else
                    os << " outside the plane";
            }
        }
        return os.str();
    };
    for (size_t i = 0; i < got.size(); i++) {
        if (got[i] != want[i] && bad++ == 0) {
            const int64_t plane = shape.size() == 4 ? (int64_t)i / (shape[2] * shape[3]) : 0;
            first = position_str(shape, (int64_t)i) + ": got index " + where(plane, got[i]) + ", expected " +
                    where(plane, want[i]);
        }
    }
    return report(bad, (int64_t)got.size(), shape, first, " (indices)");
}

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------
namespace {

std::string pair_str(const std::array<int, 2> &v) {
    return "(" + std::to_string(v[0]) + ", " + std::to_string(v[1]) + ")";
}
std::string pair_compact(const std::array<int, 2> &v) { return std::to_string(v[0]) + "x" + std::to_string(v[1]); }
std::string shape_compact(int64_t N, int64_t C, int64_t H, int64_t W) {
    return "N" + std::to_string(N) + "C" + std::to_string(C) + "H" + std::to_string(H) + "W" + std::to_string(W);
}

}  // namespace

halconv::MaxPool2dOptions PoolCase::max_options(Device device) const {
    halconv::MaxPool2dOptions o;
    o.kernel_size = kernel;
    o.stride = stride;
    o.padding = padding;
    o.dilation = dilation;
    o.ceil_mode = ceil_mode;
    o.device = device;
    return o;
}

halconv::AvgPool2dOptions PoolCase::avg_options(Device device) const {
    halconv::AvgPool2dOptions o;
    o.kernel_size = kernel;
    o.stride = stride;
    o.padding = padding;
    o.ceil_mode = ceil_mode;
    o.count_include_pad = count_include_pad;
    o.divisor_override = divisor_override;
    o.device = device;
    return o;
}

ref::PoolParams PoolCase::ref_params() const {
    ref::PoolParams p;
    p.kernel = kernel;
    p.stride = effective_stride();
    p.padding = padding;
    p.dilation = dilation;
    p.ceil_mode = ceil_mode;
    p.count_include_pad = count_include_pad;
    p.divisor_override = divisor_override;
    return p;
}

std::string PoolCase::describe(const char *op) const {
    std::ostringstream os;
    os << op << " case '" << label << "': input " << shape_str(input_shape()) << ", kernel_size "
       << pair_str(kernel) << ", stride " << (stride ? pair_str(*stride) : "default " + pair_str(kernel))
       << ", padding " << pair_str(padding) << ", dilation " << pair_str(dilation) << ", ceil_mode "
       << (ceil_mode ? "yes" : "no") << ", count_include_pad " << (count_include_pad ? "yes" : "no")
       << ", divisor_override " << divisor_override << ", data " << pool_data_name(data);
    return os.str();
}

std::string PoolCase::name() const {
    std::ostringstream os;
    os << label << "__" << shape_compact(N, C, H, W) << "_k" << pair_compact(kernel) << "_s"
       << (stride ? pair_compact(*stride) : "def") << "_p" << pair_compact(padding);
    if (dilation != std::array<int, 2>{1, 1}) os << "_d" << pair_compact(dilation);
    if (ceil_mode) os << "_ceil";
    if (!count_include_pad) os << "_nopadcount";
    if (divisor_override > 0) os << "_div" << divisor_override;
    if (divisor_override < 0) os << "_divm" << -divisor_override;
    if (data != PoolData::Uniform) os << "_" << pool_data_name(data);
    return os.str();
}

halconv::Subsample2dOptions SubsampleCase::options(Device device) const {
    halconv::Subsample2dOptions o;
    o.stride = stride;
    o.offset = offset;
    o.device = device;
    return o;
}

std::string SubsampleCase::describe() const {
    std::ostringstream os;
    os << "subsample2d case '" << label << "': input " << shape_str(input_shape()) << ", stride "
       << pair_str(stride) << ", offset " << pair_str(offset) << ", data " << pool_data_name(data)
       << (default_options ? ", default options" : "");
    return os.str();
}

std::string SubsampleCase::name() const {
    std::ostringstream os;
    os << label << "__" << shape_compact(N, C, H, W) << "_s" << pair_compact(stride) << "_off"
       << pair_compact(offset);
    if (data != PoolData::Uniform) os << "_" << pool_data_name(data);
    if (default_options) os << "_defaultopts";
    return os.str();
}

const char *unpool_indices_name(UnpoolIndices u) {
    switch (u) {
    case UnpoolIndices::Pooled: return "pooled";
    case UnpoolIndices::Distinct: return "distinct";
    case UnpoolIndices::Random: return "randomdup";
    }
    return "?";
}

Shape UnpoolCase::ref_output_shape() const {
    return ref::max_unpool2d_output_shape(input_shape(), kernel, effective_stride(), padding, output_size);
}

halconv::MaxUnpool2dOptions UnpoolCase::options(Device device) const {
    halconv::MaxUnpool2dOptions o;
    o.kernel_size = kernel;
    o.stride = stride;
    o.padding = padding;
    o.output_size = output_size;
    o.device = device;
    return o;
}

std::string UnpoolCase::describe() const {
    std::ostringstream os;
    os << "max_unpool2d case '" << label << "': input " << shape_str(input_shape()) << ", kernel_size "
       << pair_str(kernel) << ", stride " << (stride ? pair_str(*stride) : "default " + pair_str(kernel))
       << ", padding " << pair_str(padding) << ", output_size ";
    if (output_size)
        os << "(" << (*output_size)[0] << ", " << (*output_size)[1] << ")";
    else
        os << "default";
    os << ", indices " << unpool_indices_name(indices) << ", data " << pool_data_name(data);
    return os.str();
}

std::string UnpoolCase::name() const {
    std::ostringstream os;
    os << label << "__" << shape_compact(N, C, H, W) << "_k" << pair_compact(kernel) << "_s"
       << (stride ? pair_compact(*stride) : "def") << "_p" << pair_compact(padding);
    if (output_size) os << "_out" << (*output_size)[0] << "x" << (*output_size)[1];
    os << "_" << unpool_indices_name(indices);
    if (data != PoolData::Uniform) os << "_" << pool_data_name(data);
    return os.str();
}

std::vector<int64_t> make_unpool_indices(const UnpoolCase &c, int64_t oh, int64_t ow, uint32_t seed) {
    std::mt19937 gen(seed);
    const int64_t planes = c.N * c.C, in_plane = c.H * c.W, out_plane = oh * ow;
    const std::array<int, 2> st = c.effective_stride();
    std::vector<int64_t> idx((size_t)(planes * in_plane));
    auto uniform = [&](int64_t n) { return (int64_t)(gen() % (uint32_t)n); };
    for (int64_t p = 0; p < planes; p++) {
        int64_t *dst = idx.data() + p * in_plane;
        UnpoolIndices mode = c.indices;
        if (mode == UnpoolIndices::Distinct && in_plane > out_plane) mode = UnpoolIndices::Random;
        if (mode == UnpoolIndices::Distinct) {
            std::vector<int64_t> all((size_t)out_plane);
            for (int64_t i = 0; i < out_plane; i++) all[(size_t)i] = i;
            for (int64_t i = 0; i < in_plane; i++) {
                std::swap(all[(size_t)i], all[(size_t)(i + uniform(out_plane - i))]);
                dst[i] = all[(size_t)i];
            }
        } else if (mode == UnpoolIndices::Random) {
            for (int64_t i = 0; i < in_plane; i++) dst[i] = uniform(out_plane);
        } else {
            for (int64_t y = 0; y < c.H; y++) {
                for (int64_t x = 0; x < c.W; x++) {
                    const int64_t y0 = std::max<int64_t>(0, y * st[0] - c.padding[0]);
                    const int64_t y1 = std::min<int64_t>(oh, y * st[0] - c.padding[0] + c.kernel[0]);
                    const int64_t x0 = std::max<int64_t>(0, x * st[1] - c.padding[1]);
                    const int64_t x1 = std::min<int64_t>(ow, x * st[1] - c.padding[1] + c.kernel[1]);
                    if (y0 < y1 && x0 < x1) {
                        dst[y * c.W + x] = (y0 + uniform(y1 - y0)) * ow + x0 + uniform(x1 - x0);
                    } else {
                        dst[y * c.W + x] = uniform(out_plane);
                    }
                }
            }
        }
    }
    return idx;
}

halconv::AdaptivePool2dOptions AdaptiveCase::options(Device device) const {
    halconv::AdaptivePool2dOptions o;
    o.output_size = output_size;
    o.device = device;
    return o;
}

std::string AdaptiveCase::describe(const char *op) const {
    std::ostringstream os;
    os << op << " case '" << label << "': input " << shape_str(input_shape()) << ", output_size ("
       << output_size[0] << ", " << output_size[1] << "), data " << pool_data_name(data)
       << (default_options ? ", default options" : "");
    return os.str();
}

std::string AdaptiveCase::name() const {
    std::ostringstream os;
    os << label << "__" << shape_compact(N, C, H, W) << "_out" << output_size[0] << "x" << output_size[1];
    if (data != PoolData::Uniform) os << "_" << pool_data_name(data);
    if (default_options) os << "_defaultopts";
    return os.str();
}

void PrintTo(const PoolCase &c, std::ostream *os) { *os << c.label; }
void PrintTo(const SubsampleCase &c, std::ostream *os) { *os << c.label; }
void PrintTo(const UnpoolCase &c, std::ostream *os) { *os << c.label; }
void PrintTo(const AdaptiveCase &c, std::ostream *os) { *os << c.label; }

// ---------------------------------------------------------------------------
// The sweeps
// ---------------------------------------------------------------------------
using D = PoolData;

// pool(label, N, C, H, W, kh, kw).s(stride).p(padding).d(dilation).ceil().with(data)
std::vector<PoolCase> max_pool2d_cpu_cases() {
    return {
        // basics, default stride, odd sizes, batch
        pool("k2_default_stride", 1, 3, 8, 8, 2, 2),
        pool("k2_default_stride_odd", 1, 3, 9, 11, 2, 2),
        pool("k3_s2_p1_resnet", 1, 4, 17, 19, 3, 3).s(2).p(1),
        pool("odd_37x53_k3_s2", 1, 3, 37, 53, 3, 3).s(2),
        pool("batch3", 3, 5, 13, 11, 2, 2).s(2),
        pool("k3_s1_p1_same", 2, 3, 10, 9, 3, 3).s(1).p(1),
        // ceil_mode: an extra partial window, and a last window that would start
        // in the padding (dropped)
        pool("ceil_extra_window_p0", 1, 3, 9, 11, 2, 2).ceil(),
        pool("ceil_extra_window_k3_s2_p1", 1, 3, 6, 8, 3, 3).s(2).p(1).ceil(),
        pool("ceil_drop_window_in_padding", 1, 2, 5, 7, 2, 2).s(2).p(1).ceil(),
        pool("ceil_drop_k3_s3_p1", 2, 3, 11, 11, 3, 3).s(3).p(1).ceil(),
        pool("ceil_drop_and_extra", 1, 3, 9, 8, 2, 3).s(2).p(1).ceil(),
        // dilation
        pool("dilation2_k3_s1_p1", 1, 3, 15, 17, 3, 3).s(1).p(1).d(2),
        pool("dilation_2x3_s2", 1, 2, 19, 23, 3, 2).s(2).p(1).d(2, 3),
        pool("dilation2_ceil", 1, 2, 12, 13, 3, 3).s(2).p(1).d(2).ceil(),
        pool("dilation3_k2_nopad", 1, 3, 10, 11, 2, 2).s(1).d(3),
        // non-square kernels and strides
        pool("kernel_3x2_stride_1x2", 1, 3, 11, 12, 3, 2).s(1, 2).p(1, 1),
        pool("kernel_1x3_stride_1x2", 1, 4, 9, 10, 1, 3).s(1, 2).p(0, 1),
        pool("kernel_5x1_stride_2x1", 1, 4, 13, 7, 5, 1).s(2, 1).p(2, 0),
        pool("kernel_2x4_default_stride", 1, 3, 10, 17, 2, 4),
        // padding = kernel / 2
        pool("pad_half_k4_s2", 1, 2, 10, 11, 4, 4).s(2).p(2),
        pool("pad_half_k5_s3", 1, 2, 13, 12, 5, 5).s(3).p(2),
        pool("pad_half_k2_s1", 1, 3, 7, 6, 2, 2).s(1).p(1),
        // kernel == input size
        pool("kernel_eq_input_global", 2, 3, 7, 9, 7, 9),
        pool("kernel_eq_input_pad_half", 1, 3, 5, 6, 5, 6).s(1).p(2, 3),
        // ceil_mode: a kernel larger than the padded input still gets one window
        pool("kernel_gt_padded_input_ceil", 1, 2, 2, 2, 5, 5).s(5).p(1).ceil(),
        pool("k4_s3_p2_ceil_tiny_input", 2, 3, 3, 3, 4, 4).s(3).p(2).ceil(),
        // 1xN / Nx1 planes
        pool("plane_1xN", 1, 3, 1, 37, 1, 3).s(1, 2).p(0, 1),
        pool("plane_Nx1", 1, 3, 41, 1, 3, 1).s(2, 1).p(1, 0),
        pool("plane_1x1", 2, 5, 1, 1, 1, 1),
        // channels > 16
        pool("channels_20", 1, 20, 9, 10, 3, 3).s(2).p(1),
        pool("channels_35_batch2_ceil", 2, 35, 7, 6, 2, 2).ceil(),
        // stride > kernel
        pool("stride3_gt_kernel2", 1, 3, 14, 15, 2, 2).s(3),
        pool("stride_4x3_gt_kernel_ceil", 1, 3, 17, 13, 2, 2).s(4, 3).ceil(),
        // ties: the first maximum in scan order
        pool("ties_k3_s1_p1", 2, 4, 12, 13, 3, 3).s(1).p(1).with(D::IntTies),
        pool("ties_k2_default_stride", 1, 6, 10, 10, 2, 2).with(D::IntTies),
        pool("ties_dilated_ceil", 1, 3, 13, 12, 3, 3).s(2).p(1).d(2).ceil().with(D::IntTies),
        pool("ties_global", 2, 3, 5, 7, 5, 7).with(D::IntTies),
        // NaN propagates, index of the last NaN
        pool("nan_k3_s2_p1", 1, 4, 11, 13, 3, 3).s(2).p(1).with(D::NaNs),
        pool("nan_global", 2, 3, 6, 5, 6, 5).with(D::NaNs),
        pool("nan_dilated_ceil", 1, 3, 12, 11, 3, 2).s(2).p(1).d(2, 3).ceil().with(D::NaNs),
        pool("nan_overlap_s1", 1, 2, 9, 10, 3, 3).s(1).with(D::NaNs),
        // -inf (all -inf windows: the first in-bounds tap) and +inf
        pool("inf_k3_s1_p1", 1, 4, 9, 8, 3, 3).s(1).p(1).with(D::Infs),
        pool("inf_ceil_drop", 1, 3, 7, 9, 2, 2).s(2).p(1).ceil().with(D::Infs),
        pool("inf_dilated", 1, 3, 12, 12, 3, 3).s(2).p(1).d(2).with(D::Infs),
        // everything at once, and bigger planes (vectorised paths)
        pool("mixed_all", 3, 17, 15, 14, 3, 4).s(2, 3).p(1, 2).d(2, 1).ceil().with(D::IntTies),
        pool("large_plane_k3_s2_p1", 1, 8, 56, 57, 3, 3).s(2).p(1),
        pool("large_plane_k2", 2, 16, 32, 33, 2, 2),
        pool("wide_130", 1, 4, 5, 130, 2, 3).s(1, 2).p(1, 1),
        pool("tall_130", 1, 3, 130, 5, 3, 2).s(2, 1).p(1, 0),
    };
}

std::vector<PoolCase> avg_pool2d_cpu_cases() {
    return {
        pool("k2_default_stride", 1, 3, 8, 8, 2, 2),
        pool("k2_default_stride_odd", 1, 3, 9, 11, 2, 2),
        pool("k3_s1_p1", 1, 4, 13, 15, 3, 3).s(1).p(1),
        pool("k3_s1_p1_exclude_pad", 1, 4, 13, 15, 3, 3).s(1).p(1).exclude_pad(),
        pool("k3_s2_p1_resnet", 1, 4, 17, 19, 3, 3).s(2).p(1),
        pool("odd_37x53", 1, 3, 37, 53, 3, 3).s(2).p(1).exclude_pad(),
        pool("batch3", 3, 5, 11, 13, 2, 2),
        // ceil_mode: the divisor counts the padding only up to H + pad
        pool("ceil_extra_window_k3_s2_p1", 1, 3, 6, 8, 3, 3).s(2).p(1).ceil(),
        pool("ceil_extra_window_k3_s2_p1_exclude", 1, 3, 6, 8, 3, 3).s(2).p(1).ceil().exclude_pad(),
        pool("ceil_extra_window_p0", 1, 3, 9, 11, 2, 2).ceil(),
        pool("ceil_drop_window_in_padding", 1, 2, 5, 7, 2, 2).s(2).p(1).ceil(),
        pool("ceil_drop_window_exclude", 1, 2, 5, 7, 2, 2).s(2).p(1).ceil().exclude_pad(),
        pool("ceil_drop_k3_s3_p1", 2, 3, 11, 11, 3, 3).s(3).p(1).ceil(),
        // divisor_override (PyTorch accepts negative divisors too)
        pool("divisor_override_5", 1, 3, 9, 10, 3, 3).s(2).p(1).divisor(5),
        pool("divisor_override_ceil_exclude", 1, 3, 7, 8, 3, 3).s(2).p(1).ceil().exclude_pad().divisor(4),
        pool("divisor_override_negative", 1, 2, 6, 7, 2, 2).divisor(-3),
        // non-square kernels and strides
        pool("kernel_3x2_stride_1x2", 1, 3, 11, 12, 3, 2).s(1, 2).p(1, 1),
        pool("kernel_1x3_stride_1x2", 1, 4, 9, 10, 1, 3).s(1, 2).p(0, 1).exclude_pad(),
        pool("kernel_5x1_stride_2x1", 1, 4, 13, 7, 5, 1).s(2, 1).p(2, 0),
        pool("kernel_2x4_default_stride", 1, 3, 10, 17, 2, 4),
        // padding = kernel / 2
        pool("pad_half_k4_s2_exclude", 1, 2, 10, 11, 4, 4).s(2).p(2).exclude_pad(),
        pool("pad_half_k4_s2_ceil", 1, 2, 10, 11, 4, 4).s(2).p(2).ceil(),
        pool("pad_half_k2_s1", 1, 3, 7, 6, 2, 2).s(1).p(1),
        // kernel == input size
        pool("kernel_eq_input_global", 2, 3, 7, 9, 7, 9),
        pool("kernel_eq_input_pad_half_exclude", 1, 3, 5, 6, 5, 6).s(1).p(2, 3).exclude_pad(),
        pool("kernel_gt_padded_input_ceil", 1, 2, 2, 2, 5, 5).s(5).p(1).ceil(),
        pool("k4_s3_p2_ceil_tiny_input", 2, 3, 3, 3, 4, 4).s(3).p(2).ceil(),
        pool("k4_s3_p2_ceil_tiny_input_exclude", 2, 3, 3, 3, 4, 4).s(3).p(2).ceil().exclude_pad(),
        // 1xN / Nx1 planes
        pool("plane_1xN", 1, 3, 1, 37, 1, 3).s(1, 2).p(0, 1),
        pool("plane_Nx1_exclude", 1, 3, 41, 1, 3, 1).s(2, 1).p(1, 0).exclude_pad(),
        pool("plane_1x1", 2, 5, 1, 1, 1, 1),
        // channels > 16
        pool("channels_20", 1, 20, 9, 10, 3, 3).s(2).p(1),
        pool("channels_35_batch2_ceil", 2, 35, 7, 6, 2, 2).ceil(),
        // stride > kernel
        pool("stride3_gt_kernel2", 1, 3, 14, 15, 2, 2).s(3),
        pool("stride_4x3_gt_kernel_ceil", 1, 3, 17, 13, 2, 2).s(4, 3).ceil(),
        // special values: NaN and +-inf propagate (inf - inf = NaN), exact integers
        pool("nan_k3_s2_p1", 1, 4, 11, 13, 3, 3).s(2).p(1).with(D::NaNs),
        pool("inf_k2_s1", 1, 3, 9, 8, 2, 2).s(1).with(D::Infs),
        pool("ints_k3_s2_p1_ceil", 1, 4, 10, 9, 3, 3).s(2).p(1).ceil().with(D::IntTies),
        // everything at once, and bigger planes
        pool("mixed_all", 3, 17, 15, 14, 3, 4).s(2, 3).p(1, 2).ceil().exclude_pad(),
        pool("mixed_all_divisor", 2, 18, 14, 15, 4, 3).s(3, 2).p(2, 1).ceil().divisor(7),
        pool("large_plane_k3_s2_p1", 1, 8, 56, 57, 3, 3).s(2).p(1),
        pool("large_plane_k2", 2, 16, 32, 33, 2, 2),
        pool("wide_130", 1, 4, 5, 130, 2, 3).s(1, 2).p(1, 1),
    };
}

// subsample(label, N, C, H, W).s(stride).off(offset)
std::vector<SubsampleCase> subsample2d_cpu_cases() {
    return {
        subsample("default_options", 1, 3, 8, 8).defaults(),
        subsample("default_options_odd", 2, 3, 9, 11).defaults(),
        subsample("s2", 1, 3, 9, 11).s(2),
        subsample("s2_off1", 1, 3, 9, 11).s(2).off(1),
        subsample("s3_off2", 2, 4, 13, 14).s(3).off(2),
        subsample("s_1x3_off_0x2", 1, 3, 10, 11).s(1, 3).off(0, 2),
        subsample("s_4x1_off_3x0", 1, 3, 17, 9).s(4, 1).off(3, 0),
        subsample("s1_identity", 1, 4, 7, 9).s(1),
        subsample("s1_crop", 1, 4, 7, 9).s(1).off(2, 3),
        subsample("stride_gt_size", 1, 2, 3, 4).s(5, 7),
        subsample("stride_eq_size", 1, 2, 7, 5).s(7, 5).off(3, 2),
        subsample("offset_last", 1, 2, 5, 6).s(2).off(4, 5),
        subsample("plane_1xN", 1, 3, 1, 37).s(1, 4).off(0, 1),
        subsample("plane_Nx1", 1, 3, 41, 1).s(3, 1).off(2, 0),
        subsample("plane_1x1", 2, 3, 1, 1).s(2),
        subsample("channels_20", 1, 20, 9, 10).s(2).off(1, 0),
        subsample("channels_35_batch3", 3, 35, 6, 7).s(2, 3),
        subsample("odd_37x53", 1, 3, 37, 53).s(3, 2).off(1, 1),
        subsample("nan_copied", 1, 4, 9, 9).s(2).off(1).with(D::NaNs),
        subsample("inf_copied", 1, 4, 9, 9).s(3).off(0, 1).with(D::Infs),
        subsample("large", 2, 16, 57, 61).s(2).off(1),
        subsample("wide_130", 1, 3, 4, 130).s(1, 3),
        subsample("tall_130", 1, 3, 130, 4).s(5, 1).off(4, 0),
    };
}

// unpool(label, N, C, H, W, kh, kw).s(stride).p(padding).size(oh, ow).idx(indices)
std::vector<UnpoolCase> max_unpool2d_cpu_cases() {
    using U = UnpoolIndices;
    return {
        unpool("k2_default_stride", 1, 3, 4, 5, 2, 2),
        unpool("k2_s2_odd_output_size", 1, 3, 4, 5, 2, 2).s(2).size(9, 11),
        unpool("k3_s2_p1", 1, 3, 6, 7, 3, 3).s(2).p(1),
        unpool("k3_s2_p1_size_minus1", 1, 3, 6, 7, 3, 3).s(2).p(1).size(10, 12),
        unpool("k3_s2_p1_size_plus1", 2, 3, 6, 7, 3, 3).s(2).p(1).size(12, 14),
        unpool("k3_s1_overlap_duplicates", 1, 2, 6, 7, 3, 3).s(1),
        unpool("distinct_anywhere", 1, 3, 5, 6, 2, 2).idx(U::Distinct),
        unpool("random_duplicates", 2, 3, 6, 5, 2, 2).idx(U::Random),
        unpool("random_duplicates_k1", 1, 4, 8, 8, 1, 1).idx(U::Random),
        unpool("stride3_gt_kernel2", 1, 3, 4, 5, 2, 2).s(3),
        unpool("kernel_3x2_stride_2x1", 1, 3, 5, 6, 3, 2).s(2, 1).p(1, 0),
        unpool("kernel_1x3_stride_1x2", 1, 3, 5, 6, 1, 3).s(1, 2).p(0, 1),
        unpool("plane_1xN", 1, 3, 1, 17, 1, 2),
        unpool("plane_Nx1", 1, 3, 19, 1, 2, 1),
        unpool("plane_1x1_global", 2, 4, 1, 1, 7, 9),
        unpool("channels_20", 1, 20, 5, 5, 2, 2),
        unpool("channels_35_batch2", 2, 35, 3, 4, 2, 2).idx(U::Distinct),
        unpool("pad_half_k4_s2", 1, 2, 5, 6, 4, 4).s(2).p(2),
        unpool("nan_values", 1, 3, 4, 5, 2, 2).with(D::NaNs),
        unpool("inf_values_duplicates", 1, 3, 4, 5, 2, 2).idx(U::Random).with(D::Infs),
        unpool("k3_s3_size_plus2", 1, 3, 7, 9, 3, 3).s(3).size(23, 29),
        unpool("k3_s3_size_minus2", 1, 3, 7, 9, 3, 3).s(3).size(19, 25).idx(U::Random),
        unpool("large", 1, 16, 28, 29, 2, 2),
        unpool("large_random", 2, 8, 20, 21, 3, 3).s(2).p(1).idx(U::Random),
    };
}

// adaptive(label, N, C, H, W, OH, OW): used for adaptive_avg_pool2d and adaptive_max_pool2d
std::vector<AdaptiveCase> adaptive_pool2d_cpu_cases() {
    return {
        adaptive("global_default_options", 2, 5, 7, 9, 1, 1).defaults(),
        adaptive("global_1x1_large", 1, 8, 33, 35, 1, 1),
        adaptive("divides_2x2", 1, 3, 8, 10, 2, 2),
        adaptive("divides_4x5", 1, 3, 12, 15, 4, 5),
        adaptive("overlapping_3x2_from_5x5", 1, 3, 5, 5, 3, 2),
        adaptive("overlapping_7x7_from_10x13", 2, 4, 10, 13, 7, 7),
        adaptive("upsample_4x5_from_2x3", 1, 3, 2, 3, 4, 5),
        adaptive("same_size", 1, 3, 6, 7, 6, 7),
        adaptive("keep_height_0", 1, 3, 6, 7, 0, 3),
        adaptive("keep_both_0", 1, 2, 5, 4, 0, 0),
        adaptive("output_1xN", 1, 3, 9, 10, 1, 4),
        adaptive("output_Nx1", 1, 3, 9, 10, 5, 1),
        adaptive("plane_1xN", 1, 3, 1, 37, 1, 5),
        adaptive("plane_Nx1", 1, 3, 41, 1, 6, 1),
        adaptive("channels_20", 1, 20, 9, 10, 3, 3),
        adaptive("channels_35_batch2", 2, 35, 7, 6, 2, 4),
        adaptive("resnet_head_7x7_to_1", 2, 32, 7, 7, 1, 1),
        adaptive("prime_13x17_to_5x3", 1, 3, 13, 17, 5, 3),
        adaptive("ties", 1, 4, 9, 11, 4, 3).with(D::IntTies),
        adaptive("ties_global", 2, 3, 5, 6, 1, 1).with(D::IntTies),
        adaptive("nan", 1, 4, 9, 11, 4, 3).with(D::NaNs),
        adaptive("inf", 1, 4, 9, 11, 2, 3).with(D::Infs),
        adaptive("large_56_to_7", 1, 16, 56, 57, 7, 7),
    };
}

// OpenCL: same features, small shapes (PoCL runs the kernels on the CPU).
std::vector<PoolCase> max_pool2d_opencl_cases() {
    return {
        pool("k2_default_stride_odd", 1, 3, 9, 11, 2, 2),
        pool("k3_s2_p1_resnet", 1, 4, 11, 13, 3, 3).s(2).p(1),
        pool("batch3", 3, 2, 7, 9, 2, 2).s(2),
        pool("ceil_extra_window_k3_s2_p1", 1, 3, 6, 8, 3, 3).s(2).p(1).ceil(),
        pool("ceil_drop_window_in_padding", 1, 2, 5, 7, 2, 2).s(2).p(1).ceil(),
        pool("ceil_drop_k3_s3_p1", 2, 2, 11, 11, 3, 3).s(3).p(1).ceil(),
        pool("dilation2_k3_s1_p1", 1, 3, 11, 12, 3, 3).s(1).p(1).d(2),
        pool("dilation_2x3_ceil", 1, 2, 12, 13, 3, 2).s(2).p(1).d(2, 3).ceil(),
        pool("kernel_3x2_stride_1x2", 1, 3, 9, 10, 3, 2).s(1, 2).p(1, 1),
        pool("kernel_1x3_stride_1x2", 1, 2, 7, 10, 1, 3).s(1, 2).p(0, 1),
        pool("pad_half_k4_s2", 1, 2, 10, 11, 4, 4).s(2).p(2),
        pool("kernel_eq_input_global", 2, 3, 7, 9, 7, 9),
        pool("kernel_gt_padded_input_ceil", 1, 2, 2, 2, 5, 5).s(5).p(1).ceil(),
        pool("plane_1xN", 1, 2, 1, 23, 1, 3).s(1, 2).p(0, 1),
        pool("plane_Nx1", 1, 2, 21, 1, 3, 1).s(2, 1).p(1, 0),
        pool("channels_20", 1, 20, 6, 7, 3, 3).s(2).p(1),
        pool("stride_4x3_gt_kernel_ceil", 1, 2, 13, 11, 2, 2).s(4, 3).ceil(),
        pool("ties_k3_s1_p1", 1, 3, 9, 10, 3, 3).s(1).p(1).with(D::IntTies),
        pool("ties_dilated_ceil", 1, 2, 13, 12, 3, 3).s(2).p(1).d(2).ceil().with(D::IntTies),
        pool("nan_k3_s2_p1", 1, 3, 9, 11, 3, 3).s(2).p(1).with(D::NaNs),
        pool("nan_global", 2, 2, 6, 5, 6, 5).with(D::NaNs),
        pool("inf_k3_s1_p1", 1, 3, 8, 7, 3, 3).s(1).p(1).with(D::Infs),
        pool("inf_ceil_drop", 1, 2, 7, 9, 2, 2).s(2).p(1).ceil().with(D::Infs),
        pool("mixed_all", 2, 17, 11, 10, 3, 4).s(2, 3).p(1, 2).d(2, 1).ceil().with(D::IntTies),
    };
}

std::vector<PoolCase> avg_pool2d_opencl_cases() {
    return {
        pool("k2_default_stride_odd", 1, 3, 9, 11, 2, 2),
        pool("k3_s1_p1", 1, 3, 9, 10, 3, 3).s(1).p(1),
        pool("k3_s1_p1_exclude_pad", 1, 3, 9, 10, 3, 3).s(1).p(1).exclude_pad(),
        pool("batch3", 3, 2, 7, 9, 2, 2),
        pool("ceil_extra_window_k3_s2_p1", 1, 3, 6, 8, 3, 3).s(2).p(1).ceil(),
        pool("ceil_extra_window_k3_s2_p1_exclude", 1, 3, 6, 8, 3, 3).s(2).p(1).ceil().exclude_pad(),
        pool("ceil_drop_window_in_padding", 1, 2, 5, 7, 2, 2).s(2).p(1).ceil(),
        pool("ceil_drop_window_exclude", 1, 2, 5, 7, 2, 2).s(2).p(1).ceil().exclude_pad(),
        pool("divisor_override_5", 1, 2, 9, 10, 3, 3).s(2).p(1).divisor(5),
        pool("divisor_override_ceil_exclude", 1, 2, 7, 8, 3, 3).s(2).p(1).ceil().exclude_pad().divisor(4),
        pool("divisor_override_negative", 1, 2, 6, 7, 2, 2).divisor(-3),
        pool("kernel_3x2_stride_1x2", 1, 3, 9, 10, 3, 2).s(1, 2).p(1, 1),
        pool("kernel_5x1_stride_2x1", 1, 2, 11, 7, 5, 1).s(2, 1).p(2, 0),
        pool("pad_half_k4_s2_exclude", 1, 2, 10, 11, 4, 4).s(2).p(2).exclude_pad(),
        pool("kernel_eq_input_global", 2, 3, 7, 9, 7, 9),
        pool("k4_s3_p2_ceil_tiny_input", 2, 3, 3, 3, 4, 4).s(3).p(2).ceil(),
        pool("plane_1xN", 1, 2, 1, 23, 1, 3).s(1, 2).p(0, 1),
        pool("plane_Nx1_exclude", 1, 2, 21, 1, 3, 1).s(2, 1).p(1, 0).exclude_pad(),
        pool("channels_20", 1, 20, 6, 7, 3, 3).s(2).p(1),
        pool("stride_4x3_gt_kernel_ceil", 1, 2, 13, 11, 2, 2).s(4, 3).ceil(),
        pool("nan_k3_s2_p1", 1, 3, 9, 11, 3, 3).s(2).p(1).with(D::NaNs),
        pool("inf_k2_s1", 1, 2, 7, 8, 2, 2).s(1).with(D::Infs),
        pool("mixed_all", 2, 17, 11, 10, 3, 4).s(2, 3).p(1, 2).ceil().exclude_pad(),
    };
}

std::vector<SubsampleCase> subsample2d_opencl_cases() {
    return {
        subsample("s2", 1, 3, 9, 11).s(2),
        subsample("s2_off1", 1, 3, 9, 11).s(2).off(1),
        subsample("s3_off2_batch2", 2, 3, 13, 14).s(3).off(2),
        subsample("s_1x3_off_0x2", 1, 3, 10, 11).s(1, 3).off(0, 2),
        subsample("s_4x1_off_3x0", 1, 3, 17, 9).s(4, 1).off(3, 0),
        subsample("s1_identity", 1, 2, 7, 9).s(1),
        subsample("s1_crop", 1, 2, 7, 9).s(1).off(2, 3),
        subsample("stride_gt_size", 1, 2, 3, 4).s(5, 7),
        subsample("stride_eq_size", 1, 2, 7, 5).s(7, 5).off(3, 2),
        subsample("offset_last", 1, 2, 5, 6).s(2).off(4, 5),
        subsample("plane_1xN", 1, 3, 1, 37).s(1, 4).off(0, 1),
        subsample("plane_Nx1", 1, 3, 41, 1).s(3, 1).off(2, 0),
        subsample("plane_1x1", 2, 3, 1, 1).s(2),
        subsample("channels_20", 1, 20, 9, 10).s(2).off(1, 0),
        subsample("channels_35_batch3", 3, 35, 4, 5).s(2, 3),
        subsample("odd_37x53", 1, 2, 37, 53).s(3, 2).off(1, 1),
        subsample("nan_copied", 1, 2, 9, 9).s(2).off(1).with(D::NaNs),
        subsample("inf_copied", 1, 2, 9, 9).s(3).off(0, 1).with(D::Infs),
        subsample("wide_130", 1, 2, 4, 130).s(1, 3),
        subsample("tall_130", 1, 2, 130, 4).s(5, 1).off(4, 0),
    };
}

std::vector<UnpoolCase> max_unpool2d_opencl_cases() {
    using U = UnpoolIndices;
    return {
        unpool("k2_default_stride", 1, 3, 4, 5, 2, 2),
        unpool("k2_s2_odd_output_size", 1, 3, 4, 5, 2, 2).s(2).size(9, 11),
        unpool("k3_s2_p1", 1, 3, 6, 7, 3, 3).s(2).p(1),
        unpool("k3_s2_p1_size_minus1", 1, 3, 6, 7, 3, 3).s(2).p(1).size(10, 12),
        unpool("k3_s2_p1_size_plus1", 2, 2, 6, 7, 3, 3).s(2).p(1).size(12, 14),
        unpool("k3_s1_overlap_duplicates", 1, 2, 6, 7, 3, 3).s(1),
        unpool("distinct_anywhere", 1, 3, 5, 6, 2, 2).idx(U::Distinct),
        unpool("random_duplicates", 2, 2, 6, 5, 2, 2).idx(U::Random),
        unpool("random_duplicates_k1", 1, 2, 8, 8, 1, 1).idx(U::Random),
        unpool("stride3_gt_kernel2", 1, 3, 4, 5, 2, 2).s(3),
        unpool("kernel_3x2_stride_2x1", 1, 3, 5, 6, 3, 2).s(2, 1).p(1, 0),
        unpool("kernel_1x3_stride_1x2", 1, 3, 5, 6, 1, 3).s(1, 2).p(0, 1),
        unpool("plane_1xN", 1, 3, 1, 17, 1, 2),
        unpool("plane_Nx1", 1, 3, 19, 1, 2, 1),
        unpool("plane_1x1_global", 2, 4, 1, 1, 7, 9),
        unpool("channels_20", 1, 20, 5, 5, 2, 2),
        unpool("pad_half_k4_s2", 1, 2, 5, 6, 4, 4).s(2).p(2),
        unpool("nan_values", 1, 3, 4, 5, 2, 2).with(D::NaNs),
        unpool("inf_values", 1, 3, 4, 5, 2, 2).with(D::Infs),
        unpool("k3_s3_size_plus2", 1, 2, 7, 9, 3, 3).s(3).size(23, 29),
        unpool("k3_s3_size_minus2", 1, 2, 7, 9, 3, 3).s(3).size(19, 25).idx(U::Distinct),
    };
}

std::vector<AdaptiveCase> adaptive_pool2d_opencl_cases() {
    return {
        adaptive("global_1x1", 2, 5, 7, 9, 1, 1),
        adaptive("global_1x1_23x25", 1, 3, 23, 25, 1, 1),
        adaptive("divides_2x2", 1, 3, 8, 10, 2, 2),
        adaptive("divides_4x5", 1, 3, 12, 15, 4, 5),
        adaptive("overlapping_3x2_from_5x5", 1, 3, 5, 5, 3, 2),
        adaptive("overlapping_7x7_from_10x13", 2, 2, 10, 13, 7, 7),
        adaptive("upsample_4x5_from_2x3", 1, 3, 2, 3, 4, 5),
        adaptive("same_size", 1, 3, 6, 7, 6, 7),
        adaptive("keep_height_0", 1, 3, 6, 7, 0, 3),
        adaptive("keep_both_0", 1, 2, 5, 4, 0, 0),
        adaptive("output_1xN", 1, 3, 9, 10, 1, 4),
        adaptive("output_Nx1", 1, 3, 9, 10, 5, 1),
        adaptive("plane_1xN", 1, 3, 1, 37, 1, 5),
        adaptive("plane_Nx1", 1, 3, 41, 1, 6, 1),
        adaptive("channels_20", 1, 20, 9, 10, 3, 3),
        adaptive("channels_35_batch2", 2, 35, 4, 5, 2, 4),
        adaptive("prime_13x17_to_5x3", 1, 3, 13, 17, 5, 3),
        adaptive("ties", 1, 3, 9, 11, 4, 3).with(D::IntTies),
        adaptive("ties_global", 2, 3, 5, 6, 1, 1).with(D::IntTies),
        adaptive("nan", 1, 3, 9, 11, 4, 3).with(D::NaNs),
        adaptive("inf", 1, 3, 9, 11, 2, 3).with(D::Infs),
    };
}

// ---------------------------------------------------------------------------
// Validity of the lists
// ---------------------------------------------------------------------------
namespace {

template<typename Case>
void check_unique_names(const std::vector<Case> &cases, std::ostringstream &errors) {
    std::set<std::string> names;
    for (const auto &c : cases) {
        if (!names.insert(c.name()).second) errors << "duplicate case name " << c.name() << "\n";
        for (char ch : c.name()) {
            if (!(std::isalnum((unsigned char)ch) || ch == '_')) {
                errors << "case name " << c.name() << " is not a valid gtest name\n";
                break;
            }
        }
    }
}

::testing::AssertionResult result_of(const std::ostringstream &errors) {
    if (errors.str().empty()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << errors.str();
}

}  // namespace

::testing::AssertionResult pool_cases_valid(const std::vector<PoolCase> &cases, bool avg) {
    std::ostringstream errors;
    check_unique_names(cases, errors);
    for (const auto &c : cases) {
        if (ref::pool2d_output_shape(c.input_shape(), c.ref_params()).empty())
            errors << "invalid parameters: " << c.describe(avg ? "avg_pool2d" : "max_pool2d") << "\n";
        if (avg && c.dilation != std::array<int, 2>{1, 1})
            errors << "avg_pool2d has no dilation: " << c.describe("avg_pool2d") << "\n";
        if (!avg && (c.divisor_override != 0 || !c.count_include_pad))
            errors << "avg-only parameters in a max_pool2d case: " << c.describe("max_pool2d") << "\n";
    }
    return result_of(errors);
}

::testing::AssertionResult subsample_cases_valid(const std::vector<SubsampleCase> &cases) {
    std::ostringstream errors;
    check_unique_names(cases, errors);
    for (const auto &c : cases) {
        if (ref::subsample2d_output_shape(c.input_shape(), c.stride, c.offset).empty())
            errors << "invalid parameters: " << c.describe() << "\n";
        if (c.default_options && (c.stride != std::array<int, 2>{2, 2} || c.offset != std::array<int, 2>{0, 0}))
            errors << "default options are stride (2, 2), offset (0, 0): " << c.describe() << "\n";
    }
    return result_of(errors);
}

::testing::AssertionResult unpool_cases_valid(const std::vector<UnpoolCase> &cases) {
    std::ostringstream errors;
    check_unique_names(cases, errors);
    for (const auto &c : cases) {
        if (c.ref_output_shape().empty()) errors << "invalid parameters: " << c.describe() << "\n";
    }
    return result_of(errors);
}

::testing::AssertionResult adaptive_cases_valid(const std::vector<AdaptiveCase> &cases) {
    std::ostringstream errors;
    check_unique_names(cases, errors);
    for (const auto &c : cases) {
        if (ref::adaptive_pool2d_output_shape(c.input_shape(), c.output_size).empty())
            errors << "invalid parameters: " << c.describe("adaptive pooling") << "\n";
        if (c.default_options && c.output_size != std::array<int64_t, 2>{1, 1})
            errors << "default options are output_size (1, 1): " << c.describe("adaptive pooling") << "\n";
    }
    return result_of(errors);
}

std::vector<std::string> pool_coverage_missing(const std::vector<PoolCase> &cases, bool avg) {
    std::vector<std::pair<std::string, bool>> features = {
        {"odd sizes", false},
        {"batch > 1", false},
        {"channels > 16", false},
        {"default stride", false},
        {"ceil_mode with an extra window", false},
        {"ceil_mode with a last window starting in the padding (dropped)", false},
        {"non-square kernel", false},
        {"non-square stride", false},
        {"padding = kernel/2 (even kernel)", false},
        {"kernel == input size", false},
        {"1xN plane", false},
        {"Nx1 plane", false},
        {"stride > kernel", false},
        {"NaN data", false},
        {"Inf data", false},
    };
    if (avg) {
        features.push_back({"count_include_pad = false with padding", false});
        features.push_back({"divisor_override", false});
        features.push_back({"ceil_mode, count_include_pad, window clipped at H + pad", false});
    } else {
        features.push_back({"dilation", false});
        features.push_back({"ties (integer data)", false});
    }
    auto set = [&](const std::string &name, bool v) {
        for (auto &f : features)
            if (f.first == name) f.second = f.second || v;
    };
    for (const auto &c : cases) {
        const ref::PoolParams p = c.ref_params();
        bool extra = false, drop = false, clipped = false;
        for (int a = 0; a < 2; a++) {
            const int64_t in = a == 0 ? c.H : c.W;
            const int64_t fl = ref::pool_output_size(in, p.kernel[a], p.stride[a], p.padding[a], p.dilation[a], false);
            const int64_t span = in + 2 * p.padding[a] - p.dilation[a] * (p.kernel[a] - 1) - 1;
            const int64_t raw_ceil = ref::floor_div(span + p.stride[a] - 1, p.stride[a]) + 1;
            const int64_t ce = ref::pool_output_size(in, p.kernel[a], p.stride[a], p.padding[a], p.dilation[a], true);
            if (c.ceil_mode && ce > fl) extra = true;
            if (c.ceil_mode && raw_ceil > ce) drop = true;
            if (c.ceil_mode && p.padding[a] > 0 && (ce - 1) * p.stride[a] - p.padding[a] + p.kernel[a] > in + p.padding[a])
                clipped = true;
        }
        set("odd sizes", c.H % 2 == 1 || c.W % 2 == 1);
        set("batch > 1", c.N > 1);
        set("channels > 16", c.C > 16);
        set("default stride", !c.stride);
        set("ceil_mode with an extra window", extra);
        set("ceil_mode with a last window starting in the padding (dropped)", drop);
        set("non-square kernel", c.kernel[0] != c.kernel[1]);
        set("non-square stride", p.stride[0] != p.stride[1]);
        set("padding = kernel/2 (even kernel)",
            (c.kernel[0] % 2 == 0 && c.padding[0] == c.kernel[0] / 2) ||
                (c.kernel[1] % 2 == 0 && c.padding[1] == c.kernel[1] / 2));
        set("kernel == input size", c.kernel[0] == c.H && c.kernel[1] == c.W && c.H > 1);
        set("1xN plane", c.H == 1 && c.W > 1);
        set("Nx1 plane", c.W == 1 && c.H > 1);
        set("stride > kernel", p.stride[0] > c.kernel[0] || p.stride[1] > c.kernel[1]);
        set("NaN data", c.data == PoolData::NaNs);
        set("Inf data", c.data == PoolData::Infs);
        set("count_include_pad = false with padding", !c.count_include_pad && (c.padding[0] > 0 || c.padding[1] > 0));
        set("divisor_override", c.divisor_override != 0);
        set("ceil_mode, count_include_pad, window clipped at H + pad", c.count_include_pad && clipped);
        set("dilation", c.dilation[0] > 1 || c.dilation[1] > 1);
        set("ties (integer data)", c.data == PoolData::IntTies);
    }
    std::vector<std::string> missing;
    for (const auto &f : features)
        if (!f.second) missing.push_back(f.first);
    return missing;
}

// ---------------------------------------------------------------------------
// Running one case
// ---------------------------------------------------------------------------
std::string pool_error_str(const halconv::Error &e) {
    static const char *names[] = {"InvalidArgument", "DeviceUnavailable", "Unsupported", "Internal"};
    const int code = (int)e.code();
    std::string s = (code >= 0 && code < 4) ? names[code] : "ErrorCode(" + std::to_string(code) + ")";
    return s + ": " + e.what();
}

namespace {

template<typename Call>
bool call_ok(Call &&call) {
    try {
        call();
        return true;
    } catch (const halconv::Error &e) {
        ADD_FAILURE() << "halconv::Error thrown: " << pool_error_str(e);
    } catch (const std::exception &e) {
        ADD_FAILURE() << "unexpected exception (not halconv::Error): " << e.what();
    }
    return false;
}

template<typename T>
bool same_bits(const std::vector<T> &a, const std::vector<T> &b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

std::string on(Device device) { return std::string(" on ") + halconv::device_name(device); }

using halconv::ConstIndexTensor;
using halconv::ConstTensor;
using halconv::IndexTensor;
using halconv::Tensor;

}  // namespace

void check_max_pool2d_case(const PoolCase &c, Device device) {
    SCOPED_TRACE(c.describe("max_pool2d") + on(device));
    const Shape in_shape = c.input_shape();
    const std::vector<float> x = pool_data(in_shape, c.data, pool_seed(c.name(), 1));
    const std::vector<float> x0 = x;
    const ref::MaxResult want = ref::max_pool2d(x.data(), in_shape, c.ref_params());
    const halconv::MaxPool2dOptions opt = c.max_options(device);

    Shape got_shape;
    ASSERT_TRUE(call_ok([&] { got_shape = halconv::max_pool2d_output_shape(in_shape, opt); }));
    ASSERT_EQ(got_shape, want.shape) << "max_pool2d_output_shape disagrees with PyTorch's rule";

    // return_indices = True
    Guarded<float> out = guarded_output(want.value);
    GuardedIndexBuffer idx(numel(want.shape), kIndexFill, kIndexGuard);
    ASSERT_TRUE(call_ok([&] {
        halconv::max_pool2d(ConstTensor(x.data(), in_shape), Tensor(out.data(), want.shape),
                            IndexTensor(idx.data(), want.shape), opt);
    }));
    EXPECT_TRUE(out.guards_intact()) << "output (call with indices)";
    EXPECT_TRUE(idx.guards_intact()) << "indices";
    EXPECT_TRUE(pool_values_equal(out.values(), want.value, want.shape)) << "values of the call with indices";
    EXPECT_TRUE(pool_indices_equal(idx.values(), want.index, want.shape, c.W, &x, &in_shape));

    // Values only.
    Guarded<float> out2 = guarded_output(want.value);
    ASSERT_TRUE(call_ok([&] {
        halconv::max_pool2d(ConstTensor(x.data(), in_shape), Tensor(out2.data(), want.shape), opt);
    }));
    EXPECT_TRUE(out2.guards_intact()) << "output (call without indices)";
    EXPECT_TRUE(pool_values_equal(out2.values(), want.value, want.shape)) << "values of the call without indices";
    EXPECT_TRUE(same_bits(x, x0)) << "the input was modified";
}

void check_max_pool2d_backward_case(const PoolCase &c, Device device) {
    SCOPED_TRACE(c.describe("max_pool2d_backward") + on(device));
    const Shape in_shape = c.input_shape();
    const std::vector<float> x = pool_data(in_shape, c.data, pool_seed(c.name(), 1));
    const ref::MaxResult fwd = ref::max_pool2d(x.data(), in_shape, c.ref_params());
    const std::vector<float> g = random_tensor(numel(fwd.shape), pool_seed(c.name(), 2));
    const std::vector<float> g0 = g;
    const std::vector<int64_t> idx0 = fwd.index;
    const ref::Result want = ref::max_pool2d_backward(g.data(), fwd.index.data(), fwd.shape, in_shape);

    Guarded<float> gin = guarded_output(want.value);
    ASSERT_TRUE(call_ok([&] {
        halconv::max_pool2d_backward(ConstTensor(g.data(), fwd.shape), ConstIndexTensor(fwd.index.data(), fwd.shape),
                                     Tensor(gin.data(), in_shape), c.max_options(device));
    }));
    EXPECT_TRUE(gin.guards_intact()) << "grad_input";
    EXPECT_TRUE(pool_values_match(gin.values(), want));
    EXPECT_TRUE(same_bits(g, g0) && same_bits(fwd.index, idx0)) << "grad_output or indices were modified";
}

void check_avg_pool2d_case(const PoolCase &c, Device device) {
    SCOPED_TRACE(c.describe("avg_pool2d") + on(device));
    const Shape in_shape = c.input_shape();
    const std::vector<float> x = pool_data(in_shape, c.data, pool_seed(c.name(), 1));
    const std::vector<float> x0 = x;
    const ref::Result want = ref::avg_pool2d(x.data(), in_shape, c.ref_params());
    const halconv::AvgPool2dOptions opt = c.avg_options(device);

    Shape got_shape;
    ASSERT_TRUE(call_ok([&] { got_shape = halconv::avg_pool2d_output_shape(in_shape, opt); }));
    ASSERT_EQ(got_shape, want.shape) << "avg_pool2d_output_shape disagrees with PyTorch's rule";

    Guarded<float> out = guarded_output(want.value);
    ASSERT_TRUE(call_ok([&] {
        halconv::avg_pool2d(ConstTensor(x.data(), in_shape), Tensor(out.data(), want.shape), opt);
    }));
    EXPECT_TRUE(out.guards_intact()) << "output";
    EXPECT_TRUE(pool_values_match(out.values(), want));
    EXPECT_TRUE(same_bits(x, x0)) << "the input was modified";
}

void check_avg_pool2d_backward_case(const PoolCase &c, Device device) {
    SCOPED_TRACE(c.describe("avg_pool2d_backward") + on(device));
    const Shape in_shape = c.input_shape();
    const Shape out_shape = ref::pool2d_output_shape(in_shape, c.ref_params());
    ASSERT_FALSE(out_shape.empty());
    const std::vector<float> g = random_tensor(numel(out_shape), pool_seed(c.name(), 2));
    const std::vector<float> g0 = g;
    const ref::Result want = ref::avg_pool2d_backward(g.data(), out_shape, in_shape, c.ref_params());

    Guarded<float> gin = guarded_output(want.value);
    ASSERT_TRUE(call_ok([&] {
        halconv::avg_pool2d_backward(ConstTensor(g.data(), out_shape), Tensor(gin.data(), in_shape),
                                     c.avg_options(device));
    }));
    EXPECT_TRUE(gin.guards_intact()) << "grad_input";
    EXPECT_TRUE(pool_values_match(gin.values(), want));
    EXPECT_TRUE(same_bits(g, g0)) << "grad_output was modified";
}

void check_subsample2d_case(const SubsampleCase &c, Device device) {
    SCOPED_TRACE(c.describe() + on(device));
    const Shape in_shape = c.input_shape();
    const std::vector<float> x = pool_data(in_shape, c.data, pool_seed(c.name(), 1));
    const std::vector<float> x0 = x;
    const Shape want_shape = ref::subsample2d_output_shape(in_shape, c.stride, c.offset);
    ASSERT_FALSE(want_shape.empty());
    const std::vector<float> want = ref::subsample2d(x.data(), in_shape, c.stride, c.offset);
    const halconv::Subsample2dOptions opt = c.options(device);

    Shape got_shape;
    ASSERT_TRUE(call_ok([&] { got_shape = halconv::subsample2d_output_shape(in_shape, opt); }));
    ASSERT_EQ(got_shape, want_shape) << "subsample2d_output_shape disagrees with ceil((H - offset) / stride)";

    Guarded<float> out = guarded_output(want);
    ASSERT_TRUE(call_ok([&] {
        if (c.default_options && device == Device::CPU)
            halconv::subsample2d(ConstTensor(x.data(), in_shape), Tensor(out.data(), want_shape));
        else
            halconv::subsample2d(ConstTensor(x.data(), in_shape), Tensor(out.data(), want_shape), opt);
    }));
    EXPECT_TRUE(out.guards_intact()) << "output";
    EXPECT_TRUE(pool_values_equal(out.values(), want, want_shape));
    EXPECT_TRUE(same_bits(x, x0)) << "the input was modified";
}

void check_max_unpool2d_case(const UnpoolCase &c, Device device) {
    SCOPED_TRACE(c.describe() + on(device));
    const Shape in_shape = c.input_shape();
    const Shape out_shape = c.ref_output_shape();
    ASSERT_FALSE(out_shape.empty());
    const std::vector<float> x = pool_data(in_shape, c.data, pool_seed(c.name(), 1));
    const std::vector<int64_t> idx = make_unpool_indices(c, out_shape[2], out_shape[3], pool_seed(c.name(), 3));
    const std::vector<float> x0 = x;
    const std::vector<int64_t> idx0 = idx;
    const std::vector<float> want = ref::max_unpool2d(x.data(), idx.data(), in_shape, out_shape);
    const halconv::MaxUnpool2dOptions opt = c.options(device);

    Shape got_shape;
    ASSERT_TRUE(call_ok([&] { got_shape = halconv::max_unpool2d_output_shape(in_shape, opt); }));
    ASSERT_EQ(got_shape, out_shape) << "max_unpool2d_output_shape disagrees with PyTorch's rule";

    Guarded<float> out = guarded_output(want);
    ASSERT_TRUE(call_ok([&] {
        halconv::max_unpool2d(ConstTensor(x.data(), in_shape), ConstIndexTensor(idx.data(), in_shape),
                              Tensor(out.data(), out_shape), opt);
    }));
    EXPECT_TRUE(out.guards_intact()) << "output";
    EXPECT_TRUE(pool_values_equal(out.values(), want, out_shape));
    EXPECT_TRUE(same_bits(x, x0) && same_bits(idx, idx0)) << "input or indices were modified";
}

void check_adaptive_avg_pool2d_case(const AdaptiveCase &c, Device device) {
    SCOPED_TRACE(c.describe("adaptive_avg_pool2d") + on(device));
    const Shape in_shape = c.input_shape();
    const std::vector<float> x = pool_data(in_shape, c.data, pool_seed(c.name(), 1));
    const std::vector<float> x0 = x;
    const ref::Result want = ref::adaptive_avg_pool2d(x.data(), in_shape, c.output_size);
    const halconv::AdaptivePool2dOptions opt = c.options(device);

    Shape got_shape;
    ASSERT_TRUE(call_ok([&] { got_shape = halconv::adaptive_pool2d_output_shape(in_shape, opt); }));
    ASSERT_EQ(got_shape, want.shape) << "adaptive_pool2d_output_shape";

    Guarded<float> out = guarded_output(want.value);
    ASSERT_TRUE(call_ok([&] {
        if (c.default_options && device == Device::CPU)
            halconv::adaptive_avg_pool2d(ConstTensor(x.data(), in_shape), Tensor(out.data(), want.shape));
        else
            halconv::adaptive_avg_pool2d(ConstTensor(x.data(), in_shape), Tensor(out.data(), want.shape), opt);
    }));
    EXPECT_TRUE(out.guards_intact()) << "output";
    EXPECT_TRUE(pool_values_match(out.values(), want));
    EXPECT_TRUE(same_bits(x, x0)) << "the input was modified";
}

void check_adaptive_max_pool2d_case(const AdaptiveCase &c, Device device) {
    SCOPED_TRACE(c.describe("adaptive_max_pool2d") + on(device));
    const Shape in_shape = c.input_shape();
    const std::vector<float> x = pool_data(in_shape, c.data, pool_seed(c.name(), 1));
    const std::vector<float> x0 = x;
    const ref::MaxResult want = ref::adaptive_max_pool2d(x.data(), in_shape, c.output_size);
    const halconv::AdaptivePool2dOptions opt = c.options(device);
    const bool defaults = c.default_options && device == Device::CPU;

    Shape got_shape;
    ASSERT_TRUE(call_ok([&] { got_shape = halconv::adaptive_pool2d_output_shape(in_shape, opt); }));
    ASSERT_EQ(got_shape, want.shape) << "adaptive_pool2d_output_shape";

    Guarded<float> out = guarded_output(want.value);
    GuardedIndexBuffer idx(numel(want.shape), kIndexFill, kIndexGuard);
    ASSERT_TRUE(call_ok([&] {
        if (defaults)
            halconv::adaptive_max_pool2d(ConstTensor(x.data(), in_shape), Tensor(out.data(), want.shape),
                                         IndexTensor(idx.data(), want.shape));
        else
            halconv::adaptive_max_pool2d(ConstTensor(x.data(), in_shape), Tensor(out.data(), want.shape),
                                         IndexTensor(idx.data(), want.shape), opt);
    }));
    EXPECT_TRUE(out.guards_intact()) << "output (call with indices)";
    EXPECT_TRUE(idx.guards_intact()) << "indices";
    EXPECT_TRUE(pool_values_equal(out.values(), want.value, want.shape)) << "values of the call with indices";
    EXPECT_TRUE(pool_indices_equal(idx.values(), want.index, want.shape, c.W, &x, &in_shape));

    Guarded<float> out2 = guarded_output(want.value);
    ASSERT_TRUE(call_ok([&] {
        if (defaults)
            halconv::adaptive_max_pool2d(ConstTensor(x.data(), in_shape), Tensor(out2.data(), want.shape));
        else
            halconv::adaptive_max_pool2d(ConstTensor(x.data(), in_shape), Tensor(out2.data(), want.shape), opt);
    }));
    EXPECT_TRUE(out2.guards_intact()) << "output (call without indices)";
    EXPECT_TRUE(pool_values_equal(out2.values(), want.value, want.shape)) << "values of the call without indices";
    EXPECT_TRUE(same_bits(x, x0)) << "the input was modified";
}

// ---------------------------------------------------------------------------
// Library calls for property tests
// ---------------------------------------------------------------------------
namespace {

template<typename Fn>
bool run_reporting(const char *what, const Shape &shape, Fn &&fn) {
    try {
        fn();
        return true;
    } catch (const halconv::Error &e) {
        ADD_FAILURE() << what << "(input " << shape_str(shape) << ") threw " << pool_error_str(e);
    } catch (const std::exception &e) {
        ADD_FAILURE() << what << "(input " << shape_str(shape) << ") threw a non-halconv exception: " << e.what();
    }
    return false;
}

const float kNaN = std::numeric_limits<float>::quiet_NaN();

}  // namespace

Pooled run_max_pool2d(const Tensor4 &x, const halconv::MaxPool2dOptions &opt, bool with_indices) {
    Pooled out;
    if (!run_reporting("max_pool2d", x.shape, [&] {
            out.shape = halconv::max_pool2d_output_shape(x.shape, opt);
            out.value.assign((size_t)numel(out.shape), kNaN);
            if (with_indices) {
                out.index.assign(out.value.size(), kIndexFill);
                halconv::max_pool2d(ConstTensor(x.data.data(), x.shape), Tensor(out.value.data(), out.shape),
                                    IndexTensor(out.index.data(), out.shape), opt);
            } else {
                halconv::max_pool2d(ConstTensor(x.data.data(), x.shape), Tensor(out.value.data(), out.shape), opt);
            }
        }))
        return {};
    return out;
}

Tensor4 run_avg_pool2d(const Tensor4 &x, const halconv::AvgPool2dOptions &opt) {
    Tensor4 out;
    if (!run_reporting("avg_pool2d", x.shape, [&] {
            out.shape = halconv::avg_pool2d_output_shape(x.shape, opt);
            out.data.assign((size_t)numel(out.shape), kNaN);
            halconv::avg_pool2d(ConstTensor(x.data.data(), x.shape), Tensor(out.data.data(), out.shape), opt);
        }))
        return {};
    return out;
}

Tensor4 run_max_pool2d_backward(const Tensor4 &grad_output, const std::vector<int64_t> &indices,
                                const Shape &input_shape, const halconv::MaxPool2dOptions &opt) {
    Tensor4 out;
    if (!run_reporting("max_pool2d_backward", grad_output.shape, [&] {
            out.shape = input_shape;
            out.data.assign((size_t)numel(input_shape), kNaN);
            halconv::max_pool2d_backward(ConstTensor(grad_output.data.data(), grad_output.shape),
                                         ConstIndexTensor(indices.data(), grad_output.shape),
                                         Tensor(out.data.data(), out.shape), opt);
        }))
        return {};
    return out;
}

Tensor4 run_avg_pool2d_backward(const Tensor4 &grad_output, const Shape &input_shape,
                                const halconv::AvgPool2dOptions &opt) {
    Tensor4 out;
    if (!run_reporting("avg_pool2d_backward", grad_output.shape, [&] {
            out.shape = input_shape;
            out.data.assign((size_t)numel(input_shape), kNaN);
            halconv::avg_pool2d_backward(ConstTensor(grad_output.data.data(), grad_output.shape),
                                         Tensor(out.data.data(), out.shape), opt);
        }))
        return {};
    return out;
}

Tensor4 run_subsample2d(const Tensor4 &x, const halconv::Subsample2dOptions &opt) {
    Tensor4 out;
    if (!run_reporting("subsample2d", x.shape, [&] {
            out.shape = halconv::subsample2d_output_shape(x.shape, opt);
            out.data.assign((size_t)numel(out.shape), kNaN);
            halconv::subsample2d(ConstTensor(x.data.data(), x.shape), Tensor(out.data.data(), out.shape), opt);
        }))
        return {};
    return out;
}

Tensor4 run_max_unpool2d(const Tensor4 &x, const std::vector<int64_t> &indices,
                         const halconv::MaxUnpool2dOptions &opt) {
    Tensor4 out;
    if (!run_reporting("max_unpool2d", x.shape, [&] {
            out.shape = halconv::max_unpool2d_output_shape(x.shape, opt);
            out.data.assign((size_t)numel(out.shape), kNaN);
            halconv::max_unpool2d(ConstTensor(x.data.data(), x.shape), ConstIndexTensor(indices.data(), x.shape),
                                  Tensor(out.data.data(), out.shape), opt);
        }))
        return {};
    return out;
}

Tensor4 run_adaptive_avg_pool2d(const Tensor4 &x, const halconv::AdaptivePool2dOptions &opt) {
    Tensor4 out;
    if (!run_reporting("adaptive_avg_pool2d", x.shape, [&] {
            out.shape = halconv::adaptive_pool2d_output_shape(x.shape, opt);
            out.data.assign((size_t)numel(out.shape), kNaN);
            halconv::adaptive_avg_pool2d(ConstTensor(x.data.data(), x.shape), Tensor(out.data.data(), out.shape),
                                         opt);
        }))
        return {};
    return out;
}

Pooled run_adaptive_max_pool2d(const Tensor4 &x, const halconv::AdaptivePool2dOptions &opt, bool with_indices) {
    Pooled out;
    if (!run_reporting("adaptive_max_pool2d", x.shape, [&] {
            out.shape = halconv::adaptive_pool2d_output_shape(x.shape, opt);
            out.value.assign((size_t)numel(out.shape), kNaN);
            if (with_indices) {
                out.index.assign(out.value.size(), kIndexFill);
                halconv::adaptive_max_pool2d(ConstTensor(x.data.data(), x.shape),
                                             Tensor(out.value.data(), out.shape),
                                             IndexTensor(out.index.data(), out.shape), opt);
            } else {
                halconv::adaptive_max_pool2d(ConstTensor(x.data.data(), x.shape),
                                             Tensor(out.value.data(), out.shape), opt);
            }
        }))
        return {};
    return out;
}

}  // namespace halconv_test
