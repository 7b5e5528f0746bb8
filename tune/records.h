// The records database of `halconv tune`: one JSON object per line (JSON
// Lines), appended and flushed after every trial, so an interrupted run
// loses at most the trial in flight and a later run with the same file
// resumes (it skips what was measured).
//
// One line (keys in this order; absent optional fields are omitted):
//   {"v": 1,
//    "op": "conv2d",                   pipeline (generator) name
//    "entry": "r50_3x3_56",            suite id (or "custom" for --shape)
//    "shape": {...},                   the suite entry / shape object itself
//    "shape_class": "conv2d:C64...",   runtime dispatch key (runtime/tuned.h)
//    "target": "cpu",                  cpu | cuda | opencl
//    "halide_target": "x86-64-linux-avx-avx2-f16c-fma-sse41",
//    "kind": "tuned",                  hand | tuned | autoscheduler | confirm
//    "strategy": "random",             grid | random | anneal | evolve (kind tuned;
//                                      kind confirm: the strategy that found it)
//    "scheduler": "Adams2019",         Mullapudi2016 | Adams2019 | Li2018 (kind autoscheduler)
//    "trial": 12,                      1-based index within (op, entry, target, kind, strategy/scheduler)
//    "params": {"cpu_x_tile": 6},      the full candidate (every knob of the space)
//    "status": "ok",                   ok | failed (did not compile or run) |
//                                      wrong (output differs from the hand schedule) |
//                                      invalid (violates the space's constraints)
//    "error": "...",                   why, when status != ok
//    "median_ms": 1.93, "spread_ms": 0.08, "min_ms": 1.85,   (status ok)
//    "repeats": 25, "compile_s": 4.7,
//    "gflops": 119.8,                  (when the op has a flop count)
//    "speedup": 1.04, "speedup_spread": 0.03, "hand_ms": 2.01,   (kind confirm)
//    "halconv_version": "0.1.0",
//    "machine": {"cpu": "AMD EPYC 7B13", "cores": 2, "threads": 2},
//    "time": "2026-11-21T10:00:00Z"}
// spread_ms is the interquartile range of the repeats.
//
// Kind confirm: one of the fastest tuned candidates timed again against the
// hand schedule in one process, the two alternating call by call for
// `repeats` rounds (tuner.h, confirmation), so that a drifting machine
// slows both alike. median_ms / spread_ms are the candidate's, hand_ms the
// hand schedule's median in the same rounds, speedup the median over the
// rounds of hand time / candidate time and speedup_spread its interquartile
// range; trial is the confirmed record's trial number.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "bench/json.h"
#include "tune/space.h"

namespace halconv {
namespace tune {

namespace json = ::bench::json;

struct Machine {
    std::string cpu;  // model name from /proc/cpuinfo
    int cores = 0;    // logical CPUs
    int threads = 0;  // threads the pipelines ran with
};

struct Record {
    std::string op, entry;
    json::Value shape = json::Value::object();
    std::string shape_class, target, halide_target;
    std::string kind;       // hand | tuned | autoscheduler | confirm
    std::string strategy;   // kind tuned
    std::string scheduler;  // kind autoscheduler
    int trial = 0;
    Params params;
    std::string status;  // ok | failed | wrong | invalid
    std::string error;
    double median_ms = 0, spread_ms = 0, min_ms = 0;
    int repeats = 0;
    double compile_s = 0;
    std::optional<double> gflops;
    // Kind confirm (see above).
    std::optional<double> speedup, speedup_spread, hand_ms;
    std::string halconv_version;
    Machine machine;
    std::string time;  // ISO 8601 UTC

    bool ok() const { return status == "ok"; }
    json::Value to_json() const;
    static Record from_json(const json::Value &v);  // throws std::runtime_error naming the bad field
};

// The machine this process runs on (cpu model, logical CPUs); threads from
// HL_NUM_THREADS or the CPU count.
Machine this_machine();
// Current UTC time, ISO 8601.
std::string utc_now();

// Appends one line and flushes it to disk (fsync) before returning.
// Throws std::runtime_error with the path on I/O errors.
void append_record(const std::string &path, const Record &r);

// Reads every complete record. A missing file is an empty database. A last
// line without its newline (a run killed while writing) is ignored with a
// note in *warnings; a malformed complete line throws std::runtime_error
// naming the file and line number.
std::vector<Record> load_records(const std::string &path, std::vector<std::string> *warnings = nullptr);

// Selection helpers used by the tuner (resume), the report and the build
// option.
struct RecordKey {
    std::string op, entry, target;
    bool operator<(const RecordKey &o) const {
        return std::tie(op, entry, target) < std::tie(o.op, o.entry, o.target);
    }
};
// The fastest ok record of kind hand or tuned for each (op, entry, target).
std::map<RecordKey, Record> best_by_entry(const std::vector<Record> &records);

// Seconds since the epoch of an ISO 8601 UTC stamp ("2026-11-21T10:00:00Z",
// fractional seconds allowed); nullopt when it does not parse.
std::optional<double> parse_utc(const std::string &stamp);

// How long each record's trial took, in seconds (one value per record): the
// gap since the previous record of the same (op, entry, target), or, where
// there is none or it is implausible (a resumed run), the measured work:
// compile time plus repeats x median. The report's minutes and the tuner's
// resumed budget both use it.
std::vector<double> trial_seconds(const std::vector<Record> &records);

}  // namespace tune
}  // namespace halconv
