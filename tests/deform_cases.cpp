#include "deform_cases.h"

#include "runtime/deform_dispatch.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <set>
#include <sstream>

namespace halconv_test {

using halconv::ConstTensor;
using halconv::GradAccumulation;
using halconv::Tensor;

// ---------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------
const char *deform_offsets_name(DeformOffsets d) {
    switch (d) {
    case DeformOffsets::Gaussian: return "gauss";
    case DeformOffsets::Integer: return "integer";
    case DeformOffsets::NonFinite: return "nonfinite";
    case DeformOffsets::Zero: return "zero";
    }
    return "?";
}

namespace {

// The position is (integer base) + offset, so only the offset's fractional
// part decides the distance to the kinks: move it until it keeps `margin`
// (checked on the float value actually stored).
float offset_away_from_kinks(double offset, double margin) {
    float v = (float)offset;
    for (int guard = 0; guard < 64 && deform_kink_distance((double)v) < margin; guard++)
        v = (float)((double)v + 2.5 * margin);
    return v;
}

}  // namespace

double deform_kink_distance(double position) { return std::fabs(position - std::nearbyint(position)); }

std::vector<float> deform_offsets(const DeformConv2dSpec &spec, DeformOffsets kind, double spread, double margin,
                                  uint32_t seed) {
    Rng rng(seed);
    std::vector<float> v((size_t)numel(spec.offset_shape()), 0.0f);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const float specials[] = {nan, inf, -inf, 1e30f, -1e30f, 3e38f, -3e38f};
    size_t special_at = 0;
    for (float &x : v) {
        switch (kind) {
        case DeformOffsets::Zero: x = 0.0f; break;
        case DeformOffsets::Integer: x = (float)std::nearbyint(spread * rng.normal()); break;
        case DeformOffsets::Gaussian: x = offset_away_from_kinks(spread * rng.normal(), margin); break;
        case DeformOffsets::NonFinite:
            x = offset_away_from_kinks(spread * rng.normal(), margin);
            // Every kind of special value in turn, so that each appears.
            if (rng.below(6) == 0) x = specials[special_at++ % (sizeof specials / sizeof specials[0])];
            break;
        }
    }
    return v;
}

DeformTensors deform_tensors(const DeformConv2dSpec &spec, DeformOffsets kind, double spread, double margin,
                             DeformMask mask_data, uint32_t seed) {
    DeformTensors t;
    t.input = random_tensor(numel(spec.input_shape()), seed + 1);
    t.offset = deform_offsets(spec, kind, spread, margin, seed + 2);
    t.weight = random_tensor(numel(spec.weight_shape()), seed + 3);
    if (spec.has_bias) t.bias = random_tensor(spec.K, seed + 4);
    if (spec.has_mask) {
        t.mask = random_tensor(numel(spec.mask_shape()), seed + 5, -0.25f, 1.25f);
        if (mask_data == DeformMask::WithNaN) {
            Rng rng(seed + 6);
            for (float &m : t.mask)
                if (rng.below(32) == 0) m = std::numeric_limits<float>::quiet_NaN();
            t.mask[t.mask.size() / 2] = std::numeric_limits<float>::quiet_NaN();  // at least one
        }
    }
    t.grad_output = random_tensor(numel(spec.output_shape()), seed + 7);
    return t;
}

DeformTensors deform_tensors(const DeformCase &c, uint32_t seed) {
    return deform_tensors(c.spec, c.offsets, c.spread, kDeformKinkMargin, c.mask_data, seed);
}

DeformConv2dData DeformTensors::data() const {
    DeformConv2dData d;
    d.input = widen(input);
    d.offset = widen(offset);
    d.weight = widen(weight);
    d.bias = widen(bias);
    d.mask = widen(mask);
    return d;
}

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------
DeformCase deform(std::string label, int64_t N, int64_t C, int64_t H, int64_t W, int64_t K, int64_t R, int64_t S) {
    DeformCase c;
    c.label = std::move(label);
    c.spec.N = N, c.spec.C = C, c.spec.H = H, c.spec.W = W, c.spec.K = K, c.spec.R = R, c.spec.S = S;
    return c;
}

halconv::DeformConv2dOptions deform_options(const DeformConv2dSpec &s, Device device, GradAccumulation acc) {
    halconv::DeformConv2dOptions o;
    o.stride = s.stride;
    o.padding = s.padding;
    o.dilation = s.dilation;
    o.groups = s.groups;
    o.device = device;
    o.accumulation = acc;
    return o;
}

halconv::DeformConv2dOptions DeformCase::options(Device device, GradAccumulation acc) const {
    return deform_options(spec, device, acc);
}

std::string DeformCase::describe() const {
    std::ostringstream os;
    os << "deform_conv2d case '" << label << "': " << spec.describe() << ", output " << shape_str(spec.output_shape())
       << ", offsets " << deform_offsets_name(offsets) << " std " << spread << " px"
       << (spec.has_mask && mask_data == DeformMask::WithNaN ? ", mask with NaN" : "");
    return os.str();
}

std::string DeformCase::name() const {
    const DeformConv2dSpec &s = spec;
    std::ostringstream os;
    os << label << "__N" << s.N << "C" << s.C << "_" << s.H << "x" << s.W << "_K" << s.K << "_" << s.R << "x" << s.S
       << "_s" << s.stride[0] << s.stride[1] << "_p" << s.padding[0] << s.padding[1] << "_d" << s.dilation[0]
       << s.dilation[1] << "_g" << s.groups << "_og" << s.offset_groups << (s.has_mask ? "_mask" : "")
       << (s.has_bias ? "_bias" : "") << "_" << deform_offsets_name(offsets);
    std::string sp = std::to_string(spread);
    sp.erase(sp.find_last_not_of('0') + 1);
    if (!sp.empty() && sp.back() == '.') sp.pop_back();
    std::replace(sp.begin(), sp.end(), '.', 'p');
    os << "_std" << sp;
    if (s.has_mask && mask_data == DeformMask::WithNaN) os << "_nanmask";
    return os.str();
}

void PrintTo(const DeformCase &c, std::ostream *os) { *os << c.label; }

std::vector<DeformCase> deform_cases() {
    using O = DeformOffsets;
    return {
        // Plain 3x3 layers, the sizes of the features below.
        deform("basic", 1, 4, 7, 9, 5, 3, 3).p(1).masked().with_bias().std_px(0.5),
        deform("v1_no_mask_no_bias", 1, 3, 9, 8, 7, 3, 3).p(1).std_px(2.0),
        deform("batch3_odd", 3, 3, 7, 5, 5, 3, 3).p(1).masked().with_bias().std_px(1.5),
        deform("no_padding", 2, 4, 8, 7, 3, 3, 3).masked().std_px(1.0),
        // Stride, dilation, padding.
        deform("stride2", 2, 6, 11, 9, 4, 3, 3).s(2).p(1).masked().std_px(2.0),
        deform("stride_1x2", 1, 4, 8, 13, 3, 3, 3).s(1, 2).p(1).with_bias().std_px(1.0),
        deform("stride_2x1_pad_1x0", 1, 2, 12, 7, 3, 3, 3).s(2, 1).p(1, 0).masked().std_px(2.0),
        deform("dilation2", 1, 4, 11, 10, 5, 3, 3).d(2).p(2).masked().std_px(2.0),
        deform("dilation_1x2_pad_0x2", 2, 3, 8, 11, 2, 3, 3).d(1, 2).p(0, 2).with_bias().std_px(1.5),
        deform("pad_beyond_radius", 1, 3, 6, 7, 4, 3, 3).p(3, 4).masked().with_bias().std_px(1.0),
        deform("dil2_stride2_integer", 2, 2, 11, 10, 3, 3, 3).s(2).d(2).p(2).masked().with(O::Integer).std_px(2.0),
        // Offset groups: channels per offset group 1, 2, 3, 4, 5, 8, 16 (8k
        // channels per group: the CPU forward's wide-block pipeline, see
        // runtime/deform.cpp; also c32_k32 and c16_k24_og2 below).
        deform("og2_cpg2", 1, 4, 7, 8, 6, 3, 3).p(1).og(2).masked().std_px(1.0),
        deform("og4_cpg1", 1, 4, 6, 9, 5, 3, 3).p(1).og(4).masked().with_bias().std_px(2.0),
        deform("og4_cpg4", 2, 16, 6, 7, 8, 3, 3).p(1).og(4).masked().std_px(1.5),
        deform("og2_cpg8", 1, 16, 5, 9, 7, 3, 3).p(1).og(2).std_px(0.5),
        deform("og1_cpg16", 1, 16, 6, 6, 5, 3, 3).p(1).with_bias().std_px(1.0),
        deform("c6_og2_cpg3", 1, 6, 7, 7, 7, 3, 3).p(1).og(2).masked().std_px(2.0),
        deform("c3_k24", 2, 3, 8, 6, 24, 3, 3).p(1).masked().with_bias().std_px(1.0),
        deform("c10_og2_cpg5", 1, 10, 6, 8, 5, 3, 3).p(1).og(2).with_bias().std_px(1.0),
        // Weight groups, alone and with offset groups (G > groups, G == groups, G < groups).
        deform("groups2_og1", 1, 4, 7, 7, 6, 3, 3).p(1).g(2).masked().std_px(1.0),
        deform("groups2_og2", 2, 6, 6, 8, 4, 3, 3).p(1).g(2).og(2).masked().with_bias().std_px(1.5),
        deform("groups2_og4", 1, 8, 7, 6, 6, 3, 3).p(1).g(2).og(4).std_px(2.0),
        deform("groups4_og2", 1, 8, 6, 7, 4, 3, 3).p(1).g(4).og(2).masked().std_px(1.0),
        // Kernel shapes.
        deform("k1x1", 2, 6, 5, 7, 5, 1, 1).masked().with_bias().std_px(1.0),
        deform("k1x3", 1, 4, 6, 11, 3, 1, 3).p(0, 1).masked().std_px(1.5),
        deform("k3x1_stride_2x1", 1, 3, 10, 5, 5, 3, 1).s(2, 1).p(1, 0).with_bias().std_px(1.0),
        deform("k5x5", 1, 3, 9, 9, 4, 5, 5).p(2).masked().with_bias().std_px(2.0),
        // Offset sizes: many samples outside the input.
        deform("std8_mostly_outside", 1, 4, 8, 8, 3, 3, 3).p(1).masked().std_px(8.0),
        deform("std20_outside", 2, 2, 7, 9, 3, 3, 3).p(1).masked().with_bias().std_px(20.0),
        // Exactly integer positions (torchvision's conventions at the kinks and borders).
        deform("integer", 2, 4, 6, 7, 3, 3, 3).p(1).masked().with_bias().with(O::Integer).std_px(2.0),
        deform("integer_og2_stride2", 1, 4, 9, 8, 2, 3, 3).s(2).p(1).og(2).with(O::Integer).std_px(3.0),
        deform("zero_offsets", 1, 5, 6, 7, 3, 3, 3).p(1).masked().with_bias().with(O::Zero),
        // Defined edge cases: non-finite and huge offsets, NaN in the mask.
        deform("nonfinite_offsets", 1, 4, 7, 8, 3, 3, 3).p(1).og(2).masked().with_bias().with(O::NonFinite).std_px(1.5),
        deform("nonfinite_offsets_v1", 2, 3, 6, 6, 2, 3, 3).with(O::NonFinite).std_px(2.0),
        deform("nan_mask", 1, 4, 6, 7, 3, 3, 3).p(1).og(2).nan_mask().with_bias().std_px(1.5),
        // Tiny outputs (OH = OW = 1).
        deform("out1x1", 1, 3, 3, 3, 2, 3, 3).masked().std_px(0.5),
        deform("in1x1_k1x1", 2, 2, 1, 1, 3, 1, 1).masked().with_bias().std_px(0.5),
        deform("in1x1_k3x3_pad1", 1, 2, 1, 1, 2, 3, 3).p(1).og(2).masked().std_px(0.5),
        // Widths at the edges of the CPU schedule's tiles (not multiples of 6, 8, 16, 48).
        deform("wide_ow101", 1, 4, 4, 101, 5, 3, 3).p(1).masked().with_bias().std_px(1.5),
        deform("ow53", 1, 8, 5, 53, 7, 3, 3).p(1).og(2).masked().std_px(1.0),
        deform("ow47_stride2", 1, 6, 9, 94, 5, 3, 3).s(2).p(1).og(3).with_bias().std_px(2.0),
        // Larger channel counts; K a multiple of 16 with groups 1 (the CPU
        // schedule's dense register tiles of 16 output channels), with C
        // not a multiple of its 4-channel blocks too.
        deform("c32_k32", 2, 32, 12, 14, 32, 3, 3).p(1).og(4).masked().with_bias().std_px(1.0),
        deform("c16_k24_og2", 1, 16, 10, 10, 24, 3, 3).p(1).og(2).masked().std_px(1.0),
        deform("k16_dense_c6", 1, 6, 7, 13, 16, 3, 3).p(1).og(2).masked().std_px(1.5),
        deform("k48_dense_c5_ow50", 1, 5, 5, 50, 48, 3, 3).p(1).masked().with_bias().std_px(1.0),
        // The CPU backward's two pipelines (runtime/deform_dispatch.h):
        // grad_weight per row when OH * OW * K > 65536 (every case above is
        // smaller), per band of 16 rows otherwise, the last band partial here.
        deform("rows_k64_batch2", 2, 5, 35, 33, 64, 3, 3).p(1).masked().with_bias().std_px(1.5),
        deform("rows_k64_groups2_og2", 1, 8, 29, 40, 64, 3, 3).p(1).g(2).og(2).masked().std_px(1.0),
        deform("bands_oh37_batch2", 2, 6, 37, 9, 7, 3, 3).p(1).og(2).masked().with_bias().std_px(2.0),
        // The rows pipeline with offset groups of 8k channels: on AVX-512 its
        // 8-channel-block twin (deform_conv2d_backward_wide_blocks).
        deform("rows_wide_blocks_og2", 1, 16, 35, 33, 64, 3, 3).p(1).og(2).masked().with_bias().std_px(1.5),
        deform("rows_wide_blocks_batch2_groups2", 2, 32, 30, 37, 64, 3, 3).p(1).g(2).og(2).std_px(2.0),
    };
}

::testing::AssertionResult deform_cases_valid(const std::vector<DeformCase> &cases) {
    std::set<std::string> names;
    for (const auto &c : cases) {
        std::string why;
        if (!c.spec.valid(&why)) return ::testing::AssertionFailure() << "invalid spec (" << why << "): " << c.describe();
        if (c.offsets != DeformOffsets::Zero && !(c.spread > 0.0))
            return ::testing::AssertionFailure() << "spread must be positive: " << c.describe();
        if (!names.insert(c.name()).second) return ::testing::AssertionFailure() << "duplicate name " << c.name();
    }
    return ::testing::AssertionSuccess();
}

std::vector<std::string> deform_coverage_missing(const std::vector<DeformCase> &cases) {
    std::vector<std::pair<std::string, bool>> features = {
        {"batch 3", false},
        {"odd H and W", false},
        {"stride 2 on both axes", false},
        {"mixed stride (1, 2) or (2, 1)", false},
        {"dilation 2", false},
        {"padding beyond the kernel radius", false},
        {"no padding", false},
        {"offset groups 1", false},
        {"offset groups 2", false},
        {"offset groups 4", false},
        {"weight groups 2", false},
        {"weight groups and offset groups > 1 together", false},
        {"offset groups > weight groups > 1", false},
        {"weight groups > offset groups > 1", false},
        {"mask", false},
        {"no mask", false},
        {"bias", false},
        {"no bias", false},
        {"1x1 kernel", false},
        {"1x3 kernel", false},
        {"3x1 kernel", false},
        {"5x5 kernel", false},
        {"C = 3", false},
        {"C = 6", false},
        {"C = 10", false},
        {"K = 5", false},
        {"K = 7", false},
        {"K = 24", false},
        {"C >= 32 and K >= 32", false},
        {"groups 1, K a multiple of 16", false},
        {"groups 1, K a multiple of 16, C not a multiple of 4", false},
        {"1 channel per offset group", false},
        {"2 channels per offset group", false},
        {"3 channels per offset group", false},
        {"4 channels per offset group", false},
        {"8 channels per offset group", false},
        {"16 channels per offset group", false},
        {"offsets std 0.5", false},
        {"offsets std 2", false},
        {"offsets std 8", false},
        {"offsets std 20", false},
        {"integer offsets", false},
        {"integer offsets with stride 2", false},
        {"zero offsets", false},
        {"non-finite offsets", false},
        {"non-finite offsets with a mask", false},
        {"NaN in the mask", false},
        {"OH = OW = 1", false},
        {"1x1 input", false},
        {"OW >= 100", false},
        {"OW in 40..60, not a multiple of 6, 8, 16 or 48", false},
        {"OH * OW * K > 65536 (CPU backward: rows)", false},
        {"OH > 16, not a multiple of 16, OH * OW * K <= 65536 (CPU backward: bands, the last partial)", false},
        {"batch 2 on each CPU backward pipeline", false},
        {"OH * OW * K > 65536 with 8k channels per offset group (CPU backward, AVX-512: rows in 8-channel blocks)", false},
    };
    auto set = [&](const std::string &name, bool v) {
        bool found = false;
        for (auto &f : features)
            if (f.first == name) f.second = f.second || v, found = true;
        if (!found) ADD_FAILURE() << "unknown feature " << name;
    };
    bool rows_batch2 = false, bands_batch2 = false;
    for (const auto &c : cases) {
        const DeformConv2dSpec &s = c.spec;
        const int64_t cpg = s.C / s.offset_groups, OW = s.OW();
        set("batch 3", s.N == 3);
        set("odd H and W", s.H % 2 == 1 && s.W % 2 == 1 && s.H > 1);
        set("stride 2 on both axes", s.stride[0] == 2 && s.stride[1] == 2);
        set("mixed stride (1, 2) or (2, 1)", s.stride[0] != s.stride[1]);
        set("dilation 2", s.dilation[0] == 2 || s.dilation[1] == 2);
        set("padding beyond the kernel radius", s.padding[0] > s.dilation[0] * (s.R - 1) / 2 ||
                                                    s.padding[1] > s.dilation[1] * (s.S - 1) / 2);
        set("no padding", s.padding[0] == 0 && s.padding[1] == 0 && s.R > 1);
        set("offset groups 1", s.offset_groups == 1);
        set("offset groups 2", s.offset_groups == 2);
        set("offset groups 4", s.offset_groups == 4);
        set("weight groups 2", s.groups == 2);
        set("weight groups and offset groups > 1 together", s.groups > 1 && s.offset_groups > 1);
        set("offset groups > weight groups > 1", s.groups > 1 && s.offset_groups > s.groups);
        set("weight groups > offset groups > 1", s.offset_groups > 1 && s.groups > s.offset_groups);
        set("mask", s.has_mask);
        set("no mask", !s.has_mask);
        set("bias", s.has_bias);
        set("no bias", !s.has_bias);
        set("1x1 kernel", s.R == 1 && s.S == 1);
        set("1x3 kernel", s.R == 1 && s.S == 3);
        set("3x1 kernel", s.R == 3 && s.S == 1);
        set("5x5 kernel", s.R == 5 && s.S == 5);
        set("C = 3", s.C == 3);
        set("C = 6", s.C == 6);
        set("C = 10", s.C == 10);
        set("K = 5", s.K == 5);
        set("K = 7", s.K == 7);
        set("K = 24", s.K == 24);
        set("C >= 32 and K >= 32", s.C >= 32 && s.K >= 32);
        set("groups 1, K a multiple of 16", s.groups == 1 && s.K % 16 == 0);
        set("groups 1, K a multiple of 16, C not a multiple of 4", s.groups == 1 && s.K % 16 == 0 && s.C % 4 != 0);
        set("1 channel per offset group", cpg == 1);
        set("2 channels per offset group", cpg == 2);
        set("3 channels per offset group", cpg == 3);
        set("4 channels per offset group", cpg == 4);
        set("8 channels per offset group", cpg == 8);
        set("16 channels per offset group", cpg == 16);
        const bool gauss = c.offsets == DeformOffsets::Gaussian;
        set("offsets std 0.5", gauss && c.spread == 0.5);
        set("offsets std 2", gauss && c.spread == 2.0);
        set("offsets std 8", gauss && c.spread == 8.0);
        set("offsets std 20", gauss && c.spread == 20.0);
        set("integer offsets", c.offsets == DeformOffsets::Integer);
        set("integer offsets with stride 2", c.offsets == DeformOffsets::Integer && s.stride[0] == 2);
        set("zero offsets", c.offsets == DeformOffsets::Zero);
        set("non-finite offsets", c.offsets == DeformOffsets::NonFinite);
        set("non-finite offsets with a mask", c.offsets == DeformOffsets::NonFinite && s.has_mask);
        set("NaN in the mask", s.has_mask && c.mask_data == DeformMask::WithNaN);
        set("OH = OW = 1", s.OH() == 1 && OW == 1);
        set("1x1 input", s.H == 1 && s.W == 1);
        set("OW >= 100", OW >= 100);
        set("OW in 40..60, not a multiple of 6, 8, 16 or 48",
            OW >= 40 && OW <= 60 && OW % 6 != 0 && OW % 8 != 0 && OW % 16 != 0 && OW % 48 != 0);
        const bool rows = !halconv::deform_backward_bands(s.OH(), OW, s.K);
        set("OH * OW * K > 65536 (CPU backward: rows)", rows);
        set("OH > 16, not a multiple of 16, OH * OW * K <= 65536 (CPU backward: bands, the last partial)",
            !rows && s.OH() > 16 && s.OH() % 16 != 0);
        set("OH * OW * K > 65536 with 8k channels per offset group (CPU backward, AVX-512: rows in 8-channel blocks)",
            rows && halconv::deform_backward_wide_blocks(s.C, s.offset_groups));
        rows_batch2 = rows_batch2 || (rows && s.N >= 2);
        bands_batch2 = bands_batch2 || (!rows && s.N >= 2 && s.OH() > 16);
    }
    set("batch 2 on each CPU backward pipeline", rows_batch2 && bands_batch2);
    std::vector<std::string> missing;
    for (const auto &f : features)
        if (!f.second) missing.push_back(f.first);
    return missing;
}

// ---------------------------------------------------------------------------
// Reference
// ---------------------------------------------------------------------------
namespace {

bool has_nan(const std::vector<float> &v) {
    return std::any_of(v.begin(), v.end(), [](float x) { return std::isnan(x); });
}

DeformConv2dData without_nan_mask(const DeformTensors &t) {
    DeformConv2dData d = t.data();
    for (double &m : d.mask)
        if (std::isnan(m)) m = 1.25;
    return d;
}

// NaN bounds of finite values from `finite`.
void fill_nan_bounds(DeformResult &want, const DeformResult &finite) {
    for (size_t i = 0; i < want.value.size(); i++) {
        if (std::isnan(want.value[i])) continue;
        if (std::isnan(want.abs_sum[i])) want.abs_sum[i] = finite.abs_sum[i];
        if (std::isnan(want.position_bound[i])) want.position_bound[i] = finite.position_bound[i];
    }
}

}  // namespace

DeformResult deform_forward_reference(const DeformConv2dSpec &s, const DeformTensors &t) {
    DeformResult r = deform_conv2d_reference(s, t.data());
    if (has_nan(t.mask)) fill_nan_bounds(r, deform_conv2d_reference(s, without_nan_mask(t)));
    return r;
}

DeformConv2dGrads deform_backward_reference(const DeformConv2dSpec &s, const DeformTensors &t,
                                            const std::vector<float> &grad_output) {
    DeformConv2dGrads r = deform_conv2d_backward_reference(s, t.data(), widen(grad_output));
    if (has_nan(t.mask)) {
        const DeformConv2dGrads f = deform_conv2d_backward_reference(s, without_nan_mask(t), widen(grad_output));
        fill_nan_bounds(r.input, f.input);
        fill_nan_bounds(r.offset, f.offset);
        fill_nan_bounds(r.weight, f.weight);
        fill_nan_bounds(r.mask, f.mask);
        fill_nan_bounds(r.bias, f.bias);
    }
    return r;
}

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------
DeformTerms deform_terms(const DeformConv2dSpec &s) {
    const int64_t Cg = s.C / s.groups, Kg = s.K / s.groups, Cog = s.C / s.offset_groups;
    DeformTerms t;
    t.output = Cg * s.R * s.S + 1;
    // The samples reaching one input pixel (about 4 per tap at stride 1;
    // 16 per tap allows for clusters), each a column sum of Kg terms.
    t.input = 16 * s.R * s.S + Kg;
    t.offset = Cog + Kg + 8;
    t.mask = Cog + Kg + 8;
    t.weight = s.N * s.OH() * s.OW() + 8;
    t.bias = s.N * s.OH() * s.OW();
    return t;
}

DeformTolerance deform_tolerance(int64_t terms) {
    DeformTolerance t;
    t.rel = std::max(2e-6, (double)(terms + 16) / 16777216.0);
    return t;
}

::testing::AssertionResult deform_values_match(const std::vector<float> &got, const DeformResult &want,
                                               DeformTolerance tol, const char *channel) {
    if (got.size() != want.value.size())
        return ::testing::AssertionFailure() << "size mismatch: got " << got.size() << ", expected "
                                             << want.value.size();
    int64_t bad = 0, worst = -1;
    double worst_ratio = 0.0;
    std::string first;
    for (size_t i = 0; i < got.size(); i++) {
        const double w = want.value[i];
        const double g = got[i];
        bool ok;
        double t = 0.0, ratio = 0.0;
        if (std::isnan(w)) {
            ok = std::isnan(g);
            ratio = ok ? 0.0 : 1e300;
        } else if (std::isinf(w)) {
            ok = g == w;
            ratio = ok ? 0.0 : 1e300;
        } else {
            t = tol.rel * want.abs_sum[i] + tol.position * want.position_bound[i];
            ok = std::isfinite(g) && std::fabs(g - w) <= t;
            ratio = !std::isfinite(g) ? 1e300 : t > 0 ? std::fabs(g - w) / t : (g == w ? 0.0 : 1e299);
        }
        if (!ok) {
            if (bad++ == 0) {
                first = position_str(want.shape, (int64_t)i, channel) + ": got " + float_str(g) + ", expected " +
                        float_str(w) + ", tolerance " + float_str(t) + " (abs_sum " + float_str(want.abs_sum[i]) +
                        ", position_bound " + float_str(want.position_bound[i]) + ")" +
                        (got[i] == kFiniteFill || std::isnan(got[i]) ? " (unwritten?)" : "");
            }
            if (worst < 0 || ratio > worst_ratio) worst = (int64_t)i, worst_ratio = ratio;
        }
    }
    if (bad == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << bad << " of " << got.size() << " elements of shape "
                                         << shape_str(want.shape) << " differ from the reference (tolerance "
                                         << float_str(tol.rel) << " * abs_sum + " << float_str(tol.position)
                                         << " * position_bound)\n  first bad " << first << "\n  worst "
                                         << position_str(want.shape, worst, channel) << ": got "
                                         << float_str(got[(size_t)worst]) << ", expected "
                                         << float_str(want.value[(size_t)worst]);
}

::testing::AssertionResult deform_bits_equal(const std::vector<float> &a, const std::vector<float> &b,
                                             const Shape &shape) {
    if (a.size() != b.size())
        return ::testing::AssertionFailure() << "size mismatch: " << a.size() << " vs " << b.size();
    int64_t bad = 0;
    std::string first;
    for (size_t i = 0; i < a.size(); i++) {
        const bool same = (std::isnan(a[i]) && std::isnan(b[i])) || std::memcmp(&a[i], &b[i], sizeof(float)) == 0;
        if (!same && bad++ == 0)
            first = position_str(shape, (int64_t)i) + ": " + float_str(a[i]) + " vs " + float_str(b[i]);
    }
    if (bad == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << bad << " of " << a.size() << " elements of shape " << shape_str(shape)
                                         << " differ in their bits; first " << first;
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------
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

bool same_bits(const std::vector<float> &a, const std::vector<float> &b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

std::string on(Device device) { return std::string(" on ") + halconv::device_name(device); }

uint32_t seed_of(const DeformCase &c) { return pool_seed(c.name(), 61); }

ConstTensor optional(const std::vector<float> &v, const Shape &shape) {
    return v.empty() ? ConstTensor() : ConstTensor(v.data(), shape);
}

void expect_inputs_unmodified(const DeformTensors &now, const DeformTensors &before) {
    EXPECT_TRUE(same_bits(now.input, before.input)) << "input was modified";
    EXPECT_TRUE(same_bits(now.offset, before.offset)) << "offset was modified";
    EXPECT_TRUE(same_bits(now.weight, before.weight)) << "weight was modified";
    EXPECT_TRUE(same_bits(now.bias, before.bias)) << "bias was modified";
    EXPECT_TRUE(same_bits(now.mask, before.mask)) << "mask was modified";
    EXPECT_TRUE(same_bits(now.grad_output, before.grad_output)) << "grad_output was modified";
}

}  // namespace

void check_deform_forward_case(const DeformCase &c, Device device) {
    SCOPED_TRACE(c.describe() + on(device));
    const DeformConv2dSpec &s = c.spec;
    const DeformTensors t = deform_tensors(c, seed_of(c));
    const DeformTensors t0 = t;
    const DeformResult want = deform_forward_reference(s, t);
    ASSERT_EQ(want.shape, s.output_shape());
    const halconv::DeformConv2dOptions opt = c.options(device);
    const Shape mask_shape = s.has_mask ? s.mask_shape() : Shape{};

    Shape got_shape;
    ASSERT_TRUE(call_ok([&] {
        got_shape = halconv::deform_conv2d_output_shape(s.input_shape(), s.offset_shape(), s.weight_shape(),
                                                        mask_shape, opt);
    }));
    ASSERT_EQ(got_shape, s.output_shape()) << "deform_conv2d_output_shape";

    Guarded<float> out = guarded_output(want.value);
    ASSERT_TRUE(call_ok([&] {
        halconv::deform_conv2d(ConstTensor(t.input.data(), s.input_shape()), ConstTensor(t.offset.data(), s.offset_shape()),
                               ConstTensor(t.weight.data(), s.weight_shape()), optional(t.bias, {s.K}),
                               optional(t.mask, s.mask_shape()), Tensor(out.data(), s.output_shape()), opt);
    }));
    EXPECT_TRUE(out.guards_intact()) << "output";
    const std::vector<float> y = out.values();
    EXPECT_TRUE(deform_values_match(y, want, deform_tolerance(deform_terms(s).output), "k")) << "output";

    // The allocating overload gives the same bits.
    Shape alloc_shape;
    std::vector<float> alloc;
    ASSERT_TRUE(call_ok([&] {
        alloc = halconv::deform_conv2d(ConstTensor(t.input.data(), s.input_shape()),
                                       ConstTensor(t.offset.data(), s.offset_shape()),
                                       ConstTensor(t.weight.data(), s.weight_shape()), optional(t.bias, {s.K}),
                                       optional(t.mask, s.mask_shape()), opt, &alloc_shape);
    }));
    EXPECT_EQ(alloc_shape, s.output_shape()) << "shape from the allocating overload";
    EXPECT_TRUE(deform_bits_equal(alloc, y, s.output_shape())) << "allocating overload vs in-place call";
    expect_inputs_unmodified(t, t0);
}

void check_deform_backward_case(const DeformCase &c, Device device, GradAccumulation acc) {
    SCOPED_TRACE(c.describe() + on(device) + ", accumulation " + halconv::grad_accumulation_name(acc));
    const DeformConv2dSpec &s = c.spec;
    const DeformTensors t = deform_tensors(c, seed_of(c));
    const DeformTensors t0 = t;
    const DeformConv2dGrads want = deform_backward_reference(s, t, t.grad_output);
    const halconv::DeformConv2dOptions opt = c.options(device, acc);
    const DeformTerms terms = deform_terms(s);

    struct Result {
        std::vector<float> input, offset, weight, bias, mask;
    };
    auto run = [&](Result *r) {
        Guarded<float> gi = guarded_output(want.input.value), go = guarded_output(want.offset.value),
                       gw = guarded_output(want.weight.value), gb = guarded_output(want.bias.value),
                       gm = guarded_output(want.mask.value);
        halconv::DeformConv2dGrads grads;
        grads.input = Tensor(gi.data(), s.input_shape());
        grads.offset = Tensor(go.data(), s.offset_shape());
        grads.weight = Tensor(gw.data(), s.weight_shape());
        if (s.has_bias) grads.bias = Tensor(gb.data(), {s.K});
        if (s.has_mask) grads.mask = Tensor(gm.data(), s.mask_shape());
        const bool ok = call_ok([&] {
            halconv::deform_conv2d_backward(ConstTensor(t.input.data(), s.input_shape()),
                                            ConstTensor(t.offset.data(), s.offset_shape()),
                                            ConstTensor(t.weight.data(), s.weight_shape()),
                                            optional(t.mask, s.mask_shape()),
                                            ConstTensor(t.grad_output.data(), s.output_shape()), grads, opt);
        });
        EXPECT_TRUE(gi.guards_intact()) << "grads.input";
        EXPECT_TRUE(go.guards_intact()) << "grads.offset";
        EXPECT_TRUE(gw.guards_intact()) << "grads.weight";
        EXPECT_TRUE(gb.guards_intact()) << "grads.bias";
        EXPECT_TRUE(gm.guards_intact()) << "grads.mask";
        r->input = gi.values(), r->offset = go.values(), r->weight = gw.values();
        r->bias = gb.values(), r->mask = gm.values();
        return ok;
    };
    Result r;
    ASSERT_TRUE(run(&r));
    EXPECT_TRUE(deform_values_match(r.input, want.input, deform_tolerance(terms.input))) << "grad_input";
    EXPECT_TRUE(deform_values_match(r.offset, want.offset, deform_tolerance(terms.offset), "ch")) << "grad_offset";
    EXPECT_TRUE(deform_values_match(r.weight, want.weight, deform_tolerance(terms.weight), "c'")) << "grad_weight";
    if (s.has_bias) {
        EXPECT_TRUE(deform_values_match(r.bias, want.bias, deform_tolerance(terms.bias))) << "grad_bias";
    }
    if (s.has_mask) {
        EXPECT_TRUE(deform_values_match(r.mask, want.mask, deform_tolerance(terms.mask), "ch")) << "grad_mask";
    }
    if (acc == GradAccumulation::Deterministic) {
        Result r2;
        ASSERT_TRUE(run(&r2));
        EXPECT_TRUE(deform_bits_equal(r2.input, r.input, s.input_shape())) << "grad_input of a second run";
        EXPECT_TRUE(deform_bits_equal(r2.offset, r.offset, s.offset_shape())) << "grad_offset of a second run";
        EXPECT_TRUE(deform_bits_equal(r2.weight, r.weight, s.weight_shape())) << "grad_weight of a second run";
        EXPECT_TRUE(deform_bits_equal(r2.bias, r.bias, {(int64_t)r.bias.size()})) << "grad_bias of a second run";
        EXPECT_TRUE(deform_bits_equal(r2.mask, r.mask, {(int64_t)r.mask.size()})) << "grad_mask of a second run";
    }
    expect_inputs_unmodified(t, t0);
}

// ---------------------------------------------------------------------------
// Library calls
// ---------------------------------------------------------------------------
std::vector<float> run_deform(const DeformConv2dSpec &s, const DeformTensors &t,
                              const halconv::DeformConv2dOptions &opt) {
    std::vector<float> y((size_t)numel(s.output_shape()), std::numeric_limits<float>::quiet_NaN());
    if (!call_ok([&] {
            halconv::deform_conv2d(ConstTensor(t.input.data(), s.input_shape()),
                                   ConstTensor(t.offset.data(), s.offset_shape()),
                                   ConstTensor(t.weight.data(), s.weight_shape()), optional(t.bias, {s.K}),
                                   optional(t.mask, s.mask_shape()), Tensor(y.data(), s.output_shape()), opt);
        }))
        return {};
    return y;
}

DeformGradTensors run_deform_backward(const DeformConv2dSpec &s, const DeformTensors &t,
                                      const std::vector<float> &grad_output, const halconv::DeformConv2dOptions &opt,
                                      bool want_bias) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    DeformGradTensors r;
    r.input.assign(t.input.size(), nan);
    r.offset.assign(t.offset.size(), nan);
    r.weight.assign(t.weight.size(), nan);
    if (want_bias) r.bias.assign((size_t)s.K, nan);
    if (s.has_mask) r.mask.assign(t.mask.size(), nan);
    halconv::DeformConv2dGrads grads;
    grads.input = Tensor(r.input.data(), s.input_shape());
    grads.offset = Tensor(r.offset.data(), s.offset_shape());
    grads.weight = Tensor(r.weight.data(), s.weight_shape());
    if (want_bias) grads.bias = Tensor(r.bias.data(), {s.K});
    if (s.has_mask) grads.mask = Tensor(r.mask.data(), s.mask_shape());
    if (!call_ok([&] {
            halconv::deform_conv2d_backward(ConstTensor(t.input.data(), s.input_shape()),
                                            ConstTensor(t.offset.data(), s.offset_shape()),
                                            ConstTensor(t.weight.data(), s.weight_shape()),
                                            optional(t.mask, s.mask_shape()),
                                            ConstTensor(grad_output.data(), s.output_shape()), grads, opt);
        }))
        return {};
    return r;
}

}  // namespace halconv_test
