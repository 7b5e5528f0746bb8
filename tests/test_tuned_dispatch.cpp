// Tuned dispatch (include/halconv/tuned.h, cmake/HalconvTuned.cmake): every
// variant baked from HALCONV_TUNED_RECORDS is chosen for a call of exactly
// its shape class and device, the hand pipeline otherwise or when tuned
// dispatch is off, and both give the same result.
//
// Built with (tests/CMakeLists.txt):
//   HALCONV_TUNED_EXPECTED_COUNT  variants cmake/HalconvTuned.cmake baked
//   HALCONV_TUNED_DEFAULT_RECORDS 1 when HALCONV_TUNED_RECORDS is the default
//                                 file (tune/records/winners.jsonl)
//   HALCONV_TUNED_RECORDS_PATH    the records file, for messages
// HALCONV_TUNED is read once, when the library first dispatches: the test
// TunedDispatchEnvironment.MatchesHalconvTuned checks it in a process that
// ctest starts with HALCONV_TUNED=0 (tuned_dispatch.env_off) and without it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "halconv/halconv.h"

#ifndef HALCONV_TUNED_EXPECTED_COUNT
#error "tests/CMakeLists.txt defines HALCONV_TUNED_EXPECTED_COUNT"
#endif

namespace {

using halconv::Device;
using halconv::Shape;
using halconv::TunedVariant;

// "op:A=1,B=2" -> ordered (name, value) pairs.
struct ShapeClass {
    std::string op;
    std::vector<std::pair<std::string, long long>> fields;

    long long operator[](const std::string &name) const {
        for (const auto &f : fields) {
            if (f.first == name) return f.second;
        }
        ADD_FAILURE() << "shape class " << text() << " has no field " << name;
        return 1;
    }
    std::string text() const {
        std::string s = op + ":";
        for (size_t i = 0; i < fields.size(); i++) {
            if (i) s += ',';
            s += fields[i].first + "=" + std::to_string(fields[i].second);
        }
        return s;
    }
    ShapeClass with(const std::string &name, long long value) const {
        ShapeClass c = *this;
        for (auto &f : c.fields) {
            if (f.first == name) f.second = value;
        }
        return c;
    }
};

ShapeClass parse_class(const std::string &s) {
    ShapeClass c;
    const size_t colon = s.find(':');
    c.op = s.substr(0, colon);
    std::stringstream rest(colon == std::string::npos ? "" : s.substr(colon + 1));
    std::string item;
    while (std::getline(rest, item, ',')) {
        const size_t eq = item.find('=');
        c.fields.emplace_back(item.substr(0, eq), std::stoll(item.substr(eq + 1)));
    }
    return c;
}

std::vector<float> random_values(int64_t n, uint32_t seed, float lo, float hi) {
    std::mt19937 gen(seed);
    std::vector<float> v((size_t)n);
    for (float &x : v) x = lo + (hi - lo) * float((gen() >> 8) * (1.0 / 16777216.0));
    return v;
}

int64_t count(const Shape &s) {
    int64_t n = 1;
    for (int64_t d : s) n *= d;
    return n;
}

template<typename T>
std::vector<float> as_float(const std::vector<T> &v) {
    return std::vector<float>(v.begin(), v.end());
}

// The public call whose dispatch key is `c` on `device`, on deterministic
// data; returns its outputs (concatenated), or nullopt when this test does
// not know the op. `tolerance_floor` receives the smallest meaningful
// difference of the outputs (1 for integer images, whose rounding may flip).
std::optional<std::vector<float>> run_op(const ShapeClass &c, Device device, double *tolerance_floor) {
    *tolerance_floor = 0;
    const std::string &op = c.op;
    if (op == "conv2d") {
        halconv::Conv2dOptions o;
        o.stride = {(int)c["sy"], (int)c["sx"]};
        o.padding = {(int)c["py"], (int)c["px"]};
        o.dilation = {(int)c["dy"], (int)c["dx"]};
        o.groups = (int)c["g"];
        o.device = device;
        Shape in{1, c["C"], c["H"], c["W"]}, w{c["K"], c["C"] / o.groups, c["R"], c["S"]};
        auto x = random_values(count(in), 1, -1, 1), wt = random_values(count(w), 2, -1, 1);
        auto b = random_values(c["K"], 3, -1, 1);
        return halconv::conv2d({x, in}, {wt, w}, {b, {c["K"]}}, o, nullptr);
    }
    if (op == "conv_transpose2d") {
        halconv::ConvTranspose2dOptions o;
        o.stride = {(int)c["sy"], (int)c["sx"]};
        o.padding = {(int)c["py"], (int)c["px"]};
        o.output_padding = {(int)c["oy"], (int)c["ox"]};
        o.dilation = {(int)c["dy"], (int)c["dx"]};
        o.groups = (int)c["g"];
        o.device = device;
        Shape in{1, c["C"], c["H"], c["W"]}, w{c["C"], c["K"] / o.groups, c["R"], c["S"]};
        auto x = random_values(count(in), 1, -1, 1), wt = random_values(count(w), 2, -1, 1);
        auto b = random_values(c["K"], 3, -1, 1);
        return halconv::conv_transpose2d({x, in}, {wt, w}, {b, {c["K"]}}, o, nullptr);
    }
    if (op == "max_pool2d" || op == "max_pool2d_with_indices") {
        halconv::MaxPool2dOptions o;
        o.kernel_size = {(int)c["R"], (int)c["S"]};
        o.stride = std::array<int, 2>{(int)c["sy"], (int)c["sx"]};
        o.padding = {(int)c["py"], (int)c["px"]};
        o.device = device;
        Shape in{1, c["C"], c["H"], c["W"]};
        auto x = random_values(count(in), 1, -1, 1);
        Shape os = halconv::max_pool2d_output_shape(in, o);
        std::vector<float> out((size_t)count(os));
        if (op == "max_pool2d") {
            halconv::max_pool2d({x, in}, {out, os}, o);
            return out;
        }
        std::vector<int64_t> idx((size_t)count(os));
        halconv::max_pool2d({x, in}, {out, os}, {idx, os}, o);
        auto i = as_float(idx);
        out.insert(out.end(), i.begin(), i.end());
        return out;
    }
    if (op == "avg_pool2d") {
        halconv::AvgPool2dOptions o;
        o.kernel_size = {(int)c["R"], (int)c["S"]};
        o.stride = std::array<int, 2>{(int)c["sy"], (int)c["sx"]};
        o.padding = {(int)c["py"], (int)c["px"]};
        o.device = device;
        Shape in{1, c["C"], c["H"], c["W"]};
        auto x = random_values(count(in), 1, -1, 1);
        Shape os = halconv::avg_pool2d_output_shape(in, o);
        std::vector<float> out((size_t)count(os));
        halconv::avg_pool2d({x, in}, {out, os}, o);
        return out;
    }
    if (op == "deform_conv2d" || op == "deform_conv2d_backward") {
        halconv::DeformConv2dOptions o;
        o.stride = {(int)c["sy"], (int)c["sx"]};
        o.padding = {(int)c["py"], (int)c["px"]};
        o.dilation = {(int)c["dy"], (int)c["dx"]};
        o.groups = (int)c["g"];
        o.device = device;
        const int64_t G = c["G"], taps = c["R"] * c["S"];
        const int64_t OH = (c["H"] + 2 * c["py"] - c["dy"] * (c["R"] - 1) - 1) / c["sy"] + 1;
        const int64_t OW = (c["W"] + 2 * c["px"] - c["dx"] * (c["S"] - 1) - 1) / c["sx"] + 1;
        Shape in{1, c["C"], c["H"], c["W"]}, w{c["K"], c["C"] / o.groups, c["R"], c["S"]};
        Shape off{1, 2 * G * taps, OH, OW}, ms{1, G * taps, OH, OW}, os{1, c["K"], OH, OW};
        const bool has_mask = c["mask"] != 0;
        auto x = random_values(count(in), 1, -1, 1), wt = random_values(count(w), 2, -1, 1);
        auto offset = random_values(count(off), 3, -2, 2), mask = random_values(count(ms), 4, 0, 1);
        halconv::ConstTensor m = has_mask ? halconv::ConstTensor(mask.data(), ms) : halconv::ConstTensor();
        if (op == "deform_conv2d") {
            auto b = random_values(c["K"], 5, -1, 1);
            return halconv::deform_conv2d({x, in}, {offset, off}, {wt, w}, {b, {c["K"]}}, m, o, nullptr);
        }
        auto go = random_values(count(os), 6, -1, 1);
        std::vector<float> gi((size_t)count(in)), goff((size_t)count(off)), gw((size_t)count(w)),
            gb((size_t)c["K"]), gm((size_t)count(ms));
        halconv::DeformConv2dGrads g;
        g.input = {gi, in};
        g.offset = {goff, off};
        g.weight = {gw, w};
        g.bias = {gb, {c["K"]}};
        if (has_mask) g.mask = {gm, ms};
        halconv::deform_conv2d_backward({x, in}, {offset, off}, {wt, w}, m, {go, os}, g, o);
        std::vector<float> all = gi;
        for (auto *v : {&goff, &gw, &gb, &gm}) all.insert(all.end(), v->begin(), v->end());
        return all;
    }
    if (op == "points_collection" || op == "points_collection_backward") {
        halconv::PointsCollectionOptions o;
        o.device = device;
        Shape ts{1, 2 * c["N"], c["H"], c["W"]}, ds{1, 2 * c["M"], c["h"], c["w"]};
        auto t = random_values(count(ts), 1, -1.5f, float(std::max(c["h"], c["w"])) + 0.5f);
        auto d = random_values(count(ds), 2, -2, 2);
        Shape ps = halconv::points_collection_output_shape(ts, ds);
        if (op == "points_collection") {
            std::vector<float> p((size_t)count(ps));
            halconv::points_collection({t, ts}, {d, ds}, {p, ps}, o);
            return p;
        }
        auto gp = random_values(count(ps), 3, -1, 1);
        std::vector<float> gt((size_t)count(ts)), gd((size_t)count(ds));
        halconv::points_collection_backward({t, ts}, {d, ds}, {gp, ps}, {gt, ts}, {gd, ds}, o);
        gt.insert(gt.end(), gd.begin(), gd.end());
        return gt;
    }
    if (op == "flow_warp" || op == "flow_warp_backward") {
        halconv::FlowWarpOptions o;
        o.device = device;
        Shape in{1, c["C"], c["H"], c["W"]}, fs{1, 2, c["H"], c["W"]};
        auto x = random_values(count(in), 1, -1, 1), flow = random_values(count(fs), 2, -3, 3);
        if (op == "flow_warp") {
            std::vector<float> out((size_t)count(in));
            halconv::flow_warp({x, in}, {flow, fs}, {out, in}, o);
            return out;
        }
        auto go = random_values(count(in), 3, -1, 1);
        std::vector<float> gi((size_t)count(in)), gf((size_t)count(fs));
        halconv::flow_warp_backward({x, in}, {flow, fs}, {go, in}, {gi, in}, {gf, fs}, o);
        gi.insert(gi.end(), gf.begin(), gf.end());
        return gi;
    }
    // Image filters: "<pipeline>_<u8|u16|f32>", C H W R S.
    const bool filter = op.rfind("filter_", 0) == 0, gradient = op.rfind("gradient_magnitude_", 0) == 0;
    if (filter || gradient) {
        const std::string type = op.substr(op.rfind('_') + 1);
        const int C = (int)c["C"], H = (int)c["H"], W = (int)c["W"], R = (int)c["R"], S = (int)c["S"];
        halconv::FilterOptions o;
        o.device = device;
        halconv::FilterKernel k;
        k.width = S;
        k.height = R;
        if (op.rfind("filter_direct_", 0) == 0) {
            k.taps = random_values(int64_t(R) * S, 7, -1, 1);  // not separable
        } else if (op.rfind("filter_separable_float_", 0) == 0 || op.rfind("filter_separable_integer_", 0) == 0) {
            const bool integer = op.rfind("filter_separable_integer_", 0) == 0;
            for (int i = 0; i < R; i++) k.column.push_back(integer ? float(1 + i % 3) : 0.25f + 0.1f * i);
            for (int j = 0; j < S; j++) k.row.push_back(integer ? float(1 + j % 2) : 0.5f - 0.03f * j);
            double sum = 0;
            for (int i = 0; i < R; i++) {
                for (int j = 0; j < S; j++) {
                    k.taps.push_back(k.column[i] * k.row[j]);
                    sum += k.taps.back();
                }
            }
            k.integer = integer;
            k.divisor = integer ? sum : 1.0;
        } else if (!gradient) {
            return std::nullopt;
        }
        auto run = [&](auto zero) -> std::vector<float> {
            using T = decltype(zero);
            const float hi = std::is_same_v<T, float> ? 1.0f : std::is_same_v<T, uint8_t> ? 255.0f : 65535.0f;
            auto values = random_values(int64_t(W) * H * C, 8, 0, hi);
            std::vector<T> in(values.begin(), values.end()), out(in.size());
            halconv::ImageView<const T> iv(in.data(), W, H, C);
            halconv::ImageView<T> ov(out.data(), W, H, C);
            if (gradient) {
                halconv::gradient_magnitude(iv, ov, halconv::GradientOperator::Sobel, o);
            } else {
                halconv::filter2d(iv, ov, k, o);
            }
            return as_float(out);
        };
        if (type == "u8") {
            *tolerance_floor = 1;
            return run(uint8_t{});
        }
        if (type == "u16") {
            *tolerance_floor = 1;
            return run(uint16_t{});
        }
        if (type == "f32") return run(0.0f);
    }
    return std::nullopt;
}

// The variant a call of this class dispatches to on this machine, if any.
const TunedVariant *baked(const std::string &op, const std::string &shape_class, Device device,
                          const std::vector<TunedVariant> &all) {
    for (const auto &v : all) {
        if (v.op == op && v.shape_class == shape_class && v.device == device && v.runs_here) return &v;
    }
    return nullptr;
}

// Restores tuned dispatch whatever a test does.
struct DispatchGuard {
    bool was = halconv::tuned_dispatch_enabled();
    ~DispatchGuard() { halconv::set_tuned_dispatch(was); }
};

TEST(TunedDispatch, BakedVariantsAreListed) {
    const auto variants = halconv::tuned_variants();
    EXPECT_EQ(variants.size(), size_t(HALCONV_TUNED_EXPECTED_COUNT))
        << "cmake/HalconvTuned.cmake baked " << HALCONV_TUNED_EXPECTED_COUNT << " variant(s) from "
        << HALCONV_TUNED_RECORDS_PATH << ", but halconv::tuned_variants() lists " << variants.size();
#if HALCONV_TUNED_DEFAULT_RECORDS
    EXPECT_FALSE(variants.empty())
        << "HALCONV_TUNED_RECORDS is the default records file " << HALCONV_TUNED_RECORDS_PATH
        << ", which must give at least one tuned variant (a tuned winner that beats the hand schedule), "
           "but none was baked: check the configure output (\"halconv: tuned schedules: ...\") and the file";
#endif
    const std::string here = halconv::cpu_target();
    for (const auto &v : variants) {
        EXPECT_EQ(v.shape_class.rfind(v.op + ":", 0), 0u) << v.shape_class;
        EXPECT_EQ(v.function.rfind("halconv_" + v.op + "_tuned_", 0), 0u) << v.function;
        // A variant of one CPU target runs exactly where the library runs
        // that target; the rest run everywhere.
        if (v.device == Device::CPU && !v.cpu_target.empty()) {
            EXPECT_EQ(v.runs_here, v.cpu_target == here) << v.function << " for " << v.cpu_target << ", here " << here;
        } else {
            EXPECT_TRUE(v.cpu_target.empty()) << v.function;
            EXPECT_TRUE(v.runs_here) << v.function;
        }
        // One variant per (op, shape class, device) on any one machine.
        if (v.runs_here) {
            EXPECT_EQ(baked(v.op, v.shape_class, v.device, variants), &v) << v.shape_class << " is listed twice";
        }
        for (const auto &w : variants) {
            if (&w != &v && w.op == v.op && w.shape_class == v.shape_class && w.device == v.device) {
                EXPECT_NE(w.cpu_target, v.cpu_target) << v.shape_class << " is listed twice for " << v.cpu_target;
            }
        }
    }
}

// halconv::cpu_target() asks Halide's runtime the question its multi-target
// wrappers ask; cross-check it against the compiler's own CPU detection.
TEST(TunedDispatch, CpuTargetMatchesThisCpu) {
    const std::string t = halconv::cpu_target();
    ASSERT_FALSE(t.empty());
    __builtin_cpu_init();
    const bool avx512_skylake = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
                                __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
                                __builtin_cpu_supports("avx512vl");
    if (t.find("avx512_skylake") != std::string::npos) {
        EXPECT_TRUE(avx512_skylake) << t << " chosen on a CPU without AVX-512 F/CD/BW/DQ/VL";
    } else if (t.find("avx2") != std::string::npos && avx512_skylake) {
        ADD_FAILURE() << t << " chosen on a CPU with AVX-512 F/CD/BW/DQ/VL (the library's first CPU target "
                      << "is the AVX-512 one unless HALCONV_CPU_TARGETS was changed)";
    }
    if (t.find("avx2") != std::string::npos) {
        EXPECT_TRUE(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) << t;
    }
}

TEST(TunedDispatch, EveryVariantIsChosenForItsShapeClassOnly) {
    DispatchGuard guard;
    const auto variants = halconv::tuned_variants();
    if (variants.empty()) GTEST_SKIP() << "no tuned variant baked into this build";
    int exercised = 0, other_cpu = 0;
    for (const auto &v : variants) {
        SCOPED_TRACE(v.function + " for " + v.shape_class + " on " + halconv::device_name(v.device));
        if (!v.runs_here) {
            // Tuned on another CPU target: its class dispatches to this
            // machine's variant or to the hand schedule, never to it.
            double floor = 0;
            halconv::set_tuned_dispatch(true);
            if (!run_op(parse_class(v.shape_class), v.device, &floor)) continue;
            const TunedVariant *here = baked(v.op, v.shape_class, v.device, variants);
            EXPECT_EQ(halconv::last_dispatched_variant(), here ? here->function : std::string("hand"))
                << v.function << " is for " << v.cpu_target << ", this machine runs " << halconv::cpu_target();
            other_cpu++;
            continue;
        }
        std::string why;
        if (!halconv::device_available(v.device, &why)) {
            std::printf("[ SKIPPED  ] %s on %s: %s\n", v.function.c_str(), halconv::device_name(v.device),
                        why.c_str());
            continue;
        }
        const ShapeClass c = parse_class(v.shape_class);
        ASSERT_EQ(c.text(), v.shape_class) << "shape class does not round-trip";
        double floor = 0;
        halconv::set_tuned_dispatch(true);
        auto tuned = run_op(c, v.device, &floor);
        if (!tuned) {
            std::printf("[ SKIPPED  ] %s: this test does not know how to call op %s\n", v.function.c_str(),
                        v.op.c_str());
            continue;
        }
        EXPECT_EQ(halconv::last_dispatched_variant(), v.function);

        halconv::set_tuned_dispatch(false);
        auto hand = run_op(c, v.device, &floor);
        EXPECT_EQ(halconv::last_dispatched_variant(), "hand");
        halconv::set_tuned_dispatch(true);

        ASSERT_TRUE(hand.has_value());
        ASSERT_EQ(tuned->size(), hand->size());
        double max_abs = 0, max_diff = 0;
        size_t worst = 0;
        for (size_t i = 0; i < hand->size(); i++) {
            max_abs = std::max(max_abs, (double)std::fabs((*hand)[i]));
            const double d = std::fabs((double)(*tuned)[i] - (double)(*hand)[i]);
            if (!(d <= max_diff)) {
                max_diff = d;
                worst = i;
            }
        }
        const double tolerance = std::max(1e-4 * max_abs, floor);
        EXPECT_LE(max_diff, tolerance) << "tuned and hand outputs differ most at element " << worst << ": "
                                       << (*tuned)[worst] << " vs " << (*hand)[worst] << " (max |hand| "
                                       << max_abs << ")";

        // Another width: not this variant's class.
        const ShapeClass other = c.with("W", c["W"] + 1);
        const TunedVariant *other_variant = baked(v.op, other.text(), v.device, variants);
        ASSERT_TRUE(run_op(other, v.device, &floor).has_value());
        EXPECT_EQ(halconv::last_dispatched_variant(), other_variant ? other_variant->function : std::string("hand"))
            << "for " << other.text();
        exercised++;
    }
    std::printf("%d of %zu tuned variant(s) exercised; %d of another CPU target not dispatched to\n", exercised,
                variants.size(), other_cpu);
#if HALCONV_TUNED_DEFAULT_RECORDS
    EXPECT_GT(exercised, 0) << "the default records file bakes no variant this machine (" << halconv::cpu_target()
                            << ") runs";
#endif
}

TEST(TunedDispatch, SwitchOffMeansHand) {
    DispatchGuard guard;
    halconv::set_tuned_dispatch(false);
    EXPECT_FALSE(halconv::tuned_dispatch_enabled());
    const auto variants = halconv::tuned_variants();
    for (const auto &v : variants) {
        if (v.device != Device::CPU || v.op != "conv2d" || !v.runs_here) continue;
        double floor;
        ASSERT_TRUE(run_op(parse_class(v.shape_class), v.device, &floor).has_value());
        EXPECT_EQ(halconv::last_dispatched_variant(), "hand") << v.shape_class;
        halconv::set_tuned_dispatch(true);
        EXPECT_TRUE(halconv::tuned_dispatch_enabled());
        ASSERT_TRUE(run_op(parse_class(v.shape_class), v.device, &floor).has_value());
        EXPECT_EQ(halconv::last_dispatched_variant(), v.function);
        halconv::set_tuned_dispatch(false);
    }
    halconv::set_tuned_dispatch(true);
    EXPECT_TRUE(halconv::tuned_dispatch_enabled());
}

TEST(TunedDispatch, LastVariantIsPerThreadAndHandForUntunedShapes) {
    halconv::Conv2dOptions o;
    Shape in{1, 3, 9, 11}, w{4, 3, 3, 3};
    auto x = random_values(count(in), 1, -1, 1), wt = random_values(count(w), 2, -1, 1);
    halconv::conv2d({x, in}, {wt, w}, {}, o, nullptr);
    EXPECT_EQ(halconv::last_dispatched_variant(), "hand");
    std::string other_thread = "unset";
    std::thread([&] { other_thread = halconv::last_dispatched_variant(); }).join();
    EXPECT_EQ(other_thread, "");
}

// Every dispatching call site records its choice: each op, called in a
// fresh thread (whose last variant is ""), reports "hand" or the variant
// baked for the class.
TEST(TunedDispatch, EveryCallSiteRecordsItsChoice) {
    const auto variants = halconv::tuned_variants();
    const char *classes[] = {
        "conv2d:C=4,H=9,W=10,K=8,R=3,S=3,sy=1,sx=1,py=1,px=1,dy=1,dx=1,g=1",
        "conv_transpose2d:C=4,H=5,W=6,K=8,R=3,S=3,sy=2,sx=2,py=1,px=1,oy=1,ox=1,dy=1,dx=1,g=1",
        "max_pool2d:C=3,H=9,W=10,R=3,S=3,sy=2,sx=2,py=1,px=1",
        "max_pool2d_with_indices:C=3,H=9,W=10,R=3,S=3,sy=2,sx=2,py=1,px=1",
        "avg_pool2d:C=3,H=9,W=10,R=3,S=3,sy=2,sx=2,py=1,px=1",
        "deform_conv2d:C=4,H=7,W=8,K=4,R=3,S=3,sy=1,sx=1,py=1,px=1,dy=1,dx=1,G=1,g=1,mask=1",
        "deform_conv2d_backward:C=4,H=7,W=8,K=4,R=3,S=3,sy=1,sx=1,py=1,px=1,dy=1,dx=1,G=2,g=1,mask=0",
        "points_collection:N=9,M=9,H=5,W=6,h=7,w=8",
        "points_collection_backward:N=9,M=9,H=5,W=6,h=7,w=8",
        "flow_warp:C=3,H=9,W=10",
        "flow_warp_backward:C=3,H=9,W=10",
        "filter_direct_f32:C=3,H=9,W=10,R=3,S=5",
        "filter_direct_u8:C=3,H=9,W=10,R=5,S=3",
        "filter_separable_float_u16:C=1,H=9,W=10,R=3,S=5",
        "filter_separable_integer_u8:C=3,H=9,W=10,R=5,S=3",
        "gradient_magnitude_u8:C=3,H=9,W=10,R=3,S=3",
    };
    for (const char *text : classes) {
        const ShapeClass c = parse_class(text);
        ASSERT_EQ(c.text(), text);
        std::string last = "unset";
        bool ran = false;
        std::thread([&] {
            double floor;
            ran = run_op(c, Device::CPU, &floor).has_value();
            last = halconv::last_dispatched_variant();
        }).join();
        ASSERT_TRUE(ran) << text;
        const TunedVariant *v = halconv::tuned_dispatch_enabled() ? baked(c.op, text, Device::CPU, variants) : nullptr;
        EXPECT_EQ(last, v ? v->function : std::string("hand")) << text;
    }
}

// HALCONV_TUNED is read once, at the first dispatch (or the first
// tuned_dispatch_enabled()): this process's state must follow it. ctest
// runs this test with and without HALCONV_TUNED=0 (tuned_dispatch.env_off).
TEST(TunedDispatchEnvironment, MatchesHalconvTuned) {
    const char *env = std::getenv("HALCONV_TUNED");
    bool expected = true;
    if (env) {
        for (const char *off : {"0", "off", "OFF", "Off", "false", "FALSE", "False", "no", "NO", "No"}) {
            if (std::strcmp(env, off) == 0) expected = false;
        }
    }
    EXPECT_EQ(halconv::tuned_dispatch_enabled(), expected) << "HALCONV_TUNED=" << (env ? env : "(unset)");
    if (!expected) {
        for (const auto &v : halconv::tuned_variants()) {
            if (v.device != Device::CPU || v.op != "conv2d") continue;
            double floor;
            ASSERT_TRUE(run_op(parse_class(v.shape_class), v.device, &floor).has_value());
            EXPECT_EQ(halconv::last_dispatched_variant(), "hand") << "HALCONV_TUNED=" << env;
        }
    }
}

}  // namespace
