// Public API of flow_warp: shape checks, device choice and dispatch to the
// AOT pipelines (include/halconv/warp.h).
#include <cstdint>
#include <string>

#include "flow_warp_backward_atomic_cuda.h"
#include "flow_warp_backward_cpu.h"
#include "flow_warp_backward_cuda.h"
#include "flow_warp_backward_opencl.h"
#include "flow_warp_cpu.h"
#include "flow_warp_cuda.h"
#include "flow_warp_opencl.h"
#include "internal.h"
#include "shape_class.h"
#include "tuned.h"

namespace halconv {
namespace {




// input [N, C, H, W] and flow [N, 2, H, W].
void check_input_and_flow(const char *fn, ConstTensor input, ConstTensor flow) {
    detail::check_tensor(fn, "input", input.shape, input.data, 4);
    detail::check_tensor(fn, "flow", flow.shape, flow.data, 4);
    const Shape &s = input.shape;
    detail::check_shape(fn, "flow", flow.shape, {s[0], 2, s[2], s[3]},
                     "[N, 2, H, W] for input [N, C, H, W]: channel 0 = dx, 1 = dy");
}


// The shape class of a call (runtime/shape_class.h): C H W of input.
std::string warp_class(const char *op, const Shape &input) {
    return shape_class(op, {{"C", input[1]}, {"H", input[2]}, {"W", input[3]}});
}

}  // namespace

void flow_warp(ConstTensor input, ConstTensor flow, Tensor output, const FlowWarpOptions &o) {
    const char *fn = "flow_warp";
    check_input_and_flow(fn, input, flow);
    detail::check_tensor(fn, "output", output.shape, output.data, 4);
    detail::check_shape(fn, "output", output.shape, input.shape, "the shape of input");
    detail::check_disjoint(fn, "output", output, "input", input);
    detail::check_disjoint(fn, "output", output, "flow", flow);
    detail::require_device(fn, o.device);

    auto in = detail::wrap(input.data, input.shape);
    auto fl = detail::wrap(flow.data, flow.shape);
    auto out = detail::wrap(output.data, output.shape);
    auto run = detail::tuned_or(
        detail::pick_pipeline(o.device, halconv_flow_warp_cpu, halconv_flow_warp_cuda, halconv_flow_warp_opencl),
        "flow_warp", [&] { return warp_class("flow_warp", input.shape); }, o.device);
    detail::PipelineCall call(fn, o.device);
    auto *i = call.input(in);
    auto *f = call.input(fl);
    int status = run(i, f, call.output(out));
    call.finish(status);
}

void flow_warp_backward(ConstTensor input, ConstTensor flow, ConstTensor grad_output, Tensor grad_input,
                        Tensor grad_flow, const FlowWarpOptions &o) {
    const char *fn = "flow_warp_backward";
    check_input_and_flow(fn, input, flow);
    detail::check_tensor(fn, "grad_output", grad_output.shape, grad_output.data, 4);
    detail::check_shape(fn, "grad_output", grad_output.shape, input.shape, "the shape of input (and of the output)");
    detail::check_tensor(fn, "grad_input", grad_input.shape, grad_input.data, 4);
    detail::check_shape(fn, "grad_input", grad_input.shape, input.shape, "the shape of input");
    detail::check_tensor(fn, "grad_flow", grad_flow.shape, grad_flow.data, 4);
    detail::check_shape(fn, "grad_flow", grad_flow.shape, flow.shape, "the shape of flow");
    for (auto *out : {&grad_input, &grad_flow}) {
        const char *name = out == &grad_input ? "grad_input" : "grad_flow";
        detail::check_disjoint(fn, name, *out, "input", input);
        detail::check_disjoint(fn, name, *out, "flow", flow);
        detail::check_disjoint(fn, name, *out, "grad_output", grad_output);
    }
    detail::check_disjoint(fn, "grad_input", grad_input, "grad_flow", grad_flow);
    detail::check_accumulation(fn, o.accumulation);
    detail::require_device(fn, o.device);

    auto in = detail::wrap(input.data, input.shape);
    auto fl = detail::wrap(flow.data, flow.shape);
    auto g = detail::wrap(grad_output.data, grad_output.shape);
    auto gi = detail::wrap(grad_input.data, grad_input.shape);
    auto gf = detail::wrap(grad_flow.data, grad_flow.shape);
    // Tuned variants replace the deterministic pipelines only, never the
    // CUDA atomic one.
    const bool atomic = o.device == Device::CUDA && o.accumulation == GradAccumulation::Atomic;
    auto run = detail::tuned_or(
        detail::pick_pipeline(o.device, o.accumulation, halconv_flow_warp_backward_cpu, halconv_flow_warp_backward_cuda,
                              halconv_flow_warp_backward_atomic_cuda, halconv_flow_warp_backward_opencl),
        "flow_warp_backward", [&] { return warp_class("flow_warp_backward", input.shape); }, o.device, !atomic);
    detail::PipelineCall call(fn, o.device);
    auto *ii = call.input(in);
    auto *fi = call.input(fl);
    auto *gg = call.input(g);
    auto *gio = call.output(gi);
    auto *gfo = call.output(gf);
    int status = run(ii, fi, gg, gio, gfo);
    call.finish(status);
}

}  // namespace halconv
