// JIT compilation of one candidate: the same generator the AOT library is
// built from, with the candidate's GeneratorParams (or with an
// autoscheduler instead of the hand schedule), compiled in-process. No CMake
// rebuild per trial.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "Halide.h"
#include "tune/problem.h"

namespace halconv {
namespace tune {

struct Autoscheduler {
    std::string name;            // Mullapudi2016 | Adams2019 | Li2018
    std::string plugin;          // path of libautoschedule_*.so
    std::string machine_params;  // "parallelism,llc_bytes,balance"
};

class Candidate {
public:
    // Builds and compiles. Never throws for a bad candidate: check ok() and
    // error() (Halide's compile errors are caught and kept).
    static std::unique_ptr<Candidate> build(const Problem &problem, const Params &params,
                                            const Halide::Target &target,
                                            const Autoscheduler *autoscheduler = nullptr);
    bool ok() const { return error_.empty(); }
    const std::string &error() const { return error_; }
    double compile_seconds() const { return compile_s_; }
    const std::string &schedule_source() const { return schedule_source_; }  // autoscheduler's
    // Runs once on problem's buffers (outputs written in place; for GPU
    // targets copied back to the host). Returns "" or the runtime's error.
    std::string run(Problem &problem);

    ~Candidate();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string error_, schedule_source_;
    double compile_s_ = 0;
};

// The library's own Halide target for `device` ("cpu", "cuda", "opencl"):
// for the CPU the first of its multi-target variants this machine runs.
Halide::Target library_target(const std::string &device);
// library_target() plus JIT and user_context: what candidates compile for.
Halide::Target jit_target(const std::string &device);
TargetInfo target_info(const Halide::Target &t);

}  // namespace tune
}  // namespace halconv
