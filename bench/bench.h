// Shared machinery of the halconv benchmark harness.
//
// An operator family (conv2d, conv_transpose2d, later pooling, deform_conv2d)
// is one file bench/bench_<something>.cpp holding one function that turns the
// family's entries of bench/suite.json into Rows, registered with
// BENCH_REGISTER_FAMILY. Timing (time_fn), the oneDNN peer (onednn_peer.h),
// the correctness metric (max_rel_err), the machine limits (peak.h) and the
// report (JSON + markdown) are generic.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "json.h"

namespace bench {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Correctness gate: halconv vs the reference peer, see max_rel_err().
constexpr double kMaxRelErr = 1e-3;

struct Options {
    std::string suite_path;   // bench/suite.json
    std::string out_dir;      // bench/results
    std::string filter;       // substring of "family/id"; empty = all
    double min_time = 0.3;    // seconds of timed work per measurement (at least)
    int min_runs = 20;        // timed runs per measurement (at least)
    int threads = 2;          // for halconv and the peers
    int check_samples = 2000; // output points checked against a naive reference
    int rounds = 3;           // interleaved timing rounds (see time_interleaved)
    double wait_idle = 0;     // > 0: before each measurement, wait up to this
                              // many seconds for the machine to be idle, and
                              // re-measure (twice at most) when disturbed
    double copy_gbs = 0;      // the measured copy bandwidth (MachinePeak::copy_gbs),
                              // set by main before the families run; 0 = unknown
};

// Waits (up to max_s seconds) until other processes use < kNoisyForeignCpu of
// the machine over a 0.5 s window; returns false on timeout.
bool wait_for_idle(double max_s);

// CPU time of the whole machine vs this process (/proc/stat, /proc/self/stat),
// to say how much other processes disturbed a measurement.
struct CpuSnapshot {
    long long busy_ticks = 0, steal_ticks = 0, total_ticks = 0, self_ticks = 0;
    static CpuSnapshot now();
    // Share of the machine's CPU time, between `before` and this snapshot,
    // used by other processes / stolen by the hypervisor (0..1; NaN if unknown).
    double foreign_since(const CpuSnapshot &before) const;
    double steal_since(const CpuSnapshot &before) const;
    long long foreign_ticks_since(const CpuSnapshot &before) const;
    long long total_ticks_since(const CpuSnapshot &before) const;
};

// A measurement is flagged noisy when other processes used more than this
// share of the machine's CPU time meanwhile, and more than kNoisyMinTicks
// clock ticks (/proc/stat counts 10 ms ticks: a single stray tick must not
// flag a short measurement).
constexpr double kNoisyForeignCpu = 0.05;
constexpr long long kNoisyMinTicks = 2;
inline bool is_noisy(long long foreign_ticks, long long total_ticks) {
    return foreign_ticks > kNoisyMinTicks && double(foreign_ticks) > kNoisyForeignCpu * double(total_ticks);
}

struct TimingStats {
    double median_ms = kNaN;
    double min_ms = kNaN;
    double mean_ms = kNaN;
    int runs = 0;
    double foreign_cpu = kNaN;  // other processes' share of the CPU while timing
    long long foreign_ticks = 0, total_ticks = 0;
    bool noisy() const { return is_noisy(foreign_ticks, total_ticks); }
    bool ok() const { return runs > 0 && std::isfinite(median_ms); }
};

// One timed implementation of a row (halconv or a peer variant).
struct Measurement {
    Measurement() = default;
    explicit Measurement(std::string k) : key(std::move(k)) {}
    std::string key;    // e.g. "halconv", "onednn_prim"
    TimingStats t;
    std::string impl;   // implementation detail (oneDNN impl string, layouts)
    std::string error;  // non-empty: not measured, why
    bool ok() const { return error.empty() && t.ok(); }
};

enum class Status { OK, FAILED, ERROR };
const char *status_name(Status s);

// Times several implementations of the same operation (halconv and its
// peers) interleaved, so that a slow phase of the machine (other processes,
// the hypervisor, clocks) hits all of them alike: each first gets a warm-up
// (first call: JIT, lazy init, page faults; then >= 50 ms), then
// opts.rounds rounds each time every implementation for its share of
// opts.min_runs calls and opts.min_time seconds, every call timed on its own;
// the stats pool the samples of all rounds (median). Before each timed
// segment the harness sleeps 30 ms so that spinning worker threads of the
// previous one (OpenMP, Halide) go idle. The fns must not allocate their
// outputs. An exception from a fn sets its Measurement::error and drops it.
//
// A peer in its own process (torch_peer::Session) is timed by that process:
// `remote` instead of `fn`. It makes one untimed call, then >= runs calls and
// >= min_time seconds, each timed on its own, and returns the samples and the
// CPU ticks it used (which are not other processes' load). After a remote
// segment the harness sleeps 1 s, so that the peer's worker threads have
// stopped spinning before the next implementation is timed.
struct RemoteSegment {
    std::vector<double> ms;
    long long own_ticks = 0;
};
struct Timed {
    Measurement *m;
    std::function<void()> fn;
    std::function<RemoteSegment(int runs, double min_time)> remote = {};
};
void time_interleaved(const std::vector<Timed> &items, const Options &opts);

// One implementation alone; rethrows its exception.
TimingStats time_fn(const std::function<void()> &fn, const Options &opts);

struct Row {
    std::string family;   // suite.json key, e.g. "conv2d"
    std::string id;       // suite.json id
    std::string shape;    // human-readable problem description
    double flops = 0;     // 0: not a flop-bound operator: the report shows
                          // GB/s (bytes / time) and % of the measured copy
                          // bandwidth instead of GFLOP/s and % peak
    double bytes = 0;     // minimum DRAM-ish traffic (inputs + outputs), bytes,
                          // of halconv's call; a peer that moves a different
                          // amount (e.g. oneDNN's 1-byte pooling workspace vs
                          // halconv's int64 indices) has it in
                          // info["bytes"][peer key], used for its GB/s
    Measurement halconv{"halconv"};
    std::vector<Measurement> peers;  // keyed by Measurement::key
    // Correctness: halconv vs the reference peer (max_rel_err), and both vs a
    // naive reference on sampled output points (harness self-check).
    std::string reference;           // key of the peer halconv was compared to
    double max_rel_err = kNaN;
    double sampled_err_halconv = kNaN;
    double sampled_err_peer = kNaN;
    Status status = Status::OK;
    std::vector<std::string> notes;
    json::Value info = json::Value::object();  // family-specific extras

    const Measurement *peer(const std::string &key) const;
    void fail(const std::string &why) {
        if (status == Status::OK) status = Status::FAILED;
        notes.push_back(why);
    }
};

struct Column {
    std::string key;    // Measurement key
    std::string label;  // markdown header
    // Ratio columns only: when non-empty, the ratio is taken against the
    // fastest of these peers (e.g. oneDNN's best blocked layout), and `key`
    // only names the column in the JSON.
    std::vector<std::string> best_of = {};
};

struct FamilySpec {
    std::string name;               // suite.json key
    std::string group;              // output files bench/results/<group>.{json,md}
    std::vector<Column> peers;      // peer columns, in table order
    std::vector<Column> ratios;     // peers that get a "halconv vs" ratio column
    // Receives the family's suite entries that passed --filter.
    std::function<std::vector<Row>(const json::Value &entries, const Options &opts)> run;
    // Markdown printed under the family's table (what is measured, caveats).
    std::string doc = {};
};

std::vector<FamilySpec> &family_registry();
struct RegisterFamily {
    explicit RegisterFamily(FamilySpec spec) { family_registry().push_back(std::move(spec)); }
};
#define BENCH_CAT2(a, b) a##b
#define BENCH_CAT(a, b) BENCH_CAT2(a, b)
#define BENCH_REGISTER_FAMILY(...) \
    static ::bench::RegisterFamily BENCH_CAT(bench_family_, __LINE__){__VA_ARGS__}

// max_i |a_i - b_i| / max_i |b_i|  (b is the reference). A normwise relative
// error: elementwise relative error is meaningless where outputs cross zero.
double max_rel_err(const float *a, const float *b, size_t n);

// The correctness gate: sets row.reference / row.max_rel_err and fails the
// row when max_rel_err(out, ref) >= kMaxRelErr (or is NaN).
void check_against(Row &row, const float *out, const float *ref, size_t n, const std::string &ref_key);

// Sampled self-check: max |out[idx[i]] - expected[i]| / max |expected|.
double sampled_err(const float *out, const std::vector<size_t> &idx, const std::vector<double> &expected);

// `count` distinct-ish deterministic indices in [0, n).
std::vector<size_t> sample_indices(size_t n, int count, uint64_t seed);

// Deterministic uniform [-1, 1) fill.
void fill_uniform(std::vector<float> &v, uint64_t seed, float scale = 1.0f);

// ratio = t_peer / t_halconv (> 1: halconv faster); NaN when either is missing.
double speed_ratio(const Measurement &peer, const Measurement &halconv);

// The ratio of a report column: against col.key, or against the fastest
// measured peer of col.best_of (NaN when none of them was measured).
double column_ratio(const Row &row, const Column &col);

}  // namespace bench
