// deform_conv2d (CPU) against torchvision.ops.deform_conv2d itself, forward
// and backward (all five gradients), on the finite cases of the sweep
// (tests/deform_cases.cpp: integer positions, a NaN mask and every shape
// feature included; no NaN or infinite offsets, on which torchvision 0.14
// crashes or differs on purpose). The float32 data is written to a temporary
// directory, tests/deform_torchvision.py recomputes it in float64 with
// torchvision, and halconv's results must lie within the sweep's tolerance
// (deform_cases.h, from the reference's bounds) of torchvision's.
//
// Needs /usr/bin/python3 with torchvision (Debian: python3-torchvision);
// skipped with a message when it is missing.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "deform_cases.h"

#ifndef HALCONV_DEFORM_TORCHVISION_SCRIPT
#error "HALCONV_DEFORM_TORCHVISION_SCRIPT (the path of tests/deform_torchvision.py) must be defined"
#endif

namespace halconv_test {
namespace {

using halconv::GradAccumulation;

const char *kPython = "/usr/bin/python3";

bool torchvision_available(std::string *why) {
    const std::string cmd = std::string(kPython) + " -c 'import torchvision' > /dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    if (rc == 0) return true;
    *why = std::string(kPython) + " -c 'import torchvision' failed (exit status " + std::to_string(rc) +
           "): torchvision is missing (Debian: apt-get install python3-torchvision)";
    return false;
}

// A fresh directory under the system's temporary directory, removed at scope exit.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "halconv_deform_tv_XXXXXX").string();
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (mkdtemp(buf.data())) path = buf.data();
    }
    ~TempDir() {
        std::error_code ec;
        if (!path.empty()) std::filesystem::remove_all(path, ec);
    }
};

bool write_floats(const std::filesystem::path &file, const std::vector<float> &v) {
    std::ofstream f(file, std::ios::binary);
    f.write(reinterpret_cast<const char *>(v.data()), (std::streamsize)(v.size() * sizeof(float)));
    return (bool)f;
}

// float64 array of `count` elements; empty on a missing or short file.
std::vector<double> read_doubles(const std::filesystem::path &file, int64_t count) {
    std::ifstream f(file, std::ios::binary);
    std::vector<double> v((size_t)count);
    f.read(reinterpret_cast<char *>(v.data()), (std::streamsize)(v.size() * sizeof(double)));
    if (!f || f.gcount() != (std::streamsize)(v.size() * sizeof(double))) return {};
    return v;
}

std::string json_shape(const Shape &s) {
    std::string r = "[";
    for (size_t i = 0; i < s.size(); i++) r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}
std::string json_pair(const std::array<int, 2> &p) { return "[" + std::to_string(p[0]) + ", " + std::to_string(p[1]) + "]"; }

std::vector<DeformCase> torchvision_cases() {
    std::vector<DeformCase> r;
    for (const DeformCase &c : deform_cases())
        if (c.offsets != DeformOffsets::NonFinite) r.push_back(c);
    return r;
}

std::string read_text(const std::filesystem::path &file) {
    std::ifstream f(file);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

TEST(DeformTorchvision, HalconvMatchesTorchvisionForwardAndBackward) {
    std::string why;
    if (!torchvision_available(&why)) GTEST_SKIP() << why;
    TempDir dir;
    ASSERT_FALSE(dir.path.empty()) << "could not create a temporary directory";
    const std::vector<DeformCase> cases = torchvision_cases();
    ASSERT_GE(cases.size(), 30u);
    std::vector<DeformTensors> data;
    std::ostringstream manifest;
    manifest << "[\n";
    for (size_t id = 0; id < cases.size(); id++) {
        const DeformCase &c = cases[id];
        const DeformConv2dSpec &s = c.spec;
        data.push_back(deform_tensors(c, pool_seed(c.name(), 301)));
        const DeformTensors &t = data.back();
        auto file = [&](const char *what, const std::vector<float> &v) {
            const std::string name = std::to_string(id) + "_" + what + ".bin";
            EXPECT_TRUE(write_floats(dir.path / name, v)) << name;
            return "\"" + name + "\"";
        };
        manifest << (id ? ",\n" : "") << "  {\"id\": " << id << ", \"name\": \"" << c.label << "\""
                 << ", \"input_shape\": " << json_shape(s.input_shape())
                 << ", \"offset_shape\": " << json_shape(s.offset_shape())
                 << ", \"weight_shape\": " << json_shape(s.weight_shape())
                 << ", \"mask_shape\": " << json_shape(s.mask_shape())
                 << ", \"output_shape\": " << json_shape(s.output_shape()) << ", \"stride\": " << json_pair(s.stride)
                 << ", \"padding\": " << json_pair(s.padding) << ", \"dilation\": " << json_pair(s.dilation)
                 << ", \"input\": " << file("input", t.input) << ", \"offset\": " << file("offset", t.offset)
                 << ", \"weight\": " << file("weight", t.weight)
                 << ", \"bias\": " << (s.has_bias ? file("bias", t.bias) : "null")
                 << ", \"mask\": " << (s.has_mask ? file("mask", t.mask) : "null")
                 << ", \"grad_output\": " << file("grad_output", t.grad_output) << "}";
    }
    manifest << "\n]\n";
    {
        std::ofstream f(dir.path / "manifest.json");
        f << manifest.str();
        ASSERT_TRUE((bool)f) << "could not write the manifest";
    }
    const std::filesystem::path log = dir.path / "torchvision.log";
    const std::string cmd = std::string(kPython) + " " + HALCONV_DEFORM_TORCHVISION_SCRIPT + " '" + dir.path.string() +
                            "' > '" + log.string() + "' 2>&1";
    const int rc = std::system(cmd.c_str());
    ASSERT_EQ(rc, 0) << cmd << " failed; its output:\n" << read_text(log);
    ASSERT_TRUE(std::filesystem::exists(dir.path / "done.json")) << read_text(log);
    std::cout << "[          ] torchvision: " << read_text(dir.path / "done.json") << "\n";

    for (size_t id = 0; id < cases.size(); id++) {
        const DeformCase &c = cases[id];
        const DeformConv2dSpec &s = c.spec;
        const DeformTensors &t = data[id];
        SCOPED_TRACE(c.describe() + " vs torchvision");
        // torchvision's results, with the reference's error bounds for this data.
        const DeformResult fref = deform_forward_reference(s, t);
        const DeformConv2dGrads gref = deform_backward_reference(s, t, t.grad_output);
        auto tv = [&](const char *what, const DeformResult &bound) {
            DeformResult r = bound;
            r.value = read_doubles(dir.path / (std::to_string(id) + "_tv_" + what + ".bin"), (int64_t)bound.value.size());
            EXPECT_EQ(r.value.size(), bound.value.size()) << "torchvision's " << what << " is missing or short";
            if (r.value.size() != bound.value.size()) r.value.assign(bound.value.size(), 0.0);
            return r;
        };
        // torchvision in float64 is exact to ~1e-15 relative to abs_sum.
        auto tol = [](int64_t n) {
            DeformTolerance d = deform_tolerance(n);
            d.rel += 1e-12;
            return d;
        };
        const DeformTerms terms = deform_terms(s);
        const std::vector<float> y = run_deform(s, t, deform_options(s, Device::CPU));
        ASSERT_FALSE(y.empty());
        EXPECT_TRUE(deform_values_match(y, tv("out", fref), tol(terms.output), "k")) << "output";
        for (GradAccumulation acc : {GradAccumulation::Deterministic, GradAccumulation::Atomic}) {
            SCOPED_TRACE(halconv::grad_accumulation_name(acc));
            const DeformGradTensors g =
                run_deform_backward(s, t, t.grad_output, deform_options(s, Device::CPU, acc), s.has_bias);
            ASSERT_FALSE(g.input.empty());
            EXPECT_TRUE(deform_values_match(g.input, tv("grad_input", gref.input), tol(terms.input))) << "grad_input";
            EXPECT_TRUE(deform_values_match(g.offset, tv("grad_offset", gref.offset), tol(terms.offset), "ch"))
                << "grad_offset";
            EXPECT_TRUE(deform_values_match(g.weight, tv("grad_weight", gref.weight), tol(terms.weight), "c'"))
                << "grad_weight";
            if (s.has_mask) {
                EXPECT_TRUE(deform_values_match(g.mask, tv("grad_mask", gref.mask), tol(terms.mask), "ch"))
                    << "grad_mask";
            }
            if (s.has_bias) {
                EXPECT_TRUE(deform_values_match(g.bias, tv("grad_bias", gref.bias), tol(terms.bias))) << "grad_bias";
            }
        }
    }
}

}  // namespace
}  // namespace halconv_test
