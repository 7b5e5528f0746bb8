// Writes deformable-convolution and flow_warp cases (float32 inputs and the
// double-precision reference's outputs and gradients, reference_deform.h)
// for tests/deform_oracle.py, which recomputes them with
// torchvision.ops.deform_conv2d and torch.nn.functional.grid_sample in
// float64. Not part of ctest (torchvision is not a dependency):
//
//   cmake --build build --target halconv_deform_oracle_dump
//   mkdir -p /tmp/deform_oracle && build/tests/halconv_deform_oracle_dump /tmp/deform_oracle
//   /usr/bin/python3 tests/deform_oracle.py /tmp/deform_oracle
//
// Layout: DIR/manifest.json (one object per case) and raw little-endian
// arrays DIR/<id>_<what>.bin (inputs float32, reference results float64).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "reference_deform.h"
#include "test_util.h"

namespace halconv_test {
namespace {

std::string g_dir;
int g_id = 0;
std::ostringstream g_manifest;
bool g_first = true;

template<typename T>
std::string write_bin(const std::string &what, const std::vector<T> &v) {
    const std::string name = std::to_string(g_id) + "_" + what + ".bin";
    std::ofstream f(g_dir + "/" + name, std::ios::binary);
    f.write(reinterpret_cast<const char *>(v.data()), (std::streamsize)(v.size() * sizeof(T)));
    return name;
}

std::string json_shape(const ref::Shape &s) {
    std::string r = "[";
    for (size_t i = 0; i < s.size(); i++) r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}
std::string json_pair(const std::array<int, 2> &p) {
    return "[" + std::to_string(p[0]) + ", " + std::to_string(p[1]) + "]";
}

void entry(const std::string &op, const std::string &name, const std::string &fields) {
    g_manifest << (g_first ? "" : ",\n") << "  {\"id\": " << g_id << ", \"op\": \"" << op << "\", \"name\": \"" << name
               << "\", " << fields << "}";
    g_first = false;
    g_id++;
}

// How the offsets (flows) are drawn; all are float32 values.
enum class Mode {
    Gauss,      // normal with standard deviation `spread` (Box-Muller on mt19937: portable)
    Integer,    // integers, uniform in [-spread, spread]: every position an integer
    Mixed,      // each component an integer or integer + [0.1, 0.9], at random
    Halves,     // Gauss rounded to multiples of 0.5 (integers and half-integers)
    Zero,
};

std::vector<float> offsets(int64_t n, Mode mode, double spread, uint32_t seed) {
    std::mt19937 gen(seed);
    auto uniform = [&]() { return ((double)(gen() >> 5) * 67108864.0 + (double)(gen() >> 6)) / 9007199254740992.0; };
    auto gauss = [&]() {
        const double u1 = 1.0 - uniform(), u2 = uniform();  // u1 in (0, 1]
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    };
    std::vector<float> v((size_t)n, 0.0f);
    const int span = (int)spread;
    for (auto &x : v) {
        switch (mode) {
            case Mode::Zero: x = 0.0f; break;
            case Mode::Gauss: x = (float)(spread * gauss()); break;
            case Mode::Halves: x = (float)(std::round(2.0 * spread * gauss()) / 2.0); break;
            case Mode::Integer: x = (float)((int64_t)(gen() % (uint32_t)(2 * span + 1)) - span); break;
            case Mode::Mixed: {
                double r = (double)((int64_t)(gen() % (uint32_t)(2 * span + 1)) - span);
                if (gen() & 1) r += 0.1 + 0.8 * uniform();
                x = (float)r;
                break;
            }
        }
    }
    return v;
}

const char *mode_name(Mode m) {
    switch (m) {
        case Mode::Gauss: return "gauss";
        case Mode::Integer: return "integer";
        case Mode::Mixed: return "mixed";
        case Mode::Halves: return "halves";
        case Mode::Zero: return "zero";
    }
    return "?";
}

struct DeformCase {
    std::string name;
    DeformConv2dSpec spec;
    Mode mode;
    double spread;
};

DeformCase dc(std::string name, int64_t N, int64_t C, int64_t H, int64_t W, int64_t K, int64_t R, int64_t S,
              std::array<int, 2> stride, std::array<int, 2> pad, std::array<int, 2> dil, int groups, int og, bool mask,
              bool bias, Mode mode, double spread) {
    DeformCase c;
    c.name = std::move(name);
    c.spec.N = N, c.spec.C = C, c.spec.H = H, c.spec.W = W, c.spec.K = K, c.spec.R = R, c.spec.S = S;
    c.spec.stride = stride, c.spec.padding = pad, c.spec.dilation = dil, c.spec.groups = groups;
    c.spec.offset_groups = og, c.spec.has_mask = mask, c.spec.has_bias = bias;
    c.mode = mode, c.spread = spread;
    return c;
}

std::vector<DeformCase> deform_cases() {
    const std::array<int, 2> s1{1, 1}, s2{2, 2}, p0{0, 0}, p1{1, 1}, p2{2, 2}, d1{1, 1}, d2{2, 2};
    return {
        dc("basic_std0.5", 1, 2, 5, 6, 3, 3, 3, s1, p0, d1, 1, 1, false, false, Mode::Gauss, 0.5),
        dc("basic_std2_mask", 1, 2, 5, 6, 3, 3, 3, s1, p0, d1, 1, 1, true, false, Mode::Gauss, 2.0),
        dc("std5_mask_bias", 2, 2, 6, 7, 2, 3, 3, s1, p1, d1, 1, 1, true, true, Mode::Gauss, 5.0),
        dc("std20_mostly_outside", 1, 3, 7, 8, 2, 3, 3, s1, p1, d1, 1, 1, true, true, Mode::Gauss, 20.0),
        dc("integer_positions_mask", 2, 2, 6, 5, 2, 3, 3, s1, p1, d1, 1, 1, true, false, Mode::Integer, 3.0),
        dc("integer_positions_bias", 1, 3, 5, 5, 2, 3, 3, s1, p0, d1, 1, 1, false, true, Mode::Integer, 2.0),
        dc("integer_borders_small", 2, 2, 4, 4, 2, 3, 3, s1, p1, d1, 1, 1, true, true, Mode::Integer, 4.0),
        dc("mixed_int_frac_mask", 1, 2, 7, 6, 3, 3, 3, s1, p1, d1, 1, 1, true, false, Mode::Mixed, 3.0),
        dc("halves_og2", 1, 4, 6, 6, 2, 3, 3, s1, p1, d1, 1, 2, true, true, Mode::Halves, 1.5),
        dc("batch3_odd", 3, 3, 7, 5, 4, 3, 3, s1, p1, d1, 1, 1, true, true, Mode::Gauss, 1.5),
        dc("stride2", 2, 2, 9, 7, 3, 3, 3, s2, p1, d1, 1, 1, true, false, Mode::Gauss, 2.0),
        dc("stride2_integer", 1, 2, 9, 8, 2, 3, 3, s2, p1, d1, 1, 1, false, true, Mode::Integer, 3.0),
        dc("dil2_pad2", 1, 2, 9, 9, 2, 3, 3, s1, p2, d2, 1, 1, false, true, Mode::Gauss, 3.0),
        dc("dil2_stride2_integer_mask", 2, 2, 11, 10, 2, 3, 3, s2, p2, d2, 1, 1, true, false, Mode::Integer, 2.0),
        dc("og2_std1_mask", 1, 4, 6, 7, 3, 3, 3, s1, p1, d1, 1, 2, true, false, Mode::Gauss, 1.0),
        dc("og4_std4_mask_bias", 2, 4, 7, 6, 2, 3, 3, s1, p1, d1, 1, 4, true, true, Mode::Gauss, 4.0),
        dc("og4_integer", 1, 8, 5, 6, 2, 3, 3, s1, p1, d1, 1, 4, true, false, Mode::Integer, 2.0),
        dc("groups2_og1", 1, 4, 6, 6, 4, 3, 3, s1, p1, d1, 2, 1, false, false, Mode::Gauss, 2.0),
        dc("groups2_og2_mask_bias", 2, 4, 7, 7, 4, 3, 3, s1, p1, d1, 2, 2, true, true, Mode::Gauss, 1.5),
        dc("groups2_og4_s2_d2_pad12", 1, 8, 10, 11, 4, 3, 3, s2, {1, 2}, d2, 2, 4, true, true, Mode::Gauss, 6.0),
        dc("asym_s21_p02_d12_og2", 2, 4, 8, 9, 2, 2, 3, {2, 1}, {0, 2}, {1, 2}, 1, 2, false, true, Mode::Gauss, 2.5),
        dc("k1x1_mask_bias", 2, 3, 5, 6, 2, 1, 1, s1, p0, d1, 1, 1, true, true, Mode::Gauss, 3.0),
        dc("k1x5_pad02", 1, 2, 4, 9, 2, 1, 5, s1, {0, 2}, d1, 1, 1, true, false, Mode::Gauss, 1.5),
        dc("integer_spread15", 1, 2, 6, 7, 2, 3, 3, s1, p1, d1, 1, 2, true, true, Mode::Integer, 15.0),
        dc("std10_s2_og2_groups2", 2, 4, 9, 8, 2, 3, 3, s2, p1, d1, 2, 2, true, false, Mode::Gauss, 10.0),
        dc("single_row_input", 2, 2, 1, 9, 2, 1, 3, s1, {0, 1}, d1, 1, 1, true, true, Mode::Mixed, 1.0),
        dc("tiny_2x2_pad2_mixed", 1, 2, 2, 2, 2, 3, 3, s1, p2, d1, 1, 2, true, true, Mode::Mixed, 2.0),
        dc("og2_std0.5_mask_bias", 1, 2, 5, 5, 2, 2, 2, s1, p0, d1, 1, 2, true, true, Mode::Gauss, 0.5),
        dc("zero_offsets_mask_bias", 2, 3, 6, 5, 2, 3, 3, s1, p1, d1, 1, 1, true, true, Mode::Zero, 0.0),
        dc("batch3_og4_groups2_mixed", 3, 4, 6, 7, 6, 3, 2, s1, {1, 0}, d1, 2, 4, true, true, Mode::Mixed, 5.0),
        dc("stride2_halves_dil2", 1, 2, 10, 9, 2, 2, 2, s2, p1, d2, 1, 1, true, true, Mode::Halves, 3.0),
    };
}

uint32_t seed_of(const std::string &name, uint32_t salt) {
    uint32_t h = 2166136261u;
    for (unsigned char ch : name) h = (h ^ ch) * 16777619u;
    return h ^ (salt * 0x9E3779B9u);
}

void dump_deform(const DeformCase &c) {
    const DeformConv2dSpec &s = c.spec;
    std::string why;
    if (!s.valid(&why)) {
        std::fprintf(stderr, "invalid case %s: %s\n", c.name.c_str(), why.c_str());
        std::exit(1);
    }
    const std::vector<float> x = random_tensor(numel(s.input_shape()), seed_of(c.name, 1));
    const std::vector<float> off = offsets(numel(s.offset_shape()), c.mode, c.spread, seed_of(c.name, 2));
    const std::vector<float> w = random_tensor(numel(s.weight_shape()), seed_of(c.name, 3));
    const std::vector<float> b = s.has_bias ? random_tensor(s.K, seed_of(c.name, 4)) : std::vector<float>{};
    const std::vector<float> m =
        s.has_mask ? random_tensor(numel(s.mask_shape()), seed_of(c.name, 5), -0.5f, 1.5f) : std::vector<float>{};
    const std::vector<float> go = random_tensor(numel(s.output_shape()), seed_of(c.name, 6));
    DeformConv2dData d;
    d.input = widen(x), d.offset = widen(off), d.weight = widen(w), d.bias = widen(b), d.mask = widen(m);
    const DeformResult out = deform_conv2d_reference(s, d);
    const DeformConv2dGrads g = deform_conv2d_backward_reference(s, d, widen(go));
    std::ostringstream os;
    os << "\"offset_mode\": \"" << mode_name(c.mode) << "\", \"spread\": " << c.spread
       << ", \"input_shape\": " << json_shape(s.input_shape()) << ", \"offset_shape\": " << json_shape(s.offset_shape())
       << ", \"weight_shape\": " << json_shape(s.weight_shape()) << ", \"mask_shape\": "
       << (s.has_mask ? json_shape(s.mask_shape()) : std::string("null"))
       << ", \"bias\": " << (s.has_bias ? "true" : "false") << ", \"output_shape\": " << json_shape(s.output_shape())
       << ", \"stride\": " << json_pair(s.stride) << ", \"padding\": " << json_pair(s.padding)
       << ", \"dilation\": " << json_pair(s.dilation) << ", \"groups\": " << s.groups
       << ", \"offset_groups\": " << s.offset_groups << ", \"input\": \"" << write_bin("input", x)
       << "\", \"offset\": \"" << write_bin("offset", off) << "\", \"weight\": \"" << write_bin("weight", w) << "\"";
    if (s.has_bias) os << ", \"bias_data\": \"" << write_bin("bias", b) << "\"";
    if (s.has_mask) os << ", \"mask\": \"" << write_bin("mask", m) << "\"";
    os << ", \"grad_output\": \"" << write_bin("grad_output", go) << "\", \"out\": \"" << write_bin("out", out.value)
       << "\", \"grad_input\": \"" << write_bin("grad_input", g.input.value) << "\", \"grad_offset\": \""
       << write_bin("grad_offset", g.offset.value) << "\", \"grad_weight\": \""
       << write_bin("grad_weight", g.weight.value) << "\"";
    if (s.has_mask) os << ", \"grad_mask\": \"" << write_bin("grad_mask", g.mask.value) << "\"";
    if (s.has_bias) os << ", \"grad_bias\": \"" << write_bin("grad_bias", g.bias.value) << "\"";
    entry("deform_conv2d", c.name, os.str());
}

struct FlowCase {
    std::string name;
    ref::Shape shape;
    Mode mode;
    double spread;
};

void dump_flow(const FlowCase &c) {
    const ref::Shape &s = c.shape;
    const std::vector<float> x = random_tensor(numel(s), seed_of(c.name, 1));
    const std::vector<float> flow = offsets(s[0] * 2 * s[2] * s[3], c.mode, c.spread, seed_of(c.name, 2));
    const std::vector<float> go = random_tensor(numel(s), seed_of(c.name, 3));
    const DeformResult out = flow_warp_reference(s, widen(x), widen(flow));
    const FlowWarpGrads g = flow_warp_backward_reference(s, widen(x), widen(flow), widen(go));
    std::ostringstream os;
    os << "\"offset_mode\": \"" << mode_name(c.mode) << "\", \"spread\": " << c.spread
       << ", \"input_shape\": " << json_shape(s) << ", \"input\": \"" << write_bin("input", x) << "\", \"flow\": \""
       << write_bin("flow", flow) << "\", \"grad_output\": \"" << write_bin("grad_output", go) << "\", \"out\": \""
       << write_bin("out", out.value) << "\", \"grad_input\": \"" << write_bin("grad_input", g.input.value)
       << "\", \"grad_flow\": \"" << write_bin("grad_flow", g.flow.value) << "\"";
    entry("flow_warp", c.name, os.str());
}

// grid_sample's pixel <-> normalised conversion (align_corners=True) is exact
// when H-1 and W-1 are powers of two and the flows are dyadic, which the
// integer and half-integer cases need (else floor() of an integer position
// may flip). H, W >= 2 (the conversion divides by H-1, W-1).
std::vector<FlowCase> flow_cases() {
    return {
        {"gauss0.5", {1, 1, 5, 9}, Mode::Gauss, 0.5},
        {"gauss2_batch2", {2, 3, 9, 5}, Mode::Gauss, 2.0},
        {"integer_batch3", {3, 2, 5, 5}, Mode::Integer, 3.0},
        {"mixed", {1, 2, 9, 17}, Mode::Mixed, 4.0},
        {"halves", {2, 1, 3, 5}, Mode::Halves, 2.0},
        {"gauss20_odd", {1, 2, 6, 7}, Mode::Gauss, 20.0},
        {"gauss5_odd", {2, 2, 7, 6}, Mode::Gauss, 5.0},
        {"integer_small_borders", {2, 1, 3, 3}, Mode::Integer, 3.0},
    };
}

}  // namespace
}  // namespace halconv_test

int main(int argc, char **argv) {
    using namespace halconv_test;
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTPUT_DIR (an existing directory)\n", argv[0]);
        return 2;
    }
    g_dir = argv[1];
    for (const auto &c : deform_cases()) dump_deform(c);
    for (const auto &c : flow_cases()) dump_flow(c);
    std::ofstream(g_dir + "/manifest.json") << "[\n" << g_manifest.str() << "\n]\n";
    std::printf("%d cases written to %s\n", g_id, g_dir.c_str());
    return 0;
}
