// Tuned schedules shipped in the library (the winners of `halconv tune`).
//
// At build time, the CMake option HALCONV_TUNED_RECORDS (a records file of
// `halconv tune`, default tune/records/winners.jsonl; empty = none) picks,
// per (op, shape class, target), the fastest ok record of kind "hand" or
// "tuned". When that is a tuned record whose params differ from the fastest
// hand record's, its schedule is compiled into the library as an extra
// pipeline of the same generator ("variant"); see cmake/HalconvTuned.cmake.
//
// At run time each dispatching call computes the call's shape class (the
// op and its geometry, batch excluded: runtime/shape_class.h) and runs the
// tuned variant baked for exactly that class and device, or the hand
// schedule otherwise. A CPU winner is tuned on one of the library's CPU
// targets (AVX2, AVX-512: the one the tuning machine runs) and only runs on
// machines where the library runs that same target; records of both machine
// types can ship side by side. Results agree with the hand schedule's up to
// floating-point reassociation (the tuner rejects candidates that differ by
// more than 1e-4 relative). Ops that dispatch this way: conv2d,
// conv_transpose2d, max_pool2d (with and without indices), avg_pool2d,
// deform_conv2d, deform_conv2d_backward (not the CUDA atomic accumulation),
// filter2d and gradient_magnitude (every pipeline they choose among),
// points_collection(_backward) and flow_warp(_backward) (likewise).
//
// Switching it off: the environment variable HALCONV_TUNED=0 (also "off",
// "false", "no"), read once when the library first dispatches, or
// set_tuned_dispatch(false) at any time (process-wide).
#pragma once

#include <string>
#include <vector>

namespace halconv {

enum class Device;

struct TunedVariant {
    std::string op;           // pipeline name, e.g. "conv2d"
    std::string shape_class;  // e.g. "conv2d:C=64,H=56,W=56,K=64,R=3,S=3,sy=1,sx=1,py=1,px=1,dy=1,dx=1,g=1"
    Device device;            // where it runs
    std::string function;     // its AOT function, e.g. "halconv_conv2d_tuned_1_cpu"
    std::string params;       // its GeneratorParams, "name=value,..." sorted by name
    // The Halide CPU target it was tuned on and compiled for, e.g.
    // "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41"; empty
    // when it is built for all of the library's CPU targets (GPU variants,
    // records without a target).
    std::string cpu_target;
    // Whether calls on this machine may dispatch to it: false for a variant
    // of another CPU target than the one the library runs here.
    bool runs_here = true;
};

// Every tuned variant baked into this build (empty when none), including
// those of other CPU targets than this machine's (runs_here false).
std::vector<TunedVariant> tuned_variants();

// The Halide target of the CPU code the library runs on this machine: the
// first of its multi-target CPU variants (HALCONV_CPU_TARGETS) that this CPU
// supports, e.g. "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41".
std::string cpu_target();

// Turns tuned dispatch on or off for the whole process (thread-safe). The
// initial state is on unless HALCONV_TUNED is "0", "off", "false" or "no".
void set_tuned_dispatch(bool enabled);
bool tuned_dispatch_enabled();

// What this thread's last dispatching call ran: the tuned variant's
// function name (TunedVariant::function) or "hand"; "" before any such call.
// For tests and diagnostics.
std::string last_dispatched_variant();

}  // namespace halconv
