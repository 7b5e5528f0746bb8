// flow_warp generators, forward and backward (deterministic or atomic
// grad_input). Algorithms: generators/flow_warp.h; schedules by target from
// schedules/cpu/warp.h or schedules/cuda/warp.h.
#include <stdexcept>

#include "generators/flow_warp.h"
#include "schedules/cpu/warp.h"
#include "schedules/cuda/warp.h"

namespace halconv {
namespace {

template<typename B>
void dense_nchw(B &buffer) {
    buffer.dim(0).set_stride(1);
    for (int d = 0; d < 4; d++) buffer.dim(d).set_min(0);
}

class FlowWarpGenerator : public Generator<FlowWarpGenerator> {
public:
    Input<Buffer<float>> input{"input", 4};  // (x, y, c, n)
    Input<Buffer<float>> flow{"flow", 4};    // (x, y, comp, n): dx, dy
    Output<Buffer<float>> output{"output", 4};

    WarpCpuSchedule cpu_schedule;
    WarpGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        FlowWarpAlgorithm a;
        define_flow_warp(a, input, flow, input.dim(0).extent(), input.dim(1).extent(), input.dim(2).extent(),
                         get_target().has_gpu_feature() ? 1 : cpu_schedule.vec(get_target()));
        output(a.x, a.y, a.c, a.n) = a.output(a.x, a.y, a.c, a.n);
        a.output.compute_inline();
        a.output = output;
        dense_nchw(input);
        dense_nchw(flow);
        dense_nchw(output);
        flow.dim(2).set_extent(2);
        for (int d : {0, 1, 3}) flow.dim(d).set_extent(input.dim(d).extent());
        for (int d = 0; d < 4; d++) output.dim(d).set_extent(input.dim(d).extent());
        if (get_auto_schedule()) {
            estimates.apply(input, flow, output);
        } else if (get_target().has_gpu_feature()) {
            gpu_schedule.apply_forward(a, get_target());
        } else {
            cpu_schedule.apply_forward(a, get_target());
        }
    }
};

class FlowWarpBackwardGenerator : public Generator<FlowWarpBackwardGenerator> {
public:
    GeneratorParam<std::string> accumulation{"accumulation", "deterministic"};

    Input<Buffer<float>> input{"input", 4};
    Input<Buffer<float>> flow{"flow", 4};
    Input<Buffer<float>> grad_output{"grad_output", 4};
    Output<Buffer<float>> grad_input{"grad_input", 4};
    Output<Buffer<float>> grad_flow{"grad_flow", 4};

    WarpCpuSchedule cpu_schedule;
    WarpGpuSchedule gpu_schedule;
    AutoscheduleEstimates estimates;  // for auto_schedule=true (halconv tune)

    void generate() {
        const std::string mode = accumulation;
        if (mode != "deterministic" && mode != "atomic") {
            throw std::invalid_argument("accumulation must be deterministic or atomic, got " + mode);
        }
        FlowWarpAlgorithm a;
        define_flow_warp_backward(a, input, flow, grad_output, input.dim(0).extent(), input.dim(1).extent(),
                                  input.dim(2).extent(), mode == "deterministic", grad_flow, grad_input,
                                  get_target().has_gpu_feature() ? 1 : cpu_schedule.vec(get_target()));
        for (auto *b : {&input, &flow, &grad_output}) dense_nchw(*b);
        dense_nchw(grad_input);
        dense_nchw(grad_flow);
        flow.dim(2).set_extent(2);
        for (int d : {0, 1, 3}) flow.dim(d).set_extent(input.dim(d).extent());
        for (int d = 0; d < 4; d++) {
            grad_output.dim(d).set_extent(input.dim(d).extent());
            grad_input.dim(d).set_extent(input.dim(d).extent());
            grad_flow.dim(d).set_extent(flow.dim(d).extent());
        }
        if (get_auto_schedule()) {
            estimates.apply(input, flow, grad_output, grad_input, grad_flow);
        } else if (get_target().has_gpu_feature()) {
            gpu_schedule.apply_backward(a, get_target());
        } else {
            cpu_schedule.apply_backward(a, get_target());
        }
    }
};

}  // namespace
}  // namespace halconv

HALIDE_REGISTER_GENERATOR(halconv::FlowWarpGenerator, flow_warp)
HALIDE_REGISTER_GENERATOR(halconv::FlowWarpBackwardGenerator, flow_warp_backward)
