// PyTorch as a peer of the benchmark harness, in the same run: the C++ side
// writes an op's inputs (raw float32 files + request.json) to a fresh
// temporary directory, runs
//     /usr/bin/python3 bench/torch_peer.py <op> <dir>
// which loads them, sets torch.set_num_threads(threads), runs the op once
// (its outputs), times it (warm-up, then `rounds` rounds of >= min_runs and
// >= min_time in all, every call timed on its own, median of the pooled
// samples) and writes the outputs and timings back (result.json); run()
// reads them and removes the directory.
//
// Session: the same script with --serve stays alive after computing the
// outputs and times segments of calls on request, so that its timings are
// interleaved with halconv's in time_interleaved (bench.h): a slow phase of
// the machine then hits both alike. The benchmarks use it; run() is the
// one-shot form (the peer timed on its own).
//
// Ops (bench/torch_peer.py, OPS): "flow_warp" (inputs input, flow; output
// output; timings forward, grid_sample_only), "flow_warp_backward" (inputs
// input, flow, grad_output; outputs grad_input, grad_flow; timings
// backward, forward_backward), "deform_conv2d" (inputs input, offset,
// weight, bias?, mask?; output output; timing forward) and
// "deform_conv2d_backward" (+ grad_output; outputs grad_input, grad_offset,
// grad_weight, grad_bias, grad_mask; timing backward). New ops are a
// function in the script: nothing changes here.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench.h"
#include "json.h"

namespace bench::torch_peer {

// The interpreter (/usr/bin/python3, the only one with torch here; the
// environment variable HALCONV_BENCH_PYTHON overrides it) and the script
// (<source dir>/bench/torch_peer.py).
std::string python();
std::string script();

struct Input {
    std::string name;
    std::vector<int64_t> shape;
    const float *data = nullptr;  // prod(shape) floats
};

struct Request {
    std::string op;
    std::vector<Input> inputs;
    json::Value params = json::Value::object();
    int threads = 2;
    int min_runs = 20;
    double min_time = 0.3;
    int rounds = 3;
    double timeout_s = 600;  // the python process is killed after this
};

struct Output {
    std::vector<int64_t> shape;
    std::vector<float> data;
};

struct Result {
    bool available = false;   // false: python3 or torch missing (unavailable says why)
    std::string unavailable;
    std::string error;        // available but failed (the script's error, exit status, stderr tail)
    std::string torch_version;
    std::map<std::string, Output> outputs;
    std::map<std::string, TimingStats> timings;  // by the op's timing names
    json::Value info = json::Value::object();    // method, threads, parallel_info, python
    bool ok() const { return available && error.empty(); }
};

// Never throws for a missing python/torch or a failing script: see Result.
Result run(const Request &req);

// The peer process of one op, serving timed segments (torch_peer.py --serve).
//   Session peer(request);                       // computes the outputs
//   append(timed, peer.timed({"forward"}, ms));  // 0 items if it failed
//   time_interleaved(timed, opts);
//   const Result r = peer.finish();              // outputs + interleaved timings
// Never throws: a missing python/torch or a failing script shows in finish()
// as in run(); a segment that fails throws inside time_interleaved, which
// records it as that Measurement's error (and finish() as the Result's).
class Session {
public:
    explicit Session(const Request &req);
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    // One Timed item (remote) per timing name, measuring into the given
    // Measurements (same order); none when the process is not serving.
    std::vector<Timed> timed(const std::vector<std::string> &names, const std::vector<Measurement *> &into);
    // Ends the process; the Result of the Session's start plus, per timing
    // name of timed(), the interleaved statistics (a failed segment: error).
    Result finish();

    // One segment (see bench.h RemoteSegment); throws on failure.
    RemoteSegment segment(const std::string &timing, int runs, double min_time);
    // The process (-1 when not running); for tests.
    int pid() const { return pid_; }

private:
    void stop();
    Request req_;
    Result res_;
    struct Dir;
    std::unique_ptr<Dir> dir_;
    int pid_ = -1, to_child_ = -1, from_child_ = -1;
    int last_status_ = -1;  // the process's exit code once stopped
    std::string pending_;  // bytes read past the last reply line
    std::vector<std::pair<std::string, Measurement *>> timed_;
    std::string read_line(double timeout_s);
};

}  // namespace bench::torch_peer
