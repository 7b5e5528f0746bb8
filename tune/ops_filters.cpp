// Tuning problems of the image filters (suite family "filters_image"). Each
// entry is mapped to the pipeline the library runs for it (runtime/filter.cpp)
// with the inputs the library passes:
//   * the kernel is built by the library's own factories (FilterKernel::box,
//     gaussian, binomial, motion: runtime/filter_kernels.cpp), parsed from the
//     entry's "kernel" as bench/bench_filters.cpp does;
//   * integer images (uint8, uint16) with integer taps, or the uint8
//     fixed-point Gaussian, take the exact integer separable pipeline with
//     the bias / multiplier / shift / narrow plan of runtime/filter.cpp
//     (plan_integer, copied: the runtime keeps it private); other separable
//     kernels the float separable pipeline, the rest the direct one;
//   * sobel_magnitude / prewitt_magnitude: gradient_magnitude_<type>.
// Default FilterOptions (offset 0, not absolute), border from the entry
// (default mirror). Images are random samples over the type's full range
// (floats in [0, 1]).
// So: box3_rgb8, gauss5_rgb8, motion9_rgb8 -> filter_separable_integer_u8;
// sobel_gray8 -> gradient_magnitude_u8; gauss5_rgbf ->
// filter_separable_float_f32.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>

#include "halconv/halconv.h"
#include "runtime/shape_class.h"
#include "schedules/cpu/filter.h"
#include "schedules/cuda/filter.h"
#include "tune/problem.h"

namespace halconv {
namespace tune {
namespace {

// --- runtime/filter.cpp's exact integer plan (copied) ------------------------
// out = floor(sum / D + 1/2 + offset) = floor((2 * sum + bias) / (2 * D)),
// bias = D * (1 + 2 * offset), computed as ((2 * sum + bias) * M) >> s.
struct IntegerPlan {
    std::vector<uint16_t> column, row;
    uint32_t bias = 0, multiplier = 1, shift = 0;
    int narrow = 0;
};

bool integer_taps(const std::vector<float> &f, std::vector<uint16_t> &out, uint64_t &sum) {
    out.clear();
    sum = 0;
    for (float t : f) {
        if (t < 0 || t > 65535 || t != std::floor(t)) return false;
        out.push_back(uint16_t(t));
        sum += uint64_t(t);
    }
    return sum > 0;
}

bool plan_integer(const FilterKernel &k, SampleType type, float offset, IntegerPlan &plan) {
    if (type == SampleType::Float32 || !k.separable()) return false;
    const bool fixed = type == SampleType::UInt8 && !k.fixed_column.empty();
    if (!fixed && !k.integer) return false;
    const double divisor = fixed ? 65536.0 : k.divisor;
    if (divisor <= 0 || divisor != std::floor(divisor) || divisor > (1u << 30)) return false;
    uint64_t sum_column = 0, sum_row = 0;
    if (!integer_taps(fixed ? k.fixed_column : k.column, plan.column, sum_column)) return false;
    if (!integer_taps(fixed ? k.fixed_row : k.row, plan.row, sum_row)) return false;
    const uint64_t max_sample = type == SampleType::UInt8 ? 255 : 65535;
    const uint64_t vertical_limit = type == SampleType::UInt8 ? 65535 : 0xffffffffull;
    if (max_sample * sum_column > vertical_limit) return false;
    const uint64_t max_sum = max_sample * sum_column * sum_row;
    const uint64_t D = uint64_t(divisor);
    const double bias = double(D) * (1.0 + 2.0 * offset);
    if (bias < 0 || bias != std::floor(bias) || bias > 0xffffffffull) return false;
    const uint64_t N = 2 * max_sum + uint64_t(bias);
    if (N > 0xffffffffull) return false;
    plan.bias = uint32_t(bias);
    const uint64_t D2 = 2 * D;
    for (uint32_t s = 0; s < 32; s++) {
        const uint64_t p = uint64_t(1) << s;
        if (p < D2 / 2) continue;
        const uint64_t M = (p + D2 - 1) / D2;
        const uint64_t e = M * D2 - p;
        if (M == 0 || N * M > 0xffffffffull) break;
        if (e * N < p) {
            plan.multiplier = uint32_t(M);
            plan.shift = s;
            plan.narrow = N <= 0xffff && max_sample * sum_column <= 0xffff ? 1 : 0;
            return true;
        }
    }
    return false;
}

// --- the suite entry ----------------------------------------------------------
struct FilterEntry {
    int W = 0, H = 0, C = 1;
    SampleType type = SampleType::UInt8;
    const char *suffix = "u8";
    int sample_bytes = 1;
    Border border = Border::Mirror;
    bool gradient = false;
    int gradient_weight = 2;  // Sobel 2, Prewitt 1
    FilterKernel kernel;

    // As bench/bench_filters.cpp: "box3x3", "gaussian5x5" (sigma: the entry's
    // "sigma", 1.1 by default), "binomial5x5", "motion1x9" (horizontal;
    // "motion9x1" vertical), "sobel_magnitude", "prewitt_magnitude".
    explicit FilterEntry(const json::Value &e) {
        W = (int)e.at("W").integer();
        H = (int)e.at("H").integer();
        C = (int)e.get_int("channels", 1);
        const std::string dtype = e.get_string("dtype", "uint8");
        if (dtype == "uint8") {
            type = SampleType::UInt8, suffix = "u8", sample_bytes = 1;
        } else if (dtype == "uint16") {
            type = SampleType::UInt16, suffix = "u16", sample_bytes = 2;
        } else if (dtype == "float32") {
            type = SampleType::Float32, suffix = "f32", sample_bytes = 4;
        } else {
            throw std::runtime_error("filters_image: unknown dtype '" + dtype + "'");
        }
        border = parse_border(e.get_string("border", "mirror"));
        const std::string k = e.at("kernel").str();
        auto size_after = [&](const char *prefix, int &h, int &w) {
            const size_t n = std::strlen(prefix);
            return k.compare(0, n, prefix) == 0 && std::sscanf(k.c_str() + n, "%dx%d", &h, &w) == 2;
        };
        int h = 0, w = 0;
        if (k == "sobel_magnitude" || k == "prewitt_magnitude") {
            gradient = true;
            gradient_weight = k[0] == 's' ? 2 : 1;
        } else if (size_after("box", h, w) && h == w) {
            kernel = FilterKernel::box(h);
        } else if (size_after("gaussian", h, w) && h == w) {
            kernel = FilterKernel::gaussian(e.get_number("sigma", 1.1), h);
        } else if (size_after("binomial", h, w) && h == w) {
            kernel = FilterKernel::binomial(h);
        } else if (size_after("motion", h, w) && (h == 1 || w == 1)) {
            kernel = FilterKernel::motion(std::max(h, w), h == 1 ? 0.0 : 90.0);
        } else {
            throw std::runtime_error("filters_image: unknown kernel '" + k + "'");
        }
    }
};

// Random samples over the type's range.
template<typename T>
Halide::Buffer<T> random_image(int row_samples, int height, uint64_t seed) {
    Halide::Buffer<T> b(row_samples, height);
    std::mt19937_64 rng(seed);
    if constexpr (std::is_floating_point<T>::value) {
        std::uniform_real_distribution<float> dist(0.0f, 1.0f);
        b.for_each_value([&](T &v) { v = dist(rng); });
    } else {
        std::uniform_int_distribution<int> dist(0, std::numeric_limits<T>::max());
        b.for_each_value([&](T &v) { v = T(dist(rng)); });
    }
    return b;
}

template<typename T>
Problem make_filter_typed(const FilterEntry &f) {
    Problem p;
    const int row_samples = f.W * f.C;
    p.buffers["input"] = random_image<T>(row_samples, f.H, 31);
    p.buffers["output"] = Halide::Buffer<T>(row_samples, f.H);
    p.outputs = {"output"};
    p.scalars = {{"channels", Scalar::i32(f.C)}, {"border", Scalar::i32(static_cast<int>(f.border))}};
    int taps_h = 3, taps_w = 3;
    IntegerPlan plan;
    if (f.gradient) {
        p.op = std::string("gradient_magnitude_") + f.suffix;
        p.scalars["weight"] = Scalar::i32(f.gradient_weight);
        p.scalars["offset"] = Scalar::f32(0.0f);
    } else if (plan_integer(f.kernel, f.type, 0.0f, plan)) {
        p.op = std::string("filter_separable_integer_") + f.suffix;
        Halide::Buffer<uint16_t> column((int)plan.column.size()), row((int)plan.row.size());
        for (size_t i = 0; i < plan.column.size(); i++) column((int)i) = plan.column[i];
        for (size_t i = 0; i < plan.row.size(); i++) row((int)i) = plan.row[i];
        p.buffers["column"] = column;
        p.buffers["row"] = row;
        auto u32 = [](uint32_t v) {
            Scalar s{Halide::UInt(32)};
            s.value.u.u32 = v;
            return s;
        };
        p.scalars["bias"] = u32(plan.bias);
        p.scalars["multiplier"] = u32(plan.multiplier);
        p.scalars["shift"] = u32(plan.shift);
        p.scalars["narrow"] = Scalar::i32(plan.narrow);
    } else if (f.kernel.separable()) {
        p.op = std::string("filter_separable_float_") + f.suffix;
        Halide::Buffer<float> column(f.kernel.height), row(f.kernel.width);
        for (int i = 0; i < f.kernel.height; i++) column(i) = f.kernel.column[i];
        for (int j = 0; j < f.kernel.width; j++) row(j) = f.kernel.row[j];
        p.buffers["column"] = column;
        p.buffers["row"] = row;
        p.scalars["divisor"] = Scalar::f32(float(f.kernel.divisor));
        p.scalars["absolute"] = Scalar::i32(0);
        p.scalars["offset"] = Scalar::f32(0.0f);
    } else {
        p.op = std::string("filter_direct_") + f.suffix;
        Halide::Buffer<float> taps(f.kernel.width, f.kernel.height);
        for (int i = 0; i < f.kernel.height; i++)
            for (int j = 0; j < f.kernel.width; j++) taps(j, i) = f.kernel.taps[size_t(i) * f.kernel.width + j];
        p.buffers["taps"] = taps;
        p.scalars["divisor"] = Scalar::f32(float(f.kernel.divisor));
        p.scalars["absolute"] = Scalar::i32(0);
        p.scalars["offset"] = Scalar::f32(0.0f);
    }
    if (!f.gradient) taps_h = f.kernel.height, taps_w = f.kernel.width;
    p.generator = p.op;
    p.shape_class = shape_class(p.op, {{"C", f.C}, {"H", f.H}, {"W", f.W}, {"R", taps_h}, {"S", taps_w}});
    // Read once, written once (as bench/bench_filters.cpp counts).
    p.bytes = 2.0 * double(row_samples) * f.H * f.sample_bytes;
    if (f.type == SampleType::Float32) {
        // Float sums: the schedules keep each tap loop's order, but may
        // contract multiply-adds differently.
        p.rel_tolerance = 1e-4;
    } else if (p.op.rfind("filter_separable_integer", 0) == 0 || f.gradient) {
        p.rel_tolerance = 0;  // exact integer arithmetic
    } else {
        // A float response rounded to an integer sample may flip by one
        // under another multiply-add contraction: one step of the type.
        p.rel_tolerance = f.type == SampleType::UInt8 ? 1.0 / 255 : 1.0 / 65535;
    }
    return p;
}

Problem make_filter(const std::string &op, const json::Value &e) {
    const FilterEntry f(e);
    Problem p = f.type == SampleType::UInt8    ? make_filter_typed<uint8_t>(f)
                : f.type == SampleType::UInt16 ? make_filter_typed<uint16_t>(f)
                                               : make_filter_typed<float>(f);
    if (p.op != op) throw std::runtime_error("filters_image: entry runs " + p.op + ", not " + op);
    p.entry = e.get_string("id", "custom");
    p.shape = e;
    return p;
}

// The pipeline the library runs for an entry ("" if it cannot be built).
std::string pipeline_of(const json::Value &e) {
    try {
        const FilterEntry f(e);
        if (f.gradient) return std::string("gradient_magnitude_") + f.suffix;
        IntegerPlan plan;
        if (plan_integer(f.kernel, f.type, 0.0f, plan)) return std::string("filter_separable_integer_") + f.suffix;
        return std::string(f.kernel.separable() ? "filter_separable_float_" : "filter_direct_") + f.suffix;
    } catch (const std::exception &) {
        return "";
    }
}

bool register_filter(const std::string &op) {
    return register_op(OpAdapter{
        op, "filters_image", [op](const json::Value &e) { return pipeline_of(e) == op; },
        [op](const json::Value &e) { return make_filter(op, e); },
        [op](const TargetInfo &t) { return t.gpu() ? FilterGpuSchedule::space(op) : FilterCpuSchedule::space(op); }});
}

const bool registered = [] {
    for (const char *kind : {"filter_separable_integer_", "filter_separable_float_", "filter_direct_",
                             "gradient_magnitude_"}) {
        for (const char *suffix : {"u8", "u16", "f32"}) {
            if (std::strcmp(kind, "filter_separable_integer_") == 0 && std::strcmp(suffix, "f32") == 0) continue;
            register_filter(std::string(kind) + suffix);
        }
    }
    return true;
}();

}  // namespace
}  // namespace tune
}  // namespace halconv
