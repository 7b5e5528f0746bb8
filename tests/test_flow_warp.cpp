// flow_warp against the double-precision reference of tests/reference_deform.h
// (itself checked against torchvision's deform_conv2d and grid_sample by
// tests/deform_oracle.py), forward and backward, on the device this
// executable is built for (HALCONV_TEST_DEVICE: CPU or OpenCL on PoCL), both
// accumulation modes; determinism; non-finite flows; bad input.
#include <gmock/gmock.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "halconv/halconv.h"
#include "reference_deform.h"
#include "test_util.h"

namespace halconv_test {
namespace {

using halconv::ConstTensor;
using halconv::Device;
using halconv::ErrorCode;
using halconv::GradAccumulation;
using halconv::Tensor;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr Device kDevice = Device::HALCONV_TEST_DEVICE;

struct WarpCase {
    std::string label;
    int N, C, H, W;
    double flow_std;      // Gaussian flow, pixels
    bool integer_flow;    // round the flow to integers (the derivative's one-sided convention)
    double special = 0;   // put this value (NaN, Inf, 1e30) into a few flow entries when non-zero
};

std::vector<WarpCase> cases() {
    return {
        {"tiny_1x1", 1, 1, 1, 1, 0.6, false},
        {"row_1x9", 1, 2, 1, 9, 1.0, false},
        {"column_7x1", 1, 3, 7, 1, 1.0, false},
        {"odd_5x7", 1, 3, 5, 7, 0.5, false},
        {"batch3_c4", 3, 4, 6, 11, 2.0, false},
        {"c17_w16", 2, 17, 9, 16, 1.5, false},
        {"w17_vector_tail", 1, 5, 8, 17, 3.0, false},
        {"w33_h12", 2, 3, 12, 33, 6.0, false},
        {"large_flow_std20", 1, 4, 10, 13, 20.0, false},
        {"mostly_outside_std8", 2, 2, 6, 6, 8.0, false},
        {"integer_flow", 2, 3, 7, 9, 2.0, true},
        {"integer_flow_wide", 1, 2, 5, 24, 4.0, true},
        {"zero_flow", 1, 3, 6, 10, 0.0, false},
        {"nan_flow", 1, 3, 5, 9, 1.0, false, std::numeric_limits<double>::quiet_NaN()},
        {"inf_flow", 2, 2, 5, 9, 1.0, false, std::numeric_limits<double>::infinity()},
        {"huge_flow", 1, 2, 6, 8, 1.0, false, -1e30},
        {"c64_32x40", 1, 64, 32, 40, 2.5, false},
    };
}

struct WarpData {
    ref::Shape shape, flow_shape;
    std::vector<float> input, flow, grad;
};

WarpData make_data(const WarpCase &c) {
    WarpData d;
    d.shape = {c.N, c.C, c.H, c.W};
    d.flow_shape = {c.N, 2, c.H, c.W};
    std::mt19937 rng(1234 + c.C * 7 + c.H * 13 + c.W);
    std::uniform_real_distribution<float> value(-1.0f, 1.0f);
    std::normal_distribution<double> gauss(0.0, 1.0);
    d.input.resize((size_t)c.N * c.C * c.H * c.W);
    d.grad.resize(d.input.size());
    for (auto &v : d.input) v = value(rng);
    for (auto &v : d.grad) v = value(rng);
    d.flow.resize((size_t)c.N * 2 * c.H * c.W);
    for (auto &v : d.flow) {
        double f = c.flow_std * gauss(rng);
        if (c.integer_flow) {
            f = std::round(f);
        } else {
            // Away from integer positions (pixel + flow), where the
            // derivative jumps and float/double could take different cells.
            double frac = f - std::floor(f);
            if (frac < 0.02) f += 0.03;
            if (frac > 0.98) f -= 0.03;
        }
        v = (float)f;
    }
    if (c.special != 0) {
        for (size_t i = 0; i < d.flow.size(); i += 5) d.flow[i] = (float)c.special;
    }
    return d;
}

// |got - ref| within float rounding of sums (abs_sum) and of positions
// (position_bound), element by element.
void expect_close(const char *what, const std::vector<float> &got, const DeformResult &ref) {
    ASSERT_EQ(got.size(), ref.value.size()) << what;
    int bad = 0;
    for (size_t i = 0; i < got.size(); i++) {
        const double tol = 2e-6 * ref.abs_sum[i] + 1e-6 * ref.position_bound[i] + 1e-6;
        const double diff = std::fabs((double)got[i] - ref.value[i]);
        if (!(diff <= tol) && bad++ < 5) {
            ADD_FAILURE() << what << "[" << i << "] = " << got[i] << ", reference " << ref.value[i] << " (tolerance "
                          << tol << ")";
        }
    }
    EXPECT_EQ(bad, 0) << what << ": " << bad << " elements out of tolerance";
}

class FlowWarpSweep : public ::testing::TestWithParam<WarpCase> {};

TEST_P(FlowWarpSweep, ForwardMatchesReference) {
    HALCONV_REQUIRE_DEVICE(kDevice);
    const WarpCase &c = GetParam();
    WarpData d = make_data(c);
    std::vector<float> out(d.input.size(), -7.0f);
    halconv::FlowWarpOptions o;
    o.device = kDevice;
    halconv::flow_warp(ConstTensor(d.input, d.shape), ConstTensor(d.flow, d.flow_shape), Tensor(out, d.shape), o);
    expect_close("output", out, flow_warp_reference(d.shape, widen(d.input), widen(d.flow)));
}

TEST_P(FlowWarpSweep, BackwardMatchesReference) {
    HALCONV_REQUIRE_DEVICE(kDevice);
    const WarpCase &c = GetParam();
    WarpData d = make_data(c);
    FlowWarpGrads ref = flow_warp_backward_reference(d.shape, widen(d.input), widen(d.flow), widen(d.grad));
    for (GradAccumulation acc : {GradAccumulation::Deterministic, GradAccumulation::Atomic}) {
        SCOPED_TRACE(halconv::grad_accumulation_name(acc));
        std::vector<float> gi(d.input.size(), -7.0f), gf(d.flow.size(), -7.0f);
        halconv::FlowWarpOptions o;
        o.device = kDevice;
        o.accumulation = acc;
        halconv::flow_warp_backward(ConstTensor(d.input, d.shape), ConstTensor(d.flow, d.flow_shape),
                                    ConstTensor(d.grad, d.shape), Tensor(gi, d.shape), Tensor(gf, d.flow_shape), o);
        expect_close("grad_input", gi, ref.input);
        expect_close("grad_flow", gf, ref.flow);
    }
}

INSTANTIATE_TEST_SUITE_P(FlowWarp, FlowWarpSweep, ::testing::ValuesIn(cases()),
                         [](const auto &info) { return info.param.label; });

// The deterministic backward gives the same bits on every run (and, on the
// CPU, for 1 and 2 threads).
TEST(FlowWarp, DeterministicBackwardIsBitIdentical) {
    HALCONV_REQUIRE_DEVICE(kDevice);
    WarpCase c{"det", 2, 5, 19, 23, 1.5, false};
    WarpData d = make_data(c);
    std::vector<std::vector<float>> results;
    for (int run = 0; run < 4; run++) {
        if (kDevice == Device::CPU) halconv::set_num_threads(run % 2 + 1);
        std::vector<float> gi(d.input.size()), gf(d.flow.size());
        halconv::FlowWarpOptions o;
        o.device = kDevice;
        halconv::flow_warp_backward(ConstTensor(d.input, d.shape), ConstTensor(d.flow, d.flow_shape),
                                    ConstTensor(d.grad, d.shape), Tensor(gi, d.shape), Tensor(gf, d.flow_shape), o);
        gi.insert(gi.end(), gf.begin(), gf.end());
        results.push_back(gi);
    }
    halconv::set_num_threads(0);
    for (size_t r = 1; r < results.size(); r++) {
        EXPECT_EQ(0, std::memcmp(results[0].data(), results[r].data(), results[0].size() * sizeof(float)))
            << "run " << r;
    }
}

// A flow of zero copies the input exactly; an integer flow shifts it
// exactly (zeros coming in).
TEST(FlowWarp, IntegerFlowIsAnExactShift) {
    HALCONV_REQUIRE_DEVICE(kDevice);
    const int N = 1, C = 3, H = 6, W = 9, dx = 2, dy = -1;
    std::vector<float> input(N * C * H * W), flow(N * 2 * H * W), out(input.size());
    for (size_t i = 0; i < input.size(); i++) input[i] = 0.25f * (float)i - 3.0f;
    for (int i = 0; i < H * W; i++) {
        flow[i] = (float)dx;
        flow[H * W + i] = (float)dy;
    }
    halconv::FlowWarpOptions o;
    o.device = kDevice;
    halconv::flow_warp(ConstTensor(input, {N, C, H, W}), ConstTensor(flow, {N, 2, H, W}), Tensor(out, {N, C, H, W}), o);
    for (int c = 0; c < C; c++) {
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                const int sy = y + dy, sx = x + dx;
                const float expected = (sy >= 0 && sy < H && sx >= 0 && sx < W) ? input[(c * H + sy) * W + sx] : 0.0f;
                EXPECT_EQ(out[(c * H + y) * W + x], expected) << c << "," << y << "," << x;
            }
        }
    }
}

// flow_warp is linear in the input: <grad_input, delta> equals
// <grad_output, warp(input + delta) - warp(input)> (the adjoint identity of
// the scatter and the gather).
TEST(FlowWarp, ScatterIsTheAdjointOfTheGather) {
    HALCONV_REQUIRE_DEVICE(kDevice);
    WarpCase c{"adjoint", 2, 3, 11, 13, 3.0, false};
    WarpData d = make_data(c);
    std::vector<float> gi(d.input.size()), gf(d.flow.size()), out(d.input.size());
    halconv::FlowWarpOptions o;
    o.device = kDevice;
    halconv::flow_warp_backward(ConstTensor(d.input, d.shape), ConstTensor(d.flow, d.flow_shape),
                                ConstTensor(d.grad, d.shape), Tensor(gi, d.shape), Tensor(gf, d.flow_shape), o);
    // warp is linear in the input, so warp(delta) is the directional change.
    std::vector<float> delta(d.input.size());
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1, 1);
    for (auto &v : delta) v = u(rng);
    halconv::flow_warp(ConstTensor(delta, d.shape), ConstTensor(d.flow, d.flow_shape), Tensor(out, d.shape), o);
    double lhs = 0, rhs = 0, scale = 0;
    for (size_t i = 0; i < gi.size(); i++) {
        lhs += (double)gi[i] * delta[i];
        rhs += (double)d.grad[i] * out[i];
        scale += std::fabs((double)d.grad[i] * out[i]);
    }
    EXPECT_NEAR(lhs, rhs, 1e-5 * scale);
}

// ---------------------------------------------------------------------------
// Bad input: InvalidArgument, the argument named, outputs untouched.
// ---------------------------------------------------------------------------
void expect_refused(const std::function<void()> &call, const std::vector<std::string> &needles,
                    ErrorCode code = ErrorCode::InvalidArgument) {
    try {
        call();
        ADD_FAILURE() << "accepted";
    } catch (const halconv::Error &e) {
        EXPECT_EQ(e.code(), code) << e.what();
        for (const auto &n : needles) EXPECT_THAT(std::string(e.what()), HasSubstr(n));
    }
}

TEST(FlowWarpBadInput, MessagesNameTheArgument) {
    std::vector<float> in(2 * 3 * 4 * 5, 1.0f), fl(2 * 2 * 4 * 5, 0.5f), out(in.size(), 9.0f), g(in.size(), 1.0f),
        gi(in.size(), 9.0f), gf(fl.size(), 9.0f);
    const halconv::Shape s{2, 3, 4, 5}, fs{2, 2, 4, 5};
    auto fwd = [&](halconv::Shape is, halconv::Shape fls, halconv::Shape os) {
        return [&, is, fls, os] { halconv::flow_warp(ConstTensor(in.data(), is), ConstTensor(fl.data(), fls), Tensor(out.data(), os)); };
    };
    expect_refused(fwd(s, {2, 3, 4, 5}, s), {"flow_warp", "flow", "[2, 3, 4, 5]", "[2, 2, 4, 5]"});
    expect_refused(fwd(s, {1, 2, 4, 5}, s), {"flow", "[1, 2, 4, 5]"});
    expect_refused(fwd(s, {2, 2, 4, 6}, s), {"flow", "[2, 2, 4, 6]"});
    expect_refused(fwd(s, fs, {2, 3, 5, 4}), {"output", "[2, 3, 5, 4]", "[2, 3, 4, 5]"});
    expect_refused(fwd({2, 3, 4}, fs, s), {"input", "4 dimensions"});
    expect_refused(fwd({2, 0, 4, 5}, fs, s), {"input", "empty"});
    expect_refused([&] { halconv::flow_warp(ConstTensor(nullptr, s), ConstTensor(fl, fs), Tensor(out, s)); },
                   {"input", "null"});
    expect_refused([&] { halconv::flow_warp(ConstTensor(in, s), ConstTensor(fl, fs), Tensor(in, s)); },
                   {"output", "overlaps", "input"});
    for (float v : out) ASSERT_EQ(v, 9.0f);

    auto bwd = [&](halconv::Shape gs, halconv::Shape gis, halconv::Shape gfs) {
        return [&, gs, gis, gfs] {
            halconv::flow_warp_backward(ConstTensor(in.data(), s), ConstTensor(fl.data(), fs), ConstTensor(g.data(), gs),
                                        Tensor(gi.data(), gis), Tensor(gf.data(), gfs));
        };
    };
    expect_refused(bwd({2, 3, 4, 4}, s, fs), {"flow_warp_backward", "grad_output", "[2, 3, 4, 4]"});
    expect_refused(bwd(s, {2, 2, 4, 5}, fs), {"grad_input", "[2, 2, 4, 5]"});
    expect_refused(bwd(s, s, {2, 3, 4, 5}), {"grad_flow", "[2, 3, 4, 5]"});
    expect_refused([&] {
        halconv::flow_warp_backward(ConstTensor(in, s), ConstTensor(fl, fs), ConstTensor(g, s), Tensor(g, s), Tensor(gf, fs));
    }, {"grad_input", "overlaps", "grad_output"});
    halconv::FlowWarpOptions bad;
    bad.accumulation = static_cast<GradAccumulation>(5);
    expect_refused([&] {
        halconv::flow_warp_backward(ConstTensor(in, s), ConstTensor(fl, fs), ConstTensor(g, s), Tensor(gi, s),
                                    Tensor(gf, fs), bad);
    }, {"accumulation"});
    for (float v : gi) ASSERT_EQ(v, 9.0f);
    for (float v : gf) ASSERT_EQ(v, 9.0f);
}

}  // namespace
}  // namespace halconv_test
