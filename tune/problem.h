// A tuning problem: one pipeline (generator) on one shape, with its argument
// values. The tuner JIT-compiles candidates of the generator (tune/jit.h)
// and calls them on these arguments, binding them by the generator's
// Input/Output names. Adapters (tune/ops_*.cpp) turn a suite entry into a
// Problem; they register themselves in the op table (tune/ops.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "Halide.h"
#include "bench/json.h"
#include "tune/space.h"

namespace halconv {
namespace tune {

namespace json = ::bench::json;

// A scalar Input<T> value.
struct Scalar {
    Halide::Type type;
    halide_scalar_value_t value{};
    static Scalar i32(int v) { Scalar s{Halide::Int(32)}; s.value.u.i32 = v; return s; }
    static Scalar f32(float v) { Scalar s{Halide::Float(32)}; s.value.u.f32 = v; return s; }
    static Scalar boolean(bool v) { Scalar s{Halide::Bool()}; s.value.u.b = v; return s; }
};

struct Problem {
    std::string op;         // pipeline name (= records' "op"), e.g. "conv2d", "max_pool2d"
    std::string generator;  // registered generator name, e.g. "conv2d"
    std::string entry;      // suite id
    json::Value shape = json::Value::object();  // the suite entry
    std::string shape_class;                    // runtime/shape_class.h
    // Fixed GeneratorParams the pipeline is built with in the library
    // (e.g. accumulation=deterministic); not tuned.
    std::map<std::string, std::string> fixed_params;
    // Knobs whose hand value for this shape is not their default: the
    // library dispatches such shapes to another pipeline of the same
    // generator (e.g. deform_conv2d_wide_blocks, runtime/deform.cpp), and
    // the hand schedule must be what it runs. Ignored where the space has
    // no such knob (GPU).
    std::map<std::string, int> hand_overrides;
    // Target features the library's pipeline is built with (e.g.
    // StrictFloat for the max pools, which must see NaNs).
    std::vector<Halide::Target::Feature> target_features;
    // Every Input<Buffer> and Output<Buffer> by name (outputs preallocated
    // with the right extents), and every scalar Input by name.
    std::map<std::string, Halide::Buffer<>> buffers;
    std::map<std::string, Scalar> scalars;
    std::vector<std::string> outputs;  // names of the Output buffers
    // Comparison with the hand schedule's outputs: float outputs must agree
    // within rel_tolerance * max|hand output| (schedules reassociate sums);
    // integer outputs exactly.
    double rel_tolerance = 1e-4;
    double flops = 0;  // 2 per multiply-add; 0 if not meaningful
    double bytes = 0;  // minimum bytes moved (inputs read + outputs written)
};

// An op the tuner knows: which suite entries it takes and how to build its
// Problem, and the search space of its schedule per device.
struct OpAdapter {
    std::string op;            // pipeline name
    std::string suite_family;  // key in suite.json (e.g. "pool2d")
    // Does this suite entry belong to this op (e.g. pool2d "kind": "max")?
    std::function<bool(const json::Value &entry)> accepts;
    std::function<Problem(const json::Value &entry)> make;
    std::function<SearchSpace(const TargetInfo &)> space;  // cpu knobs or gpu knobs
};

// Registration (static initializers in tune/ops_*.cpp):
//   static const bool registered = register_op(OpAdapter{...});
bool register_op(OpAdapter adapter);
const std::vector<OpAdapter> &all_ops();
const OpAdapter *find_op(const std::string &op);  // nullptr if unknown

// Deterministic pseudo-random fill of a float buffer in [lo, hi] (seeded
// from the buffer's name), for adapters.
void fill_uniform(Halide::Buffer<float> &b, float lo, float hi, uint64_t seed);

}  // namespace tune
}  // namespace halconv
