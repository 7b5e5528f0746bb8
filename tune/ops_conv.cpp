// Tuning problems of conv2d (suite family "conv2d"). The weight is random in
// the library's blocked layout (generators/conv.h): the tuner compares a
// candidate with the hand schedule on the same buffers, so the values need
// not come from PyTorch's layout.
#include "generators/conv.h"
#include "runtime/shape_class.h"
#include "schedules/cpu/conv.h"
#include "schedules/cuda/conv.h"
#include "tune/problem.h"

namespace halconv {
namespace tune {
namespace {

int out_size(int in, int pad, int dil, int k, int stride) { return (in + 2 * pad - dil * (k - 1) - 1) / stride + 1; }

Problem make_conv2d(const json::Value &e) {
    const int N = e.get_int("N", 1), C = e.at("C").integer(), H = e.at("H").integer(), W = e.at("W").integer();
    const int K = e.at("K").integer(), R = e.at("R").integer(), S = e.at("S").integer();
    const int stride = e.get_int("stride", 1), pad = e.get_int("pad", 0), dil = e.get_int("dil", 1);
    const int groups = e.get_int("groups", 1);
    const int OH = out_size(H, pad, dil, R, stride), OW = out_size(W, pad, dil, S, stride);
    Problem p;
    p.op = p.generator = "conv2d";
    p.entry = e.get_string("id", "custom");
    p.shape = e;
    p.shape_class = shape_class("conv2d", {{"C", C}, {"H", H}, {"W", W}, {"K", K}, {"R", R}, {"S", S},
                                           {"sy", stride}, {"sx", stride}, {"py", pad}, {"px", pad},
                                           {"dy", dil}, {"dx", dil}, {"g", groups}});
    Halide::Buffer<float> input(W, H, C, N), weight(kWeightBlock, C / groups, S, R, (K + kWeightBlock - 1) / kWeightBlock);
    Halide::Buffer<float> bias(K), output(OW, OH, K, N);
    fill_uniform(input, -1, 1, 1);
    fill_uniform(weight, -1, 1, 2);
    fill_uniform(bias, -1, 1, 3);
    p.buffers = {{"input", input}, {"weight", weight}, {"bias", bias}, {"output", output}};
    p.scalars = {{"stride_x", Scalar::i32(stride)}, {"stride_y", Scalar::i32(stride)}, {"pad_x", Scalar::i32(pad)},
                 {"pad_y", Scalar::i32(pad)},       {"dil_x", Scalar::i32(dil)},       {"dil_y", Scalar::i32(dil)},
                 {"groups", Scalar::i32(groups)}};
    p.outputs = {"output"};
    p.flops = 2.0 * N * K * OH * OW * (double(C) / groups) * R * S;
    p.bytes = 4.0 * (double(N) * C * H * W + double(K) * C / groups * R * S + double(N) * K * OH * OW);
    return p;
}

const bool registered = register_op(OpAdapter{
    "conv2d", "conv2d", [](const json::Value &) { return true; }, make_conv2d,
    [](const TargetInfo &t) { return t.gpu() ? ConvGpuSchedule::space("conv2d") : ConvCpuSchedule::space("conv2d"); }});

}  // namespace
}  // namespace tune
}  // namespace halconv
