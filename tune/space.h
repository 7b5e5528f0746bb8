// The search space of a schedule, for `halconv tune`: every tunable
// GeneratorParam with its candidate values and the constraints between them.
// Each schedule (schedules/cpu/*.h, schedules/cuda/*.h) declares its own
// space next to its GeneratorParams, one line per knob:
//
//     {"cpu_x_tile", 7, {4, 5, 6, 7, 8}},   // name, hand-tuned default, candidates
//
// Plain C++ (no Halide): the strategies, the records and their tests use it
// without compiling a pipeline.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace halconv {
namespace tune {

// One candidate: GeneratorParam name -> value. Knobs not named keep their
// generator default (the hand-tuned value).
using Params = std::map<std::string, int>;

// What the constraints may depend on: the device kind and the target's
// vector registers (AVX2: 8 float lanes, 16 registers; AVX-512: 16, 32).
struct TargetInfo {
    std::string device = "cpu";  // cpu | cuda | opencl
    int vector_lanes = 8;        // float lanes of one vector register
    int vector_registers = 16;
    bool gpu() const { return device != "cpu"; }
};

struct Knob {
    std::string name;         // the GeneratorParam's name
    int hand;                 // its default: the hand-tuned value
    std::vector<int> values;  // candidates (include `hand`)
};

struct Constraint {
    std::string description;  // e.g. "x_tile * tile_rows + 2 <= vector registers"
    std::function<bool(const Params &, const TargetInfo &)> holds;
};

struct SearchSpace {
    std::vector<Knob> knobs;
    std::vector<Constraint> constraints;

    // The hand schedule: every knob at its default.
    Params hand() const;
    // p with every missing knob filled in with its hand value.
    Params complete(const Params &p) const;
    // "" if p (completed) is admitted; otherwise why not: a knob that is
    // not in the space, a value not among the knob's candidates, or the
    // description of the first violated constraint.
    std::string violation(const Params &p, const TargetInfo &t) const;
    bool admits(const Params &p, const TargetInfo &t) const { return violation(p, t).empty(); }
    // Number of points before constraints (product of candidate counts).
    uint64_t size() const;
    const Knob *find(const std::string &name) const;
};

// Canonical text of a candidate ("a=1,b=2", names sorted): the identity of
// a trial in the records (resume skips what was measured).
std::string params_key(const Params &p);

}  // namespace tune
}  // namespace halconv
