// Dispatch to the tuned variants baked into the library
// (cmake/HalconvTuned.cmake, include/halconv/tuned.h).
//
// A call site wraps its hand pipeline choice:
//   auto run = detail::tuned_or(pick(o.device, cpu, cuda, opencl), "conv2d",
//                               [&] { return shape_class("conv2d", {...}); }, o.device);
// and gets the tuned variant baked for the call's shape class and device, or
// the hand pipeline. The key is a callable so that it is only built when a
// variant of the op is baked for the device (no allocation otherwise); a
// ready std::string also works. A variant comes from the same generator as
// the hand pipeline, so it has the same signature.
#pragma once

#include <string>
#include <type_traits>

#include "halconv/halconv.h"
#include "shape_class.h"

namespace halconv::detail {

using TunedFunction = void (*)();

struct TunedEntry {
    const char *op;
    const char *shape_class;
    Device device;
    const char *function;  // e.g. "halconv_conv2d_tuned_1_cpu"
    const char *params;    // "name=value,..." sorted
    TunedFunction fn;      // the pipeline, cast back to the hand's type to call it
    // The CPU variant it was tuned on and compiled for alone (an index into
    // the library's CPU targets, most specific first), -1 = every variant.
    // It is only dispatched where the library's own multi-target dispatch
    // runs that variant, so it never runs where its instructions are missing.
    int cpu_variant;
};

// The index of the library's CPU target (HALCONV_CPU_TARGETS) that its
// multi-target dispatch runs on this machine: the first whose features
// halide_can_use_target_features() accepts; the last one otherwise (the
// unconditional fallback). Computed once.
int host_cpu_variant();
// True when `e` may run here: cpu_variant is -1 or this machine's.
bool runs_here(const TunedEntry &e);

// True when tuned dispatch is on and some variant of `op` is baked for
// `device`. Cheap: no allocation, a scan of the (usually tiny) table.
bool tuned_candidates(const char *op, Device device);
// The variant baked for exactly this class and device, or nullptr
// (regardless of whether tuned dispatch is on).
const TunedEntry *find_tuned(const char *op, const std::string &shape_class, Device device);
// Records this thread's choice (a static string) for last_dispatched_variant().
void set_last_variant(const char *name);

template<typename Fn, typename Key>
Fn tuned_or(Fn hand, const char *op, Key &&key, Device device, bool eligible = true) {
    static_assert(std::is_pointer_v<Fn> && std::is_function_v<std::remove_pointer_t<Fn>>,
                  "tuned_or takes the hand pipeline's function pointer");
    if (eligible && tuned_candidates(op, device)) {
        const TunedEntry *e;
        if constexpr (std::is_invocable_v<Key &>) {
            e = find_tuned(op, key(), device);
        } else {
            e = find_tuned(op, key, device);
        }
        if (e) {
            set_last_variant(e->function);
            return reinterpret_cast<Fn>(e->fn);
        }
    }
    set_last_variant("hand");
    return hand;
}

}  // namespace halconv::detail
